import { randomUUID } from 'node:crypto';
import type { AgentBatch } from '@seatwise/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApiKey, type TestApp, type TestSession } from '../../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const SERVER = { name: '27000@flex1', host: 'flex1', port: 27000, timeZone: 'Europe/Madrid' };

function batch(parts: Partial<AgentBatch> = {}): AgentBatch {
  return { batchId: randomUUID(), agent: { version: '1.0.0', hostname: 'flex1' }, licenseServer: SERVER, sessions: [], denials: [], snapshots: [], ...parts };
}

type BatchSession = NonNullable<AgentBatch['sessions']>[number];
const session = (user: string, start: string, end: string | null, extra: Partial<BatchSession> = {}): BatchSession => ({
  vendor: 'MLM',
  feature: 'MATLAB',
  user,
  host: `${user}-pc`,
  start,
  end,
  seats: 1,
  closedBy: end ? 'checkin' : null,
  ...extra,
});

function send(as: TestSession | TestApiKey, body: unknown) {
  return t.request({ method: 'POST', url: '/api/ingest/batches', as, payload: body as Record<string, unknown> });
}

async function stored(orgId: string) {
  return t.database.owner.transaction(async (tx) => {
    const sessions = await tx.query<{ user: string; started_at: Date; ended_at: Date | null; last_seen_at: Date; closed_by: string | null }>(
      `SELECT i.display AS user, s.started_at, s.ended_at, s.last_seen_at, s.closed_by
         FROM usage_sessions s JOIN usage_identities i ON i.org_id = s.org_id AND i.id = s.user_id
        WHERE s.org_id = $1 ORDER BY s.started_at, i.display`,
      [orgId],
    );
    const daily = await tx.query<{ day: string; users: number; peak: number; seat_ms: number }>(
      `SELECT day::text AS day, users, peak, seat_ms::float8 AS seat_ms FROM usage_daily
        WHERE org_id = $1 AND license_server_id = '00000000-0000-0000-0000-000000000000' ORDER BY day`,
      [orgId],
    );
    const counts = await tx.query<{ denials: number; snapshots: number; servers: number }>(
      `SELECT (SELECT count(*)::int FROM usage_denials WHERE org_id = $1) AS denials,
              (SELECT count(*)::int FROM usage_snapshots WHERE org_id = $1) AS snapshots,
              (SELECT count(*)::int FROM license_servers WHERE org_id = $1) AS servers`,
      [orgId],
    );
    return { sessions: sessions.rows, daily: daily.rows, ...counts.rows[0]! };
  });
}

