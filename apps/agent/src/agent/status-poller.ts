/**
 * Polls one license server's status command (`lmutil lmstat -a -c port@host`, `rlmutil rlmstat -a -c …`):
 * runs exactly the configured argv, without a shell, with a time limit and a cap on its output; parses the
 * output with the engine; spools the snapshots and the sessions that consecutive snapshots show; then saves
 * the session tracker's state.
 */
import { execFile } from 'node:child_process';
import { createLineSplitter, type Diagnostic, type FeatureSnapshot } from '@seatwise/usage-engine';
import { createBatchItems, spoolItems } from './batch.ts';
import type { CommandSourceConfig, LicenseServerConfig } from './config.ts';
import { createSnapshotSessionTracker, createStatusParser } from './engine-adapter.ts';
import type { Logger } from './logger.ts';
import { ensureSourcesDir, newCommandState, readSourceState, writeSourceState, type CommandSourceState } from './source-state.ts';
import type { Spool } from './spool.ts';

/** Status output larger than this is cut off and reported: no license server lists that much. */
export const MAX_STATUS_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface CommandResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit code; null when the command was killed or could not start. */
  code: number | null;
  /** Why the command did not run to a normal end, if it did not. */
  error?: string;
}

/**
 * Runs `argv` as given: the program is argv[0], found on PATH only when it has no slash; no shell, so
 * nothing in the arguments is expanded or interpreted.
 */
export function runCommand(argv: readonly string[], timeoutMs: number, maxBytes = MAX_STATUS_OUTPUT_BYTES): Promise<CommandResult> {
  const [program, ...args] = argv;
  return new Promise((resolve) => {
    execFile(
      program as string,
      args,
      { shell: false, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: maxBytes, encoding: 'buffer', windowsHide: true },
      (error, stdout, stderr) => {
        const result: CommandResult = { stdout, stderr, code: 0 };
        if (error) {
          const err = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string };
          result.code = typeof err.code === 'number' ? err.code : null;
          if (err.code === 'ENOENT') result.error = `${program} was not found`;
          else if (err.code === 'EACCES') result.error = `${program} is not executable by this user`;
          else if (err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') result.error = `output larger than ${maxBytes} bytes; cut off`;
          else if (err.killed || err.signal) result.error = `did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped`;
          else if (typeof err.code === 'number') result.error = `exited with code ${err.code}`;
          else result.error = err.message;
        }
        resolve(result);
      },
    );
  });
}

export interface ParsedStatus {
  snapshots: FeatureSnapshot[];
  diagnostics: Diagnostic[];
}

/** Parses one status output taken at `at` (epoch ms). */
export function parseStatusOutput(source: CommandSourceConfig, timeZone: string, at: number, output: Buffer): ParsedStatus {
  const snapshots: FeatureSnapshot[] = [];
  const diagnostics: Diagnostic[] = [];
  const parser = createStatusParser(source.format, { timeZone, takenAt: at }, {
    snapshot: (snapshot) => snapshots.push(snapshot),
    diagnostic: (diagnostic) => diagnostics.push(diagnostic),
  });
  const splitter = createLineSplitter(parser, { diagnostic: (diagnostic) => diagnostics.push(diagnostic) });
  splitter.push(output);
  splitter.end();
  parser.end();
  return { snapshots, diagnostics };
}

export interface StatusPollerOptions {
  source: CommandSourceConfig;
  server: LicenseServerConfig;
  stateDir: string;
  spool: Spool;
  logger: Logger;
  hostname: string;
  run?: typeof runCommand;
  now?: () => number;
}

export interface StatusPoller {
  /** Runs the command once and spools what it reported. */
  poll(): Promise<void>;
  state(): CommandSourceState;
}

/** Creates the poller for one configured status command, from its saved state. */
export async function createStatusPoller(options: StatusPollerOptions): Promise<StatusPoller> {
  const { source, server, stateDir, spool, logger } = options;
  const run = options.run ?? runCommand;
  const now = options.now ?? Date.now;
  await ensureSourcesDir(stateDir);
  let saved: CommandSourceState = (await readSourceState<CommandSourceState>(stateDir, source.id)) ?? newCommandState(source.argv);

  async function commit(next: CommandSourceState): Promise<void> {
    await writeSourceState(stateDir, source.id, next);
    saved = next;
  }

  return {
    state: () => saved,
    async poll() {
      const at = now();
      const runAt = new Date(at).toISOString();
      const result = await run(source.argv, source.timeoutSeconds * 1000);
      const { snapshots, diagnostics } = parseStatusOutput(source, server.timeZone, at, result.stdout);
      const stderr = result.stderr.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 300);
      const unreachable = diagnostics.find((d) => /could not reach|Error getting status|Cannot connect/i.test(d.reason));
      let problemText: string | null = null;
      if (result.error) problemText = `${source.argv[0]} ${result.error}${stderr ? `: ${stderr}` : ''}`;
      else if (snapshots.length === 0) problemText = unreachable ? unreachable.reason : `no license features in the output${stderr ? ` (stderr: ${stderr})` : ''}`;

      const items = createBatchItems(server.timeZone);
      for (const snapshot of snapshots) items.snapshot(snapshot);
      const tracker = createSnapshotSessionTracker(saved.tracker ? { resumeFrom: saved.tracker } : {});
      // A failed poll says nothing about who holds a seat: only a poll that listed features moves sessions.
      if (source.sessions && snapshots.length > 0) for (const session of tracker.push(snapshots)) items.snapshotSession(session);
      await spoolItems(spool, { licenseServer: server, hostname: options.hostname }, items.items);
      if (problemText) logger.warn(`status command for ${server.name}: ${problemText}`);
      const last = diagnostics.at(-1);
      await commit({
        ...saved,
        argv: source.argv,
        tracker: source.sessions ? tracker.checkpoint() : null,
        lastRunAt: runAt,
        lastSuccessAt: snapshots.length > 0 ? runAt : saved.lastSuccessAt,
        lastSnapshots: snapshots.length,
        diagnostics: saved.diagnostics + diagnostics.length,
        lastDiagnostic: last ? { line: last.line, reason: last.reason } : saved.lastDiagnostic,
        droppedItems: saved.droppedItems + items.items.dropped.count,
        lastError: problemText ? { at: runAt, message: problemText } : null,
      });
    },
  };
}
