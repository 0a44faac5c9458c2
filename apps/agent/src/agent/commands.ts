/** `seatwise-agent init`, `check` and `status`: writing the example, checking a setup, showing progress. */
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { detectFormat, DETECT_SAMPLE_CHARS } from '@seatwise/usage-engine';
import { readApiKey, type AgentConfig } from './config.ts';
import { EXAMPLE_CONFIG } from './example-config.ts';
import { createServerClient, type ServerClient } from './http-client.ts';
import { LOCK_FILE } from './runner.ts';
import { readSourceState, type CommandSourceState, type LogSourceState } from './source-state.ts';
import { readSpoolStats } from './spool.ts';
import { readStatus } from './status-store.ts';
import { parseStatusOutput, runCommand } from './status-poller.ts';

/** Writes the commented example configuration to `file`; refuses to replace an existing file. */
export async function initConfig(file: string): Promise<{ ok: boolean; message: string }> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o750 });
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return { ok: false, message: `${file} already exists; it was left as it is (remove it first to write a fresh example)` };
    }
    throw error;
  }
  try {
    await handle.writeFile(EXAMPLE_CONFIG);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return {
    ok: true,
    message: `Wrote an example configuration to ${file}. Edit it (server URL, API key file, license servers), then run: seatwise-agent check --config ${file}`,
  };
}

export interface CheckLine {
  ok: boolean;
  /** A warning does not fail the check. */
  warning?: boolean;
  text: string;
}

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/**
 * Checks a loaded configuration: the API key with the server (it must have the ingest scope), each status
 * command run once and parsed, each log opened and its format recognised, the state folder writable.
 */
export async function checkConfig(config: AgentConfig, options: { client?: ServerClient } = {}): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const sourceCount = config.licenseServers.reduce((n, server) => n + server.sources.length, 0);
  lines.push({ ok: true, text: `configuration ${config.file}: valid (${config.licenseServers.length} license server(s), ${sourceCount} source(s))` });

  try {
    const apiKey = await readApiKey(config);
    const client = options.client ?? createServerClient({ serverUrl: config.serverUrl, apiKey, timeoutMs: config.requestTimeoutMs });
    const answer = await client.currentKey();
    if (!answer.ok) {
      const why = answer.status === 401 || answer.status === 403 ? 'the key was refused (wrong, revoked or expired)' : answer.detail;
      lines.push({ ok: false, text: `server ${config.serverUrl}: ${answer.status === null ? '' : `HTTP ${answer.status}: `}${why}` });
    } else if (!answer.key.scopes.includes('ingest')) {
      lines.push({
        ok: false,
        text: `server ${config.serverUrl}: the key "${answer.key.name}" (${answer.key.prefix}…) lacks the ingest scope (it has: ${answer.key.scopes.join(', ') || 'none'})`,
      });
    } else {
      lines.push({
        ok: true,
        text: `server ${config.serverUrl}: key "${answer.key.name}" (${answer.key.prefix}…) of organisation "${answer.key.organisation.name}", scopes ${answer.key.scopes.join(', ')}`,
      });
    }
  } catch (error) {
    lines.push({ ok: false, text: (error as Error).message });
  }

  for (const server of config.licenseServers) {
    for (const source of server.sources) {
      if (source.kind === 'command') {
        const label = `${server.name}: status command ${source.argv.join(' ')}`;
        const started = Date.now();
        const result = await runCommand(source.argv, source.timeoutSeconds * 1000);
        const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
        const parsed = parseStatusOutput(source, server.timeZone, Date.now(), result.stdout);
        if (result.error && parsed.snapshots.length === 0) {
          const stderr = result.stderr.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
          lines.push({ ok: false, text: `${label}: ${result.error}${stderr ? ` (${stderr})` : ''}` });
        } else if (parsed.snapshots.length === 0) {
          const reason = parsed.diagnostics[0]?.reason;
          lines.push({ ok: false, text: `${label}: ran in ${took} but listed no license features${reason ? ` (${reason})` : ''}` });
        } else {
          const inUse = parsed.snapshots.reduce((n, s) => n + s.inUse, 0);
          lines.push({
            ok: true,
            text: `${label}: ${parsed.snapshots.length} feature(s), ${inUse} seat(s) in use, in ${took}${parsed.diagnostics.length ? `; ${parsed.diagnostics.length} line(s) not understood` : ''}`,
          });
        }
      } else {
        const label = `${server.name}: log ${source.path}`;
        let handle;
        try {
          handle = await open(source.path, 'r');
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          lines.push({ ok: false, text: `${label}: ${code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'not readable by this user' : (error as Error).message}` });
          continue;
        }
        try {
          const st = await handle.stat();
          const sample = Buffer.alloc(DETECT_SAMPLE_CHARS * 2);
          const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
          const detected = bytesRead > 0 ? detectFormat(sample.subarray(0, bytesRead).toString('utf8')) : null;
          if (bytesRead === 0) lines.push({ ok: true, warning: true, text: `${label}: readable, empty so far` });
          else if (detected && detected.format !== source.format) {
            lines.push({ ok: true, warning: true, text: `${label}: readable (${kb(st.size)}), but it looks like ${detected.format}, not ${source.format}` });
          } else lines.push({ ok: true, text: `${label}: readable, ${kb(st.size)}${detected ? `, ${detected.format}` : ''}` });
        } finally {
          await handle.close();
        }
      }
    }
  }

  try {
    await stat(config.stateDir);
    await access(config.stateDir, constants.W_OK);
    lines.push({ ok: true, text: `state folder ${config.stateDir}: writable` });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      try {
        await access(path.dirname(config.stateDir), constants.W_OK);
        lines.push({ ok: true, text: `state folder ${config.stateDir}: will be created on the first run` });
      } catch {
        lines.push({ ok: false, text: `state folder ${config.stateDir}: does not exist and cannot be created by this user` });
      }
    } else lines.push({ ok: false, text: `state folder ${config.stateDir}: not writable by this user` });
  }
  return lines;
}

