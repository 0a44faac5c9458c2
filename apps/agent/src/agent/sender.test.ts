import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerClient } from './http-client.ts';
import { createLogger } from './logger.ts';
import { backoffDelay, createSender } from './sender.ts';
import { InvalidBatchError, openSpool, readSpoolStats } from './spool.ts';
import { openStatusStore, readStatus } from './status-store.ts';
import { FAKE_KEY, startFakeServer } from '../testing/fake-server.ts';

const work = mkdtempSync(path.join(tmpdir(), 'seatwise-agent-sender-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const logger = createLogger('silent');
let dirs = 0;
const freshDir = () => path.join(work, `state-${++dirs}`);

function batch(sessions = 1) {
  return {
    batchId: randomUUID(),
    agent: { version: '0.1.0', hostname: 'flex1' },
    licenseServer: { name: '27000@flex1', host: 'flex1', port: 27000, timeZone: 'Europe/Madrid' },
    sessions: Array.from({ length: sessions }, (_, i) => ({
      vendor: 'MLM',
      feature: 'MATLAB',
      user: `user${i}`,
      host: 'ws-1',
      start: '2026-03-02T09:00:00+01:00',
      ordinal: 0,
      end: null,
      seats: 1,
      closedBy: null,
      endReason: null,
    })),
    denials: [],
    snapshots: [],
  };
}

async function setup(serverUrl: string, key = FAKE_KEY) {
  const dir = freshDir();
  const spool = await openSpool(dir);
  const status = await openStatusStore(dir);
  const client = createServerClient({ serverUrl, apiKey: key, timeoutMs: 2000 });
  const sender = createSender({ spool, client, status, logger, backoff: { minMs: 20, maxMs: 80 } });
  return { dir, spool, status, sender };
}

describe('spool and sender', () => {
  it('backs off exponentially with jitter in the upper half, capped, and honours Retry-After up to the cap', () => {
    const options = { minMs: 1000, maxMs: 60_000 };
    expect(backoffDelay(1, options, () => 0)).toBe(500);
    expect(backoffDelay(1, options, () => 1)).toBe(1000);
    expect(backoffDelay(4, options, () => 0)).toBe(4000);
    expect(backoffDelay(4, options, () => 1)).toBe(8000);
    expect(backoffDelay(50, options, () => 1)).toBe(60_000);
    expect(backoffDelay(50, options, () => 0)).toBe(30_000);
    expect(backoffDelay(1, options, () => 0, 20_000)).toBe(20_000);
    expect(backoffDelay(1, options, () => 0, 3_600_000)).toBe(60_000);
    const draws = Array.from({ length: 200 }, () => backoffDelay(3, options));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...draws)).toBeLessThanOrEqual(4000);
    expect(new Set(draws).size).toBeGreaterThan(50);
  });

  it('validates before spooling, writes durably, and keeps the order across a reopen', async () => {
    const dir = freshDir();
    const spool = await openSpool(dir);
    await expect(spool.add({ ...batch(), batchId: 'not-a-uuid' })).rejects.toThrow(InvalidBatchError);
    const first = await spool.add(batch());
    const second = await spool.add(batch(2));
    expect(readdirSync(path.join(dir, 'spool')).sort()).toEqual([first.name, second.name]);
    const reopened = await openSpool(dir);
    expect(reopened.peek()?.name).toBe(first.name);
    expect(reopened.stats()).toMatchObject({ count: 2, rejected: 0 });
    const third = await reopened.add(batch());
    expect(third.name > second.name).toBe(true);
    expect((await readSpoolStats(dir)).count).toBe(3);
  });

  it('sends oldest first and forgets a batch only once the server stored it; a re-send is a duplicate', async () => {
    const server = await startFakeServer();
    try {
      const { spool, sender, dir } = await setup(server.url);
      const a = batch();
      const b = batch(3);
      await spool.add(a);
      await spool.add(b);
      expect(await sender.drain()).toBe(true);
      expect(server.batches.map((x) => x.batchId)).toEqual([a.batchId, b.batchId]);
      expect(spool.stats().count).toBe(0);
      expect((await readStatus(dir)).sender).toMatchObject({ sent: 2, duplicates: 0, lastBatchId: b.batchId, lastError: null });

      await spool.add(a);
      expect(await sender.drain()).toBe(true);
      expect(server.batches).toHaveLength(2);
      expect((await readStatus(dir)).sender.duplicates).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('moves a batch the server calls malformed (400, 413) to rejected/ and goes on with the next', async () => {
    const server = await startFakeServer();
    try {
      const { spool, sender, dir } = await setup(server.url);
      server.failNext(1, 413);
      const tooBig = await spool.add(batch());
      const fine = batch();
      await spool.add(fine);
      expect(await sender.drain()).toBe(true);
      expect(readdirSync(path.join(dir, 'rejected')).sort()).toEqual([tooBig.name, tooBig.name.replace('.json', '.error.json')].sort());
      expect(JSON.parse(readFileSync(path.join(dir, 'rejected', tooBig.name.replace('.json', '.error.json')), 'utf8')).reason.status).toBe(413);
      expect(server.batches.map((x) => x.batchId)).toEqual([fine.batchId]);
      const status = await readStatus(dir);
      expect(status.sender.rejected).toBe(1);
      expect(status.sender.lastError).toMatchObject({ kind: 'rejected', status: 413 });
      expect(spool.stats().rejected).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('keeps the spool on 401/403 and reports a key problem in the status', async () => {
    const server = await startFakeServer();
    try {
      const { spool, sender, dir } = await setup(server.url, 'swk_wrong_key_0123456789');
      await spool.add(batch());
      expect(await sender.drain()).toBe(false);
      expect(spool.stats().count).toBe(1);
      const status = await readStatus(dir);
      expect(status.sender.lastError).toMatchObject({ kind: 'auth', status: 401 });
      expect(status.sender.lastError?.message).not.toContain('swk_wrong_key');
      expect(status.sender.consecutiveFailures).toBe(1);
      expect(status.sender.nextAttemptAt).not.toBeNull();
    } finally {
      await server.close();
    }
  });

  it('while the server is unreachable or failing (5xx, 429) batches wait, then all arrive in order with backoff between attempts', async () => {
    const server = await startFakeServer();
    await server.stop();
    const { spool, sender, dir } = await setup(server.url);
    const sent = [batch(), batch(2), batch(3)];
    for (const b of sent) await spool.add(b);
    const running = sender.run();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(spool.stats().count).toBe(3);
      const down = await readStatus(dir);
      expect(down.sender.lastError?.kind).toBe('network');
      expect(down.sender.consecutiveFailures).toBeGreaterThanOrEqual(2);

      server.failNext(2, 503);
      server.failNext(1, 429, { 'retry-after': '0' });
      await server.start();
      const deadline = Date.now() + 10_000;
      while (spool.stats().count > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(spool.stats().count).toBe(0);
      expect(server.batches.map((x) => x.batchId)).toEqual(sent.map((x) => x.batchId));
      expect(server.requests.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([503, 503, 429]);
      const after = await readStatus(dir);
      expect(after.sender.lastSuccessAt).not.toBeNull();
      expect(after.sender.consecutiveFailures).toBe(0);
      expect(after.sender.lastError).toBeNull();
    } finally {
      sender.stop();
      await running;
      await server.close();
    }
  });

  it('a new batch wakes an idle sender at once', async () => {
    const server = await startFakeServer();
    const { spool, sender } = await setup(server.url);
    spool.onAdd(() => sender.wake());
    const running = sender.run();
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const b = batch();
      await spool.add(b);
      const deadline = Date.now() + 3000;
      while (server.batches.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(server.batches.map((x) => x.batchId)).toEqual([b.batchId]);
    } finally {
      sender.stop();
      await running;
      await server.close();
    }
  });
});
