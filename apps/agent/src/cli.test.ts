import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from './agent/example-config.ts';
import { startFakeServer, type FakeServer } from './testing/fake-server.ts';
import { createFakeLmutil, lmstatOutput, type FakeLmutil } from './testing/fake-lmutil.ts';
import { createLogWriter } from './testing/flexlm-writer.ts';

const run = promisify(execFile);
const agentDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(tmpdir(), 'seatwise-agent-cli-'));
const bundle = path.join(work, 'dist', 'seatwise-agent.mjs');
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  // The real deliverable: the one-file build, run by plain Node.
  await run(process.execPath, [path.join(agentDir, 'scripts', 'build.mjs'), bundle]);
}, 120_000);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built agent with plain Node (nodeArgs before the script, e.g. the permission model). */
function agent(args: string[], nodeArgs: string[] = []): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, bundle, ...args], { cwd: work, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface Setup {
  dir: string;
  config: string;
  keyFile: string;
  log: string;
  rotated: string;
  stateDir: string;
  lmutil: FakeLmutil;
}

function setup(name: string, server: FakeServer, overrides: Record<string, unknown> = {}): Setup {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, 'api-key');
  writeFileSync(keyFile, `${server.key}\n`, { mode: 0o600 });
  const log = path.join(dir, 'lmgrd.log');
  const writer = createLogWriter(11);
  writeFileSync(log, [...writer.banner('3/2/2026'), ...writer.next(60)].join('\n') + '\n');
  const lmutil = createFakeLmutil(path.join(dir, 'bin'), [lmstatOutput(4, [{ user: 'jdoe', host: 'ws-17', handle: 7, start: '3/2 9:00' }])]);
  const stateDir = path.join(dir, 'state');
  const config = path.join(dir, 'agent.jsonc');
  const body = {
    serverUrl: server.url,
    apiKeyFile: keyFile,
    stateDir,
    retry: { minSeconds: 0.1, maxSeconds: 0.5 },
    licenseServers: [
      {
        name: '27000@licsrv',
        host: 'licsrv',
        port: 27000,
        timeZone: 'Europe/Madrid',
        statusCommand: { format: 'lmstat', argv: [lmutil.program, 'lmstat', '-a', '-c', '27000@licsrv'], intervalSeconds: 60 },
        logs: [{ path: log, rotatedPaths: [path.join(dir, 'lmgrd.log.1')] }],
      },
    ],
    ...overrides,
  };
  writeFileSync(config, `// written by the test\n${JSON.stringify(body, null, 2)}\n`);
  return { dir, config, keyFile, log, rotated: path.join(dir, 'lmgrd.log.1'), stateDir, lmutil };
}

