import type { Queryable } from '../../db/connect.ts';
import { CURRENT_ORG_SQL } from '../../db/tenant.ts';

/** The license_server_id of roll-up rows that count every server together. */
export const ALL_SERVERS = '00000000-0000-0000-0000-000000000000';

/** Locks features (in id order, so concurrent ingests queue instead of deadlocking). */
export async function lockFeatures(tx: Queryable, featureIds: readonly string[]): Promise<void> {
  if (featureIds.length === 0) return;
  await tx.query('SELECT id FROM features WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE', [featureIds]);
}

export interface RollupWindowRow {
  days_from: string;
  days_to: string;
  hours_from: number;
  hours_to: number;
}

/**
 * The local days of `timeZone` that [fromMs, toMs] touches, and the UTC hours covering those whole days.
 * PostgreSQL's zone database does the calendar arithmetic.
 */
export async function findRollupWindow(tx: Queryable, timeZone: string, fromMs: number, toMs: number): Promise<RollupWindowRow> {
  const { rows } = await tx.query<RollupWindowRow>(
    `WITH d AS (
       SELECT (to_timestamp($2::float8 / 1000) AT TIME ZONE $1)::date AS d1,
              (to_timestamp($3::float8 / 1000) AT TIME ZONE $1)::date AS d2)
     SELECT d1::text AS days_from, d2::text AS days_to,
            extract(epoch FROM date_trunc('hour', d1::timestamp AT TIME ZONE $1))::float8 * 1000 AS hours_from,
            extract(epoch FROM date_trunc('hour', ((d2 + 1)::timestamp AT TIME ZONE $1) + interval '1 hour' - interval '1 microsecond'))::float8 * 1000 AS hours_to
       FROM d`,
    [timeZone, fromMs, toMs],
  );
  return rows[0]!;
}

export interface RollupSessionRow {
  start: number;
  end: number;
  seats: number;
  user_id: string;
  time_zone: string;
  idle: boolean;
}

/** Sessions of a feature (of one server, or all when serverId is null) held at some instant of [fromMs, toMs). */
export async function findSessionsOverlapping(
  tx: Queryable,
  featureId: string,
  serverId: string | null,
  fromMs: number,
  toMs: number,
): Promise<RollupSessionRow[]> {
  const { rows } = await tx.query<RollupSessionRow>(
    `SELECT extract(epoch FROM s.started_at)::float8 * 1000 AS start,
            extract(epoch FROM coalesce(s.ended_at, s.last_seen_at))::float8 * 1000 AS "end",
            s.seats, s.user_id::text AS user_id, ls.time_zone,
            coalesce(upper(s.end_reason) = 'INACTIVE', false) AS idle
       FROM usage_sessions s
       JOIN license_servers ls ON ls.org_id = s.org_id AND ls.id = s.license_server_id
      WHERE s.org_id = ${CURRENT_ORG_SQL} AND s.feature_id = $1 AND ($2::uuid IS NULL OR s.license_server_id = $2)
        AND s.started_at < to_timestamp($4::float8 / 1000)
        AND coalesce(s.ended_at, s.last_seen_at) >= to_timestamp($3::float8 / 1000)`,
    [featureId, serverId, fromMs, toMs],
  );
  return rows;
}

export interface RollupDenialRow {
  at: number;
  retried: boolean;
  time_zone: string;
}

