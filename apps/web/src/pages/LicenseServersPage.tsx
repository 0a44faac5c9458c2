import { useEffect, useRef, useState, type FormEvent } from 'react';
import { MAX_SEATS_OWNED, type AnalyticsSummary, type Feature, type FeatureSummary, type LicenseServer } from '@seatwise/protocol';
import type { AppPageProps } from '../App.tsx';
import { LoadView } from '../components/AppShell.tsx';
import { LicenseServerForm } from '../components/LicenseServerForm.tsx';
import { Link } from '../components/Link.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import { licenseApi, usageApi } from '../endpoints.ts';
import { RANGE_PRESETS, readView, viewSearch } from '../charts/range.ts';
import { formatCount, formatDateTime, formatPercent, formatSeats, inZone, isoDay } from '../format.ts';
import { useLocation } from '../router.ts';
import { errorMessage, isSessionEnded, leaveForSignIn, useSession } from '../session.tsx';
import { formatDate } from '../time.ts';
import { useLoad, type Load } from '../use-load.ts';
import '../styles/licenses.css';


/** Seats owned as typed: empty means "not entered" (null); otherwise a whole number from 0 to 10,000,000. */
export function parseSeatsOwned(text: string): { seats: number | null } | { problem: string } {
  const trimmed = text.trim();
  if (!trimmed) return { seats: null };
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > MAX_SEATS_OWNED) {
    return { problem: `Enter a whole number of seats from 0 to ${MAX_SEATS_OWNED.toLocaleString()}, or leave it empty.` };
  }
  return { seats: Number(trimmed) };
}

/** A license server's address as people write it: "flex1:27000", "flex1", "port 27000" or "—". */
export function serverAddress(server: Pick<LicenseServer, 'host' | 'port'>): string {
  if (server.host && server.port !== null) return `${server.host}:${server.port}`;
  if (server.host) return server.host;
  return server.port !== null ? `port ${server.port}` : '—';
}

/** A YYYY-MM-DD day as people read it, taken at local noon so no zone moves it to the day before. */
const formatDay = (day: string) => formatDate(`${day}T12:00:00`);

type Editing = { server: LicenseServer | null } | null;

export function LicenseServersPage(_props: AppPageProps) {
  useDocumentTitle('License servers and features');
  const { can } = useSession();
  const mayManage = can('license:manage');
  const servers = useLoad((signal) => licenseApi.servers(signal).then((answer) => answer.licenseServers), 'license-servers');
  const features = useLoad((signal) => licenseApi.features(signal).then((answer) => answer.features), 'features');
  // The days of usage beside each feature: a preset (the last 30 days unless the address says otherwise)
  // or the days an upload covered (`?from=…&to=…`); feature links carry them on to the feature screen.
  const { search } = useLocation();
  const view = readView(search, isoDay(new Date()));
  const range = { from: view.from, to: view.to };
  const rangeQuery = viewSearch({ ...view, bucketChosen: false, serverId: null }).toString();
  const rangeWords = view.preset ? RANGE_PRESETS.find((preset) => preset.id === view.preset)?.label.toLowerCase() : null;
  const usage = useLoad((signal) => usageApi.summary(range, signal), `${range.from}..${range.to}`);
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const nothingYet =
    servers.state.kind === 'ready' && servers.state.data.length === 0 && features.state.kind === 'ready' && features.state.data.length === 0;

  function serverSaved(saved: LicenseServer) {
    setNotice(editing?.server ? `License server "${saved.name}" saved.` : `License server "${saved.name}" added.`);
    setEditing(null);
    servers.reload();
  }

  function seatsSaved() {
    features.reload();
    // Utilisation is measured against seats owned.
    usage.reload();
  }

  return (
    <>
      <PageHeading>License servers and features</PageHeading>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {nothingYet ? (
        <section className="card licenses-empty" aria-labelledby="licenses-empty-heading">
          <h2 id="licenses-empty-heading">No usage yet</h2>
          <NextSteps />
        </section>
      ) : null}

      <section className="licenses-section" aria-labelledby="servers-heading">
        <div className="section-heading">
          <h2 id="servers-heading">License servers</h2>
          {mayManage ? (
            <button type="button" className="button button-secondary button-small" onClick={() => setEditing({ server: null })}>
              New license server…
            </button>
          ) : null}
        </div>
        <LoadView state={servers.state} label="license servers" onRetry={servers.reload}>
          {(list) =>
            list.length === 0 ? (
              <p className="muted">
                No license servers yet.{mayManage ? ' Add one with "New license server…", or on the Upload page.' : ''} An agent adds its own when it first
                reports.
              </p>
            ) : (
              <ServersTable servers={list} onEdit={mayManage ? (server) => setEditing({ server }) : undefined} />
            )
          }
        </LoadView>
      </section>

      <section className="licenses-section" aria-labelledby="features-heading">
        <div className="section-heading">
          <h2 id="features-heading">Features</h2>
          <p className="muted count">
            Usage from {formatDay(range.from)} to {formatDay(range.to)}
            {rangeWords ? ` (the ${rangeWords})` : ''}
          </p>
        </div>
        <LoadView state={features.state} label="features" onRetry={features.reload}>
          {(list) =>
            list.length === 0 ? (
              nothingYet ? null : (
                <div className="licenses-no-features">
                  <p>No features yet: they appear as soon as usage arrives.</p>
                  <NextSteps />
                </div>
              )
            ) : (
              <>
                {usage.state.kind === 'failed' ? (
                  <Notice tone="error">
                    <p>The usage of these days could not be loaded: {usage.state.message}</p>
                    <button type="button" className="button button-secondary button-small" onClick={usage.reload}>
                      Try again
                    </button>
                  </Notice>
                ) : null}
                <FeaturesTable features={list} usage={usage.state} rangeQuery={rangeQuery} mayManage={mayManage} onSeatsSaved={seatsSaved} />
              </>
            )
          }
        </LoadView>
      </section>

      {mayManage ? <ServerDialog editing={editing} onClose={() => setEditing(null)} onSaved={serverSaved} /> : null}
    </>
  );
}

