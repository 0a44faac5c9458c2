/**
 * End to end: the real seatwise-agent process (the built single file, run by plain Node) against the real
 * Seatwise server on loopback, on a real database. The agent polls a stand-in `lmutil` whose numbers change
 * between calls and follows a FlexLM debug log that grows and rotates. The server is stopped partway (the
 * agent must spool and resend) and started again on the same database; the agent itself is restarted once.
 * At the end the database holds exactly what one straight read of every log line gives, and one snapshot
 * per feature per poll.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/src/app.ts';
import { createTestApp, type TestApp } from '../../server/src/testing/test-app.ts';
import { createFakeLmutil, lmstatOutput } from './testing/fake-lmutil.ts';
import { createLogWriter, readStraight } from './testing/flexlm-writer.ts';

const run = promisify(execFile);
const agentDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(tmpdir(), 'seatwise-agent-e2e-'));
const bundle = path.join(work, 'seatwise-agent.mjs');
const TZ = 'Europe/Madrid';

let testApp: TestApp;
afterAll(async () => {
  await testApp?.close();
  rmSync(work, { recursive: true, force: true });
});
beforeAll(async () => {
  await run(process.execPath, [path.join(agentDir, 'scripts', 'build.mjs'), bundle]);
  testApp = await createTestApp();
}, 180_000);

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startAgent(args: string[]): AgentProcess {
  const child = spawn(process.execPath, [bundle, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function agentStatus(config: string): Promise<{ spool: { batches: number }; sender: { lastError: { kind: string } | null; lastSuccessAt: string | null }; sources: { kind: string; state: { offset?: number; sizeSeen?: number; rotations?: number; lastRunAt?: string } | null }[] }> {
  const { stdout } = await run(process.execPath, [bundle, 'status', '--json', '--config', config]);
  return JSON.parse(stdout);
}

describe('seatwise-agent against the real Seatwise server', () => {
  it('follows a growing, rotating log and polls lmstat; spools while the server is down and resends; the database holds exact counts', async () => {
    const owner = await testApp.newOrganization('agent-e2e');
    const apiKey = await testApp.createApiKey(owner, ['ingest'], 'agent on licsrv');
    let app = testApp.app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;

    const dir = path.join(work, 'site');
    mkdirSync(dir, { recursive: true });
    const keyFile = path.join(dir, 'api-key');
    writeFileSync(keyFile, `${apiKey.key}\n`, { mode: 0o600 });
    const log = path.join(dir, 'lmgrd.log');
    const rotated = path.join(dir, 'lmgrd.log.1');
    const writer = createLogWriter(2026);
    let all = [...writer.banner('3/2/2026'), ...writer.next(40)].join('\n') + '\n';
    writeFileSync(log, all);
    const append = (lines: string[]) => {
      const text = lines.join('\n') + '\n';
      appendFileSync(log, text);
      all += text;
    };
    const holders = [
      { user: 'jdoe', host: 'ws-17', handle: 101, start: '3/2 9:00' },
      { user: 'asmith', host: 'ws-20', handle: 102, start: '3/2 9:05', seats: 2 },
      { user: 'bchen', host: 'ws-31', handle: 103, start: '3/2 9:20' },
    ];
    const lmutil = createFakeLmutil(path.join(dir, 'bin'), [
      lmstatOutput(6, [holders[0]!]),
      lmstatOutput(6, [holders[0]!, holders[1]!]),
      lmstatOutput(6, [holders[1]!, holders[2]!]),
      lmstatOutput(6, [holders[2]!]),
      lmstatOutput(6, []),
    ]);
    const stateDir = path.join(dir, 'state');
    const config = path.join(dir, 'agent.jsonc');
    writeFileSync(
      config,
      `// end-to-end test\n${JSON.stringify(
        {
          serverUrl: `http://127.0.0.1:${port}`,
          apiKeyFile: keyFile,
          stateDir,
          followIntervalSeconds: 0.2,
          retry: { minSeconds: 0.2, maxSeconds: 1 },
          requestTimeoutSeconds: 10,
          licenseServers: [
            {
              name: '27000@licsrv',
              host: 'licsrv',
              port: 27000,
              timeZone: TZ,
              statusCommand: { format: 'lmstat', argv: [lmutil.program, 'lmstat', '-a', '-c', '27000@licsrv'], intervalSeconds: 1, timeoutSeconds: 10 },
              logs: [{ path: log, rotatedPaths: [rotated] }],
            },
          ],
        },
        null,
        2,
      )}\n`,
    );

    const check = await run(process.execPath, [bundle, 'check', '--config', config]);
    expect(check.stdout).toMatch(/key "agent on licsrv" .* of organisation "Company of agent-e2e", scopes ingest/);
    expect(check.stdout).toMatch(/All checks passed/);

    const count = async (table: string, where = 'true') => {
      const { rows } = await testApp.database.owner.transaction((tx) =>
        tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1 AND ${where}`, [owner.orgId]),
      );
      return rows[0]?.n ?? 0;
    };
    const distinctSessions = () => {
      const straight = readStraight(all, TZ);
      return { sessions: straight.closed.length + straight.open.length, open: straight.open.length, denials: straight.denials.length };
    };

    let agent = startAgent(['run', '--config', config]);
    try {
      // 1. Server up: the history in the log arrives, and snapshots start.
      await waitFor('the first lines to be stored', async () => (await count('usage_sessions')) === distinctSessions().sessions && (await count('usage_snapshots')) >= 2);

      // 2. Server down: the log grows and rotates (rename + create), lmstat keeps being polled; all of it spools.
      await app.close();
      append(writer.next(30));
      const beforeRotation = writer.next(1)[0] as string;
      appendFileSync(log, beforeRotation); // no line break: finished when the rotation is noticed
      all += beforeRotation + '\n';
      renameSync(log, rotated);
      const newFile = writer.next(30).join('\n') + '\n';
      writeFileSync(log, newFile);
      all += newFile;
      const callsWhenDown = lmutil.calls().length;
      await waitFor('the agent to spool while the server is down', async () => {
        const status = await agentStatus(config);
        const logState = status.sources.find((s) => s.kind === 'log')?.state;
        return status.spool.batches >= 3 && status.sender.lastError?.kind === 'network' && logState?.rotations === 1 && logState.offset === Buffer.byteLength(newFile) && lmutil.calls().length >= callsWhenDown + 2;
      });

      // 3. The server comes back on the same port and database: the spool drains, oldest first.
      ({ app } = await buildApp({ config: testApp.config, db: testApp.database.db, logger: pino({ level: 'silent' }), webDist: '/nonexistent' }));
      await app.listen({ port, host: '127.0.0.1' });
      await waitFor('the spool to drain', async () => {
        const status = await agentStatus(config);
        return status.spool.batches === 0 && status.sender.lastError === null && (await count('usage_sessions')) === distinctSessions().sessions;
      });

      // 4. The agent is restarted; lines written meanwhile are read from where it stopped.
      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      append(writer.next(25));
      agent = startAgent(['run', '--config', config]);
      await waitFor('the lines written while the agent was stopped', async () => (await count('usage_sessions')) === distinctSessions().sessions && (await count('usage_denials')) === distinctSessions().denials);
      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);

      // 5. Whatever the last poll spooled is sent by one more round.
      const once = await run(process.execPath, [bundle, 'run', '--once', '--config', config]);
      expect(once.stdout).toMatch(/sent \d+/);
      const final = await agentStatus(config);
      expect(final.spool.batches).toBe(0);

      const expected = distinctSessions();
      const polls = lmutil.calls().length; // every poll listed two features (MATLAB, Simulink)
      expect(expected.sessions).toBeGreaterThan(50);
      expect(expected.denials).toBeGreaterThan(5);
      expect(await count('usage_sessions')).toBe(expected.sessions);
      expect(await count('usage_sessions', 'ended_at IS NULL')).toBe(expected.open);
      expect(await count('usage_denials')).toBe(expected.denials);
      expect(await count('usage_snapshots')).toBe(2 * (polls - 1)); // minus the one `check` ran, which sends nothing
      expect(lmutil.calls().every((argv) => argv.join(' ') === 'lmstat -a -c 27000@licsrv')).toBe(true);
      const { rows: inUse } = await testApp.database.owner.transaction((tx) =>
        tx.query<{ in_use: number }>(
          `SELECT DISTINCT s.in_use FROM usage_snapshots s JOIN features f ON f.org_id = s.org_id AND f.id = s.feature_id WHERE s.org_id = $1 AND f.name = 'MATLAB' ORDER BY 1`,
          [owner.orgId],
        ),
      );
      expect(inUse.map((row) => row.in_use)).toEqual([0, 1, 3]);
      const { rows: batches } = await testApp.database.owner.transaction((tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ingest_batches WHERE org_id = $1`, [owner.orgId]));
      expect(batches[0]?.n).toBeGreaterThan(5);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- agent output ---\n${agent.output()}`, { cause: error });
    } finally {
      agent.child.kill('SIGKILL');
      await app.close();
    }
  }, 240_000);
});
