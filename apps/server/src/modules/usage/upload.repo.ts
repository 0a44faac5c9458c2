import type { Queryable } from '../../db/connect.ts';
import { CURRENT_ORG_SQL } from '../../db/tenant.ts';

export interface UploadRow {
  id: string;
  license_server_id: string;
  file_name: string;
  status: 'waiting' | 'running' | 'done' | 'duplicate' | 'failed';
  phase: 'parsing' | 'storing' | null;
  format: string | null;
  sha256: string | null;
  duplicate_of: string | null;
  start_date: string | null;
  bytes_done: string | number;
  lines_done: string | number;
  events: string | number;
  sessions: string | number;
  denials: string | number;
  snapshots: string | number;
  first_event_at: Date | null;
  last_event_at: Date | null;
  diagnostics: { line: number; reason: string }[];
  diagnostics_total: string | number;
  error_code: string | null;
  error_message: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const COLUMNS = `id, license_server_id, file_name, status, phase, format, sha256, duplicate_of, start_date::text AS start_date,
  bytes_done, lines_done, events, sessions, denials, snapshots, first_event_at, last_event_at, diagnostics, diagnostics_total,
  error_code, error_message, created_at, finished_at`;

export async function insertUpload(
  tx: Queryable,
  upload: { id: string; licenseServerId: string; fileName: string; startDate: string | null; createdBy: string | null },
): Promise<UploadRow> {
  const { rows } = await tx.query<UploadRow>(
    `INSERT INTO usage_uploads (org_id, id, license_server_id, file_name, status, start_date, created_by)
     VALUES (${CURRENT_ORG_SQL}, $1, $2, $3, 'waiting', $4, $5)
     RETURNING ${COLUMNS}`,
    [upload.id, upload.licenseServerId, upload.fileName, upload.startDate, upload.createdBy],
  );
  return rows[0]!;
}

export async function findUpload(tx: Queryable, id: string, options: { lock?: boolean } = {}): Promise<UploadRow | undefined> {
  const { rows } = await tx.query<UploadRow>(`SELECT ${COLUMNS} FROM usage_uploads WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0];
}

export async function listRecentUploads(tx: Queryable, limit: number): Promise<UploadRow[]> {
  const { rows } = await tx.query<UploadRow>(`SELECT ${COLUMNS} FROM usage_uploads ORDER BY created_at DESC, id LIMIT $1`, [limit]);
  return rows;
}

/** The finished upload of the same content for the same server, if any. */
export async function findDoneUploadByContent(tx: Queryable, licenseServerId: string, sha256: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM usage_uploads WHERE license_server_id = $1 AND sha256 = $2 AND status = 'done'`,
    [licenseServerId, sha256],
  );
  return rows[0]?.id;
}

/** What a running or finished upload has done so far. */
export interface UploadProgress {
  phase: 'parsing' | 'storing' | null;
  format: string | null;
  sha256: string | null;
  bytesDone: number;
  linesDone: number;
  events: number;
  sessions: number;
  denials: number;
  snapshots: number;
  firstEventAt: number | null;
  lastEventAt: number | null;
  diagnostics: { line: number; reason: string }[];
  diagnosticsTotal: number;
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function updateUpload(
  tx: Queryable,
  id: string,
  state: { status: UploadRow['status']; duplicateOf?: string | null; error?: { code: string; message: string } | null; finished?: boolean },
  progress: UploadProgress,
): Promise<void> {
  await tx.query(
    `UPDATE usage_uploads SET
       status = $2, phase = $3, format = $4, sha256 = $5, bytes_done = $6, lines_done = $7, events = $8, sessions = $9,
       denials = $10, snapshots = $11, first_event_at = $12, last_event_at = $13, diagnostics = $14::jsonb,
       diagnostics_total = $15, duplicate_of = $16, error_code = $17, error_message = $18,
       finished_at = CASE WHEN $19::boolean THEN now() ELSE finished_at END
     WHERE id = $1`,
    [
      id,
      state.status,
      progress.phase,
      progress.format,
      progress.sha256,
      progress.bytesDone,
      progress.linesDone,
      progress.events,
      progress.sessions,
      progress.denials,
      progress.snapshots,
      isoOrNull(progress.firstEventAt),
      isoOrNull(progress.lastEventAt),
      JSON.stringify(progress.diagnostics),
      progress.diagnosticsTotal,
      state.duplicateOf ?? null,
      state.error?.code ?? null,
      state.error?.message ?? null,
      state.finished ?? false,
    ],
  );
}

/** Marks every running upload failed: used at start-up, when no upload can still be running. */
/** Marks uploads still waiting for their file since before `createdBefore` as failed; answers how many. */
export async function failWaitingUploads(tx: Queryable, createdBefore: Date): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE usage_uploads SET status = 'failed', phase = NULL, error_code = 'upload.abandoned',
            error_message = 'No file arrived for this upload within a day of starting it; nothing was stored. Start the upload again.',
            finished_at = now()
      WHERE status = 'waiting' AND created_at < $1`,
    [createdBefore],
  );
  return rowCount;
}

export async function failRunningUploads(tx: Queryable): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE usage_uploads SET status = 'failed', phase = NULL, error_code = 'upload.interrupted',
            error_message = 'The server stopped while this upload was being processed; nothing from it was stored. Upload the file again.',
            finished_at = now()
      WHERE status = 'running'`,
  );
  return rowCount;
}
