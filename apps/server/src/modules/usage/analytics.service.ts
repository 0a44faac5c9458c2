import {
  daysInRange,
  MAX_CONCURRENCY_POINTS,
  type AnalyticsBucket,
  type AnalyticsConcurrencyQuery,
  type AnalyticsPeopleQuery,
  type AnalyticsSummary,
  type AnalyticsSummaryQuery,
  type AnalyticsTimelineQuery,
  type FeatureConcurrency,
  type FeaturePeople,
  type FeatureTimeline,
  type TimelinePoint,
} from '@seatwise/protocol';
import { createZoneClock, dayKey } from '@seatwise/usage-engine';
import type { Queryable } from '../../db/connect.ts';
import { notFound } from '../../http/errors.ts';
import { auditActor, type AccessService, type Principal, type RequestMeta } from '../access/access.service.ts';
import { recordAudit } from '../audit/audit.service.ts';
import {
  countPeople,
  findAnalyticsFeature,
  findConcurrencySteps,
  findDailyRows,
  findFeatureSummaries,
  findHourlyRows,
  findPeopleUsage,
  type AnalyticsFeatureRow,
  type DailyRow,
  type PersonRangeParts,
} from './analytics.repo.ts';
import { findLicenseServer, listLicenseServers } from './license-server.repo.ts';
import { ALL_SERVERS } from './rollup.repo.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Day number (days since 1970-01-01) of a YYYY-MM-DD date. */
const dayNumber = (text: string) => Date.parse(`${text}T00:00:00Z`) / DAY_MS;
/** Day number of the first day of the month `months` after the month holding `day`. */
function monthStart(day: number, months = 0): number {
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1) / DAY_MS;
}
/** Day number of the Monday of the ISO week holding `day` (1970-01-01 was a Thursday). */
const mondayOf = (day: number) => day - ((((day + 3) % 7) + 7) % 7);

/** Figures are rounded to this many decimals: seat time to well under a second, shares to 0.01 %. */
const round = (value: number) => Math.round(value * 10_000) / 10_000;
const iso = (at: Date | null) => (at === null ? null : at.toISOString());

/**
 * How long each local day of [first, last] (day numbers) lasts, in ms, cut the way the roll-up cuts them:
 * from one local midnight of `zone` to the next, so days of 23 and 25 hours count as such. Without a zone
 * (all servers, in more than one zone) every day counts 24 hours.
 */
function dayLengths(zone: string | null, first: number, last: number): number[] {
  const lengths: number[] = [];
  if (zone === null) {
    for (let day = first; day <= last; day++) lengths.push(DAY_MS);
    return lengths;
  }
  const clock = createZoneClock(zone);
  let start = clock.toUtc(first * DAY_MS);
  for (let day = first; day <= last; day++) {
    const next = Math.max(start, clock.toUtc((day + 1) * DAY_MS));
    lengths.push(next - start);
    start = next;
  }
  return lengths;
}

function utilisation(seatsOwned: number | null, peak: number, averageInUse: number) {
  if (seatsOwned === null || seatsOwned === 0) return null;
  return { peak: round(peak / seatsOwned), average: round(averageInUse / seatsOwned) };
}

const presentFeature = (row: AnalyticsFeatureRow) => ({ id: row.id, vendor: row.vendor, name: row.name, seatsOwned: row.seats_owned });

/** A bucket being filled from daily rows. */
interface DayBucket {
  start: string;
  days: number;
  durationMs: number;
  peak: number;
  peakAt: Date | null;
  seatMs: number;
  maxUsers: number;
  sumUsers: number;
  denials: number;
  retriedDenials: number;
}

function dayBucketKey(bucket: Exclude<AnalyticsBucket, 'hour'>, day: number): number {
  if (bucket === 'week') return mondayOf(day);
  if (bucket === 'month') return monthStart(day);
  return day;
}

/**
 * Folds daily rows into day, week or month buckets over [from, to]: every bucket is present, empty ones as
 * zeros; edge weeks and months hold only the range's days.
 */
function foldDays(rows: readonly DailyRow[], bucket: Exclude<AnalyticsBucket, 'hour'>, from: string, lengths: readonly number[], seatsOwned: number | null): TimelinePoint[] {
  const byDay = new Map(rows.map((row) => [row.day, row]));
  const first = dayNumber(from);
  const buckets: DayBucket[] = [];
  let current: DayBucket | null = null;
  let currentKey = Number.NaN;
  lengths.forEach((length, index) => {
    const day = first + index;
    const key = dayBucketKey(bucket, day);
    if (!current || key !== currentKey) {
      current = { start: dayKey(key), days: 0, durationMs: 0, peak: 0, peakAt: null, seatMs: 0, maxUsers: 0, sumUsers: 0, denials: 0, retriedDenials: 0 };
      currentKey = key;
      buckets.push(current);
    }
    current.days++;
    current.durationMs += length;
    const row = byDay.get(dayKey(day));
    if (!row) return;
    if (row.peak > current.peak || (row.peak === current.peak && row.peak > 0 && row.peak_at && (!current.peakAt || row.peak_at < current.peakAt))) {
      current.peak = row.peak;
      current.peakAt = row.peak_at;
    }
    current.seatMs += row.seat_ms;
    current.maxUsers = Math.max(current.maxUsers, row.users);
    current.sumUsers += row.users;
    current.denials += row.denials;
    current.retriedDenials += row.retried_denials;
  });
  return buckets.map((b) => {
    const averageInUse = b.seatMs / b.durationMs;
    return {
      start: b.start,
      days: b.days,
      peak: b.peak,
      peakAt: iso(b.peakAt),
      averageInUse: round(averageInUse),
      users: b.maxUsers,
      averageDailyUsers: round(b.sumUsers / b.days),
      seatHours: round(b.seatMs / HOUR_MS),
      denials: b.denials - b.retriedDenials,
      retriedDenials: b.retriedDenials,
      utilisation: utilisation(seatsOwned, b.peak, averageInUse),
    };
  });
}

