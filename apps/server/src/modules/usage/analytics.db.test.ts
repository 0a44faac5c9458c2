import { randomUUID } from 'node:crypto';
import type { AgentBatch, FeatureConcurrency, FeaturePeople, FeatureTimeline, TimelinePoint, AnalyticsSummary } from '@seatwise/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/tokens.ts';
import { createTestApp, type TestApiKey, type TestApp, type TestSession } from '../../testing/test-app.ts';
import { createAccessService } from '../access/access.service.ts';
import { createAnalyticsService } from './analytics.service.ts';

/**
 * The analytics API over data loaded through the real ingest path. Every expected figure below is worked
 * out by hand from the sessions and denials sent (see the comments at each batch), not copied from output.
 *
 * Two license servers: Madrid (UTC+1 in winter, UTC+2 from 2026-03-29) and New York (UTC−5 in winter).
 */

let t: TestApp;
let owner: TestSession;
let madridId: string;
let newYorkId: string;
let matlabId: string;
let ansysId: string;

const MADRID = { name: 'madrid-flex', host: 'flex-mad', port: 27000, timeZone: 'Europe/Madrid' };
const NEW_YORK = { name: 'newyork-flex', host: 'flex-nyc', port: 27000, timeZone: 'America/New_York' };

type BatchSession = NonNullable<AgentBatch['sessions']>[number];
type BatchDenial = NonNullable<AgentBatch['denials']>[number];
const matlab = (user: string, start: string, end: string, extra: Partial<BatchSession> = {}): BatchSession => ({
  vendor: 'MLM',
  feature: 'MATLAB',
  user,
  host: `${user}-pc`,
  start,
  end,
  seats: 1,
  closedBy: 'checkin',
  ...extra,
});
const denial = (user: string, at: string, retried: boolean): BatchDenial => ({ vendor: 'MLM', feature: 'MATLAB', user, host: `${user}-pc`, at, retried, reason: '(-4,342)' });

async function ingest(as: TestSession, server: typeof MADRID, parts: Partial<AgentBatch>) {
  const response = await t.request({
    method: 'POST',
    url: '/api/ingest/batches',
    as,
    payload: { batchId: randomUUID(), agent: { version: '1.0.0', hostname: server.host }, licenseServer: server, sessions: [], denials: [], snapshots: [], ...parts },
  });
  expect(response.statusCode, response.body).toBe(200);
}

async function createServer(as: TestSession, server: typeof MADRID): Promise<string> {
  const response = await t.request({ method: 'POST', url: '/api/license-servers', as, payload: server });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await t.newOrganization('analytics');
  madridId = await createServer(owner, MADRID);
  newYorkId = await createServer(owner, NEW_YORK);

  await ingest(owner, MADRID, {
    sessions: [
      // Local day Jan 30: 08:00–11:00Z and 09:00–10:00Z → peak 2 at 09:00Z, 4 seat-hours, 2 users.
      matlab('ana', '2026-01-30T09:00:00+01:00', '2026-01-30T12:00:00+01:00'),
      matlab('ben', '2026-01-30T10:00:00+01:00', '2026-01-30T11:00:00+01:00'),
      // Crosses local midnight and the month: 2 h on Jan 31 (21:00–23:00Z), 2 h on Feb 1 (23:00Z–01:00Z).
      matlab('ana', '2026-01-31T22:00:00+01:00', '2026-02-01T02:00:00+01:00'),
      // Half an hour, then taken back for inactivity: an idle check-in.
      matlab('cleo', '2026-02-02T09:00:00+01:00', '2026-02-02T09:30:00+01:00', { endReason: 'INACTIVE' }),
      // The spring-forward day has 23 hours: held all of it.
      matlab('fran', '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00'),
      // Another feature, on Madrid only: 2 seats for 2 hours.
      { ...matlab('eve', '2026-02-02T10:00:00+01:00', '2026-02-02T12:00:00+01:00'), vendor: 'ansyslmd', feature: 'cfd_base', seats: 2 },
    ],
    denials: [denial('ben', '2026-01-30T12:30:00+01:00', false), denial('ben', '2026-02-01T10:00:00+01:00', true)],
  });
  await ingest(owner, NEW_YORK, {
    sessions: [
      // Local Jan 30, 09:00–11:00Z: overlaps both Madrid sessions → 3 at once at 09:00Z across servers.
      matlab('dan', '2026-01-30T04:00:00-05:00', '2026-01-30T06:00:00-05:00'),
      // Local Jan 31 in New York, but UTC Feb 1 01:00–04:00Z.
      matlab('dan', '2026-01-31T20:00:00-05:00', '2026-01-31T23:00:00-05:00'),
    ],
    // Local Jan 31, UTC Feb 1 02:00Z.
    denials: [denial('erin', '2026-01-31T21:00:00-05:00', false)],
  });

  const features = (await t.request({ method: 'GET', url: '/api/features', as: owner })).json() as { features: { id: string; name: string }[] };
  matlabId = features.features.find((f) => f.name === 'MATLAB')!.id;
  ansysId = features.features.find((f) => f.name === 'cfd_base')!.id;
  const patch = await t.request({ method: 'PATCH', url: `/api/features/${matlabId}`, as: owner, payload: { seatsOwned: 4 } });
  expect(patch.statusCode, patch.body).toBe(200);
});
afterAll(async () => t?.close());

