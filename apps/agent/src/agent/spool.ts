/**
 * The on-disk spool: every batch is written here (durably) before anything else happens with it, and
 * leaves only when the server has stored it or refused it as malformed. Batches are sent in the order they
 * were spooled, so an open session always reaches the server before the same session closed.
 *
 * Layout in the state folder:
 *   spool/<16-digit sequence>-<batchId>.json     waiting to be sent
 *   rejected/<same name>.json (+ .error.json)    refused by the server (400/413): kept for a person to read
 */
import { mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AgentBatch } from '@seatwise/protocol';
import { ensureDir, syncDir, writeFileDurably, writeJsonDurably } from './durable.ts';

/** The batch as the agent spools it: fully defaulted and validated. */
export type SpooledBatchBody = ReturnType<typeof AgentBatch.parse>;

export interface SpoolEntry {
  name: string;
  file: string;
  bytes: number;
}

export interface SpoolStats {
  count: number;
  bytes: number;
  rejected: number;
  /** Sequence-ordered name of the oldest batch waiting, if any. */
  oldest: string | null;
}

/** A batch failed validation against the protocol schema: a bug, never sent. */
export class InvalidBatchError extends Error {}

const NAME_RE = /^(\d{16})-([0-9a-f-]{36})\.json$/;

/** Folder names inside the state folder. */
export const SPOOL_DIR = 'spool';
export const REJECTED_DIR = 'rejected';

export interface Spool {
  readonly dir: string;
  /** Adds a batch, validated, durably on disk when the promise resolves. Returns its entry. */
  add(batch: unknown): Promise<SpoolEntry>;
  /** The oldest batch waiting, or undefined. */
  peek(): SpoolEntry | undefined;
  read(entry: SpoolEntry): Promise<SpooledBatchBody>;
  /** The server stored it: forget it. */
  remove(entry: SpoolEntry): Promise<void>;
  /** The server refused it as malformed: keep it aside with the reason, never send it again. */
  reject(entry: SpoolEntry, reason: unknown): Promise<void>;
  stats(): SpoolStats;
  /** Called after every add (the sender wakes up). */
  onAdd(listener: () => void): void;
}

/** Opens (creating if needed) the spool in `stateDir`. One process at a time (the agent holds a lock). */
export async function openSpool(stateDir: string): Promise<Spool> {
  const dir = path.join(stateDir, SPOOL_DIR);
  const rejectedDir = path.join(stateDir, REJECTED_DIR);
  await ensureDir(dir);
  await ensureDir(rejectedDir);

  const queue: SpoolEntry[] = [];
  let bytes = 0;
  let next = 0;
  for (const name of (await readdir(dir)).sort()) {
    const match = NAME_RE.exec(name);
    if (!match) {
      // A temporary file left by a crash before its rename: its batch was never acknowledged as spooled.
      if (name.startsWith('.') && name.endsWith('.tmp')) await unlink(path.join(dir, name)).catch(() => undefined);
      continue;
    }
    const file = path.join(dir, name);
    const size = (await stat(file)).size;
    queue.push({ name, file, bytes: size });
    bytes += size;
    next = Math.max(next, Number(match[1]) + 1);
  }
  let rejected = (await readdir(rejectedDir)).filter((name) => NAME_RE.test(name)).length;
  const listeners: (() => void)[] = [];

  return {
    dir,
    async add(batch) {
      const parsed = AgentBatch.safeParse(batch);
      if (!parsed.success) {
        throw new InvalidBatchError(
          `batch does not match the protocol: ${parsed.error.issues
            .slice(0, 5)
            .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
            .join('; ')}`,
        );
      }
      const body = JSON.stringify(parsed.data);
      const name = `${String(next++).padStart(16, '0')}-${parsed.data.batchId}.json`;
      const file = path.join(dir, name);
      await writeFileDurably(file, body);
      const entry = { name, file, bytes: Buffer.byteLength(body) };
      queue.push(entry);
      bytes += entry.bytes;
      for (const listener of listeners) listener();
      return entry;
    },
    peek() {
      return queue[0];
    },
    async read(entry) {
      return AgentBatch.parse(JSON.parse(await readFile(entry.file, 'utf8')));
    },
    async remove(entry) {
      await unlink(entry.file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await syncDir(dir);
      forget(entry);
    },
    async reject(entry, reason) {
      await mkdir(rejectedDir, { recursive: true, mode: 0o700 });
      await writeJsonDurably(path.join(rejectedDir, entry.name.replace(/\.json$/, '.error.json')), { at: new Date().toISOString(), reason });
      await rename(entry.file, path.join(rejectedDir, entry.name));
      await syncDir(dir);
      await syncDir(rejectedDir);
      rejected++;
      forget(entry);
    },
    stats() {
      return { count: queue.length, bytes, rejected, oldest: queue[0]?.name ?? null };
    },
    onAdd(listener) {
      listeners.push(listener);
    },
  };

  function forget(entry: SpoolEntry): void {
    const index = queue.indexOf(entry);
    if (index >= 0) {
      queue.splice(index, 1);
      bytes -= entry.bytes;
    }
  }
}

/** Spool figures read from disk, for `seatwise-agent status` while another process runs the agent. */
export async function readSpoolStats(stateDir: string): Promise<SpoolStats> {
  const list = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((name) => NAME_RE.test(name)).sort();
  const waiting = await list(path.join(stateDir, SPOOL_DIR));
  let bytes = 0;
  for (const name of waiting) bytes += (await stat(path.join(stateDir, SPOOL_DIR, name)).catch(() => ({ size: 0 }))).size;
  const rejected = (await list(path.join(stateDir, REJECTED_DIR))).length;
  return { count: waiting.length, bytes, rejected, oldest: waiting[0] ?? null };
}
