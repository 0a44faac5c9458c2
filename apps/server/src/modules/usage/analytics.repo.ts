import type { Queryable } from '../../db/connect.ts';
import { CURRENT_ORG_SQL } from '../../db/tenant.ts';

// Analytics read the roll-ups only (usage_hourly, usage_daily, usage_person_daily, usage_person_monthly),
// plus features, license servers and usage identities for names. Numbers are cast in SQL so that both
// engines hand back plain JavaScript numbers (sums of bigint are numeric, which pg returns as text).

/**
 * The transaction's organisation as a sub-select: evaluated once per statement, and the planner then checks
 * the row-level security condition (the same expression) once as well, instead of parsing the setting into
 * a uuid for every row read. On a year of per-person rows that halves the time of the query.
 */
const ORG = `(SELECT ${CURRENT_ORG_SQL})`;

export interface AnalyticsFeatureRow {
  id: string;
  vendor: string;
  name: string;
  seats_owned: number | null;
}

/** One feature of the transaction's organisation, or undefined (unknown, or another organisation's). */
export async function findAnalyticsFeature(tx: Queryable, featureId: string): Promise<AnalyticsFeatureRow | undefined> {
  const { rows } = await tx.query<AnalyticsFeatureRow>(
    `SELECT id, vendor, name, seats_owned FROM features WHERE org_id = ${ORG} AND id = $1`,
    [featureId],
  );
  return rows[0];
}

export interface FeatureSummaryRow extends AnalyticsFeatureRow {
  peak: number;
  peak_at: Date | null;
  seat_ms: number;
  max_users: number;
  sum_users: number;
  denials: number;
  retried_denials: number;
}

/**
 * Per feature, the daily roll-up rows of one server (or ALL_SERVERS) over local days [from, to], folded:
 * highest peak (and the earliest instant it was reached), seat time, most and summed daily users, denials.
 * With `servedOnly`, only features that server has ever served are listed; otherwise every feature is,
 * used in the range or not. Sorted by vendor, then name.
 */
export async function findFeatureSummaries(
  tx: Queryable,
  serverId: string,
  servedOnly: boolean,
  from: string,
  to: string,
): Promise<FeatureSummaryRow[]> {
  const { rows } = await tx.query<FeatureSummaryRow>(
    `SELECT f.id, f.vendor, f.name, f.seats_owned,
            coalesce(max(d.peak), 0)::int AS peak,
            (array_agg(d.peak_at ORDER BY d.peak DESC, d.peak_at) FILTER (WHERE d.peak > 0))[1] AS peak_at,
            coalesce(sum(d.seat_ms), 0)::float8 AS seat_ms,
            coalesce(max(d.users), 0)::int AS max_users,
            coalesce(sum(d.users), 0)::float8 AS sum_users,
            coalesce(sum(d.denials), 0)::int AS denials,
            coalesce(sum(d.retried_denials), 0)::int AS retried_denials
       FROM features f
       LEFT JOIN usage_daily d
         ON d.org_id = f.org_id AND d.feature_id = f.id AND d.license_server_id = $1
        AND d.day BETWEEN $3::date AND $4::date
      WHERE f.org_id = ${ORG}
        AND (NOT $2::boolean OR EXISTS (
              SELECT 1 FROM usage_daily e WHERE e.org_id = f.org_id AND e.feature_id = f.id AND e.license_server_id = $1))
      GROUP BY f.id, f.vendor, f.name, f.seats_owned
      ORDER BY lower(f.vendor), lower(f.name), f.id`,
    [serverId, servedOnly, from, to],
  );
  return rows;
}

export interface HourlyRow {
  hour: Date;
  peak: number;
  peak_at: Date | null;
  seat_ms: number;
  denials: number;
  retried_denials: number;
}