function get(url: string, as: TestSession | TestApiKey = owner) {
  return t.request({ method: 'GET', url, as });
}
async function getJson<T>(url: string, as: TestSession | TestApiKey = owner): Promise<T> {
  const response = await get(url, as);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as T;
}
const summaryOf = (query: string) => getJson<AnalyticsSummary>(`/api/usage/summary?${query}`);
const timelineOf = (query: string, featureId = matlabId) => getJson<FeatureTimeline>(`/api/usage/features/${featureId}/timeline?${query}`);
const peopleOf = (query: string, featureId = matlabId) => getJson<FeaturePeople>(`/api/usage/features/${featureId}/people?${query}`);
const concurrencyOf = (query: string, featureId = matlabId, as: TestSession | TestApiKey = owner) =>
  getJson<FeatureConcurrency>(`/api/usage/features/${featureId}/concurrency?${query}`, as);

const zero = { peak: 0, peakAt: null, averageInUse: 0, seatHours: 0, denials: 0, retriedDenials: 0 };

describe('summary', () => {
  it('IN-02 all servers: peak and when, average in use, daily users, seat-hours, denials, utilisation and unused seats', async () => {
    const summary = await summaryOf('from=2026-01-30&to=2026-02-02');
    expect(summary).toMatchObject({ from: '2026-01-30', to: '2026-02-02', licenseServerId: null, days: 4 });
    // Sorted by vendor, then name: ansyslmd before MLM.
    expect(summary.features.map((f) => f.name)).toEqual(['cfd_base', 'MATLAB']);
    expect(summary.features[1]).toEqual({
      featureId: matlabId,
      vendor: 'MLM',
      name: 'MATLAB',
      seatsOwned: 4,
      peak: 3,
      peakAt: '2026-01-30T09:00:00.000Z',
      // 13.5 seat-hours over 4 days of 24 hours (two zones: days count 24 hours).
      averageInUse: 0.1406,
      maxDailyUsers: 3,
      // (3 + 2 + 1 + 1) / 4
      averageDailyUsers: 1.75,
      seatHours: 13.5,
      denials: 2,
      retriedDenials: 1,
      utilisation: { peak: 0.75, average: 0.0352 },
      unusedSeats: 1,
    });
    expect(summary.features[0]).toMatchObject({
      featureId: ansysId,
      vendor: 'ansyslmd',
      seatsOwned: null,
      peak: 2,
      peakAt: '2026-02-02T09:00:00.000Z',
      seatHours: 4,
      averageInUse: 0.0417,
      maxDailyUsers: 1,
      averageDailyUsers: 0.25,
      utilisation: null,
      unusedSeats: null,
    });
  });

  it('IN-02 one server at a time: its own figures, and only the features it serves', async () => {
    const madrid = await summaryOf(`from=2026-01-30&to=2026-02-02&licenseServerId=${madridId}`);
    expect(madrid.licenseServerId).toBe(madridId);
    expect(madrid.features.map((f) => f.name)).toEqual(['cfd_base', 'MATLAB']);
    expect(madrid.features[1]).toMatchObject({
      peak: 2,
      peakAt: '2026-01-30T09:00:00.000Z',
      seatHours: 8.5,
      averageInUse: 0.0885,
      maxDailyUsers: 2,
      averageDailyUsers: 1.25,
      denials: 1,
      retriedDenials: 1,
      utilisation: { peak: 0.5, average: 0.0221 },
      unusedSeats: 2,
    });

    const newYork = await summaryOf(`from=2026-01-30&to=2026-02-02&licenseServerId=${newYorkId}`);
    expect(newYork.features.map((f) => f.name)).toEqual(['MATLAB']);
    expect(newYork.features[0]).toMatchObject({
      peak: 1,
      peakAt: '2026-01-30T09:00:00.000Z',
      seatHours: 5,
      averageInUse: 0.0521,
      maxDailyUsers: 1,
      averageDailyUsers: 0.5,
      denials: 1,
      retriedDenials: 0,
      unusedSeats: 3,
    });
  });

  it('IN-02 a range without use lists every feature with zeros, and all its owned seats unused', async () => {
    const summary = await summaryOf('from=2026-03-01&to=2026-03-02');
    expect(summary.features.map((f) => [f.name, f.peak, f.peakAt, f.seatHours, f.maxDailyUsers, f.unusedSeats])).toEqual([
      ['cfd_base', 0, null, 0, 0, null],
      ['MATLAB', 0, null, 0, 0, 4],
    ]);
    expect(summary.features[1]!.utilisation).toEqual({ peak: 0, average: 0 });
  });
});