/** What to do to get usage in, offering only what the role allows. */
function NextSteps() {
  const { can } = useSession();
  const mayUpload = can('usage:ingest');
  const mayConnect = can('apikey:manage');
  if (!mayUpload && !mayConnect) {
    return <p>Usage appears here once an Owner or Admin uploads a log or connects an agent.</p>;
  }
  return (
    <>
      <p>Upload a log or connect an agent, and the license servers and features it reports appear here.</p>
      <ul className="licenses-next-steps">
        {mayUpload ? (
          <li>
            <Link href="/upload">Upload a log</Link>: a FlexNet, RLM or LM-X log or status output, or a CSV.
          </li>
        ) : null}
        {mayConnect ? (
          <li>
            <Link href="/api-keys">Connect an agent</Link>: create an API key for the on-prem agent, which reports as usage happens.
          </li>
        ) : null}
      </ul>
    </>
  );
}

function ServersTable({ servers, onEdit }: { servers: readonly LicenseServer[]; onEdit?: (server: LicenseServer) => void }) {
  return (
    <div className="card licenses-table">
      <table className="table licenses-servers">
        <caption className="visually-hidden">License servers</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Address</th>
            <th scope="col">Time zone</th>
            <th scope="col">Added</th>
            {onEdit ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {servers.map((server) => (
            <tr key={server.id}>
              <th scope="row" data-label="Name">
                {server.name}
              </th>
              <td data-label="Address">{serverAddress(server)}</td>
              <td data-label="Time zone">{server.timeZone}</td>
              <td data-label="Added">
                <time dateTime={server.createdAt} title={inZone(server.createdAt, server.timeZone)}>
                  {formatDateTime(server.createdAt)}
                </time>
              </td>
              {onEdit ? (
                <td data-label="Actions">
                  <button type="button" className="button button-secondary button-small" onClick={() => onEdit(server)}>
                    Edit<span className="visually-hidden"> {server.name}</span>
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface FeaturesTableProps {
  features: readonly Feature[];
  usage: Load<AnalyticsSummary>;
  /** The days shown, as a query string for the feature screen ("" for its default). */
  rangeQuery: string;
  mayManage: boolean;
  onSeatsSaved: () => void;
}

function FeaturesTable({ features, usage, rangeQuery, mayManage, onSeatsSaved }: FeaturesTableProps) {
  const byFeature = new Map<string, FeatureSummary>(usage.kind === 'ready' ? usage.data.features.map((summary) => [summary.featureId, summary]) : []);
  const usageCell = (summary: FeatureSummary | undefined, show: (summary: FeatureSummary) => string) =>
    usage.kind === 'loading' ? <span className="muted">Loading…</span> : summary ? show(summary) : '—';
  return (
    <div className="card licenses-table">
      <table className="table licenses-features">
        <caption className="visually-hidden">Features, with seats owned and usage of the days shown above</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Vendor</th>
            <th scope="col">Seats owned</th>
            <th scope="col">Peak</th>
            <th scope="col">
              <abbr title="Peak as a share of the seats owned">Utilisation</abbr>
            </th>
            <th scope="col">
              <abbr title="Requests refused and not followed by a check-out of the same feature by the same person">True denials</abbr>
            </th>
          </tr>
        </thead>
        <tbody>
          {features.map((feature) => {
            const summary = byFeature.get(feature.id);
            return (
              <tr key={feature.id}>
                <th scope="row" data-label="Feature">
                  <Link href={`/features/${encodeURIComponent(feature.id)}${rangeQuery ? `?${rangeQuery}` : ''}`}>{feature.name}</Link>
                </th>
                <td data-label="Vendor">{feature.vendor}</td>
                <td data-label="Seats owned">
                  {mayManage ? (
                    <SeatsOwnedEditor feature={feature} onSaved={onSeatsSaved} />
                  ) : feature.seatsOwned === null ? (
                    <span className="muted">Not entered</span>
                  ) : (
                    formatSeats(feature.seatsOwned)
                  )}
                </td>
                <td data-label="Peak">{usageCell(summary, (found) => formatSeats(found.peak))}</td>
                <td data-label="Utilisation">
                  {usageCell(summary, (found) => (found.utilisation ? formatPercent(found.utilisation.peak) : 'Needs seats owned'))}
                </td>
                <td data-label="True denials">{usageCell(summary, (found) => formatCount(found.denials, 'denial'))}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'failed'; message: string };

/** Seats owned of one feature, edited in its row: a number (or empty for "not entered") and Save. */
function SeatsOwnedEditor({ feature, onSaved }: { feature: Feature; onSaved: () => void }) {
  const [text, setText] = useState(feature.seatsOwned === null ? '' : String(feature.seatsOwned));
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const input = useRef<HTMLInputElement>(null);
  const inputId = `seats-owned-${feature.id}`;
  const messageId = `${inputId}-message`;

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (state.kind === 'saving') return;
    const parsed = parseSeatsOwned(text);
    if ('problem' in parsed) {
      setState({ kind: 'failed', message: parsed.problem });
      input.current?.focus();
      return;
    }
    if (parsed.seats === feature.seatsOwned) {
      setState({ kind: 'saved' });
      return;
    }
    setState({ kind: 'saving' });
    try {
      const updated = await licenseApi.setSeatsOwned(feature.id, parsed.seats);
      setText(updated.seatsOwned === null ? '' : String(updated.seatsOwned));
      setState({ kind: 'saved' });
      onSaved();
    } catch (error) {
      if (isSessionEnded(error)) {
        leaveForSignIn(true);
        return;
      }
      setState({ kind: 'failed', message: errorMessage(error) });
    }
  }

  const failed = state.kind === 'failed';
  return (
    <form className="seats-owned" noValidate onSubmit={(event) => void save(event)}>
      <label htmlFor={inputId} className="visually-hidden">
        Seats owned of {feature.name} ({feature.vendor})
      </label>
      <span className="seats-owned-controls">
        <input
          ref={input}
          id={inputId}
          className="seats-owned-input"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          placeholder="Not entered"
          value={text}
          maxLength={10}
          onChange={(event) => {
            setText(event.target.value);
            if (state.kind !== 'saving') setState({ kind: 'idle' });
          }}
          aria-invalid={failed || undefined}
          aria-describedby={messageId}
        />
        <span className="seats-owned-unit" aria-hidden="true">
          seats
        </span>
        <button type="submit" className="button button-secondary button-small" aria-disabled={state.kind === 'saving' || undefined}>
          {state.kind === 'saving' ? 'Saving…' : 'Save'}
          <span className="visually-hidden"> seats owned of {feature.name}</span>
        </button>
      </span>
      <span id={messageId} role="status" className={failed ? 'seats-owned-message field-error' : 'seats-owned-message'}>
        {failed ? state.message : state.kind === 'saved' ? 'Saved' : ''}
      </span>
    </form>
  );
}

/** Adding or editing a license server in a modal dialog; focus goes back to the button that opened it. */
function ServerDialog({ editing, onClose, onSaved }: { editing: Editing; onClose: () => void; onSaved: (server: LicenseServer) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (editing && !element.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      element.showModal();
    } else if (!editing && element.open) {
      element.close();
    }
  }, [editing]);

  // Closing by Escape, Cancel or a save all end here.
  function closed() {
    onClose();
    opener.current?.focus();
    opener.current = null;
  }

  return (
    <dialog ref={dialog} className="dialog server-dialog" aria-labelledby="server-dialog-title" onClose={closed}>
      {editing ? (
        <>
          <h2 id="server-dialog-title">{editing.server ? `Edit ${editing.server.name}` : 'New license server'}</h2>
          <LicenseServerForm key={editing.server?.id ?? 'new'} server={editing.server ?? undefined} onSaved={onSaved} onCancel={() => dialog.current?.close()} />
        </>
      ) : null}
    </dialog>
  );
}
