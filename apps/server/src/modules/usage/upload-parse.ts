import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_DIAGNOSTICS } from '@seatwise/protocol';
import {
  createFormatParser,
  createLineSplitter,
  createSnapshotSessionTracker,
  createUsageAnalyser,
  DETECT_SAMPLE_CHARS,
  detectFormat,
  explainUndetected,
  type Diagnostic,
  type FeatureSnapshot,
  type SnapshotSession,
  type UsageFormat,
} from '@seatwise/usage-engine';
import { AppError } from '../../http/errors.ts';
import type { UploadProgress } from './upload.repo.ts';
import type { DenialInput, SessionInput, SnapshotInput, UsageInput } from './ingest.service.ts';

/**
 * The first half of a Smart Upload: the file streams through the usage engine once, never held whole in
 * memory. What it finds goes to a spool file on disk (one JSON array per line), so that storing can happen
 * in one transaction afterwards and a failure leaves nothing half-stored.
 */

export const unrecognisedFile = (sample: string) =>
  new AppError(422, 'upload.unrecognised_format', `This file is not license-daemon output Seatwise can read. ${explainUndetected(sample)}`);

export const uploadTooLarge = () =>
  new AppError(413, 'upload.too_large', `The file is larger than ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB. Split it and upload the parts.`);

/** Spool records: compact arrays, tagged by kind. */
type SpoolRecord =
  | ['s', string, string, string, string, number, number, number | null, number, number, string | null, string | null]
  | ['d', string, string, string, string, number, number, string | null, boolean]
  | ['n', string, string, number, number, number, number | null, number | null];

/** Written in pieces of about this size, so memory stays flat whatever the file. */
const SPOOL_FLUSH_CHARS = 1 << 20;

export interface ParsedUpload {
  format: UsageFormat;
  sha256: string;
}

export interface ParseUploadOptions {
  timeZone: string;
  startDate: string | null;
  /** When the file was received: the time of status output that prints none of its own (LM-X). */
  receivedAt: number;
  spoolFile: string;
  /** Progress of this upload, updated as the file is read (shared with whoever reports it). */
  progress: UploadProgress;
}

function widenEventRange(progress: UploadProgress, at: number) {
  if (progress.firstEventAt === null || at < progress.firstEventAt) progress.firstEventAt = at;
  if (progress.lastEventAt === null || at > progress.lastEventAt) progress.lastEventAt = at;
}