describe('timeline', () => {
  it('IN-02 by UTC hour: one point per hour of the requested days, empty hours as zeros', async () => {
    const timeline = await timelineOf('from=2026-01-31&to=2026-02-01&bucket=hour');
    expect(timeline).toMatchObject({ bucket: 'hour', licenseServerId: null, feature: { id: matlabId, vendor: 'MLM', name: 'MATLAB', seatsOwned: 4 } });
    expect(timeline.points).toHaveLength(48);
    expect(timeline.points[0]).toEqual({ start: '2026-01-31T00:00:00.000Z', days: null, users: null, averageDailyUsers: null, ...zero, utilisation: { peak: 0, average: 0 } });
    const busy = timeline.points.flatMap((p, index) => (p.peak > 0 || p.denials > 0 || p.retriedDenials > 0 ? [[index, p.peak, p.peakAt, p.seatHours, p.denials, p.retriedDenials]] : []));
    expect(busy).toEqual([
      // ana in Madrid, 21:00Z to 01:00Z across midnight
      [21, 1, '2026-01-31T21:00:00.000Z', 1, 0, 0],
      [22, 1, '2026-01-31T22:00:00.000Z', 1, 0, 0],
      [23, 1, '2026-01-31T23:00:00.000Z', 1, 0, 0],
      [24, 1, '2026-02-01T00:00:00.000Z', 1, 0, 0],
      // dan in New York 01:00–04:00Z; erin denied at 02:00Z
      [25, 1, '2026-02-01T01:00:00.000Z', 1, 0, 0],
      [26, 1, '2026-02-01T02:00:00.000Z', 1, 1, 0],
      [27, 1, '2026-02-01T03:00:00.000Z', 1, 0, 0],
      // ben's retried denial at 09:00Z (Madrid 10:00): no seat held, yet the hour has it
      [33, 0, null, 0, 0, 1],
    ]);
    expect(timeline.points[24]).toMatchObject({ averageInUse: 1, utilisation: { peak: 0.25, average: 0.25 } });
  });

  it('IN-02 the true simultaneous peak across servers is in the hours', async () => {
    const timeline = await timelineOf('from=2026-01-30&to=2026-01-30&bucket=hour');
    expect(timeline.points.slice(8, 12).map((p) => [p.start, p.peak, p.seatHours, p.denials])).toEqual([
      ['2026-01-30T08:00:00.000Z', 1, 1, 0],
      ['2026-01-30T09:00:00.000Z', 3, 3, 0],
      ['2026-01-30T10:00:00.000Z', 2, 2, 0],
      ['2026-01-30T11:00:00.000Z', 0, 0, 1],
    ]);
  });

  it('IN-02 by local day, all servers: each session in its own server\'s days, empty days as zeros', async () => {
    const timeline = await timelineOf('from=2026-01-29&to=2026-02-03&bucket=day');
    const pick = (p: TimelinePoint) => [p.start, p.days, p.peak, p.peakAt, p.users, p.seatHours, p.averageInUse, p.denials, p.retriedDenials];
    expect(timeline.points.map(pick)).toEqual([
      ['2026-01-29', 1, 0, null, 0, 0, 0, 0, 0],
      ['2026-01-30', 1, 3, '2026-01-30T09:00:00.000Z', 3, 6, 0.25, 1, 0],
      // ana (Madrid) 21:00–23:00Z and dan (New York's Jan 31) 01:00–04:00Z on Feb 1 UTC
      ['2026-01-31', 1, 1, '2026-01-31T21:00:00.000Z', 2, 5, 0.2083, 1, 0],
      // ana from Madrid's midnight (23:00Z) on
      ['2026-02-01', 1, 1, '2026-01-31T23:00:00.000Z', 1, 2, 0.0833, 0, 1],
      ['2026-02-02', 1, 1, '2026-02-02T08:00:00.000Z', 1, 0.5, 0.0208, 0, 0],
      ['2026-02-03', 1, 0, null, 0, 0, 0, 0, 0],
    ]);
    expect(timeline.points[1]).toMatchObject({ averageDailyUsers: 3, utilisation: { peak: 0.75, average: 0.0625 } });
  });

  it('IN-02 by local day, per server: the same sessions on their own server only', async () => {
    const pick = (p: TimelinePoint) => [p.start, p.peak, p.peakAt, p.users, p.seatHours, p.denials, p.retriedDenials];
    const madrid = await timelineOf(`from=2026-01-30&to=2026-02-02&bucket=day&licenseServerId=${madridId}`);
    expect(madrid.licenseServerId).toBe(madridId);
    expect(madrid.points.map(pick)).toEqual([
      ['2026-01-30', 2, '2026-01-30T09:00:00.000Z', 2, 4, 1, 0],
      ['2026-01-31', 1, '2026-01-31T21:00:00.000Z', 1, 2, 0, 0],
      ['2026-02-01', 1, '2026-01-31T23:00:00.000Z', 1, 2, 0, 1],
      ['2026-02-02', 1, '2026-02-02T08:00:00.000Z', 1, 0.5, 0, 0],
    ]);
    const newYork = await timelineOf(`from=2026-01-30&to=2026-02-02&bucket=day&licenseServerId=${newYorkId}`);
    expect(newYork.points.map(pick)).toEqual([
      ['2026-01-30', 1, '2026-01-30T09:00:00.000Z', 1, 2, 0, 0],
      ['2026-01-31', 1, '2026-02-01T01:00:00.000Z', 1, 3, 1, 0],
      ['2026-02-01', 0, null, 0, 0, 0, 0],
      ['2026-02-02', 0, null, 0, 0, 0, 0],
    ]);
  });

  it('IN-02 a 23-hour day averages over 23 hours on its server; across zones, over 24', async () => {
    const madrid = await timelineOf(`from=2026-03-29&to=2026-03-29&bucket=day&licenseServerId=${madridId}`);
    expect(madrid.points).toEqual([
      { start: '2026-03-29', days: 1, peak: 1, peakAt: '2026-03-28T23:00:00.000Z', averageInUse: 1, users: 1, averageDailyUsers: 1, seatHours: 23, denials: 0, retriedDenials: 0, utilisation: { peak: 0.25, average: 0.25 } },
    ]);
    const all = await timelineOf('from=2026-03-29&to=2026-03-29&bucket=day');
    expect(all.points[0]).toMatchObject({ seatHours: 23, averageInUse: 0.9583 });
  });

  it('IN-02 by ISO week (from Monday): edge weeks hold only the range\'s days; users are the busiest day and the average', async () => {
    const timeline = await timelineOf('from=2026-01-28&to=2026-02-03&bucket=week');
    expect(timeline.points).toEqual([
      {
        start: '2026-01-26',
        days: 5,
        peak: 3,
        peakAt: '2026-01-30T09:00:00.000Z',
        // 13 seat-hours over 5 × 24 hours
        averageInUse: 0.1083,
        users: 3,
        // (0 + 0 + 3 + 2 + 1) / 5
        averageDailyUsers: 1.2,
        seatHours: 13,
        denials: 2,
        retriedDenials: 1,
        utilisation: { peak: 0.75, average: 0.0271 },
      },
      {
        start: '2026-02-02',
        days: 2,
        peak: 1,
        peakAt: '2026-02-02T08:00:00.000Z',
        averageInUse: 0.0104,
        users: 1,
        averageDailyUsers: 0.5,
        seatHours: 0.5,
        denials: 0,
        retriedDenials: 0,
        utilisation: { peak: 0.25, average: 0.0026 },
      },
    ]);
  });

  it('IN-02 by month: a session crossing the month boundary counts in both months', async () => {
    const timeline = await timelineOf('from=2026-01-01&to=2026-04-30&bucket=month');
    const pick = (p: TimelinePoint) => [p.start, p.days, p.peak, p.peakAt, p.users, p.averageDailyUsers, p.seatHours, p.averageInUse, p.denials, p.retriedDenials];
    expect(timeline.points.map(pick)).toEqual([
      // ana 3 + 2, ben 1, dan 2 + 3 = 11 seat-hours over 31 × 24 hours; users (3 + 2) / 31
      ['2026-01-01', 31, 3, '2026-01-30T09:00:00.000Z', 3, 0.1613, 11, 0.0148, 2, 0],
      // ana 2 + cleo 0.5 over 28 × 24 hours; users (1 + 1) / 28
      ['2026-02-01', 28, 1, '2026-01-31T23:00:00.000Z', 1, 0.0714, 2.5, 0.0037, 0, 1],
      // fran's 23-hour day; 31 days of 24 hours (two zones)
      ['2026-03-01', 31, 1, '2026-03-28T23:00:00.000Z', 1, 0.0323, 23, 0.0309, 0, 0],
      ['2026-04-01', 30, 0, null, 0, 0, 0, 0, 0, 0],
    ]);
  });

  it('IN-02 the seat-hours of every bucket size add up to the same total', async () => {
    const total = (points: TimelinePoint[]) => Math.round(points.reduce((sum, p) => sum + p.seatHours, 0) * 1000) / 1000;
    for (const bucket of ['hour', 'day', 'week', 'month']) {
      // Hours are UTC days: widen by a day on each side so every local day's hours are inside.
      const range = bucket === 'hour' ? 'from=2026-01-29&to=2026-02-03' : 'from=2026-01-30&to=2026-02-02';
      expect(total((await timelineOf(`${range}&bucket=${bucket}`)).points), bucket).toBe(13.5);
    }
  });
});