describe('seatwise-agent (the built single file)', () => {
  it('init writes the commented example once and refuses to overwrite', async () => {
    const file = path.join(work, 'etc', 'agent.jsonc');
    const first = await agent(['init', '--config', file]);
    expect(first.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(EXAMPLE_CONFIG);
    writeFileSync(file, '// edited by hand\n');
    const second = await agent(['init', '--config', file]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already exists/);
    expect(readFileSync(file, 'utf8')).toBe('// edited by hand\n');
  });

  it('check validates the config, runs the status command once, opens the log and confirms the key with the server', async () => {
    const server = await startFakeServer();
    try {
      const s = setup('check', server);
      const ok = await agent(['check', '--config', s.config]);
      expect(ok.stdout).toMatch(/ok +server http:\/\/127\.0\.0\.1:\d+: key "agent on flexlm1" .* of organisation "Acme", scopes ingest/);
      expect(ok.stdout).toMatch(/ok +27000@licsrv: status command .*lmutil lmstat -a -c 27000@licsrv: 2 feature\(s\), 1 seat\(s\) in use/);
      expect(ok.stdout).toMatch(/ok +27000@licsrv: log .*lmgrd\.log: readable, .*flexlm-debug/);
      expect(ok.stdout).toMatch(/All checks passed/);
      expect(ok.code).toBe(0);
      expect(s.lmutil.calls()).toHaveLength(1);
      expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/api-keys/current']);

      writeFileSync(s.keyFile, 'swk_revoked_0123456789abcdefghijklmnopqrstuvwxy\n');
      rmSync(s.log);
      const bad = await agent(['check', '--config', s.config]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/FAIL +server .*HTTP 401/);
      expect(bad.stdout).toMatch(/FAIL +27000@licsrv: log .*does not exist/);
      expect(bad.stdout).not.toMatch(/swk_revoked/);
    } finally {
      await server.close();
    }
  });

  it('EN-01 the agent refuses to start with a plain-HTTP server URL that is not localhost', async () => {
    const server = await startFakeServer();
    try {
      const s = setup('plain-http', server, { serverUrl: 'http://seatwise.example.com' });
      for (const command of ['run', 'check', 'status']) {
        const result = await agent([command, '--once', '--config', s.config]);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/serverUrl: must use https:\/\//);
      }
      expect(s.lmutil.calls()).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('run --once sends everything, and status shows the spool, the last send and each source', async () => {
    const server = await startFakeServer();
    try {
      const s = setup('once', server);
      const result = await agent(['run', '--once', '--config', s.config]);
      expect(result.stderr).not.toMatch(/error/);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/spooled \d+ batch\(es\), sent \d+/);
      expect(server.snapshots.size).toBe(2);
      expect(server.sessions.size).toBeGreaterThan(10);

      const status = await agent(['status', '--config', s.config]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/agent: +not running/);
      expect(status.stdout).toMatch(/spool: +0 batch\(es\) waiting/);
      expect(status.stdout).toMatch(/last sent: +20\d\d-/);
      expect(status.stdout).toMatch(/last error: +none/);
      expect(status.stdout).toMatch(new RegExp(`log ${s.log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n +position: byte (\\d+) of \\1, line 63`));
      expect(status.stdout).toMatch(/last run .*: 2 feature\(s\)/);
      const json = JSON.parse((await agent(['status', '--json', '--config', s.config])).stdout);
      expect(json.spool.batches).toBe(0);
      expect(json.sources).toHaveLength(2);

      await server.stop();
      writeFileSync(s.log, readFileSync(s.log, 'utf8') + ' 9:59:00 (MLM) OUT: "MATLAB" late@ws-1\n');
      const offline = await agent(['run', '--once', '--config', s.config]);
      expect(offline.code).toBe(0);
      const down = await agent(['status', '--config', s.config]);
      expect(down.stdout).toMatch(/spool: +[1-9]\d* batch\(es\) waiting/);
      expect(down.stdout).toMatch(/last error: +.*could not send batch/);
      expect(down.stdout).toMatch(/retrying: +1 failed attempt/);
    } finally {
      await server.close();
    }
  });

  it('IN-05 reads only the files it is configured for: under Node’s permission model, allowed exactly those, it does its whole job', async () => {
    const server = await startFakeServer();
    try {
      const s = setup('permission', server);
      const flag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
      const allow = (files: string[]) => [
        flag,
        // The state folder as one wildcard entry (the folder and what is in it; Node 20 aborts when given both).
        ...[bundle, s.config, s.keyFile, ...files, `${s.stateDir}/*`].map((file) => `--allow-fs-read=${file}`),
        `--allow-fs-write=${s.stateDir}/*`,
        '--allow-child-process',
        ...(process.allowedNodeEnvironmentFlags.has('--allow-net') ? ['--allow-net'] : []),
      ];
      // Not even the log: refused at the first read, so the restriction is real.
      const denied = await agent(['run', '--once', '--config', s.config], allow([s.rotated]));
      expect(denied.stderr).toMatch(/ERR_ACCESS_DENIED|Access to this API has been restricted/);
      expect(denied.code).toBe(1);
      expect(server.sessions.size).toBe(0);
      // (The status command is not a file: it still ran and its snapshots were sent.)
      expect(server.snapshots.size).toBe(2);

      // Exactly the configured files: everything is read, parsed and sent.
      const allowed = await agent(['run', '--once', '--config', s.config], allow([s.log, s.rotated]));
      expect(allowed.stderr).not.toMatch(/ERR_ACCESS_DENIED|error/);
      expect(allowed.code).toBe(0);
      expect(server.sessions.size).toBeGreaterThan(10);
      expect(server.snapshots.size).toBe(4);
      // The status command ran with exactly its configured argv.
      expect(s.lmutil.calls().at(-1)).toEqual(['lmstat', '-a', '-c', '27000@licsrv']);
      expect(existsSync(path.join(s.stateDir, 'spool'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