/** Reads the whole body, parses it and spools what it found. Throws an AppError for content it cannot take. */
export async function parseUploadToSpool(body: AsyncIterable<Uint8Array | string>, options: ParseUploadOptions): Promise<ParsedUpload> {
  const { progress } = options;
  const hash = createHash('sha256');
  const spool = await open(options.spoolFile, 'w');
  let pending: string[] = [];
  let pendingChars = 0;
  const spoolRecord = (record: SpoolRecord) => {
    const line = JSON.stringify(record);
    pending.push(line);
    pendingChars += line.length + 1;
  };
  const flush = async (handle: FileHandle) => {
    if (pending.length === 0) return;
    const text = pending.join('\n') + '\n';
    pending = [];
    pendingChars = 0;
    await handle.write(text);
  };
  const diagnostic = (entry: Diagnostic) => {
    progress.diagnosticsTotal++;
    if (progress.diagnostics.length < MAX_UPLOAD_DIAGNOSTICS) progress.diagnostics.push({ line: entry.line, reason: entry.reason });
  };

  try {
    const sample: Buffer[] = [];
    let sampleBytes = 0;
    let feed: ((chunk: Uint8Array) => void) | undefined;
    let finish: (() => void) | undefined;
    let format: UsageFormat | undefined;

    const start = () => {
      const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(sample));
      const detected = detectFormat(text);
      if (!detected) throw unrecognisedFile(text);
      format = detected.format;
      progress.format = format;
      const analyser = createUsageAnalyser({
        timeZone: options.timeZone,
        onDiagnostic: diagnostic,
        onSession: (session) => {
          const open = session.closedBy === 'end-of-input';
          spoolRecord([
            's',
            session.vendor,
            session.feature,
            session.user,
            session.host,
            session.start,
            session.ordinal,
            open ? null : session.end,
            session.end,
            session.seats,
            open ? null : session.closedBy,
            session.endReason ?? null,
          ]);
          progress.sessions++;
          widenEventRange(progress, session.start);
          widenEventRange(progress, session.end);
        },
        onDenial: (denial) => {
          spoolRecord(['d', denial.vendor, denial.feature, denial.user, denial.host, denial.at, denial.ordinal, denial.reason ?? null, denial.retried]);
          progress.denials++;
          widenEventRange(progress, denial.at);
        },
      });
      // Status output lists who holds a seat at each snapshot; the tracker turns consecutive snapshots into
      // sessions (a user line first seen opens one; gone from a later snapshot of its feature, it closes).
      const tracker = createSnapshotSessionTracker();
      const spoolSnapshotSession = (session: SnapshotSession, lastSeen: number) => {
        spoolRecord(['s', session.vendor, session.feature, session.user, session.host, session.start, session.ordinal, session.end, session.end ?? lastSeen, session.seats, session.closedBy, null]);
        progress.sessions++;
      };
      const parseOptions = {
        timeZone: options.timeZone,
        fallbackTakenAt: options.receivedAt,
        ...(options.startDate ? { startDate: options.startDate } : {}),
      };
      const parser = createFormatParser(format, parseOptions, {
        event: (event) => {
          progress.events++;
          analyser.push(event);
        },
        snapshot: (snapshot: FeatureSnapshot) => {
          spoolRecord(['n', snapshot.vendor, snapshot.feature, snapshot.at, snapshot.issued, snapshot.inUse, snapshot.reserved ?? null, snapshot.queued ?? null]);
          progress.snapshots++;
          widenEventRange(progress, snapshot.at);
          for (const session of tracker.push(snapshot)) if (session.end !== null) spoolSnapshotSession(session, session.end);
        },
        diagnostic,
      });
      const splitter = createLineSplitter(parser, { diagnostic });
      feed = (chunk) => {
        splitter.push(chunk);
        progress.linesDone = splitter.lineCount;
      };
      finish = () => {
        splitter.end();
        parser.end();
        analyser.finish();
        for (const session of tracker.openSessions()) spoolSnapshotSession(session, progress.lastEventAt ?? session.start);
        progress.linesDone = splitter.lineCount;
      };
      for (const piece of sample) feed(piece);
      sample.length = 0;
    };

    for await (const piece of body) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      progress.bytesDone += chunk.length;
      if (progress.bytesDone > MAX_UPLOAD_BYTES) throw uploadTooLarge();
      hash.update(chunk);
      if (feed) feed(chunk);
      else {
        sample.push(Buffer.from(chunk));
        sampleBytes += chunk.length;
        if (sampleBytes >= DETECT_SAMPLE_CHARS) start();
      }
      if (pendingChars >= SPOOL_FLUSH_CHARS) await flush(spool);
    }
    if (progress.bytesDone === 0) throw new AppError(400, 'upload.empty', 'The file is empty.');
    if (!feed) start();
    finish!();
    await flush(spool);
    return { format: format!, sha256: hash.digest('hex') };
  } finally {
    await spool.close();
  }
}

/** Reads the spool back in parts of at most `partSize` items, in the order they were written. */
export async function* readSpool(spoolFile: string, partSize: number): AsyncGenerator<UsageInput> {
  let part: UsageInput = { sessions: [], denials: [], snapshots: [] };
  let size = 0;
  const lines = createInterface({ input: createReadStream(spoolFile, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const record = JSON.parse(line) as SpoolRecord;
    if (record[0] === 's') {
      const [, vendor, feature, user, host, start, ordinal, end, lastSeen, seats, closedBy, endReason] = record;
      part.sessions.push({ vendor, feature, user, host, start, ordinal, end, lastSeen, seats, closedBy, endReason } satisfies SessionInput);
    } else if (record[0] === 'd') {
      const [, vendor, feature, user, host, at, ordinal, reason, retried] = record;
      part.denials.push({ vendor, feature, user, host, at, ordinal, reason, retried } satisfies DenialInput);
    } else {
      const [, vendor, feature, at, issued, inUse, reserved, queued] = record;
      part.snapshots.push({ vendor, feature, at, issued, inUse, reserved, queued } satisfies SnapshotInput);
    }
    if (++size >= partSize) {
      yield part;
      part = { sessions: [], denials: [], snapshots: [] };
      size = 0;
    }
  }
  if (size > 0) yield part;
}