describe('people', () => {
  it('IN-02 per person over all servers: hours, sessions, idle check-ins and last use, most hours first', async () => {
    const people = await peopleOf('from=2026-01-30&to=2026-02-02');
    expect(people).toMatchObject({ feature: { id: matlabId, name: 'MATLAB' }, from: '2026-01-30', to: '2026-02-02', total: 4, limit: 100, offset: 0 });
    expect(people.people.map(({ personId: _id, ...rest }) => rest)).toEqual([
      { name: 'ana', pseudonymised: false, hours: 7, sessions: 2, idleCheckins: 0, lastUsedAt: '2026-02-01T01:00:00.000Z' },
      { name: 'dan', pseudonymised: false, hours: 5, sessions: 2, idleCheckins: 0, lastUsedAt: '2026-02-01T04:00:00.000Z' },
      { name: 'ben', pseudonymised: false, hours: 1, sessions: 1, idleCheckins: 0, lastUsedAt: '2026-01-30T10:00:00.000Z' },
      { name: 'cleo', pseudonymised: false, hours: 0.5, sessions: 1, idleCheckins: 1, lastUsedAt: '2026-02-02T08:30:00.000Z' },
    ]);
    // The server filter does not apply: a person's figures are for all servers.
    const filtered = await peopleOf(`from=2026-01-30&to=2026-02-02&licenseServerId=${madridId}`);
    expect(filtered.people).toEqual(people.people);
  });

  it('IN-02 whole months and partial edge months give the same figures as days', async () => {
    // Whole months only.
    const months = await peopleOf('from=2026-01-01&to=2026-02-28');
    expect(months.people.map((p) => [p.name, p.hours, p.sessions, p.idleCheckins, p.lastUsedAt])).toEqual([
      ['ana', 7, 2, 0, '2026-02-01T01:00:00.000Z'],
      ['dan', 5, 2, 0, '2026-02-01T04:00:00.000Z'],
      ['ben', 1, 1, 0, '2026-01-30T10:00:00.000Z'],
      ['cleo', 0.5, 1, 1, '2026-02-02T08:30:00.000Z'],
    ]);
    // A partial January (its last day), whole February and March.
    const mixed = await peopleOf('from=2026-01-31&to=2026-03-31');
    expect(mixed.people.map((p) => [p.name, p.hours, p.sessions, p.lastUsedAt])).toEqual([
      // the 23-hour day, last used at Madrid's next midnight (22:00Z)
      ['fran', 23, 1, '2026-03-29T22:00:00.000Z'],
      // Jan 31 and Feb 1: one session, started on the 31st
      ['ana', 4, 1, '2026-02-01T01:00:00.000Z'],
      ['dan', 3, 1, '2026-02-01T04:00:00.000Z'],
      ['cleo', 0.5, 1, '2026-02-02T08:30:00.000Z'],
    ]);
    // Partial months at both ends, inside one month.
    const inside = await peopleOf('from=2026-02-01&to=2026-02-01');
    expect(inside.people.map((p) => [p.name, p.hours, p.sessions])).toEqual([['ana', 2, 0]]);
  });

  it('IN-02 pages: limit and offset, with the total over all pages', async () => {
    const page = await peopleOf('from=2026-01-30&to=2026-02-02&limit=2&offset=1');
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.people.map((p) => p.name)).toEqual(['dan', 'ben']);
    const past = await peopleOf('from=2026-01-30&to=2026-02-02&offset=10');
    expect(past).toMatchObject({ total: 4, people: [] });
    const none = await peopleOf('from=2026-04-01&to=2026-04-30');
    expect(none).toMatchObject({ total: 0, people: [] });
  });

  it('PRIV-04 a pseudonymised person shows as pseudonymised, with every figure kept', async () => {
    const other = await t.newOrganization('analytics-pseudonym');
    await createServer(other, MADRID);
    await ingest(other, MADRID, { sessions: [matlab('gus', '2026-02-03T09:00:00+01:00', '2026-02-03T11:00:00+01:00')] });
    await t.database.owner.transaction((tx) =>
      tx.query(`UPDATE usage_identities SET display = 'person-5e1f', pseudonymised_at = now() WHERE org_id = $1 AND kind = 'user' AND key = 'gus'`, [other.orgId]),
    );
    const features = (await getJson<{ features: { id: string }[] }>('/api/features', other)).features;
    const people = await getJson<FeaturePeople>(`/api/usage/features/${features[0]!.id}/people?from=2026-02-01&to=2026-02-28`, other);
    expect(people.people).toMatchObject([{ name: 'person-5e1f', pseudonymised: true, hours: 2, sessions: 1 }]);
  });

  it('AUD-01 each view of per-person usage is audited', async () => {
    await peopleOf('from=2026-01-30&to=2026-02-02&limit=3');
    const log = await getJson<{ events: { action: string; targetId: string; details: Record<string, unknown> }[] }>('/api/audit-events?action=usage.people_view');
    expect(log.events[0]).toMatchObject({ targetId: matlabId, details: { from: '2026-01-30', to: '2026-02-02', limit: 3, offset: 0, people: 3 } });
  });
});