describe('agent batches', () => {
  it('IN-02 a batch is stored, and the same batch sent again changes nothing', async () => {
    const owner = await t.newOrganization('batch');
    const body = batch({
      sessions: [session('ana', '2026-03-02T09:00:00+01:00', '2026-03-02T11:00:00+01:00'), session('ben', '2026-03-02T10:00:00+01:00', '2026-03-02T12:30:00+01:00')],
      denials: [{ vendor: 'MLM', feature: 'MATLAB', user: 'cleo', host: 'c-pc', at: '2026-03-02T10:30:00+01:00', retried: false, reason: '(-4,342)' }],
      snapshots: [{ vendor: 'MLM', feature: 'MATLAB', at: '2026-03-02T10:30:00+01:00', issued: 2, inUse: 2 }],
    });
    const first = await send(owner, body);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ batchId: body.batchId, duplicate: false, sessions: 2, denials: 1, snapshots: 1 });
    const after = await stored(owner.orgId);
    expect(after).toMatchObject({ denials: 1, snapshots: 1, servers: 1 });
    expect(after.daily).toEqual([{ day: '2026-03-02', users: 2, peak: 2, seat_ms: 4.5 * 3_600_000 }]);

    const again = await send(owner, body);
    expect(again.json()).toMatchObject({ duplicate: true });
    expect(await stored(owner.orgId)).toEqual(after);
  });

  it('IN-02 a session sent open and later closed is one session, rolled up to its real end', async () => {
    const owner = await t.newOrganization('batch-open');
    const open = session('ana', '2026-03-02T23:00:00+01:00', null);
    expect((await send(owner, batch({ sessions: [open] }))).statusCode).toBe(200);
    let now = await stored(owner.orgId);
    expect(now.sessions).toMatchObject([{ user: 'ana', ended_at: null, closed_by: null }]);

    const closed: BatchSession = { ...open, end: '2026-03-03T02:00:00+01:00', closedBy: 'checkin' };
    expect((await send(owner, batch({ sessions: [closed] }))).statusCode).toBe(200);
    now = await stored(owner.orgId);
    expect(now.sessions).toHaveLength(1);
    expect(now.sessions[0]!.ended_at?.toISOString()).toBe('2026-03-03T01:00:00.000Z');
    // One hour on the 2nd (local), two on the 3rd: a session crossing midnight counts on both days.
    expect(now.daily).toEqual([
      { day: '2026-03-02', users: 1, peak: 1, seat_ms: 3_600_000 },
      { day: '2026-03-03', users: 1, peak: 1, seat_ms: 2 * 3_600_000 },
    ]);
    // An older report of it still open does not reopen it.
    expect((await send(owner, batch({ sessions: [open] }))).statusCode).toBe(200);
    expect((await stored(owner.orgId)).sessions[0]!.ended_at?.toISOString()).toBe('2026-03-03T01:00:00.000Z');
  });

  it('IN-02 identical check-outs in one second are kept apart by their ordinal; names differing in case are one person', async () => {
    const owner = await t.newOrganization('batch-ordinal');
    const twin = (ordinal: number, user: string) => session(user, '2026-03-02T09:00:00+01:00', '2026-03-02T10:00:00+01:00', { ordinal, host: 'ws1' });
    expect((await send(owner, batch({ sessions: [twin(0, 'Ana'), twin(1, 'ana')] }))).statusCode).toBe(200);
    const now = await stored(owner.orgId);
    expect(now.sessions).toHaveLength(2);
    expect(now.daily).toEqual([{ day: '2026-03-02', users: 1, peak: 2, seat_ms: 2 * 3_600_000 }]);
  });

  it('IN-02 a bad batch is refused with a 400 naming the field, and nothing is stored', async () => {
    const owner = await t.newOrganization('batch-bad');
    const body = batch({ sessions: [session('ana', 'yesterday', null)] });
    const response = await send(owner, body);
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/sessions/);
    const zone = await send(owner, batch({ licenseServer: { ...SERVER, timeZone: 'Mars/Olympus' } }));
    expect(zone.statusCode).toBe(400);
    expect(zone.body).toMatch(/IANA time zone/);
    expect(await stored(owner.orgId)).toMatchObject({ sessions: [], servers: 0 });
  });

  it('KEY-01 an agent sends batches with an ingest key; the batch records which key sent it', async () => {
    const owner = await t.newOrganization('batch-key');
    const key = await t.createApiKey(owner, ['ingest'], 'agent on flex1');
    const body = batch({ sessions: [session('ana', '2026-03-02T09:00:00+01:00', '2026-03-02T10:00:00+01:00')] });
    const response = await send(key, body);
    expect(response.statusCode, response.body).toBe(200);
    const { rows } = await t.database.owner.transaction((tx) =>
      tx.query<{ api_key_id: string }>('SELECT api_key_id FROM ingest_batches WHERE org_id = $1 AND batch_id = $2', [owner.orgId, body.batchId]),
    );
    expect(rows).toEqual([{ api_key_id: key.id }]);
    const readOnly = await t.createApiKey(owner, ['read'], 'dashboard');
    expect((await send(readOnly, batch())).statusCode).toBe(403);
  });

  it('RBAC-01 only roles that may ingest can send batches', async () => {
    const owner = await t.newOrganization('batch-roles');
    const viewer = await t.addMember(owner, 'viewer');
    expect((await send(viewer, batch())).statusCode).toBe(403);
  });
});
