import { useEffect, useRef, useState } from 'react';
import { API_KEY_SCOPE_DESCRIPTIONS, API_KEY_SCOPES, type ApiKey, type ApiKeyScope } from '@seatwise/protocol';
import type { AppPageProps } from '../App.tsx';
import { agentConfigSnippet, AGENT_CHECK_COMMAND, AGENT_CONFIG_PATH, keyFileCommands } from '../admin/agent-config.ts';
import { viewerTimeZone } from '../admin/time-zone.ts';
import { createKeyLabels, createKeyProblems, orderedScopes, sortKeysForList, type CreateKeyField } from '../admin/api-keys.ts';
import { applyEdits, withEdit, type ListEdits } from '../admin/list-edits.ts';
import { LiveMessage } from '../admin/LiveMessage.tsx';
import { When } from '../admin/When.tsx';
import { LoadView } from '../components/AppShell.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { TextField } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { apiKeysApi } from '../endpoints.ts';
import type { FieldErrors } from '../form-errors.ts';
import { useForm } from '../use-form.ts';
import { useLoad } from '../use-load.ts';
import '../styles/admin.css';

interface CreatedKey {
  key: string;
  apiKey: ApiKey;
}

export function ApiKeysPage(_props: AppPageProps) {
  useDocumentTitle('Agents and API keys');
  const { state, reload } = useLoad((signal) => apiKeysApi.list(signal).then((answer) => answer.apiKeys), 'api-keys');
  const [edits, setEdits] = useState<ListEdits<ApiKey>>(new Map());
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);

  function keyCreated(answer: CreatedKey) {
    setEdits((current) => withEdit(current, answer.apiKey.id, answer.apiKey));
    setMessage(null);
    setCreated(answer);
  }

  function dismissCreated() {
    setCreated(null);
    listHeading.current?.focus();
  }

  return (
    <>
      <PageHeading>Agents and API keys</PageHeading>
      <p className="lead">
        An API key lets the on-prem agent or a script use Seatwise without a person’s session. Install the on-prem agent on your license server and give it
        a key with the <code>ingest</code> scope.
      </p>

      {created ? <NewKeyPanel created={created} onDismiss={dismissCreated} /> : <CreateKeyForm onCreated={keyCreated} />}

      <section className="admin-section" aria-labelledby="keys-heading">
        <h2 id="keys-heading" ref={listHeading} tabIndex={-1}>
          Keys
        </h2>
        <LiveMessage message={message} />
        <LoadView state={state} label="API keys" onRetry={reload}>
          {(loaded) => {
            const keys = sortKeysForList(applyEdits(loaded, edits, (key) => key.id));
            if (keys.length === 0) {
              return <p className="empty-state">No API keys yet. Create one above for the on-prem agent or for a script.</p>;
            }
            return <KeyTable keys={keys} onRevoke={setRevoking} />;
          }}
        </LoadView>
      </section>

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        busyLabel="Revoking…"
        tone="danger"
        onConfirm={async () => {
          if (!revoking) return;
          const revoked = await apiKeysApi.revoke(revoking.id);
          setEdits((current) => withEdit(current, revoked.id, revoked));
          setMessage(`“${revoked.name}” is revoked: the next request made with it is refused.`);
        }}
        onClose={() => setRevoking(null)}
        fallbackFocus={() => listHeading.current}
      >
        <p>
          The agent or script that uses the key <code>{revoking?.prefix}…</code> is refused from its next request. This cannot be undone: to connect it
          again, create a new key.
        </p>
      </ConfirmDialog>
    </>
  );
}

