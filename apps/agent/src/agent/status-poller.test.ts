import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandSourceConfig, LicenseServerConfig } from './config.ts';
import { createServerClient } from './http-client.ts';
import { createLogger } from './logger.ts';
import { createSender } from './sender.ts';
import { openSpool } from './spool.ts';
import { openStatusStore } from './status-store.ts';
import { createStatusPoller, runCommand } from './status-poller.ts';
import { startFakeServer } from '../testing/fake-server.ts';
import { createFakeLmutil, lmstatOutput } from '../testing/fake-lmutil.ts';

const work = mkdtempSync(path.join(tmpdir(), 'seatwise-agent-poll-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const logger = createLogger('silent');
let counter = 0;

async function rig(argvTail: string[], outputs: string[], sessions = true) {
  const dir = path.join(work, `case-${++counter}`);
  const lmutil = createFakeLmutil(path.join(dir, 'bin'), outputs);
  const stateDir = path.join(dir, 'state');
  const server = await startFakeServer();
  const spool = await openSpool(stateDir);
  const status = await openStatusStore(stateDir);
  const sender = createSender({ spool, status, logger, backoff: { minMs: 10, maxMs: 20 }, client: createServerClient({ serverUrl: server.url, apiKey: server.key, timeoutMs: 5000 }) });
  const source: CommandSourceConfig = { kind: 'command', id: 'status', format: 'lmstat', argv: [lmutil.program, ...argvTail], intervalSeconds: 60, timeoutSeconds: 10, sessions };
  const licenseServer: LicenseServerConfig = { name: '27000@licsrv', host: 'licsrv', port: 27000, timeZone: 'Europe/Madrid', sources: [source] };
  let now = Date.parse('2026-03-02T10:00:00+01:00');
  const poller = await createStatusPoller({ source, server: licenseServer, stateDir, spool, logger, hostname: 'licsrv', now: () => (now += 300_000) });
  return { dir, lmutil, server, spool, sender, poller, stateDir, source, licenseServer };
}

describe('polling a status command', () => {
  it('IN-05 runs the status command without a shell, with exactly the configured argv', async () => {
    const marker = path.join(work, 'shell-ran');
    const tricky = ['lmstat', '-a', '-c', `27000@licsrv; touch ${marker}`, `$(touch ${marker})`, '`id`', '*', '"quoted" and \'single\'', '$HOME', 'a\nb'];
    const r = await rig(tricky, [lmstatOutput(3, [])]);
    try {
      await r.poller.poll();
      await r.poller.poll();
      expect(r.lmutil.calls()).toEqual([tricky, tricky]);
      expect(existsSync(marker)).toBe(false);
      // runCommand itself: a program name is not a command line.
      const result = await runCommand([`${r.lmutil.program} -a`], 5000);
      expect(result.error).toMatch(/was not found/);
    } finally {
      await r.server.close();
    }
  });

  it('sends a snapshot per feature per poll, and sessions from consecutive snapshots (open at once, closed with the last poll that listed them)', async () => {
    const jdoe = { user: 'jdoe', host: 'ws-17', handle: 101, start: '3/2 9:00' };
    const asmith = { user: 'asmith', host: 'ws-20', handle: 102, start: '3/2 9:05', seats: 2 };
    const bchen = { user: 'bchen', host: 'ws-31', handle: 103, start: '3/2 9:20' };
    const r = await rig(['lmstat', '-a', '-c', '27000@licsrv'], [lmstatOutput(5, [jdoe, asmith]), lmstatOutput(5, [asmith, bchen]), lmstatOutput(5, [])]);
    try {
      await r.poller.poll();
      expect(await r.sender.drain()).toBe(true);
      expect([...r.server.sessions.values()].map((s) => [s.user, s.end, s.seats])).toEqual([
        ['jdoe', null, 1],
        ['asmith', null, 2],
      ]);
      await r.poller.poll();
      await r.poller.poll();
      expect(await r.sender.drain()).toBe(true);
      const snapshots = [...r.server.snapshots.values()];
      expect(snapshots.map((s) => [s.feature, s.issued, s.inUse])).toEqual([
        ['MATLAB', 5, 3],
        ['Simulink', 2, 0],
        ['MATLAB', 5, 3],
        ['Simulink', 2, 0],
        ['MATLAB', 5, 0],
        ['Simulink', 2, 0],
      ]);
      expect(snapshots[0]?.at).toBe('2026-03-02T10:05:00+01:00');
      const sessions = [...r.server.sessions.values()].map((s) => [s.user, s.start, s.end, s.closedBy]);
      expect(sessions).toEqual([
        ['jdoe', '2026-03-02T09:00:00+01:00', '2026-03-02T10:05:00+01:00', 'snapshot'],
        ['asmith', '2026-03-02T09:05:00+01:00', '2026-03-02T10:10:00+01:00', 'snapshot'],
        ['bchen', '2026-03-02T09:20:00+01:00', '2026-03-02T10:10:00+01:00', 'snapshot'],
      ]);
      expect(r.poller.state()).toMatchObject({ lastSnapshots: 2, lastError: null, tracker: { open: [] } });
    } finally {
      await r.server.close();
    }
  });

  it('keeps sessions open across a restart and through a failed poll, and says what failed', async () => {
    const jdoe = { user: 'jdoe', host: 'ws-17', handle: 101, start: '3/2 9:00' };
    const r = await rig(['lmstat', '-a'], [lmstatOutput(3, [jdoe]), 'lmutil - Copyright (c) 1989-2024 Flexera.\nError getting status: Cannot connect to license server system. (-15,570:115 "Operation now in progress")\n', lmstatOutput(3, [jdoe]), lmstatOutput(3, [])]);
    try {
      await r.poller.poll();
      const again = await createStatusPoller({ source: r.source, server: r.licenseServer, stateDir: r.stateDir, spool: r.spool, logger, hostname: 'licsrv' });
      await again.poll();
      expect(again.state().lastError?.message).toMatch(/Cannot connect to license server|no license features/);
      expect(again.state().tracker?.open).toHaveLength(1);
      await again.poll();
      await again.poll();
      expect(await r.sender.drain()).toBe(true);
      expect([...r.server.sessions.values()].map((s) => [s.user, s.end === null])).toEqual([['jdoe', false]]);
      expect(r.server.batches.flatMap((b) => b.sessions).filter((s) => s.end === null)).toHaveLength(1);
    } finally {
      await r.server.close();
    }
  });

  it('with sessions off (logs give them), sends snapshots only', async () => {
    const r = await rig(['lmstat', '-a'], [lmstatOutput(3, [{ user: 'jdoe', host: 'ws-17', handle: 1, start: '3/2 9:00' }])], false);
    try {
      await r.poller.poll();
      expect(await r.sender.drain()).toBe(true);
      expect(r.server.sessions.size).toBe(0);
      expect(r.server.snapshots.size).toBe(2);
    } finally {
      await r.server.close();
    }
  });

  it('stops a command that runs too long and caps its output', async () => {
    const dir = path.join(work, 'slow');
    mkdirSync(dir, { recursive: true });
    const slow = path.join(dir, 'slow');
    writeFileSync(slow, '#!/bin/sh\nsleep 5\n');
    chmodSync(slow, 0o755);
    const started = Date.now();
    const result = await runCommand([slow], 300);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.error).toMatch(/did not finish/);
    const chatty = path.join(dir, 'chatty');
    writeFileSync(chatty, '#!/bin/sh\nhead -c 100000 /dev/zero\n');
    chmodSync(chatty, 0o755);
    const big = await runCommand([chatty], 5000, 1000);
    expect(big.error).toMatch(/larger than 1000 bytes/);
  });
});
