/**
 * The agent's own status, kept in the state folder so that `seatwise-agent status` (another process) can
 * show it: the last successful send, the last error, the sender's backoff. Per-source positions and errors
 * live in each source's state file (see source-state.ts).
 */
import path from 'node:path';
import { readJson, writeJsonDurably } from './durable.ts';

export interface SenderError {
  at: string;
  /** auth: the key was refused; network: unreachable, timeout, 429, 5xx; rejected: a batch was refused as malformed. */
  kind: 'auth' | 'network' | 'rejected';
  status: number | null;
  message: string;
}

export interface AgentStatus {
  version: 1;
  pid: number | null;
  startedAt: string | null;
  sender: {
    lastAttemptAt: string | null;
    lastSuccessAt: string | null;
    lastBatchId: string | null;
    /** Batches the server acknowledged since the state folder was created, duplicates included. */
    sent: number;
    duplicates: number;
    rejected: number;
    consecutiveFailures: number;
    nextAttemptAt: string | null;
    lastError: SenderError | null;
  };
}

export const STATUS_FILE = 'status.json';

export function emptyStatus(): AgentStatus {
  return {
    version: 1,
    pid: null,
    startedAt: null,
    sender: {
      lastAttemptAt: null,
      lastSuccessAt: null,
      lastBatchId: null,
      sent: 0,
      duplicates: 0,
      rejected: 0,
      consecutiveFailures: 0,
      nextAttemptAt: null,
      lastError: null,
    },
  };
}

export interface StatusStore {
  get(): AgentStatus;
  /** Changes the status and writes it (writes are serialised). */
  update(change: (status: AgentStatus) => void): Promise<void>;
}

/** Reads the status file of `stateDir` (an empty status when there is none). */
export async function readStatus(stateDir: string): Promise<AgentStatus> {
  const stored = await readJson<AgentStatus>(path.join(stateDir, STATUS_FILE)).catch(() => undefined);
  const base = emptyStatus();
  if (!stored || stored.version !== 1) return base;
  return { ...base, ...stored, sender: { ...base.sender, ...stored.sender } };
}

/** The status store of `stateDir`, starting from what is on disk. */
export async function openStatusStore(stateDir: string): Promise<StatusStore> {
  const file = path.join(stateDir, STATUS_FILE);
  const status = await readStatus(stateDir);
  let writing: Promise<void> = Promise.resolve();
  return {
    get: () => status,
    update(change) {
      change(status);
      const snapshot = JSON.parse(JSON.stringify(status)) as AgentStatus;
      writing = writing.then(
        () => writeJsonDurably(file, snapshot),
        () => writeJsonDurably(file, snapshot),
      );
      return writing;
    },
  };
}
