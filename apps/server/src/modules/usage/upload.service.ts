import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CreateUploadRequest, Upload } from '@seatwise/protocol';
import type { Tenancy } from '../../db/tenant.ts';
import { AppError, conflict, notFound } from '../../http/errors.ts';
import { auditActor, type AccessService, type AnyActor, type Principal, type RequestMeta } from '../access/access.service.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { STORE_CHUNK_ROWS } from './ingest.repo.ts';
import { storeUsageRows } from './ingest.service.ts';
import { findLicenseServer } from './license-server.repo.ts';
import { recomputeRollups, type TouchedRange } from './rollup.service.ts';
import { parseUploadToSpool, readSpool } from './upload-parse.ts';
import {
  failRunningUploads,
  failWaitingUploads,
  findDoneUploadByContent,
  findUpload,
  insertUpload,
  listRecentUploads,
  updateUpload,
  type UploadProgress,
  type UploadRow,
} from './upload.repo.ts';

/** How often the progress of a running upload is written to its row (other instances read it there). */
const PROGRESS_SAVE_MS = 2000;
const RECENT_UPLOADS = 50;

const asNumber = (value: string | number) => Number(value);
const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function progressOf(row: UploadRow): UploadProgress {
  return {
    phase: row.phase,
    format: row.format,
    sha256: row.sha256,
    bytesDone: asNumber(row.bytes_done),
    linesDone: asNumber(row.lines_done),
    events: asNumber(row.events),
    sessions: asNumber(row.sessions),
    denials: asNumber(row.denials),
    snapshots: asNumber(row.snapshots),
    firstEventAt: row.first_event_at?.getTime() ?? null,
    lastEventAt: row.last_event_at?.getTime() ?? null,
    diagnostics: row.diagnostics,
    diagnosticsTotal: asNumber(row.diagnostics_total),
  };
}

