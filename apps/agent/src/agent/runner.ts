/**
 * `seatwise-agent run`: one loop per source (follow each log, poll each status command) and one sender,
 * sharing the spool. Stops cleanly on SIGINT/SIGTERM: the step in progress finishes (so its batches are
 * spooled and its position saved), and the sender's request in flight is left to end or time out; anything
 * not acknowledged stays in the spool for next time.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readApiKey, type AgentConfig } from './config.ts';
import { ensureDir } from './durable.ts';
import { createServerClient, type ServerClient } from './http-client.ts';
import { createLogFollower, type LogFollower } from './log-follower.ts';
import type { Logger } from './logger.ts';
import { createSender } from './sender.ts';
import { openSpool } from './spool.ts';
import { openStatusStore } from './status-store.ts';
import { createStatusPoller, type StatusPoller } from './status-poller.ts';
import { SOURCES_DIR } from './source-state.ts';

export const LOCK_FILE = 'agent.lock';

export class AgentLockedError extends Error {}

/** Takes the state folder's lock (one agent per folder); a lock left by a process that is gone is taken over. */
export async function acquireLock(stateDir: string): Promise<() => Promise<void>> {
  const file = path.join(stateDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await unlink(file).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new AgentLockedError(`another seatwise-agent (pid ${pid}) is running with the state folder ${stateDir}`);
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new AgentLockedError(`could not take the lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RunOptions {
  logger: Logger;
  /** Read every source once (logs to their end), send what the spool holds, and return. */
  once?: boolean;
  /** Stops the agent when aborted (the CLI wires SIGINT and SIGTERM to it). */
  signal?: AbortSignal;
  client?: ServerClient;
  hostname?: string;
}

/** What `run --once` reports. */
export interface RunSummary {
  spooled: number;
  sent: number;
  failedSources: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs the agent until `signal` aborts (or, with `once`, until one round is done). */
export async function runAgent(config: AgentConfig, options: RunOptions): Promise<RunSummary> {
  const { logger } = options;
  const hostname = options.hostname ?? os.hostname();
  const apiKey = await readApiKey(config);
  await ensureDir(config.stateDir);
  await ensureDir(path.join(config.stateDir, SOURCES_DIR));
  const release = await acquireLock(config.stateDir);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  try {
    const spool = await openSpool(config.stateDir);
    const status = await openStatusStore(config.stateDir);
    await status.update((s) => {
      s.pid = process.pid;
      s.startedAt = new Date().toISOString();
    });
    const client = options.client ?? createServerClient({ serverUrl: config.serverUrl, apiKey, timeoutMs: config.requestTimeoutMs });
    const sender = createSender({ spool, client, status, backoff: config.retry, logger });
    spool.onAdd(() => sender.wake());

    const followers: { name: string; follower: LogFollower }[] = [];
    const pollers: { name: string; poller: StatusPoller; intervalMs: number }[] = [];
    for (const server of config.licenseServers) {
      for (const source of server.sources) {
        const common = { server, stateDir: config.stateDir, spool, logger, hostname };
        if (source.kind === 'log') {
          followers.push({ name: source.path, follower: await createLogFollower({ ...common, source, maxSpoolBytes: config.maxSpoolBytes }) });
        } else {
          pollers.push({ name: `${server.name} status`, poller: await createStatusPoller({ ...common, source }), intervalMs: source.intervalSeconds * 1000 });
        }
      }
    }
    const initialCount = spool.stats().count;
    logger.info(
      `seatwise-agent started: ${followers.length} log${followers.length === 1 ? '' : 's'}, ${pollers.length} status command${pollers.length === 1 ? '' : 's'}, ` +
        `${initialCount} batch${initialCount === 1 ? '' : 'es'} waiting, sending to ${config.serverUrl}`,
    );

    let failedSources = 0;
    const reportFailure = (name: string, error: unknown) => {
      failedSources++;
      logger.error(`${name}: ${(error as Error).message}`);
    };

    if (options.once) {
      let spooledBefore = spool.stats().count;
      for (const { name, follower } of followers) {
        try {
          while (!stop.signal.aborted && (await follower.step()));
        } catch (error) {
          reportFailure(name, error);
        }
        await follower.close();
      }
      for (const { name, poller } of pollers) {
        try {
          await poller.poll();
        } catch (error) {
          reportFailure(name, error);
        }
      }
      const spooled = spool.stats().count - spooledBefore;
      spooledBefore = spool.stats().count;
      await sender.drain();
      return { spooled, sent: spooledBefore - spool.stats().count, failedSources };
    }

    const loops: Promise<void>[] = [];
    for (const { name, follower } of followers) {
      loops.push(
        (async () => {
          let failures = 0;
          while (!stop.signal.aborted) {
            let more = false;
            try {
              more = await follower.step();
              failures = 0;
            } catch (error) {
              failures++;
              if (failures === 1 || failures % 60 === 0) reportFailure(name, error);
            }
            if (!more) await sleep(config.followIntervalMs * (failures > 0 ? Math.min(2 ** failures, 12) : 1), stop.signal);
          }
          await follower.close();
        })(),
      );
    }
    for (const { name, poller, intervalMs } of pollers) {
      loops.push(
        (async () => {
          while (!stop.signal.aborted) {
            const started = Date.now();
            try {
              await poller.poll();
            } catch (error) {
              reportFailure(name, error);
            }
            await sleep(Math.max(0, intervalMs - (Date.now() - started)), stop.signal);
          }
        })(),
      );
    }
    const sending = sender.run();
    await new Promise<void>((resolve) => (stop.signal.aborted ? resolve() : stop.signal.addEventListener('abort', () => resolve(), { once: true })));
    sender.stop();
    await Promise.all(loops);
    await sending;
    logger.info(`seatwise-agent stopped; ${spool.stats().count} batches waiting in the spool`);
    return { spooled: 0, sent: 0, failedSources };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await release();
  }
}
