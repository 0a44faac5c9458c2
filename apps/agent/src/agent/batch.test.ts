import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatIsoWithOffset, type UsageSession } from '@seatwise/usage-engine';
import { afterAll, describe, expect, it } from 'vitest';
import { createBatchItems, createIsoFormatter, spoolItems } from './batch.ts';
import type { LicenseServerConfig } from './config.ts';
import { openSpool } from './spool.ts';

const work = mkdtempSync(path.join(tmpdir(), 'seatwise-agent-batch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const session = (overrides: Partial<UsageSession> = {}): UsageSession => ({
  vendor: 'MLM',
  feature: 'MATLAB',
  user: 'ana',
  host: 'ws-1',
  start: Date.parse('2026-03-29T00:30:00Z'),
  end: Date.parse('2026-03-29T01:30:00Z'),
  seats: 1,
  closedBy: 'checkin',
  ordinal: 0,
  startLine: 1,
  ...overrides,
});

describe('batches', () => {
  it('writes times exactly as formatIsoWithOffset does, across daylight-saving changes and odd offsets', () => {
    // Madrid and Lord Howe (a half-hour change) change in both windows; Kathmandu is +05:45 all year.
    for (const zone of ['Europe/Madrid', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      const iso = createIsoFormatter(zone);
      for (const [from, to] of [
        ['2026-03-27T00:00:00Z', '2026-04-06T00:00:00Z'],
        ['2026-10-03T00:00:00Z', '2026-10-26T00:00:00Z'],
      ] as const) {
        for (let at = Date.parse(from); at < Date.parse(to); at += 37 * 60_000 + 13_001) expect(iso(at)).toBe(formatIsoWithOffset(at, zone));
      }
    }
  });

  it('cleans names, leaves out (and counts) an item that cannot be sent, and never makes a batch unsendable', () => {
    const b = createBatchItems('Europe/Madrid');
    b.session(session({ user: 'ana\u0000\u0007 ', host: 'ws-1\u001b' }), false);
    b.session(session({ user: '\u0001\u0002' }), false);
    b.session(session({ endReason: 'x'.repeat(300) }), false);
    b.session(session(), true);
    b.denial({ vendor: '', feature: 'MATLAB', user: 'bo', host: '', at: Date.parse('2026-03-02T09:00:00Z'), line: 3, ordinal: 0, retried: false, reason: 'r'.repeat(900) });
    expect(b.items.sessions.map((s) => [s.user, s.host, s.end === null, s.closedBy, s.endReason?.length ?? null])).toEqual([
      ['ana', 'ws-1', false, 'checkin', null],
      ['ana', 'ws-1', false, 'checkin', 100],
      ['ana', 'ws-1', true, null, null],
    ]);
    expect(b.items.dropped.count).toBe(1);
    expect(b.items.dropped.examples[0]).toMatch(/user/);
    expect(b.items.denials[0]).toMatchObject({ vendor: 'unknown', reason: 'r'.repeat(500), at: '2026-03-02T10:00:00+01:00' });
  });

  it('splits a large output into batches of at most the item limit, in order', async () => {
    const spool = await openSpool(path.join(work, 'state'));
    const b = createBatchItems('UTC');
    for (let i = 0; i < 12; i++) b.session(session({ user: `u${i}` }), false);
    for (let i = 0; i < 3; i++) b.snapshot({ at: Date.parse('2026-03-02T09:00:00Z') + i, vendor: 'MLM', feature: 'MATLAB', issued: 5, inUse: 2, users: [] });
    const server: LicenseServerConfig = { name: '27000@flex1', host: 'flex1', port: 27000, timeZone: 'UTC', sources: [] };
    expect(await spoolItems(spool, { licenseServer: server, hostname: 'flex1' }, b.items, 5)).toBe(3);
    const batches = [];
    for (let entry = spool.peek(); entry; entry = spool.peek()) {
      batches.push(await spool.read(entry));
      await spool.remove(entry);
    }
    expect(batches.map((x) => [x.sessions.length, x.snapshots.length])).toEqual([
      [5, 0],
      [5, 0],
      [2, 3],
    ]);
    expect(batches.flatMap((x) => x.sessions.map((s) => s.user))).toEqual(Array.from({ length: 12 }, (_, i) => `u${i}`));
    expect(new Set(batches.map((x) => x.batchId)).size).toBe(3);
    expect(batches[0]?.agent).toEqual({ version: '0.1.0', hostname: 'flex1' });
  });
});
