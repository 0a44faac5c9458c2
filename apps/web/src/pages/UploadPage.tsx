import { useEffect, useRef, useState, type DragEvent, type RefObject } from 'react';
import type { LicenseServer, Upload } from '@seatwise/protocol';
import type { AppPageProps } from '../App.tsx';
import { LoadView } from '../components/AppShell.tsx';
import { daysCovering } from '../charts/range.ts';
import { FieldFrame } from '../components/Field.tsx';
import { LicenseServerForm } from '../components/LicenseServerForm.tsx';
import { Link } from '../components/Link.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { licenseApi, uploadsApi } from '../endpoints.ts';
import type { FieldErrors } from '../form-errors.ts';
import { formatBytes, formatCount, formatDateTime, inZone } from '../format.ts';
import { setSearch, useLocation } from '../router.ts';
import { isSessionEnded, leaveForSignIn, useSession } from '../session.tsx';
import { formatName, statusLabel } from '../upload/describe.ts';
import { droppedFile, fileProblem } from '../upload/file-check.ts';
import { initialProgress, viewProgress, type UploadProgressState } from '../upload/progress.ts';
import { runUpload } from '../upload/run-upload.ts';
import { isAbortError } from '../upload/upload-request.ts';
import { useForm } from '../use-form.ts';
import { useLoad } from '../use-load.ts';
import '../styles/upload.css';

const labels = { licenseServerId: 'License server', fileName: 'Log file', startDate: 'Start date' } as const;
type Field = keyof typeof labels;

/** The select's value for "New license server…". */
const NEW_SERVER = 'new';

type Run =
  | { kind: 'idle' }
  | { kind: 'running'; progress: UploadProgressState }
  | { kind: 'finished'; upload: Upload }
  | { kind: 'cancelled' };

/** The server chosen before: the one in the address (?server=…), else the only one there is. */
function startingServer(servers: readonly LicenseServer[], fromAddress: string | null): string {
  if (fromAddress && servers.some((server) => server.id === fromAddress)) return fromAddress;
  return servers.length === 1 ? (servers[0] as LicenseServer).id : '';
}

export function UploadPage(_props: AppPageProps) {
  useDocumentTitle('Smart Upload');
  const serversLoad = useLoad((signal) => licenseApi.servers(signal).then((answer) => answer.licenseServers), 'license-servers');
  const uploadsLoad = useLoad((signal) => uploadsApi.list(signal).then((answer) => answer.uploads), 'uploads');
  // Servers added here, shown at once (before the list is loaded again).
  const [added, setAdded] = useState<LicenseServer[]>([]);
  const loaded = serversLoad.state.kind === 'ready' ? serversLoad.state.data : [];
  const servers = [...loaded, ...added.filter((server) => !loaded.some((known) => known.id === server.id))];

  return (
    <>
      <PageHeading>Smart Upload</PageHeading>
      <p className="lead">
        Upload a license-server log and Seatwise works out the rest: FlexNet debug logs, saved <code>lmstat -a</code> output, RLM report and
        debug logs, <code>rlmstat -a</code> and LM-X <code>-licstat</code> output, or a CSV of time, feature, user and seats. The format is
        recognised from the content; files up to 2 GiB.
      </p>
      <LoadView state={serversLoad.state} label="license servers" onRetry={serversLoad.reload}>
        {() => (
          <UploadForm
            servers={servers}
            recent={uploadsLoad.state.kind === 'ready' ? uploadsLoad.state.data : []}
            onServerAdded={(server) => setAdded((current) => [...current, server])}
            onUploadsChanged={uploadsLoad.reload}
          />
        )}
      </LoadView>
      <section className="upload-recent" aria-labelledby="recent-uploads-heading">
        <h2 id="recent-uploads-heading">Recent uploads</h2>
        <LoadView state={uploadsLoad.state} label="recent uploads" onRetry={uploadsLoad.reload}>
          {(uploads) => <RecentUploads uploads={uploads} servers={servers} />}
        </LoadView>
      </section>
    </>
  );
}