/** The hourly roll-up rows of one feature and server (or ALL_SERVERS) in [fromIso, toIso), ascending. */
export async function findHourlyRows(tx: Queryable, featureId: string, serverId: string, fromIso: string, toIso: string): Promise<HourlyRow[]> {
  const { rows } = await tx.query<HourlyRow>(
    `SELECT hour, peak, peak_at, seat_ms::float8 AS seat_ms, denials, retried_denials
       FROM usage_hourly
      WHERE org_id = ${ORG} AND feature_id = $1 AND license_server_id = $2
        AND hour >= $3::timestamptz AND hour < $4::timestamptz
      ORDER BY hour`,
    [featureId, serverId, fromIso, toIso],
  );
  return rows;
}

export interface DailyRow {
  day: string;
  users: number;
  peak: number;
  peak_at: Date | null;
  seat_ms: number;
  denials: number;
  retried_denials: number;
}

/** The daily roll-up rows of one feature and server (or ALL_SERVERS) for local days [from, to], ascending. */
export async function findDailyRows(tx: Queryable, featureId: string, serverId: string, from: string, to: string): Promise<DailyRow[]> {
  const { rows } = await tx.query<DailyRow>(
    `SELECT day::text AS day, users, peak, peak_at, seat_ms::float8 AS seat_ms, denials, retried_denials
       FROM usage_daily
      WHERE org_id = ${ORG} AND feature_id = $1 AND license_server_id = $2
        AND day BETWEEN $3::date AND $4::date
      ORDER BY day`,
    [featureId, serverId, from, to],
  );
  return rows;
}

export interface PersonUsageRow {
  user_id: string;
  display: string;
  pseudonymised: boolean;
  seat_ms: number;
  sessions: number;
  idle_checkins: number;
  last_used_at: Date;
  total: number;
}

/**
 * Where a person range is read from (dates YYYY-MM-DD, each pair half-open): the whole calendar months
 * [monthsFrom, monthsTo) from the monthly roll-up, the days before them [headFrom, headTo) and after them
 * [tailFrom, tailTo) from the daily one. An empty part has from = to.
 */
export interface PersonRangeParts {
  monthsFrom: string;
  monthsTo: string;
  headFrom: string;
  headTo: string;
  tailFrom: string;
  tailTo: string;
}

const personParts = (featureParam: string, first: number) => `
       SELECT user_id, seat_ms, sessions, idle_checkins, last_used_at
         FROM usage_person_monthly
        WHERE org_id = ${ORG} AND feature_id = ${featureParam}
          AND month >= $${first}::date AND month < $${first + 1}::date
       UNION ALL
       SELECT user_id, seat_ms, sessions, idle_checkins, last_used_at
         FROM usage_person_daily
        WHERE org_id = ${ORG} AND feature_id = ${featureParam}
          AND ((day >= $${first + 2}::date AND day < $${first + 3}::date) OR (day >= $${first + 4}::date AND day < $${first + 5}::date))`;

const partParams = (parts: PersonRangeParts) => [parts.monthsFrom, parts.monthsTo, parts.headFrom, parts.headTo, parts.tailFrom, parts.tailTo];

/**
 * One page of the people who used a feature in a range (all servers), most seat time first, with the
 * number of people over all pages. A year reads about 12 monthly rows per person, not 365 daily ones.
 */
export async function findPeopleUsage(tx: Queryable, featureId: string, parts: PersonRangeParts, limit: number, offset: number): Promise<PersonUsageRow[]> {
  const { rows } = await tx.query<PersonUsageRow>(
    `WITH parts AS (${personParts('$1', 4)}
     ), people AS (
       SELECT user_id, sum(seat_ms)::float8 AS seat_ms, sum(sessions)::int AS sessions,
              sum(idle_checkins)::int AS idle_checkins, max(last_used_at) AS last_used_at
         FROM parts GROUP BY user_id
     ), page AS (
       SELECT people.*, count(*) OVER ()::int AS total
         FROM people
        ORDER BY seat_ms DESC, user_id
        LIMIT $2 OFFSET $3
     )
     SELECT page.user_id::text AS user_id, i.display, i.pseudonymised_at IS NOT NULL AS pseudonymised,
            page.seat_ms, page.sessions, page.idle_checkins, page.last_used_at, page.total
       FROM page
       JOIN usage_identities i ON i.org_id = ${ORG} AND i.id = page.user_id
      ORDER BY page.seat_ms DESC, page.user_id`,
    [featureId, limit, offset, ...partParams(parts)],
  );
  return rows;
}