describe('concurrency', () => {
  /** Epoch seconds of an ISO instant. */
  const sec = (iso: string) => Date.parse(iso) / 1000;
  /** The instants of an answer as ISO text, paired with the count from then on. */
  const steps = (answer: FeatureConcurrency) => answer.t.map((at, index) => [new Date(at * 1000).toISOString(), answer.inUse[index]]);

  // A separate organisation, so the features and figures of the other tests stay as they are. Two servers;
  // every instant is UTC, and the range's days are UTC days.
  const UTC_SERVER = { name: 'utc-flex', host: 'flex-utc', port: 27000, timeZone: 'UTC' };
  const TOKYO = { name: 'tokyo-flex', host: 'flex-tyo', port: 27000, timeZone: 'Asia/Tokyo' };
  let own: TestSession;
  let featureId: string;
  let utcId: string;
  let tokyoId: string;

  beforeAll(async () => {
    own = await t.newOrganization('concurrency');
    utcId = await createServer(own, UTC_SERVER);
    tokyoId = await createServer(own, TOKYO);
    await ingest(own, UTC_SERVER, {
      sessions: [
        // Ends the day before 2025-03-10.
        matlab('gus', '2025-03-09T10:00:00Z', '2025-03-09T12:00:00Z'),
        // Begun before the day: held at its start.
        matlab('ana', '2025-03-09T22:00:00Z', '2025-03-10T01:00:00Z'),
        // Four seats at once.
        matlab('ben', '2025-03-10T00:30:00Z', '2025-03-10T00:45:30Z', { seats: 4 }),
        // Begins the second ana's ends: the count does not change at 01:00.
        matlab('cleo', '2025-03-10T01:00:00Z', '2025-03-10T02:00:00Z'),
        // Within one second: no change in whole seconds.
        matlab('fran', '2025-03-10T05:00:00.400Z', '2025-03-10T05:00:00.900Z'),
        // Ends after the day.
        matlab('eve', '2025-03-10T23:30:00Z', '2025-03-11T02:00:00Z'),
      ],
    });
    // 00:40–00:50Z on the other server.
    await ingest(own, TOKYO, { sessions: [matlab('hana', '2025-03-10T09:40:00+09:00', '2025-03-10T09:50:00+09:00')] });
    const features = await getJson<{ features: { id: string }[] }>('/api/features', own);
    featureId = features.features[0]!.id;
    // Still open at the end of an uploaded log: 2 seats from 20:00 on 10 March, last seen at the log's
    // last line, on 20 April at 10:00.
    const created = await t.request({ method: 'POST', url: '/api/uploads', as: own, payload: { licenseServerId: utcId, fileName: 'lmgrd.log' } });
    expect(created.statusCode, created.body).toBe(201);
    const log = [
      ' 0:00:00 (lmgrd) TIMESTAMP 3/10/2025',
      '20:00:00 (MLM) OUT: "MATLAB" dan@ws-dan  (2 licenses)',
      ' 0:00:00 (lmgrd) TIMESTAMP 4/20/2025',
      '10:00:00 (MLM) OUT: "SIMULINK" zoe@ws-zoe',
      '',
    ].join('\n');
    const stored = await t.request({
      method: 'PUT',
      url: `/api/uploads/${(created.json() as { id: string }).id}/content`,
      as: own,
      headers: { 'content-type': 'application/octet-stream' },
      payload: log,
    });
    expect(stored.json(), stored.body).toMatchObject({ status: 'done', sessions: 2 });
    const patch = await t.request({ method: 'PATCH', url: `/api/features/${featureId}`, as: own, payload: { seatsOwned: 6 } });
    expect(patch.statusCode, patch.body).toBe(200);
  });

  it('IN-02 all servers: the level at the start, then every instant the count changes, summed across servers', async () => {
    const answer = await concurrencyOf('from=2025-03-10&to=2025-03-10', featureId, own);
    expect(answer).toMatchObject({
      feature: { id: featureId, vendor: 'MLM', name: 'MATLAB', seatsOwned: 6 },
      licenseServerId: null,
      from: '2025-03-10',
      to: '2025-03-10',
      start: sec('2025-03-10T00:00:00Z'),
      until: sec('2025-03-11T00:00:00Z'),
      initialInUse: 1,
      truncated: false,
    });
    expect(steps(answer)).toEqual([
      ['2025-03-10T00:30:00.000Z', 5],
      ['2025-03-10T00:40:00.000Z', 6],
      ['2025-03-10T00:45:30.000Z', 2],
      ['2025-03-10T00:50:00.000Z', 1],
      // 01:00: ana's check-in and cleo's check-out cancel out; 05:00: fran's half second.
      ['2025-03-10T02:00:00.000Z', 0],
      ['2025-03-10T20:00:00.000Z', 2],
      ['2025-03-10T23:30:00.000Z', 3],
    ]);
  });

  it('IN-02 one server: its own sessions only', async () => {
    const utc = await concurrencyOf(`from=2025-03-10&to=2025-03-10&licenseServerId=${utcId}`, featureId, own);
    expect(utc).toMatchObject({ licenseServerId: utcId, initialInUse: 1 });
    expect(steps(utc)).toEqual([
      ['2025-03-10T00:30:00.000Z', 5],
      ['2025-03-10T00:45:30.000Z', 1],
      ['2025-03-10T02:00:00.000Z', 0],
      ['2025-03-10T20:00:00.000Z', 2],
      ['2025-03-10T23:30:00.000Z', 3],
    ]);
    const tokyo = await concurrencyOf(`from=2025-03-10&to=2025-03-10&licenseServerId=${tokyoId}`, featureId, own);
    expect(tokyo.initialInUse).toBe(0);
    expect(steps(tokyo)).toEqual([
      ['2025-03-10T00:40:00.000Z', 1],
      ['2025-03-10T00:50:00.000Z', 0],
    ]);
  });

  it('IN-02 sessions held across the start of a range, and an open session, count from the start', async () => {
    // dan (2 seats, open) and eve (until 02:00) are held at midnight.
    const next = await concurrencyOf('from=2025-03-11&to=2025-03-11', featureId, own);
    expect(next).toMatchObject({ initialInUse: 3, until: sec('2025-03-12T00:00:00Z') });
    expect(steps(next)).toEqual([['2025-03-11T02:00:00.000Z', 2]]);
    // A month later only the open session is still held; nothing changes.
    const later = await concurrencyOf('from=2025-04-10&to=2025-04-12', featureId, own);
    expect(later).toMatchObject({ initialInUse: 2, t: [], inUse: [], until: sec('2025-04-13T00:00:00Z') });
    // It counts until it was last seen (the log's last line), as the roll-ups count it: no longer.
    const lastSeen = await concurrencyOf('from=2025-04-20&to=2025-04-21', featureId, own);
    expect(lastSeen.initialInUse).toBe(2);
    expect(steps(lastSeen)).toEqual([['2025-04-20T10:00:00.000Z', 0]]);
    const summary = await getJson<{ features: { featureId: string; peak: number; seatHours: number }[] }>(
      '/api/usage/summary?from=2025-04-20&to=2025-04-21',
      own,
    );
    expect(summary.features.find((row) => row.featureId === featureId)).toMatchObject({ peak: 2, seatHours: 20 });
  });

  it('IN-02 two days: the first day\'s sessions, then the second\'s, in one list', async () => {
    const answer = await concurrencyOf('from=2025-03-09&to=2025-03-10', featureId, own);
    expect(answer.initialInUse).toBe(0);
    expect(answer.inUse).toEqual([1, 0, 1, 5, 6, 2, 1, 0, 2, 3]);
    expect(answer.t.slice(0, 3)).toEqual([sec('2025-03-09T10:00:00Z'), sec('2025-03-09T12:00:00Z'), sec('2025-03-09T22:00:00Z')]);
  });

  it('IN-02 a range that includes today stops at now; an open session last seen long ago is not held today', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const before = Math.floor(Date.now() / 1000);
    const answer = await concurrencyOf(`from=${today}&to=${today}`, featureId, own);
    const after = Math.floor(Date.now() / 1000);
    expect(answer).toMatchObject({ start: sec(`${today}T00:00:00Z`), initialInUse: 0, t: [], inUse: [] });
    expect(answer.until).toBeGreaterThanOrEqual(before);
    expect(answer.until).toBeLessThanOrEqual(after);
    // A range still to come holds nothing: it starts and ends at its start.
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const ahead = await concurrencyOf(`from=${future}&to=${future}`, featureId, own);
    expect(ahead).toMatchObject({ start: sec(`${future}T00:00:00Z`), until: sec(`${future}T00:00:00Z`), initialInUse: 0, t: [], inUse: [] });
  });

  it('IN-02 more changes than the cap: the answer stops at the first one left out and says so', async () => {
    const key = await t.createApiKey(own, ['read']);
    const meta = { ip: '127.0.0.1', userAgent: 'vitest', apiKey: { kind: 'api_key' as const, keyHash: sha256(key.key), prefix: null } };
    const capped = (points: number) =>
      createAnalyticsService({ access: createAccessService({ tenancy: t.tenancy }), maxConcurrencyPoints: points }).concurrency(null, meta, featureId, {
        from: '2025-03-10',
        to: '2025-03-10',
      });
    const cut = await capped(3);
    expect(cut).toMatchObject({ truncated: true, initialInUse: 1, inUse: [5, 6, 2], until: sec('2025-03-10T00:50:00Z') });
    expect(cut.t).toEqual([sec('2025-03-10T00:30:00Z'), sec('2025-03-10T00:40:00Z'), sec('2025-03-10T00:45:30Z')]);
    // Exactly as many changes as the cap: all of them, not truncated.
    expect(await capped(7)).toMatchObject({ truncated: false, until: sec('2025-03-11T00:00:00Z'), inUse: [5, 6, 2, 1, 0, 2, 3] });
  });

  it('IN-02 the same instants as the hourly roll-up: three at once at 09:00Z across Madrid and New York', async () => {
    const all = await concurrencyOf('from=2026-01-30&to=2026-01-30');
    expect(all).toMatchObject({ feature: { id: matlabId, seatsOwned: 4 }, initialInUse: 0 });
    expect(steps(all)).toEqual([
      ['2026-01-30T08:00:00.000Z', 1],
      ['2026-01-30T09:00:00.000Z', 3],
      ['2026-01-30T10:00:00.000Z', 2],
      ['2026-01-30T11:00:00.000Z', 0],
    ]);
    const madrid = await concurrencyOf(`from=2026-01-30&to=2026-01-30&licenseServerId=${madridId}`);
    expect(madrid.inUse).toEqual([1, 2, 1, 0]);
    // Two seats per check-out count as two.
    const ansys = await concurrencyOf('from=2026-02-02&to=2026-02-02', ansysId);
    expect(steps(ansys)).toEqual([
      ['2026-02-02T09:00:00.000Z', 2],
      ['2026-02-02T11:00:00.000Z', 0],
    ]);
  });
});