interface UploadFormProps {
  servers: readonly LicenseServer[];
  recent: readonly Upload[];
  onServerAdded: (server: LicenseServer) => void;
  onUploadsChanged: () => void;
}

function UploadForm({ servers, recent, onServerAdded, onUploadsChanged }: UploadFormProps) {
  const { can } = useSession();
  const location = useLocation();
  const mayAddServer = can('license:manage');
  const [chosen, setChosen] = useState<string | null>(null);
  const serverId = chosen ?? (servers.length === 0 && mayAddServer ? NEW_SERVER : startingServer(servers, location.search.get('server')));
  const [file, setFile] = useState<File | null>(null);
  const [fileRefusal, setFileRefusal] = useState<string | null>(null);
  const [startDate, setStartDate] = useState('');
  const [dragging, setDragging] = useState(false);
  const [run, setRun] = useState<Run>({ kind: 'idle' });
  const [serverNotice, setServerNotice] = useState<string | null>(null);
  const form = useForm(labels);
  const controller = useRef<AbortController | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const serverSelect = useRef<HTMLSelectElement>(null);
  const formElement = useRef<HTMLFormElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);
  const server = servers.find((candidate) => candidate.id === serverId);
  const running = run.kind === 'running';

  // Leaving the page by reload or close would break the transfer off; in-app navigation lets it finish.
  useEffect(() => {
    if (!running) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [running]);

  // A file dropped beside the box would make the browser open it and leave the page.
  useEffect(() => {
    const keep = (event: globalThis.DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    window.addEventListener('dragover', keep);
    window.addEventListener('drop', keep);
    return () => {
      window.removeEventListener('dragover', keep);
      window.removeEventListener('drop', keep);
    };
  }, []);

  useEffect(() => {
    if (run.kind === 'finished') resultHeading.current?.focus();
  }, [run.kind]);

  function chooseServer(id: string) {
    setChosen(id);
    setServerNotice(null);
    form.clearField('licenseServerId');
    if (id !== NEW_SERVER) {
      const search = new URLSearchParams(window.location.search);
      if (id) search.set('server', id);
      else search.delete('server');
      setSearch(search);
    }
  }

  function serverAdded(added: LicenseServer) {
    onServerAdded(added);
    chooseServer(added.id);
    setServerNotice(`License server "${added.name}" added and chosen.`);
    // The form that had focus is gone; the choice it made is the next thing to read.
    window.setTimeout(() => serverSelect.current?.focus(), 0);
  }

  function takeFile(next: File | null, refusal: string | null) {
    setFile(next);
    setFileRefusal(refusal);
    form.clearField('fileName');
  }

  function picked(files: FileList | null) {
    const next = files?.[0] ?? null;
    const problem = next ? fileProblem(next) : undefined;
    if (problem && fileInput.current) fileInput.current.value = '';
    takeFile(problem ? null : next, problem ?? null);
  }

  function dropped(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    if (running) return;
    const outcome = droppedFile(event.dataTransfer);
    if ('problem' in outcome) {
      if (fileInput.current) fileInput.current.value = '';
      takeFile(null, outcome.problem);
      return;
    }
    // Shown in the file input too, so it names the file that will be sent.
    try {
      if (fileInput.current) fileInput.current.files = event.dataTransfer.files;
    } catch {
      // Older browsers cannot set it; the file name is shown below the box either way.
    }
    takeFile(outcome.file, null);
  }

  function dragOver(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    event.dataTransfer.dropEffect = running ? 'none' : 'copy';
    setDragging(!running);
  }

  function check(): FieldErrors<Field> {
    return {
      licenseServerId:
        serverId === NEW_SERVER
          ? 'Add the new license server first (or choose one from the list).'
          : !server
            ? 'Choose the license server this log comes from.'
            : undefined,
      fileName: fileRefusal ?? (file ? fileProblem(file) : 'Choose a log file, or drop one on the box.'),
      startDate: startDate && !/^\d{4}-\d{2}-\d{2}$/.test(startDate) ? 'Start date must be a date, such as 2025-03-12, or empty.' : undefined,
    };
  }

  async function send() {
    if (!server || !file) return;
    const abort = new AbortController();
    controller.current = abort;
    setRun({ kind: 'running', progress: initialProgress(file.size) });
    try {
      const upload = await runUpload(
        { licenseServerId: server.id, file, startDate: startDate || null },
        { signal: abort.signal, onProgress: (progress) => setRun({ kind: 'running', progress }), onCreated: onUploadsChanged },
      );
      setRun({ kind: 'finished', upload });
      // Done: the next upload starts from a fresh file (the same one again would only be a duplicate).
      setFile(null);
      setStartDate('');
      if (fileInput.current) fileInput.current.value = '';
    } catch (error) {
      if (isAbortError(error)) {
        setRun({ kind: 'cancelled' });
        formElement.current?.querySelector<HTMLButtonElement>('button[type="submit"]')?.focus();
        return;
      }
      setRun({ kind: 'idle' });
      if (isSessionEnded(error)) {
        leaveForSignIn(true);
        return;
      }
      throw error;
    } finally {
      controller.current = null;
      onUploadsChanged();
    }
  }

  const serverError = form.errors.fields.licenseServerId;
  const fileError = fileRefusal ?? form.errors.fields.fileName;
  const dateError = form.errors.fields.startDate;

  return (
    <>
      <section className="card upload-card" aria-labelledby="upload-form-heading">
        <h2 id="upload-form-heading">Upload a log</h2>
        {form.errors.form ? (
          <Notice tone="error" title="The upload did not go through">
            <p>{form.errors.form}</p>
            <p>Your choices are kept: correct what is needed and upload again.</p>
          </Notice>
        ) : null}
        {serverNotice ? <Notice tone="success">{serverNotice}</Notice> : null}

        <FieldFrame
          id="licenseServerId"
          label={labels.licenseServerId}
          error={serverError}
          hint={
            server
              ? `Its logs are read in ${server.timeZone} time.`
              : servers.length === 0 && !mayAddServer
                ? 'No license server has been added yet. Ask an Owner or Admin to add the one this log comes from.'
                : 'The server the log comes from: its time zone is how the times in the log are read.'
          }
          control={(described) => (
            <select ref={serverSelect} id="licenseServerId" value={serverId} disabled={running} onChange={(event) => chooseServer(event.target.value)} {...described}>
              <option value="">Choose a license server</option>
              {servers.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name} ({candidate.timeZone})
                </option>
              ))}
              {mayAddServer ? <option value={NEW_SERVER}>New license server…</option> : null}
            </select>
          )}
        />

        {serverId === NEW_SERVER ? (
          <div className="upload-new-server" role="group" aria-labelledby="upload-new-server-heading">
            <h3 id="upload-new-server-heading">New license server</h3>
            <LicenseServerForm onSaved={serverAdded} onCancel={servers.length > 0 ? () => chooseServer('') : undefined} />
          </div>
        ) : null}

        <form ref={formElement} noValidate onSubmit={form.onSubmit(check, send)} className="form upload-form">
          <fieldset className="upload-fields" disabled={running}>
            <legend className="visually-hidden">The file</legend>
            <div className={`field${fileError ? ' field-invalid' : ''}`}>
              <label htmlFor="fileName">{labels.fileName}</label>
              {fileError ? (
                <p id="fileName-error" className="field-error" role="alert">
                  <span className="visually-hidden">Error: </span>
                  {fileError}
                </p>
              ) : null}
              <div
                className={`drop-zone${dragging ? ' drop-zone-active' : ''}`}
                onDragEnter={dragOver}
                onDragOver={dragOver}
                onDragLeave={() => setDragging(false)}
                onDrop={dropped}
              >
                <p id="fileName-hint" className="drop-zone-text">
                  Drop a log file here, or choose one. One file at a time, up to 2 GiB.
                </p>
                <input
                  ref={fileInput}
                  id="fileName"
                  name="fileName"
                  type="file"
                  className="drop-zone-input"
                  onChange={(event) => picked(event.target.files)}
                  aria-invalid={fileError ? true : undefined}
                  aria-describedby={[fileError ? 'fileName-error' : '', 'fileName-hint'].filter(Boolean).join(' ')}
                />
                {file ? (
                  <p className="drop-zone-chosen">
                    <span className="visually-hidden">Chosen: </span>
                    <strong>{file.name}</strong> <span className="muted">({formatBytes(file.size)})</span>
                  </p>
                ) : null}
              </div>
            </div>

            <FieldFrame
              id="startDate"
              className="upload-date"
              label={`${labels.startDate} (optional)`}
              error={dateError}
              hint="Only for logs that never state a date, such as RLM debug logs: the date of their first lines. Leave it empty for every other log."
              control={(described) => (
                <input
                  id="startDate"
                  name="startDate"
                  type="date"
                  value={startDate}
                  onChange={(event) => {
                    setStartDate(event.target.value);
                    form.clearField('startDate');
                  }}
                  {...described}
                />
              )}
            />
          </fieldset>

          <div className="upload-actions">
            <SubmitButton busy={running} busyLabel="Uploading…">
              Upload
            </SubmitButton>
            {running ? (
              <button type="button" className="button button-secondary" onClick={() => controller.current?.abort()}>
                Cancel upload
              </button>
            ) : null}
          </div>
          {run.kind === 'running' ? <ProgressPanel progress={run.progress} /> : null}
          {run.kind === 'cancelled' ? (
            <Notice tone="info">The upload was cancelled. Nothing from it was stored; your choices are kept.</Notice>
          ) : null}
        </form>
      </section>

      {run.kind === 'finished' ? (
        <UploadResult upload={run.upload} servers={servers} recent={recent} headingRef={resultHeading} />
      ) : null}
    </>
  );
}