function KeyTable({ keys, onRevoke }: { keys: ApiKey[]; onRevoke: (key: ApiKey) => void }) {
  return (
    <table className="table admin-table">
      <caption className="visually-hidden">API keys</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Prefix</th>
          <th scope="col">Scopes</th>
          <th scope="col">Created by</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key.id} className={key.revokedAt ? 'row-revoked' : undefined}>
            <th scope="row" data-label="Name">
              <span className="wrap-anywhere">{key.name}</span>
            </th>
            <td data-label="Prefix">
              <code>{key.prefix}…</code>
            </td>
            <td data-label="Scopes">
              <span>{key.scopes.join(', ')}</span>
            </td>
            <td data-label="Created by">
              <span>{key.createdBy.name ?? <span className="muted">A former member</span>}</span>
            </td>
            <td data-label="Created">
              <When iso={key.createdAt} />
            </td>
            <td data-label="Last used">{key.lastUsedAt ? <When iso={key.lastUsedAt} /> : <span className="muted">Never</span>}</td>
            <td data-label="Status">
              {key.revokedAt ? (
                <span className="status-badge status-bad">
                  Revoked on <When iso={key.revokedAt} />
                </span>
              ) : (
                <span className="status-badge status-good">Active</span>
              )}
            </td>
            <td data-label="Actions">
              {key.revokedAt ? (
                <span className="muted">—</span>
              ) : (
                <span className="table-actions">
                  <button type="button" className="button button-secondary button-small" aria-label={`Revoke ${key.name}`} onClick={() => onRevoke(key)}>
                    Revoke
                  </button>
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (created: CreatedKey) => void }) {
  const form = useForm(createKeyLabels);
  const [name, setName] = useState('');
  // Most keys are for the agent, so ingest starts ticked.
  const [scopes, setScopes] = useState<ReadonlySet<ApiKeyScope>>(new Set(['ingest']));
  const chosen = orderedScopes(scopes, API_KEY_SCOPES);
  const scopesError = form.errors.fields.scopes;

  function toggle(scope: ApiKeyScope, on: boolean) {
    setScopes((current) => {
      const next = new Set(current);
      if (on) next.add(scope);
      else next.delete(scope);
      return next;
    });
    form.clearField('scopes');
  }

  function check(): FieldErrors<CreateKeyField> {
    return createKeyProblems(name, chosen);
  }

  async function send() {
    const answer = await apiKeysApi.create(name.trim(), chosen);
    setName('');
    onCreated(answer);
  }

  return (
    <section className="card admin-card" aria-labelledby="create-key-heading">
      <h2 id="create-key-heading">Create a key</h2>
      {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
      <form noValidate onSubmit={form.onSubmit(check, send)} className="form admin-form" aria-labelledby="create-key-heading">
        <TextField
          id="name"
          label={createKeyLabels.name}
          value={name}
          onValueChange={(value) => {
            setName(value);
            form.clearField('name');
          }}
          error={form.errors.fields.name}
          hint="What the key is for, such as “Agent on flex1”. Everyone who manages keys sees it."
          autoComplete="off"
          required
        />
        <fieldset id="scopes" tabIndex={-1} className="choices" aria-describedby={scopesError ? 'scopes-error' : undefined}>
          <legend>{createKeyLabels.scopes}</legend>
          {scopesError ? (
            <p id="scopes-error" className="field-error">
              <span className="visually-hidden">Error: </span>
              {scopesError}
            </p>
          ) : null}
          {API_KEY_SCOPES.map((scope) => (
            <div className="choice" key={scope}>
              <input id={`scope-${scope}`} type="checkbox" checked={scopes.has(scope)} onChange={(event) => toggle(scope, event.target.checked)} />
              <label htmlFor={`scope-${scope}`}>
                <span className="choice-name">{scope}</span> <span className="choice-description">{API_KEY_SCOPE_DESCRIPTIONS[scope]}</span>
              </label>
            </div>
          ))}
        </fieldset>
        <SubmitButton busy={form.busy} busyLabel="Creating…">
          Create key
        </SubmitButton>
      </form>
    </section>
  );
}

/** The plain key, shown once, with what to paste on the license server. */
function NewKeyPanel({ created, onDismiss }: { created: CreatedKey; onDismiss: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { key, apiKey } = created;

  // Screen-reader and keyboard users start at the warning, then the key.
  useEffect(() => heading.current?.focus(), [key]);

  return (
    <section className="new-key" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading" ref={heading} tabIndex={-1}>
        Copy this key now — it will not be shown again
      </h2>
      <p>
        The key “{apiKey.name}” ({apiKey.scopes.join(' and ')}) is ready. Seatwise keeps only a fingerprint of it: once you leave this page or close this
        panel, nobody can show it again. If it is lost, revoke it and create another.
      </p>
      <div className="field">
        <label htmlFor="new-api-key">New API key</label>
        <div className="copy-row">
          <input id="new-api-key" className="key-value" type="text" value={key} readOnly spellCheck={false} autoComplete="off" onFocus={(event) => event.target.select()} />
          <CopyButton text={key} targetId="new-api-key" />
        </div>
      </div>
      {apiKey.scopes.includes('ingest') ? (
        <AgentSetup created={created} />
      ) : (
        <p>
          Scripts send it in a header: <code>Authorization: Bearer {apiKey.prefix}…</code>
        </p>
      )}
      <p>
        <button type="button" className="button button-primary" onClick={onDismiss}>
          I have stored the key
        </button>
      </p>
    </section>
  );
}

function AgentSetup({ created }: { created: CreatedKey }) {
  const commands = keyFileCommands(created.key);
  const config = agentConfigSnippet({ serverUrl: window.location.origin, keyName: created.apiKey.name, timeZone: viewerTimeZone() });
  return (
    <div className="agent-setup">
      <h3>Connect the on-prem agent</h3>
      <p>Install the on-prem agent on your license server and give it this key. Then, as root on that server:</p>
      <ol className="setup-steps">
        <li>
          <p>Keep the key in a file that only the agent’s user can read:</p>
          <pre id="agent-key-commands" className="snippet">
            {commands}
          </pre>
          <CopyButton text={commands} targetId="agent-key-commands" label="Copy commands" />
        </li>
        <li>
          <p>
            Put this in <code>{AGENT_CONFIG_PATH}</code>, with your license server’s name, time zone and log file:
          </p>
          <pre id="agent-config" className="snippet">
            {config}
          </pre>
          <CopyButton text={config} targetId="agent-config" label="Copy configuration" />
        </li>
        <li>
          <p>Check that the agent reads its configuration and that Seatwise accepts the key:</p>
          <pre id="agent-check" className="snippet">
            {AGENT_CHECK_COMMAND}
          </pre>
          <CopyButton text={AGENT_CHECK_COMMAND} targetId="agent-check" label="Copy check command" />
        </li>
      </ol>
    </div>
  );
}
