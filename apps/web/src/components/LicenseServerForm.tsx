import { useState } from 'react';
import type { CreateLicenseServerRequest, LicenseServer } from '@seatwise/protocol';
import { licenseApi } from '../endpoints.ts';
import type { FieldErrors } from '../form-errors.ts';
import { isSessionEnded, leaveForSignIn } from '../session.tsx';
import { useForm } from '../use-form.ts';
import { TextField } from './Field.tsx';
import { Notice } from './Notice.tsx';
import { SubmitButton } from './SubmitButton.tsx';
import { canonicalTimeZone, TimeZoneField, viewerTimeZone } from './TimeZoneField.tsx';
import '../styles/licenses.css';

/** Field names as the API names them, so its issues land beside the right field; the values name them in messages. */
const labels = { name: 'Name', host: 'Host', port: 'Port', timeZone: 'Time zone' } as const;
type Field = keyof typeof labels;

export type LicenseServerValues = Record<Field, string>;

const MAX_NAME_LENGTH = 200;
const MAX_HOST_LENGTH = 256;

/** The form's starting values: the server's own, or a blank one in the viewer's time zone. */
export function licenseServerValues(server?: LicenseServer): LicenseServerValues {
  if (!server) return { name: '', host: '', port: '', timeZone: viewerTimeZone() };
  return { name: server.name, host: server.host, port: server.port === null ? '' : String(server.port), timeZone: server.timeZone };
}

/** What is wrong with the values, by field (nothing when they can be sent). */
export function checkLicenseServer(values: LicenseServerValues): FieldErrors<Field> {
  const name = values.name.trim();
  const port = values.port.trim();
  return {
    name: !name ? 'Name is required.' : name.length > MAX_NAME_LENGTH ? `Name must be at most ${MAX_NAME_LENGTH} characters.` : undefined,
    host: values.host.trim().length > MAX_HOST_LENGTH ? `Host must be at most ${MAX_HOST_LENGTH} characters.` : undefined,
    port: port && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) ? 'Port must be a whole number from 1 to 65535, or empty.' : undefined,
    timeZone: !values.timeZone.trim()
      ? 'Time zone is required: the times in its logs are read in it.'
      : canonicalTimeZone(values.timeZone) === undefined
        ? `"${values.timeZone.trim()}" is not a time zone. Choose one from the list, such as Europe/Madrid.`
        : undefined,
  };
}

/** The request for checked values: trimmed, the port a number (or null), the zone spelled canonically. */
export function licenseServerRequest(values: LicenseServerValues): Required<CreateLicenseServerRequest> {
  const port = values.port.trim();
  return {
    name: values.name.trim(),
    host: values.host.trim(),
    port: port ? Number(port) : null,
    timeZone: canonicalTimeZone(values.timeZone) ?? values.timeZone.trim(),
  };
}

/** Only what differs from the server as it is (the API refuses an empty change). */
export function licenseServerChanges(server: LicenseServer, request: Required<CreateLicenseServerRequest>): Partial<CreateLicenseServerRequest> {
  const changes: Partial<CreateLicenseServerRequest> = {};
  if (request.name !== server.name) changes.name = request.name;
  if (request.host !== server.host) changes.host = request.host;
  if (request.port !== server.port) changes.port = request.port;
  if (request.timeZone !== server.timeZone) changes.timeZone = request.timeZone;
  return changes;
}

interface LicenseServerFormProps {
  /** The server to edit; without it the form adds a new one. */
  server?: LicenseServer;
  /** Called with the server as stored. */
  onSaved: (server: LicenseServer) => void;
  /** Offers a Cancel button when given. */
  onCancel?: () => void;
}

/** Adds a license server (submit "Add license server") or changes one: name, host, port and time zone. */
export function LicenseServerForm({ server, onSaved, onCancel }: LicenseServerFormProps) {
  const [values, setValues] = useState<LicenseServerValues>(() => licenseServerValues(server));
  const form = useForm(labels);

  const change = (field: Field) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    form.clearField(field);
  };

  async function send() {
    const request = licenseServerRequest(values);
    try {
      if (!server) {
        onSaved(await licenseApi.createServer(request));
        return;
      }
      const changes = licenseServerChanges(server, request);
      onSaved(Object.keys(changes).length > 0 ? await licenseApi.updateServer(server.id, changes) : server);
    } catch (error) {
      if (!isSessionEnded(error)) throw error;
      leaveForSignIn(true);
    }
  }

  return (
    <form noValidate onSubmit={form.onSubmit(() => checkLicenseServer(values), send)} className="form license-server-form">
      {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
      <TextField
        id="name"
        label={labels.name}
        value={values.name}
        onValueChange={change('name')}
        error={form.errors.fields.name}
        hint="How people will know it, for example 27000@flex1 or CAD licenses."
        maxLength={MAX_NAME_LENGTH}
        autoComplete="off"
        required
      />
      <TextField
        id="host"
        label={`${labels.host} (optional)`}
        value={values.host}
        onValueChange={change('host')}
        error={form.errors.fields.host}
        hint="The machine the license daemon runs on, for example flex1.example.com."
        maxLength={MAX_HOST_LENGTH}
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="none"
      />
      <TextField
        id="port"
        label={`${labels.port} (optional)`}
        value={values.port}
        onValueChange={change('port')}
        error={form.errors.fields.port}
        hint="Its TCP port, for example 27000 (FlexLM) or 5053 (RLM)."
        inputMode="numeric"
        maxLength={5}
        autoComplete="off"
      />
      <TimeZoneField
        id="timeZone"
        label={labels.timeZone}
        value={values.timeZone}
        onValueChange={change('timeZone')}
        error={form.errors.fields.timeZone}
        hint={
          server
            ? 'Logs uploaded from now on are read in this zone; usage already stored keeps its times.'
            : 'License logs give local wall-clock times; Seatwise reads them in this zone (daylight saving included).'
        }
      />
      <div className="license-server-form-actions">
        <SubmitButton busy={form.busy} busyLabel={server ? 'Saving…' : 'Adding…'}>
          {server ? 'Save changes' : 'Add license server'}
        </SubmitButton>
        {onCancel ? (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