describe('validation', () => {
  const error = async (url: string) => {
    const response = await get(url);
    expect(response.statusCode, response.body).toBe(400);
    return (response.json() as { error: { message: string } }).error.message;
  };

  it('SEC-01 bad dates and ranges get a 400 naming the field', async () => {
    expect(await error('/api/usage/summary?from=2026-02-30&to=2026-03-01')).toMatch(/querystring\.from: must be a date as YYYY-MM-DD/);
    expect(await error('/api/usage/summary?from=2026-02-01&to=tomorrow')).toMatch(/querystring\.to: must be a date as YYYY-MM-DD/);
    expect(await error('/api/usage/summary?to=2026-03-01')).toMatch(/querystring\.from/);
    expect(await error('/api/usage/summary?from=2026-03-02&to=2026-03-01')).toMatch(/querystring\.to: must not be before from \(2026-03-02\)/);
    expect(await error('/api/usage/summary?from=2023-01-01&to=2026-01-01')).toMatch(/querystring\.to: the range is 1097 days; at most 1096/);
    expect(await error('/api/usage/summary?from=2026-01-01&to=2026-01-02&extra=1')).toMatch(/unknown field\(s\): extra/);
    expect(await error('/api/usage/summary?from=2026-01-01&to=2026-01-02&licenseServerId=madrid')).toMatch(/querystring\.licenseServerId/);
    expect(await error(`/api/usage/features/${matlabId}/timeline?from=2026-01-01&to=2026-01-02&bucket=minute`)).toMatch(
      /querystring\.bucket: must be one of: hour, day, week, month/,
    );
    expect(await error('/api/usage/features/not-a-uuid/timeline?from=2026-01-01&to=2026-01-02')).toMatch(/params\.featureId/);
    expect(await error(`/api/usage/features/${matlabId}/people?from=2026-01-01&to=2026-01-02&limit=0`)).toMatch(/querystring\.limit/);
  });

  it('SEC-01 a bad concurrency query gets a 400 naming the field', async () => {
    const url = (query: string) => `/api/usage/features/${matlabId}/concurrency?${query}`;
    expect(await error(url('to=2026-01-02'))).toMatch(/querystring\.from/);
    expect(await error(url('from=2026-01-02&to=2026-01-01'))).toMatch(/querystring\.to: must not be before from \(2026-01-02\)/);
    expect(await error(url('from=2023-01-01&to=2026-01-01'))).toMatch(/querystring\.to: the range is 1097 days; at most 1096/);
    expect(await error(url('from=2026-01-01&to=2026-01-02&bucket=hour'))).toMatch(/unknown field\(s\): bucket/);
    expect(await error(url('from=2026-01-01&to=2026-01-02&licenseServerId=madrid'))).toMatch(/querystring\.licenseServerId/);
    expect(await error('/api/usage/features/not-a-uuid/concurrency?from=2026-01-01&to=2026-01-02')).toMatch(/params\.featureId/);
  });

  it('SEC-01 a timeline of more than 10 000 points is refused; a year of hours is not', async () => {
    expect(await error(`/api/usage/features/${matlabId}/timeline?from=2025-01-01&to=2026-03-01&bucket=hour`)).toMatch(
      /querystring\.bucket: hour buckets give 10200 points for this range; at most 10000/,
    );
    const year = await timelineOf('from=2025-01-01&to=2025-12-31&bucket=hour');
    expect(year.points).toHaveLength(8760);
    const threeYears = await timelineOf('from=2024-01-01&to=2026-12-31&bucket=day');
    expect(threeYears.points).toHaveLength(1096);
  });
});