export interface StatusReport {
  running: { pid: number } | null;
  startedAt: string | null;
  spool: { batches: number; bytes: number; rejected: number };
  sender: Awaited<ReturnType<typeof readStatus>>['sender'];
  sources: (
    | { licenseServer: string; kind: 'log'; path: string; state: LogSourceState | null }
    | { licenseServer: string; kind: 'command'; argv: string[]; state: CommandSourceState | null }
  )[];
}

async function runningPid(stateDir: string): Promise<number | null> {
  const pid = Number((await readFile(path.join(stateDir, LOCK_FILE), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/** Reads the state folder: is the agent running, what waits in the spool, what was sent, where each source is. */
export async function collectStatus(config: AgentConfig): Promise<StatusReport> {
  const pid = await runningPid(config.stateDir);
  const status = await readStatus(config.stateDir);
  const spool = await readSpoolStats(config.stateDir);
  const sources: StatusReport['sources'] = [];
  for (const server of config.licenseServers) {
    for (const source of server.sources) {
      if (source.kind === 'log') {
        sources.push({ licenseServer: server.name, kind: 'log', path: source.path, state: (await readSourceState<LogSourceState>(config.stateDir, source.id)) ?? null });
      } else {
        sources.push({
          licenseServer: server.name,
          kind: 'command',
          argv: source.argv,
          state: (await readSourceState<CommandSourceState>(config.stateDir, source.id)) ?? null,
        });
      }
    }
  }
  return {
    running: pid === null ? null : { pid },
    startedAt: status.startedAt,
    spool: { batches: spool.count, bytes: spool.bytes, rejected: spool.rejected },
    sender: status.sender,
    sources,
  };
}

/** The status report as text for a person. */
export function formatStatus(report: StatusReport): string {
  const out: string[] = [];
  out.push(`agent:       ${report.running ? `running (pid ${report.running.pid})${report.startedAt ? ` since ${report.startedAt}` : ''}` : 'not running'}`);
  out.push(`spool:       ${report.spool.batches} batch(es) waiting (${kb(report.spool.bytes)}), ${report.spool.rejected} rejected`);
  const s = report.sender;
  out.push(`last sent:   ${s.lastSuccessAt ?? 'never'}${s.sent ? ` (${s.sent} batch(es) acknowledged, ${s.duplicates} duplicate(s))` : ''}`);
  if (s.consecutiveFailures > 0) out.push(`retrying:    ${s.consecutiveFailures} failed attempt(s) in a row; next at ${s.nextAttemptAt ?? '?'}`);
  out.push(`last error:  ${s.lastError ? `${s.lastError.at} ${s.lastError.message}` : 'none'}`);
  out.push('sources:');
  for (const source of report.sources) {
    if (source.kind === 'log') {
      out.push(`  ${source.licenseServer}  log ${source.path}`);
      const st = source.state;
      if (!st || !st.file) out.push('    not read yet');
      else {
        const behind = Math.max(0, st.sizeSeen - st.offset);
        out.push(
          `    position: byte ${st.offset} of ${st.sizeSeen}${behind ? ` (${kb(behind)} to read)` : ''}, line ${st.fileLine}; ` +
            `${st.rotations} rotation(s); last read ${st.lastReadAt ?? 'never'}`,
        );
        if (st.diagnostics) out.push(`    ${st.diagnostics} line(s) not understood${st.lastDiagnostic ? `; last: line ${st.lastDiagnostic.line}: ${st.lastDiagnostic.reason}` : ''}`);
      }
      if (st?.lastError) out.push(`    error: ${st.lastError.at} ${st.lastError.message}`);
    } else {
      out.push(`  ${source.licenseServer}  status ${source.argv.join(' ')}`);
      const st = source.state;
      if (!st || !st.lastRunAt) out.push('    not run yet');
      else {
        out.push(`    last run ${st.lastRunAt}: ${st.lastSnapshots} feature(s); last success ${st.lastSuccessAt ?? 'never'}`);
        if (st.tracker) out.push(`    ${st.tracker.open.length} check-out(s) open`);
      }
      if (st?.lastError) out.push(`    error: ${st.lastError.at} ${st.lastError.message}`);
    }
  }
  return out.join('\n') + '\n';
}