/** People who used a feature in a range: the total when a page is past the end (and so holds no rows). */
export async function countPeople(tx: Queryable, featureId: string, parts: PersonRangeParts): Promise<number> {
  const { rows } = await tx.query<{ total: number }>(
    `SELECT count(DISTINCT user_id)::int AS total FROM (${personParts('$1', 2)}) AS parts`,
    [featureId, ...partParams(parts)],
  );
  return rows[0]!.total;
}

export interface ConcurrencySteps {
  /** Seats held at the start by sessions begun before it. */
  initial: number;
  /** Instants where the count changes (epoch seconds), ascending; at most `limit` of them. */
  t: number[];
  /** The count from each instant on. */
  inUse: number[];
}

/** Splits a comma-separated list of integers (null: none). */
const integers = (text: string | null): number[] => (text ? text.split(',').map(Number) : []);

/**
 * The exact seats-in-use step function of one feature over [startS, untilS) (epoch seconds), on one server
 * or (serverId null) all servers summed: the level at startS, then the first `limit` instants where it
 * changes, read from the sessions themselves. An open session counts as held until it was last seen, as in
 * the roll-ups (for an uploaded log, its last line), so the chart and the figures beside it agree. Every session
 * gives +seats at its start and −seats at its end (cut to whole seconds); a running sum over the instants
 * gives the level, and instants where starts and ends cancel out are left out.
 *
 * The two lists come back as text rather than rows: PGlite decodes rows at some 20 µs each in JavaScript,
 * far slower than splitting one string, and a year of a busy feature is hundreds of thousands of points.
 */
export async function findConcurrencySteps(
  tx: Queryable,
  featureId: string,
  serverId: string | null,
  startS: number,
  untilS: number,
  limit: number,
): Promise<ConcurrencySteps> {
  const { rows } = await tx.query<{ initial: number; t: string | null; in_use: string | null }>(
    `WITH held AS (
       SELECT s.started_at, coalesce(s.ended_at, s.last_seen_at) AS ended_at, s.seats
         FROM usage_sessions s
        WHERE s.org_id = ${ORG} AND s.feature_id = $1
          AND ($2::uuid IS NULL OR s.license_server_id = $2::uuid)
          AND s.started_at < to_timestamp($4::float8)
          AND coalesce(s.ended_at, s.last_seen_at) > to_timestamp($3::float8)
     ), initial AS (
       SELECT coalesce(sum(seats), 0)::bigint AS level FROM held WHERE started_at < to_timestamp($3::float8)
     ), events AS (
       SELECT floor(extract(epoch FROM started_at))::bigint AS t, seats::bigint AS delta
         FROM held WHERE started_at >= to_timestamp($3::float8)
       UNION ALL
       SELECT floor(extract(epoch FROM ended_at))::bigint, -seats::bigint
         FROM held WHERE ended_at < to_timestamp($4::float8)
     ), steps AS (
       SELECT t, sum(delta) AS delta FROM events GROUP BY t
     ), changes AS (
       SELECT t, ((SELECT level FROM initial) + sum(delta) OVER (ORDER BY t))::bigint AS level, delta
         FROM steps
     ), kept AS (
       SELECT t, level FROM changes WHERE delta <> 0 ORDER BY t LIMIT $5
     )
     SELECT (SELECT level FROM initial)::int AS initial,
            (SELECT string_agg(t::text, ',' ORDER BY t) FROM kept) AS t,
            (SELECT string_agg(level::text, ',' ORDER BY t) FROM kept) AS in_use`,
    [featureId, serverId, startS, untilS, limit],
  );
  const row = rows[0]!;
  return { initial: row.initial, t: integers(row.t), inUse: integers(row.in_use) };
}