/** The progress bar, with the phase announced politely when it changes. */
function ProgressPanel({ progress }: { progress: UploadProgressState }) {
  const view = viewProgress(progress);
  return (
    <div className="upload-progress">
      <p id="upload-progress-phase" className="upload-progress-phase" role="status">
        {view.phaseText}
      </p>
      <progress
        className="upload-progress-bar"
        max={1}
        value={view.fraction ?? undefined}
        aria-labelledby="upload-progress-phase"
        aria-describedby="upload-progress-detail"
      />
      <p id="upload-progress-detail" className="upload-progress-detail">
        {view.detail}
        {view.speed ? <span className="muted"> · {view.speed}</span> : null}
      </p>
    </div>
  );
}

/** A period in the viewer's zone, with the license server's reading on hover. */
function Instant({ iso, zone }: { iso: string; zone: string | undefined }) {
  return (
    <time dateTime={iso} title={zone ? inZone(iso, zone) : undefined}>
      {formatDateTime(iso)}
    </time>
  );
}

interface UploadResultProps {
  upload: Upload;
  servers: readonly LicenseServer[];
  recent: readonly Upload[];
  headingRef: RefObject<HTMLHeadingElement | null>;
}

function UploadResult({ upload, servers, recent, headingRef }: UploadResultProps) {
  const server = servers.find((candidate) => candidate.id === upload.licenseServerId);
  const zone = server?.timeZone;
  const earlier = upload.duplicateOf ? recent.find((candidate) => candidate.id === upload.duplicateOf) : undefined;
  const hidden = upload.diagnosticsTotal - upload.diagnostics.length;
  // The usage is shown for the days the file covered, however old: not the last 30 days, where an old log
  // would look empty.
  const covered = upload.firstEventAt && upload.lastEventAt ? daysCovering(upload.firstEventAt, upload.lastEventAt, zone ?? 'UTC') : null;
  const usageHref = covered ? `/license-servers?from=${covered.from}&to=${covered.to}` : '/license-servers';
  return (
    <section className="card upload-result" aria-labelledby="upload-result-heading">
      <h2 id="upload-result-heading" ref={headingRef} tabIndex={-1}>
        Upload result
      </h2>
      {upload.status === 'done' ? (
        <Notice tone="success">
          Stored: {formatCount(upload.sessions, 'session')}, {formatCount(upload.denials, 'denial')} and {formatCount(upload.snapshots, 'snapshot')} from "
          {upload.fileName}".
        </Notice>
      ) : null}
      {upload.status === 'duplicate' ? (
        <Notice tone="info" title="Already uploaded">
          This file's content was uploaded before for {server ? server.name : 'this license server'}
          {earlier ? (
            <>
              {' '}
              as "{earlier.fileName}" on <Instant iso={earlier.createdAt} zone={zone} />
            </>
          ) : null}
          . Nothing was changed.
        </Notice>
      ) : null}
      {upload.status === 'failed' && upload.error ? <Notice tone="error">{upload.error.message}</Notice> : null}

      <dl className="facts upload-facts">
        <div>
          <dt>Status</dt>
          <dd>{statusLabel(upload.status)}</dd>
        </div>
        <div>
          <dt>File</dt>
          <dd>{upload.fileName}</dd>
        </div>
        <div>
          <dt>License server</dt>
          <dd>{server ? `${server.name} (${server.timeZone})` : '—'}</dd>
        </div>
        <div>
          <dt>Format</dt>
          <dd>{formatName(upload.format)}</dd>
        </div>
        <div>
          <dt>Read</dt>
          <dd>
            {formatCount(upload.linesDone, 'line')} ({formatBytes(upload.bytesDone)})
          </dd>
        </div>
        <div>
          <dt>Found</dt>
          <dd>
            {formatCount(upload.events, 'event')}, {formatCount(upload.sessions, 'session')}, {formatCount(upload.denials, 'denial')},{' '}
            {formatCount(upload.snapshots, 'snapshot')}
          </dd>
        </div>
        <div>
          <dt>Period</dt>
          <dd>
            {upload.firstEventAt && upload.lastEventAt ? (
              <>
                <Instant iso={upload.firstEventAt} zone={zone} /> to <Instant iso={upload.lastEventAt} zone={zone} />
              </>
            ) : (
              'No events'
            )}
          </dd>
        </div>
      </dl>

      {upload.diagnosticsTotal === 0 ? (
        <p className="upload-diagnostics-none">No diagnostics: every line could be used.</p>
      ) : (
        <>
          <table className="table upload-diagnostics" aria-describedby="upload-diagnostics-note">
            <caption>Diagnostics</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {upload.diagnostics.map((diagnostic, index) => (
                <tr key={`${diagnostic.line}-${index}`}>
                  <th scope="row" data-label="Line">
                    {diagnostic.line}
                  </th>
                  <td data-label="Reason">{diagnostic.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p id="upload-diagnostics-note" className="muted">
            Lines that could not be used were skipped; everything else was stored.
            {hidden > 0 ? ` ${formatCount(hidden, 'more diagnostic')} not shown (the first ${upload.diagnostics.length} are kept).` : ''}
          </p>
        </>
      )}
      <p className="upload-next">
        <Link href={usageHref}>See the features and their usage</Link>
      </p>
    </section>
  );
}

function RecentUploads({ uploads, servers }: { uploads: readonly Upload[]; servers: readonly LicenseServer[] }) {
  if (uploads.length === 0) return <p>No uploads yet. Your uploads will be listed here, newest first.</p>;
  return (
    <div className="card upload-recent-table">
      <table className="table">
        <caption className="visually-hidden">Recent uploads, newest first</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">License server</th>
            <th scope="col">Status</th>
            <th scope="col">Size</th>
            <th scope="col">Lines</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {uploads.map((upload) => {
            const server = servers.find((candidate) => candidate.id === upload.licenseServerId);
            return (
              <tr key={upload.id}>
                <th scope="row" data-label="File" className="upload-file-name">
                  {upload.fileName}
                </th>
                <td data-label="License server">{server?.name ?? '—'}</td>
                <td data-label="Status">
                  <span className={`upload-status upload-status-${upload.status}`}>{statusLabel(upload.status)}</span>
                  {upload.status === 'failed' && upload.error ? (
                    <details className="upload-status-reason">
                      <summary>Why</summary>
                      {upload.error.message}
                    </details>
                  ) : null}
                </td>
                <td data-label="Size">{formatBytes(upload.bytesDone)}</td>
                <td data-label="Lines">{formatCount(upload.linesDone, 'line')}</td>
                <td data-label="When">
                  <Instant iso={upload.createdAt} zone={server?.timeZone} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