function present(row: UploadRow, live?: UploadProgress): Upload {
  const progress = live ?? progressOf(row);
  return {
    id: row.id,
    licenseServerId: row.license_server_id,
    fileName: row.file_name,
    status: row.status,
    phase: progress.phase,
    format: progress.format,
    sha256: progress.sha256,
    duplicateOf: row.duplicate_of,
    startDate: row.start_date,
    bytesDone: progress.bytesDone,
    linesDone: progress.linesDone,
    events: progress.events,
    sessions: progress.sessions,
    denials: progress.denials,
    snapshots: progress.snapshots,
    firstEventAt: isoOrNull(progress.firstEventAt),
    lastEventAt: isoOrNull(progress.lastEventAt),
    diagnostics: progress.diagnostics,
    diagnosticsTotal: progress.diagnosticsTotal,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** The person behind an actor, when it is one (an API key has none). */
const personId = (actor: AnyActor) => (actor.kind === 'person' ? actor.userId : null);

/**
 * Uploads that were running when the server stopped can never finish (their transaction was rolled back):
 * marks them failed so they do not show as running forever. Only safe where no other instance can be
 * processing uploads — the embedded database, which one server holds at a time.
 */
export async function failInterruptedUploads(tenancy: Tenancy): Promise<number> {
  return tenancy.withSystemTx('start-up: mark uploads interrupted by a stop as failed', (tx) => failRunningUploads(tx));
}

/** How long an upload may wait for its file before it is given up. */
export const UPLOAD_WAIT_LIMIT_MS = 24 * 60 * 60 * 1000;

/**
 * Uploads started but never sent (the browser was closed or cancelled before the first byte) would show
 * as waiting forever: after a day they are marked failed. Safe with several instances: a waiting upload
 * has no work in progress anywhere.
 */
export async function failAbandonedUploads(tenancy: Tenancy, now = new Date()): Promise<number> {
  return tenancy.withSystemTx('uploads: give up those whose file never arrived', (tx) =>
    failWaitingUploads(tx, new Date(now.getTime() - UPLOAD_WAIT_LIMIT_MS)),
  );
}

export type UploadService = ReturnType<typeof createUploadService>;

/**
 * Smart Upload (IN-02): a file becomes an upload job. The content streams through the parser into a spool
 * file while its SHA-256 is taken; then, in one transaction, everything found is stored and rolled up and
 * the job marked done — so a failure at any point leaves no usage behind, only the job's error. The same
 * content uploaded again for the same server is recognised by its hash and changes nothing.
 */
export function createUploadService(deps: { access: AccessService; tenancy: Tenancy }) {
  const { access, tenancy } = deps;
  /** Progress of the uploads this instance is processing right now. */
  const live = new Map<string, UploadProgress>();

  async function saveProgress(actor: AnyActor, id: string, status: UploadRow['status'], progress: UploadProgress, extra: Parameters<typeof updateUpload>[2] = { status }) {
    await tenancy.withTenantTx({ orgId: actor.orgId, userId: personId(actor) }, (tx) => updateUpload(tx, id, { ...extra, status }, progress));
  }

  return {
    async create(principal: Principal | null, meta: RequestMeta, request: Required<Omit<CreateUploadRequest, 'startDate'>> & { startDate: string | null }): Promise<Upload> {
      return access.asMember(principal, meta, 'usage:ingest', async (tx, actor) => {
        if (!(await findLicenseServer(tx, request.licenseServerId))) throw notFound('The license server');
        const row = await insertUpload(tx, { id: randomUUID(), ...request, createdBy: personId(actor) });
        return present(row);
      });
    },

    async get(principal: Principal | null, meta: RequestMeta, id: string): Promise<Upload> {
      return access.asMember(principal, meta, 'usage:ingest', async (tx) => {
        const row = await findUpload(tx, id);
        if (!row) throw notFound('The upload');
        return present(row, row.status === 'running' ? live.get(id) : undefined);
      });
    },

    async list(principal: Principal | null, meta: RequestMeta): Promise<Upload[]> {
      return access.asMember(principal, meta, 'usage:ingest', async (tx) =>
        (await listRecentUploads(tx, RECENT_UPLOADS)).map((row) => present(row, row.status === 'running' ? live.get(row.id) : undefined)),
      );
    },

    /** Receives the content of a waiting upload, parses and stores it; answers with the finished job. */
    async receive(principal: Principal | null, meta: RequestMeta, id: string, body: AsyncIterable<Uint8Array | string>): Promise<Upload> {
      const { actor, upload, timeZone } = await access.asMember(principal, meta, 'usage:ingest', async (tx, actor) => {
        const upload = await findUpload(tx, id, { lock: true });
        if (!upload) throw notFound('The upload');
        if (upload.status !== 'waiting') throw conflict('upload.already_received', 'This upload has already received its file. Create a new upload to send another.');
        const server = await findLicenseServer(tx, upload.license_server_id);
        if (!server) throw notFound('The license server');
        const progress = progressOf(upload);
        progress.phase = 'parsing';
        await updateUpload(tx, id, { status: 'running' }, progress);
        return { actor, upload, timeZone: server.time_zone };
      });

      const progress = progressOf(upload);
      progress.phase = 'parsing';
      live.set(id, progress);
      const workDir = await mkdtemp(path.join(tmpdir(), 'seatwise-upload-'));
      const saver = setInterval(() => {
        void saveProgress(actor, id, 'running', progress).catch(() => undefined);
      }, PROGRESS_SAVE_MS);
      try {
        const spoolFile = path.join(workDir, 'usage.ndjson');
        const parsed = await parseUploadToSpool(body, { timeZone, startDate: upload.start_date, receivedAt: Date.now(), spoolFile, progress });
        progress.sha256 = parsed.sha256;
        clearInterval(saver);
        progress.phase = 'storing';

        return await access.asMember(principal, meta, 'usage:ingest', async (tx, current) => {
          const server = (await findLicenseServer(tx, upload.license_server_id))!;
          const earlier = await findDoneUploadByContent(tx, server.id, parsed.sha256);
          if (earlier) {
            progress.phase = null;
            await updateUpload(tx, id, { status: 'duplicate', duplicateOf: earlier, finished: true }, progress);
            await recordAudit(tx, { ...auditActor(current), action: 'usage.upload', outcome: 'success', targetType: 'upload', targetId: id, details: { duplicateOf: earlier, sha256: parsed.sha256 } });
            return present((await findUpload(tx, id))!);
          }
          const touched = new Map<string, TouchedRange>();
          for await (const part of readSpool(spoolFile, STORE_CHUNK_ROWS)) {
            await storeUsageRows(tx, server, 'upload', part, touched);
          }
          await recomputeRollups(tx, server, touched);
          progress.phase = null;
          await updateUpload(tx, id, { status: 'done', finished: true }, progress);
          await recordAudit(tx, {
            ...auditActor(current),
            action: 'usage.upload',
            outcome: 'success',
            targetType: 'upload',
            targetId: id,
            details: { fileName: upload.file_name, format: parsed.format, sha256: parsed.sha256, sessions: progress.sessions, denials: progress.denials, snapshots: progress.snapshots },
          });
          return present((await findUpload(tx, id))!);
        });
      } catch (error) {
        clearInterval(saver);
        const failure = error instanceof AppError ? { code: error.code, message: error.message } : { code: 'upload.failed', message: 'The upload could not be processed. Nothing from it was stored.' };
        progress.phase = null;
        await saveProgress(actor, id, 'failed', progress, { status: 'failed', error: failure, finished: true }).catch(() => undefined);
        throw error;
      } finally {
        clearInterval(saver);
        live.delete(id);
        await rm(workDir, { recursive: true, force: true });
      }
    },
  };
}