describe('access', () => {
  it('TEN-01 another organisation\'s feature or server, or an unknown one, answers 404', async () => {
    const other = await t.newOrganization('analytics-other');
    const notFound = async (url: string, as: TestSession) => {
      const response = await get(url, as);
      expect(response.statusCode, `${url}: ${response.body}`).toBe(404);
    };
    for (const path of ['timeline', 'people', 'concurrency']) {
      await notFound(`/api/usage/features/${matlabId}/${path}?from=2026-01-01&to=2026-01-31`, other);
      await notFound(`/api/usage/features/${randomUUID()}/${path}?from=2026-01-01&to=2026-01-31`, owner);
    }
    await notFound(`/api/usage/summary?from=2026-01-01&to=2026-01-31&licenseServerId=${madridId}`, other);
    await notFound(`/api/usage/summary?from=2026-01-01&to=2026-01-31&licenseServerId=${randomUUID()}`, owner);
    await notFound(`/api/usage/features/${matlabId}/timeline?from=2026-01-01&to=2026-01-31&licenseServerId=${randomUUID()}`, owner);
    await notFound(`/api/usage/features/${matlabId}/concurrency?from=2026-01-01&to=2026-01-31&licenseServerId=${randomUUID()}`, owner);
    // Another organisation's server, asked about with the caller's own feature.
    const otherServer = await createServer(other, MADRID);
    await notFound(`/api/usage/features/${matlabId}/concurrency?from=2026-01-01&to=2026-01-31&licenseServerId=${otherServer}`, owner);
    // And its own summary holds none of this organisation's figures.
    expect((await getJson<AnalyticsSummary>('/api/usage/summary?from=2026-01-01&to=2026-03-31', other)).features).toEqual([]);
  });

  it('RBAC-01 Viewer, Manager and HR read analytics; an Employee may not', async () => {
    const urls = [
      '/api/usage/summary?from=2026-01-30&to=2026-02-02',
      `/api/usage/features/${matlabId}/timeline?from=2026-01-30&to=2026-02-02`,
      `/api/usage/features/${matlabId}/people?from=2026-01-30&to=2026-02-02`,
      `/api/usage/features/${matlabId}/concurrency?from=2026-01-30&to=2026-02-02`,
    ];
    for (const role of ['viewer', 'manager', 'hr'] as const) {
      const member = await t.addMember(owner, role);
      for (const url of urls) expect((await get(url, member)).statusCode, `${role} ${url}`).toBe(200);
    }
    const employee = await t.addMember(owner, 'employee');
    for (const url of urls) {
      const response = await get(url, employee);
      expect(response.statusCode, url).toBe(403);
      expect((response.json() as { error: { code: string } }).error.code).toBe('auth.forbidden');
    }
  });

  it('KEY-01 API keys with the read scope may read analytics; ingest-only keys may not', async () => {
    const reader = await t.createApiKey(owner, ['read']);
    const summary = await getJson<AnalyticsSummary>('/api/usage/summary?from=2026-01-30&to=2026-02-02', reader);
    expect(summary.features.find((f) => f.featureId === matlabId)).toMatchObject({ peak: 3, seatHours: 13.5 });
    expect((await get(`/api/usage/features/${matlabId}/people?from=2026-01-30&to=2026-02-02`, reader)).statusCode).toBe(200);
    expect((await concurrencyOf('from=2026-01-30&to=2026-01-30', matlabId, reader)).inUse).toEqual([1, 3, 2, 0]);
    const ingestOnly = await t.createApiKey(owner, ['ingest']);
    expect((await get('/api/usage/summary?from=2026-01-30&to=2026-02-02', ingestOnly)).statusCode).toBe(403);
  });
});
