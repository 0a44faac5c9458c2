/**
 * Follows one license-daemon log file: reads what was appended since the saved position, feeds whole lines
 * through the engine's line splitter, parser and analyser, spools what they produce and only then saves the
 * new position with the parser's and analyser's checkpoints. A crash at any point therefore repeats lines
 * (the server deduplicates by natural key) but never skips one.
 *
 * Rotation:
 * - rename + create (logrotate's default): the open file handle still reads the renamed file, so it is
 *   finished to its end (an unterminated last line included) before the new file is read from its start;
 * - copytruncate: the file shrinks or its first bytes change; what was written between the last read and the
 *   copy is read from the copy when it is one of the configured `rotatedPaths`;
 * - while the agent was stopped: the saved fingerprint (first bytes, inode) is looked for among the
 *   configured `rotatedPaths`, and that file is finished from the saved offset first.
 * The engine state carries on across files: a check-out before the rotation pairs with its check-in after.
 *
 * Only the configured path and its configured rotated paths are ever opened (IN-05).
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createLineSplitter, createUsageAnalyser, type Diagnostic, type UsageAnalyser, type UsageSession } from '@seatwise/usage-engine';
import { createBatchItems, spoolItems } from './batch.ts';
import type { LicenseServerConfig, LogSourceConfig } from './config.ts';
import { createLogParser, type ResumableParser, type UsageDenial } from './engine-adapter.ts';
import type { Logger } from './logger.ts';
import { ensureSourcesDir, newLogState, readSourceState, writeSourceState, type FileFingerprint, type LogSourceState } from './source-state.ts';
import type { Spool } from './spool.ts';

/** Bytes of a file's beginning that identify it. */
export const FINGERPRINT_BYTES = 1024;
/** From this many first bytes on, equal content identifies a file even if its inode changed (a copy). */
const STRONG_HEAD_BYTES = 256;
const DEFAULT_CHUNK_BYTES = 1 << 20;
const LF = 0x0a;
const CR = 0x0d;

export interface LogFollowerOptions {
  source: LogSourceConfig;
  server: LicenseServerConfig;
  stateDir: string;
  spool: Spool;
  logger: Logger;
  hostname: string;
  /** Above this many spooled bytes, reading waits (nothing is dropped). */
  maxSpoolBytes: number;
  /** Most bytes read (and spooled as batches) per step. */
  chunkBytes?: number;
}

export interface LogFollower {
  /** Reads once: true when there is more to read right away. */
  step(): Promise<boolean>;
  /** The state as last saved. */
  state(): LogSourceState;
  close(): Promise<void>;
}

interface OpenFile {
  handle: FileHandle;
  dev: number;
  ino: number;
}

interface Pipeline {
  parser: ResumableParser;
  analyser: UsageAnalyser;
  closed: UsageSession[];
  denials: UsageDenial[];
}

const sessionKey = (s: UsageSession) =>
  `${s.vendor.toLowerCase()}\u0000${s.feature.toLowerCase()}\u0000${s.user.toLowerCase()}\u0000${s.host.toLowerCase()}\u0000${s.start}\u0000${s.ordinal}`;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/** The fingerprint of an open file over its first `length` bytes (at most FINGERPRINT_BYTES). */
export async function fingerprintOf(handle: FileHandle, length: number): Promise<FileFingerprint> {
  const st = await handle.stat();
  const head = await readAt(handle, 0, Math.min(FINGERPRINT_BYTES, Math.max(0, length)));
  return { dev: st.dev, ino: st.ino, headLength: head.length, head: createHash('sha256').update(head).digest('hex') };
}

async function headMatches(handle: FileHandle, saved: FileFingerprint): Promise<boolean> {
  if (saved.headLength === 0) return true;
  const head = await readAt(handle, 0, saved.headLength);
  return head.length === saved.headLength && createHash('sha256').update(head).digest('hex') === saved.head;
}

/** Whether the open file is the one `saved` describes, with at least `offset` bytes. */
async function isSameFile(saved: FileFingerprint, offset: number, handle: FileHandle): Promise<boolean> {
  const st = await handle.stat();
  if (st.size < offset) return false;
  if (!(await headMatches(handle, saved))) return false;
  if (saved.headLength >= STRONG_HEAD_BYTES) return true;
  return st.dev === saved.dev && st.ino === saved.ino;
}

async function openIfThere(file: string): Promise<OpenFile | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new Error(`${file} is not a regular file`);
  }
  return { handle, dev: st.dev, ino: st.ino };
}

