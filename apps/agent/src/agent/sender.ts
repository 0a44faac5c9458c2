/**
 * Sends the spool to the server, oldest batch first, one at a time. A batch leaves the spool only when the
 * server has stored it (or had stored it before: `duplicate`) or refused it as malformed (moved aside to
 * rejected/). Everything else — network errors, timeouts, 429, 5xx, a key problem — keeps it and waits
 * with a capped, jittered exponential backoff before trying again.
 */
import type { ServerClient, SendOutcome } from './http-client.ts';
import type { Spool } from './spool.ts';
import type { StatusStore } from './status-store.ts';
import type { Logger } from './logger.ts';

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

/**
 * How long to wait before attempt `failures` + 1: min · 2^(failures − 1), capped at max, drawn at random in
 * the upper half of that (so that many agents cut off together do not come back together), and never less
 * than a server's Retry-After (itself capped at max).
 */
export function backoffDelay(failures: number, options: BackoffOptions, random = Math.random, retryAfterMs?: number): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(options.maxMs, options.minMs * 2 ** exponent);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, options.maxMs);
  return Math.round(Math.max(jittered, floor));
}

export interface Sender {
  /** Sends until the spool is empty or an attempt fails; resolves with whether the spool is empty. */
  drain(): Promise<boolean>;
  /** Keeps sending until stopped: waits for new batches, backs off after failures. */
  run(): Promise<void>;
  /** Stops `run` (an attempt in flight finishes; its batch stays spooled unless it was stored). */
  stop(): void;
  /** Wakes the loop now (a new batch was spooled). A backoff wait is not cut short. */
  wake(): void;
}

export interface SenderOptions {
  spool: Spool;
  client: ServerClient;
  status: StatusStore;
  backoff: BackoffOptions;
  logger: Logger;
  random?: () => number;
  /** How long the loop sleeps when there is nothing to send (a new batch wakes it sooner). */
  idleMs?: number;
}

/** Creates the sender for one spool. */
export function createSender(options: SenderOptions): Sender {
  const { spool, client, status, logger } = options;
  const random = options.random ?? Math.random;
  let failures = 0;
  let stopped = false;
  let backingOff = false;
  let wakeUp: (() => void) | null = null;
  const stopping = new AbortController();

  function sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeUp = null;
        backingOff = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // A stop always ends the wait; a new batch ends it only when not backing off.
      wakeUp = done;
      backingOff = !wakeable;
    });
  }

  /** One attempt with the oldest batch. Returns false when it should be retried later. */
  async function sendOne(): Promise<boolean> {
    const entry = spool.peek();
    if (!entry) return true;
    let body: string;
    let batchId: string;
    try {
      const batch = await spool.read(entry);
      batchId = batch.batchId;
      body = JSON.stringify(batch);
    } catch (error) {
      // A spooled file that no longer reads as a batch (disk damage, a hand edit): set it aside.
      await spool.reject(entry, { local: true, message: `unreadable spool file: ${(error as Error).message}` });
      logger.error(`spooled batch ${entry.name} could not be read and was moved to rejected/: ${(error as Error).message}`);
      return true;
    }
    const attemptAt = new Date().toISOString();
    let outcome: SendOutcome;
    try {
      outcome = await client.sendBatch(body, stopping.signal);
    } catch (error) {
      outcome = { kind: 'retry', status: null, detail: (error as Error).message };
    }
    switch (outcome.kind) {
      case 'stored': {
        await spool.remove(entry);
        failures = 0;
        const { result } = outcome;
        await status.update((s) => {
          s.sender.lastAttemptAt = attemptAt;
          s.sender.lastSuccessAt = new Date().toISOString();
          s.sender.lastBatchId = batchId;
          s.sender.sent += 1;
          if (result.duplicate) s.sender.duplicates += 1;
          s.sender.consecutiveFailures = 0;
          s.sender.nextAttemptAt = null;
          if (s.sender.lastError?.kind !== 'rejected') s.sender.lastError = null;
        });
        logger.debug(
          `batch ${batchId} stored${result.duplicate ? ' (already stored before)' : ''}: ${result.sessions} sessions, ${result.denials} denials, ${result.snapshots} snapshots`,
        );
        return true;
      }
      case 'rejected': {
        await spool.reject(entry, { status: outcome.status, detail: outcome.detail });
        failures = 0;
        const message = `the server refused batch ${batchId} (HTTP ${outcome.status}: ${outcome.detail}); it was moved to rejected/ and will not be sent again`;
        logger.error(message);
        await status.update((s) => {
          s.sender.lastAttemptAt = attemptAt;
          s.sender.rejected += 1;
          s.sender.lastError = { at: attemptAt, kind: 'rejected', status: outcome.status, message };
        });
        return true;
      }
      case 'auth':
      case 'retry': {
        // Cut short because the agent is stopping: not a failure; the batch simply stays spooled.
        if (stopped) return false;
        failures += 1;
        const wait = backoffDelay(failures, options.backoff, random, outcome.kind === 'retry' ? outcome.retryAfterMs : undefined);
        const message =
          outcome.kind === 'auth'
            ? `the server refused the API key (HTTP ${outcome.status}: ${outcome.detail}); batches stay spooled until the key is fixed`
            : `could not send batch ${batchId} (${outcome.status === null ? '' : `HTTP ${outcome.status}: `}${outcome.detail}); batches stay spooled`;
        if (failures === 1 || failures % 10 === 0) logger.warn(`${message}; trying again in ${Math.round(wait / 1000)} s`);
        await status.update((s) => {
          s.sender.lastAttemptAt = attemptAt;
          s.sender.consecutiveFailures = failures;
          s.sender.nextAttemptAt = new Date(Date.now() + wait).toISOString();
          s.sender.lastError = { at: attemptAt, kind: outcome.kind === 'auth' ? 'auth' : 'network', status: outcome.status, message };
        });
        retryInMs = wait;
        return false;
      }
    }
  }

  let retryInMs = 0;

  async function drain(): Promise<boolean> {
    while (!stopped && spool.peek()) {
      if (!(await sendOne())) return false;
    }
    return spool.peek() === undefined;
  }

  return {
    drain,
    async run() {
      while (!stopped) {
        const emptied = await drain();
        if (stopped) break;
        if (emptied) await sleep(options.idleMs ?? 60_000, true);
        else await sleep(retryInMs, false);
      }
    },
    stop() {
      stopped = true;
      stopping.abort();
      wakeUp?.();
    },
    wake() {
      if (!backingOff) wakeUp?.();
    },
  };
}