/**
 * Where the per-person figures of [from, to] are read: whole calendar months from the monthly roll-up,
 * the partial months at the edges from the daily one.
 */
function personRangeParts(from: string, to: string): PersonRangeParts {
  const first = dayNumber(from);
  const end = dayNumber(to) + 1;
  const monthsFrom = monthStart(first) === first ? first : monthStart(first, 1);
  const monthsTo = monthStart(end);
  if (monthsTo <= monthsFrom) {
    const none = dayKey(end);
    return { monthsFrom: none, monthsTo: none, headFrom: from, headTo: dayKey(end), tailFrom: none, tailTo: none };
  }
  return {
    monthsFrom: dayKey(monthsFrom),
    monthsTo: dayKey(monthsTo),
    headFrom: from,
    headTo: dayKey(monthsFrom),
    tailFrom: dayKey(monthsTo),
    tailTo: dayKey(end),
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

/**
 * Usage analytics for anyone who reads usage (people with the role, API keys with the read scope), from
 * the roll-up tables only, so a year answers from a few hundred rows per feature rather than from sessions.
 */
export function createAnalyticsService(deps: {
  access: AccessService;
  /** The most change points a concurrency answer holds (smaller in tests of the cut-off). */
  maxConcurrencyPoints?: number;
  /** The current instant in epoch ms: a range reaching into the future ends there. */
  now?: () => number;
}) {
  const { access, maxConcurrencyPoints = MAX_CONCURRENCY_POINTS, now = Date.now } = deps;

  /**
   * The roll-up rows' server id, and the zone whose days measure durations: the server's own; for all
   * servers, their common zone, or none (24-hour days) when they are in several. An unknown server is a 404.
   */
  async function serverScope(tx: Queryable, licenseServerId: string | undefined): Promise<{ serverId: string; zone: string | null }> {
    if (licenseServerId !== undefined) {
      const server = await findLicenseServer(tx, licenseServerId);
      if (!server) throw notFound('The license server');
      return { serverId: server.id, zone: server.time_zone };
    }
    const zones = new Set((await listLicenseServers(tx)).map((server) => server.time_zone));
    return { serverId: ALL_SERVERS, zone: zones.size === 1 ? [...zones][0]! : null };
  }

  async function feature(tx: Queryable, featureId: string): Promise<AnalyticsFeatureRow> {
    const row = await findAnalyticsFeature(tx, featureId);
    if (!row) throw notFound('The feature');
    return row;
  }

  return {
    /** Per feature over the range: peak and when, average in use, daily users, seat-hours, denials, utilisation. */
    async summary(principal: Principal | null, meta: RequestMeta, query: AnalyticsSummaryQuery): Promise<AnalyticsSummary> {
      return access.asMember(principal, meta, 'usage:read', async (tx) => {
        const { serverId, zone } = await serverScope(tx, query.licenseServerId);
        const days = daysInRange(query.from, query.to);
        const rangeMs = dayLengths(zone, dayNumber(query.from), dayNumber(query.to)).reduce((sum, length) => sum + length, 0);
        const rows = await findFeatureSummaries(tx, serverId, query.licenseServerId !== undefined, query.from, query.to);
        return {
          from: query.from,
          to: query.to,
          licenseServerId: query.licenseServerId ?? null,
          days,
          features: rows.map((row) => {
            const averageInUse = row.seat_ms / rangeMs;
            return {
              featureId: row.id,
              vendor: row.vendor,
              name: row.name,
              seatsOwned: row.seats_owned,
              peak: row.peak,
              peakAt: iso(row.peak_at),
              averageInUse: round(averageInUse),
              maxDailyUsers: row.max_users,
              averageDailyUsers: round(row.sum_users / days),
              seatHours: round(row.seat_ms / HOUR_MS),
              denials: row.denials - row.retried_denials,
              retriedDenials: row.retried_denials,
              utilisation: utilisation(row.seats_owned, row.peak, averageInUse),
              unusedSeats: row.seats_owned === null ? null : Math.max(0, row.seats_owned - row.peak),
            };
          }),
        };
      });
    },

    /**
     * One point per bucket of the range, empty buckets as zeros. Hours are the UTC hours of the requested
     * days (from the hourly roll-up); days, ISO weeks (from Monday) and months are local days of each server.
     */
    async timeline(principal: Principal | null, meta: RequestMeta, featureId: string, query: AnalyticsTimelineQuery): Promise<FeatureTimeline> {
      return access.asMember(principal, meta, 'usage:read', async (tx) => {
        const row = await feature(tx, featureId);
        const { serverId, zone } = await serverScope(tx, query.licenseServerId);
        const first = dayNumber(query.from);
        const last = dayNumber(query.to);
        let points: TimelinePoint[];
        if (query.bucket === 'hour') {
          const hoursFrom = first * DAY_MS;
          const hoursTo = (last + 1) * DAY_MS;
          const stored = await findHourlyRows(tx, featureId, serverId, new Date(hoursFrom).toISOString(), new Date(hoursTo).toISOString());
          const byHour = new Map(stored.map((hour) => [hour.hour.getTime(), hour]));
          points = [];
          for (let hour = hoursFrom; hour < hoursTo; hour += HOUR_MS) {
            const found = byHour.get(hour);
            const seatMs = found?.seat_ms ?? 0;
            const peak = found?.peak ?? 0;
            const retried = found?.retried_denials ?? 0;
            points.push({
              start: new Date(hour).toISOString(),
              days: null,
              peak,
              peakAt: iso(found?.peak_at ?? null),
              averageInUse: round(seatMs / HOUR_MS),
              users: null,
              averageDailyUsers: null,
              seatHours: round(seatMs / HOUR_MS),
              denials: (found?.denials ?? 0) - retried,
              retriedDenials: retried,
              utilisation: utilisation(row.seats_owned, peak, seatMs / HOUR_MS),
            });
          }
        } else {
          const stored = await findDailyRows(tx, featureId, serverId, query.from, query.to);
          points = foldDays(stored, query.bucket, query.from, dayLengths(zone, first, last), row.seats_owned);
        }
        return {
          feature: presentFeature(row),
          licenseServerId: query.licenseServerId ?? null,
          bucket: query.bucket,
          from: query.from,
          to: query.to,
          points,
        };
      });
    },

    /**
     * The exact seats-in-use step function over the UTC days of the range, from the sessions: the level
     * at the start, then every instant the count changes, until the range ends or now (whichever is
     * first); cut at maxConcurrencyPoints changes, where `until` then stops.
     */
    async concurrency(principal: Principal | null, meta: RequestMeta, featureId: string, query: AnalyticsConcurrencyQuery): Promise<FeatureConcurrency> {
      return access.asMember(principal, meta, 'usage:read', async (tx) => {
        const row = await feature(tx, featureId);
        if (query.licenseServerId !== undefined && !(await findLicenseServer(tx, query.licenseServerId))) throw notFound('The license server');
        const start = (dayNumber(query.from) * DAY_MS) / 1000;
        const end = ((dayNumber(query.to) + 1) * DAY_MS) / 1000;
        let until = Math.max(start, Math.min(end, Math.floor(now() / 1000)));
        const steps = await findConcurrencySteps(tx, featureId, query.licenseServerId ?? null, start, until, maxConcurrencyPoints + 1);
        const truncated = steps.t.length > maxConcurrencyPoints;
        if (truncated) {
          until = steps.t[maxConcurrencyPoints]!;
          steps.t.length = maxConcurrencyPoints;
          steps.inUse.length = maxConcurrencyPoints;
        }
        return {
          feature: presentFeature(row),
          licenseServerId: query.licenseServerId ?? null,
          from: query.from,
          to: query.to,
          start,
          until,
          initialInUse: steps.initial,
          t: steps.t,
          inUse: steps.inUse,
          truncated,
        };
      });
    },

    /**
     * Per person over the range (all servers): seat-hours, sessions, idle check-ins and last use, most
     * hours first. Per-person usage is personal data, so each view is audited.
     */
    async people(principal: Principal | null, meta: RequestMeta, featureId: string, query: AnalyticsPeopleQuery): Promise<FeaturePeople> {
      return access.asMember(principal, meta, 'usage:read', async (tx, actor) => {
        const row = await feature(tx, featureId);
        const parts = personRangeParts(query.from, query.to);
        const page = await findPeopleUsage(tx, featureId, parts, query.limit, query.offset);
        const total = page.length > 0 ? page[0]!.total : query.offset > 0 ? await countPeople(tx, featureId, parts) : 0;
        await recordAudit(tx, {
          ...auditActor(actor),
          action: 'usage.people_view',
          outcome: 'success',
          targetType: 'feature',
          targetId: featureId,
          details: { from: query.from, to: query.to, limit: query.limit, offset: query.offset, people: page.length },
        });
        return {
          feature: presentFeature(row),
          from: query.from,
          to: query.to,
          total,
          limit: query.limit,
          offset: query.offset,
          people: page.map((person) => ({
            personId: person.user_id,
            name: person.display,
            pseudonymised: person.pseudonymised,
            hours: round(person.seat_ms / HOUR_MS),
            sessions: person.sessions,
            idleCheckins: person.idle_checkins,
            lastUsedAt: person.last_used_at.toISOString(),
          })),
        };
      });
    },
  };
}