/** Creates the follower for one configured log, from its saved state. */
export async function createLogFollower(options: LogFollowerOptions): Promise<LogFollower> {
  const { source, server, stateDir, spool, logger } = options;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  /** The state on disk. Changed only by commit(), after what it covers is spooled. */
  await ensureSourcesDir(stateDir);
  let saved: LogSourceState = (await readSourceState<LogSourceState>(stateDir, source.id)) ?? newLogState(source.path);
  let current: OpenFile | null = null;
  /** The engine, in step with `saved` (null: rebuild from `saved` when next needed). */
  let pipeline: Pipeline | null = null;
  /** Diagnostics since the last commit. */
  let diagnostics = 0;
  let lastDiagnostic: Diagnostic | null = null;

  const noteDiagnostic = (diagnostic: Diagnostic) => {
    diagnostics++;
    lastDiagnostic = diagnostic;
  };

  async function commit(next: LogSourceState): Promise<void> {
    await writeSourceState(stateDir, source.id, next);
    saved = next;
  }

  async function problem(message: string): Promise<void> {
    if (saved.lastError?.message === message) return;
    await commit({ ...saved, lastError: { at: new Date().toISOString(), message } });
  }

  function buildPipeline(): Pipeline {
    const closed: UsageSession[] = [];
    const denials: UsageDenial[] = [];
    let analyserResume = saved.analyser ?? undefined;
    let parserResume = saved.parser ?? undefined;
    const make = () => {
      const analyser = createUsageAnalyser({
        timeZone: server.timeZone,
        onSession: (session) => closed.push(session),
        onDenial: (denial) => denials.push(denial),
        onDiagnostic: noteDiagnostic,
        ...(analyserResume ? { resumeFrom: analyserResume } : {}),
      });
      const parser = createLogParser(
        source.format,
        { timeZone: server.timeZone, ...(source.startDate ? { startDate: source.startDate } : {}) },
        { event: (event) => analyser.push(event), diagnostic: noteDiagnostic },
        parserResume,
      );
      return { parser, analyser, closed, denials };
    };
    try {
      return make();
    } catch (error) {
      // A checkpoint this engine version cannot take: carry on from the position without it.
      logger.warn(`${source.path}: saved reading state not usable (${(error as Error).message}); going on without it`);
      analyserResume = undefined;
      parserResume = undefined;
      return make();
    }
  }

  /** Feeds whole lines, spools their output, then saves the new position. */
  async function feed(file: OpenFile, bytes: Buffer, nextOffset: number): Promise<void> {
    try {
      const pipe = (pipeline ??= buildPipeline());
      const before = new Set(pipe.analyser.openSessions().map(sessionKey));
      pipe.closed.length = 0;
      pipe.denials.length = 0;
      const splitter = createLineSplitter(pipe.parser, { firstLineNumber: saved.line + 1, diagnostic: noteDiagnostic });
      splitter.push(bytes);
      splitter.end();
      const lines = splitter.lineCount;
      const items = createBatchItems(server.timeZone);
      for (const session of pipe.closed) items.session(session, false);
      // Check-outs first seen in these lines and still open: sent now with no end, again when they close.
      for (const session of pipe.analyser.openSessions()) if (!before.has(sessionKey(session))) items.session(session, true);
      for (const denial of pipe.denials) items.denial(denial);
      await spoolItems(spool, { licenseServer: server, hostname: options.hostname }, items.items);
      if (items.items.dropped.count > 0) logger.warn(`${source.path}: ${items.items.dropped.count} items could not be sent: ${items.items.dropped.examples.join('; ')}`);

      let fingerprint = saved.file as FileFingerprint;
      if (fingerprint.headLength < FINGERPRINT_BYTES && nextOffset > fingerprint.headLength) fingerprint = await fingerprintOf(file.handle, nextOffset);
      await commit({
        ...saved,
        file: fingerprint,
        offset: nextOffset,
        fileLine: saved.fileLine + lines,
        line: saved.line + lines,
        parser: pipe.parser.checkpoint(),
        analyser: pipe.analyser.checkpoint(),
        lastReadAt: new Date().toISOString(),
        diagnostics: saved.diagnostics + diagnostics,
        lastDiagnostic: lastDiagnostic ?? saved.lastDiagnostic,
        droppedItems: saved.droppedItems + items.items.dropped.count,
        lastError: null,
      });
      diagnostics = 0;
      lastDiagnostic = null;
    } catch (error) {
      // The engine has moved past what is saved: rebuild it from the saved state and read those lines again.
      pipeline = null;
      diagnostics = 0;
      lastDiagnostic = null;
      throw error;
    }
  }

  /**
   * Reads one chunk of `file` from the saved offset. `final`: the file will not grow any more (rotated
   * away), so an unterminated last line is a line. Returns 'more' when there is more to read now.
   */
  async function readChunk(file: OpenFile, final: boolean): Promise<'more' | 'done'> {
    const size = (await file.handle.stat()).size;
    const offset = saved.offset;
    if (size !== saved.sizeSeen) saved = { ...saved, sizeSeen: size };
    const available = size - offset;
    if (available <= 0) return 'done';
    const bytes = await readAt(file.handle, offset, Math.min(chunkBytes, available));
    if (bytes.length === 0) return 'done';
    // Truncated and written again since the size was taken (copytruncate): these bytes are not the continuation.
    if (!(await headMatches(file.handle, saved.file as FileFingerprint))) return 'done';
    const reachesEnd = offset + bytes.length >= size;
    let cut = bytes.lastIndexOf(LF) + 1;
    if (cut === 0) {
      const cr = bytes.lastIndexOf(CR);
      if (cr >= 0 && (cr < bytes.length - 1 || final)) cut = cr + 1;
    }
    if (final && reachesEnd) cut = bytes.length;
    if (cut === 0) {
      if (bytes.length < chunkBytes) return 'done'; // the last line is still being written
      cut = bytes.length; // a "line" longer than a chunk: the splitter cuts it and says so
    }
    await feed(file, bytes.subarray(0, cut), offset + cut);
    return offset + cut < size ? 'more' : 'done';
  }

  /** Reads `file` to its end as a finished (rotated) file. */
  async function finish(file: OpenFile): Promise<void> {
    while ((await readChunk(file, true)) === 'more');
  }

  /** From now on, read `file` from its start. */
  async function switchTo(file: OpenFile, rotated: boolean): Promise<void> {
    await commit({
      ...saved,
      file: await fingerprintOf(file.handle, 0),
      offset: 0,
      fileLine: 0,
      sizeSeen: (await file.handle.stat()).size,
      rotations: saved.rotations + (rotated ? 1 : 0),
    });
    current = file;
  }

  /**
   * The saved file is no longer at the path (rotated while away, or truncated): finish it from the
   * configured rotated paths if one of them is it. `exclude` is the file now at the path.
   */
  async function finishRotatedCopy(exclude: OpenFile | null): Promise<void> {
    if (!saved.file || saved.offset === 0) return;
    for (const candidate of source.rotatedPaths) {
      const file = await openIfThere(candidate);
      if (!file) continue;
      try {
        if (exclude && file.dev === exclude.dev && file.ino === exclude.ino) continue;
        if (!(await isSameFile(saved.file, saved.offset, file.handle))) continue;
        logger.info(`${source.path} was rotated; finishing ${candidate} from byte ${saved.offset}`);
        await finish(file);
        return;
      } finally {
        await file.handle.close();
      }
    }
    logger.warn(
      `${source.path} was rotated and the rotated file was not found${source.rotatedPaths.length ? ` at ${source.rotatedPaths.join(', ')}` : ' (no rotatedPaths configured)'}: ` +
        'lines written after the last read before the rotation may be missing',
    );
  }

  async function ensureOpen(): Promise<OpenFile | null> {
    if (current) return current;
    const file = await openIfThere(source.path);
    if (!file) {
      await problem(`waiting for ${source.path} to exist`);
      return null;
    }
    try {
      if (!saved.file) {
        let offset = 0;
        const size = (await file.handle.stat()).size;
        if (source.startAt === 'end' && size > 0) {
          const tailStart = Math.max(0, size - 65_536);
          const tail = await readAt(file.handle, tailStart, size - tailStart);
          const lf = tail.lastIndexOf(LF);
          offset = lf >= 0 ? tailStart + lf + 1 : size;
        }
        await commit({ ...saved, file: await fingerprintOf(file.handle, offset), offset, fileLine: 0, sizeSeen: size, lastError: null });
        current = file;
      } else if (await isSameFile(saved.file, saved.offset, file.handle)) {
        if (saved.lastError) await commit({ ...saved, lastError: null });
        current = file;
      } else {
        await finishRotatedCopy(file);
        await switchTo(file, true);
      }
      return current;
    } catch (error) {
      current = null;
      await file.handle.close().catch(() => undefined);
      throw error;
    }
  }

  async function closeCurrent(): Promise<void> {
    const file = current;
    current = null;
    await file?.handle.close().catch(() => undefined);
  }

  /** The open file is no longer the one read so far: it shrank, or its first bytes changed (copytruncate). */
  async function truncated(file: OpenFile): Promise<boolean> {
    const size = (await file.handle.stat()).size;
    return size < saved.offset || !(await headMatches(file.handle, saved.file as FileFingerprint));
  }

  async function step(): Promise<boolean> {
    if (spool.stats().bytes >= options.maxSpoolBytes) {
      await problem('waiting: the spool is full until the server can be reached (nothing is dropped)');
      return false;
    }
    try {
      const file = await ensureOpen();
      if (!file) return false;
      if (await truncated(file)) {
        logger.info(`${source.path} was truncated (copytruncate rotation); reading it again from its start`);
        await finishRotatedCopy(file);
        await switchTo(file, true);
        return true;
      }
      if ((await readChunk(file, false)) === 'more') return true;

      // Everything there is was read: has the file been rotated?
      const now = await stat(source.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      // Renamed away and not yet re-created: keep reading the old file through the open handle meanwhile.
      if (now === null) return false;
      if (now.ino !== file.ino || now.dev !== file.dev) {
        await finish(file);
        await closeCurrent();
        const next = await openIfThere(source.path);
        if (!next) return false;
        logger.info(`${source.path} was rotated (a new file took its place); reading the new file from its start`);
        await switchTo(next, true);
        return true;
      }
      return false;
    } catch (error) {
      await closeCurrent();
      const message = `${source.path}: ${(error as Error).message}`;
      await problem(message).catch(() => undefined);
      throw error;
    }
  }

  return {
    step,
    state: () => saved,
    close: closeCurrent,
  };
}
