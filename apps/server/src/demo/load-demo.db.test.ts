import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import { DemoAlreadyLoadedError, loadDemoOrganisation, type DemoResult } from './load-demo.ts';

let t: TestApp;
let demo: DemoResult;
const NOW = Date.parse('2026-06-15T12:00:00Z');

beforeAll(async () => {
  t = await createTestApp();
  demo = await loadDemoOrganisation(t.tenancy, { days: 21, people: 250, seed: 11, until: NOW });
}, 120_000);
afterAll(async () => t?.close());

describe('npm run demo', () => {
  it('loads an organisation whose Owner can sign in with the password it printed', async () => {
    const owner = await t.signIn(demo.email, demo.password);
    expect(owner.orgId).toBe(demo.orgId);
    const servers = await t.request({ method: 'GET', url: '/api/license-servers', as: owner });
    expect((servers.json() as { licenseServers: { timeZone: string }[] }).licenseServers.map((s) => s.timeZone).sort()).toEqual([
      'America/New_York',
      'Europe/Berlin',
      'Europe/London',
      'Europe/Madrid',
    ]);
    const features = (await t.request({ method: 'GET', url: '/api/features', as: owner })).json() as { features: { seatsOwned: number | null }[] };
    expect(features.features.length).toBeGreaterThanOrEqual(10);
    expect(features.features.every((f) => f.seatsOwned !== null && f.seatsOwned > 0)).toBe(true);
  });

  it('has true and retried denials, idle check-ins, and roll-ups that add up to the stored sessions', async () => {
    expect(demo.sessions).toBeGreaterThan(1000);
    const facts = await t.database.owner.transaction(async (tx) => {
      const { rows } = await tx.query<{ sessions: number; true_denials: number; retried: number; idle: number; seat_ms: number; rolled: number; last_day: string }>(
        `SELECT (SELECT count(*)::int FROM usage_sessions WHERE org_id = $1) AS sessions,
                (SELECT count(*)::int FROM usage_denials WHERE org_id = $1 AND NOT retried) AS true_denials,
                (SELECT count(*)::int FROM usage_denials WHERE org_id = $1 AND retried) AS retried,
                (SELECT count(*)::int FROM usage_sessions WHERE org_id = $1 AND end_reason = 'INACTIVE') AS idle,
                (SELECT sum(seats * extract(epoch FROM ended_at - started_at) * 1000)::float8 FROM usage_sessions WHERE org_id = $1) AS seat_ms,
                (SELECT sum(seat_ms)::float8 FROM usage_daily WHERE org_id = $1 AND license_server_id = '00000000-0000-0000-0000-000000000000') AS rolled,
                (SELECT max(day)::text FROM usage_daily WHERE org_id = $1) AS last_day`,
        [demo.orgId],
      );
      return rows[0]!;
    });
    expect(facts.sessions).toBe(demo.sessions);
    expect(facts.true_denials).toBeGreaterThan(0);
    expect(facts.retried).toBeGreaterThan(0);
    expect(facts.idle).toBeGreaterThan(0);
    expect(facts.rolled).toBe(facts.seat_ms);
    expect(facts.last_day <= '2026-06-15').toBe(true);
  });

  it('never holds more seats of a feature than are owned: a full pool denies', async () => {
    const { rows } = await t.database.owner.transaction((tx) =>
      tx.query<{ name: string; peak: number; seats_owned: number }>(
        `SELECT f.name, max(d.peak)::int AS peak, f.seats_owned FROM usage_daily d JOIN features f ON f.org_id = d.org_id AND f.id = d.feature_id
          WHERE d.org_id = $1 AND d.license_server_id = '00000000-0000-0000-0000-000000000000' GROUP BY f.name, f.seats_owned`,
        [demo.orgId],
      ),
    );
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) expect(row.peak, row.name).toBeLessThanOrEqual(row.seats_owned);
  });

  it('refuses to load twice into one database', async () => {
    await expect(loadDemoOrganisation(t.tenancy, { days: 1, people: 5, seed: 1, until: NOW })).rejects.toBeInstanceOf(DemoAlreadyLoadedError);
  });
});