export async function findDenialsBetween(
  tx: Queryable,
  featureId: string,
  serverId: string | null,
  fromMs: number,
  toMs: number,
): Promise<RollupDenialRow[]> {
  const { rows } = await tx.query<RollupDenialRow>(
    `SELECT extract(epoch FROM d.denied_at)::float8 * 1000 AS at, d.retried, ls.time_zone
       FROM usage_denials d
       JOIN license_servers ls ON ls.org_id = d.org_id AND ls.id = d.license_server_id
      WHERE d.org_id = ${CURRENT_ORG_SQL} AND d.feature_id = $1 AND ($2::uuid IS NULL OR d.license_server_id = $2)
        AND d.denied_at >= to_timestamp($3::float8 / 1000) AND d.denied_at < to_timestamp($4::float8 / 1000)`,
    [featureId, serverId, fromMs, toMs],
  );
  return rows;
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface HourRow {
  hour: number;
  peak: number;
  peakAt: number | null;
  seatMs: number;
  denials: number;
  retriedDenials: number;
}

/** Replaces the hourly roll-up of [fromMs, toMs) of one feature and server (or ALL_SERVERS). */
export async function replaceHourly(tx: Queryable, featureId: string, serverId: string, fromMs: number, toMs: number, hours: readonly HourRow[]): Promise<void> {
  await tx.query(
    `DELETE FROM usage_hourly WHERE org_id = ${CURRENT_ORG_SQL} AND feature_id = $1 AND license_server_id = $2
        AND hour >= to_timestamp($3::float8 / 1000) AND hour < to_timestamp($4::float8 / 1000)`,
    [featureId, serverId, fromMs, toMs],
  );
  if (hours.length === 0) return;
  await tx.query(
    `INSERT INTO usage_hourly (org_id, feature_id, license_server_id, hour, peak, peak_at, seat_ms, denials, retried_denials)
     SELECT ${CURRENT_ORG_SQL}, $1, $2, t.hour, t.peak, t.peak_at, t.seat_ms, t.denials, t.retried
       FROM unnest($3::timestamptz[], $4::int[], $5::timestamptz[], $6::bigint[], $7::int[], $8::int[])
         AS t(hour, peak, peak_at, seat_ms, denials, retried)`,
    [
      featureId,
      serverId,
      hours.map((h) => iso(h.hour)),
      hours.map((h) => h.peak),
      hours.map((h) => (h.peakAt === null ? null : iso(h.peakAt))),
      hours.map((h) => h.seatMs),
      hours.map((h) => h.denials),
      hours.map((h) => h.retriedDenials),
    ],
  );
}

export interface DayRow {
  day: string;
  users: number;
  peak: number;
  peakAt: number | null;
  seatMs: number;
  denials: number;
  retriedDenials: number;
}

/** Replaces the daily roll-up of local days [daysFrom, daysTo] of one feature and server (or ALL_SERVERS). */
export async function replaceDaily(tx: Queryable, featureId: string, serverId: string, daysFrom: string, daysTo: string, days: readonly DayRow[]): Promise<void> {
  await tx.query(
    `DELETE FROM usage_daily WHERE org_id = ${CURRENT_ORG_SQL} AND feature_id = $1 AND license_server_id = $2 AND day BETWEEN $3::date AND $4::date`,
    [featureId, serverId, daysFrom, daysTo],
  );
  if (days.length === 0) return;
  await tx.query(
    `INSERT INTO usage_daily (org_id, feature_id, license_server_id, day, users, peak, peak_at, seat_ms, denials, retried_denials)
     SELECT ${CURRENT_ORG_SQL}, $1, $2, t.day, t.users, t.peak, t.peak_at, t.seat_ms, t.denials, t.retried
       FROM unnest($3::date[], $4::int[], $5::int[], $6::timestamptz[], $7::bigint[], $8::int[], $9::int[])
         AS t(day, users, peak, peak_at, seat_ms, denials, retried)`,
    [
      featureId,
      serverId,
      days.map((d) => d.day),
      days.map((d) => d.users),
      days.map((d) => d.peak),
      days.map((d) => (d.peakAt === null ? null : iso(d.peakAt))),
      days.map((d) => d.seatMs),
      days.map((d) => d.denials),
      days.map((d) => d.retriedDenials),
    ],
  );
}

export interface PersonDayRow {
  userId: string;
  day: string;
  seatMs: number;
  sessions: number;
  idleCheckins: number;
  lastUsedAt: number;
}

/**
 * Replaces the per-person roll-up of one feature for local days [daysFrom, daysTo], then rebuilds the
 * monthly rows of the months those days fall in from the daily rows.
 */
export async function replacePersonDays(tx: Queryable, featureId: string, daysFrom: string, daysTo: string, rows: readonly PersonDayRow[]): Promise<void> {
  await tx.query(
    `DELETE FROM usage_person_daily WHERE org_id = ${CURRENT_ORG_SQL} AND feature_id = $1 AND day BETWEEN $2::date AND $3::date`,
    [featureId, daysFrom, daysTo],
  );
  if (rows.length > 0) {
    await tx.query(
      `INSERT INTO usage_person_daily (org_id, feature_id, user_id, day, seat_ms, sessions, idle_checkins, last_used_at)
       SELECT ${CURRENT_ORG_SQL}, $1, t.user_id, t.day, t.seat_ms, t.sessions, t.idle, t.last_used_at
         FROM unnest($2::bigint[], $3::date[], $4::bigint[], $5::int[], $6::int[], $7::timestamptz[])
           AS t(user_id, day, seat_ms, sessions, idle, last_used_at)`,
      [
        featureId,
        rows.map((r) => r.userId),
        rows.map((r) => r.day),
        rows.map((r) => r.seatMs),
        rows.map((r) => r.sessions),
        rows.map((r) => r.idleCheckins),
        rows.map((r) => iso(r.lastUsedAt)),
      ],
    );
  }
  await tx.query(
    `DELETE FROM usage_person_monthly WHERE org_id = ${CURRENT_ORG_SQL} AND feature_id = $1
        AND month BETWEEN date_trunc('month', $2::date)::date AND date_trunc('month', $3::date)::date`,
    [featureId, daysFrom, daysTo],
  );
  await tx.query(
    `INSERT INTO usage_person_monthly (org_id, feature_id, user_id, month, seat_ms, sessions, idle_checkins, last_used_at)
     SELECT org_id, feature_id, user_id, date_trunc('month', day)::date, sum(seat_ms), sum(sessions), sum(idle_checkins), max(last_used_at)
       FROM usage_person_daily
      WHERE org_id = ${CURRENT_ORG_SQL} AND feature_id = $1
        AND day >= date_trunc('month', $2::date)::date AND day < (date_trunc('month', $3::date) + interval '1 month')::date
      GROUP BY org_id, feature_id, user_id, date_trunc('month', day)`,
    [featureId, daysFrom, daysTo],
  );
}
