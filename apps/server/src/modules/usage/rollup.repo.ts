import type { Queryable } from '../../db/connect.ts';
import { CURRENT_ORG_SQL } from '../../db/tenant.ts';
import { fromEpochMs, rowSource } from './ingest.repo.ts';

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
 * For each range [from, to] (epoch ms), the local days of `timeZone` it touches and the UTC hours covering
 * those whole days, in the order given. PostgreSQL's zone database does the calendar arithmetic.
 */
export async function findRollupWindows(tx: Queryable, timeZone: string, ranges: readonly { from: number; to: number }[]): Promise<RollupWindowRow[]> {
  if (ranges.length === 0) return [];
  const { rows } = await tx.query<RollupWindowRow>(
    `SELECT d.d1::text AS days_from, d.d2::text AS days_to,
            extract(epoch FROM date_trunc('hour', d.d1::timestamp AT TIME ZONE $1))::float8 * 1000 AS hours_from,
            extract(epoch FROM date_trunc('hour', ((d.d2 + 1)::timestamp AT TIME ZONE $1) + interval '1 hour' - interval '1 microsecond'))::float8 * 1000 AS hours_to
       FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS r(from_ms, to_ms, i)
       CROSS JOIN LATERAL (SELECT (to_timestamp(r.from_ms / 1000) AT TIME ZONE $1)::date AS d1,
                                  (to_timestamp(r.to_ms / 1000) AT TIME ZONE $1)::date AS d2) AS d
      ORDER BY r.i`,
    [timeZone, ranges.map((range) => range.from), ranges.map((range) => range.to)],
  );
  return rows;
}

/** A stored session as roll-ups read it: times in epoch ms; `own` when it is of the server being rolled up. */
export interface RollupSessionRow {
  start: number;
  end: number;
  seats: number;
  userId: string;
  own: boolean;
  idle: boolean;
  timeZone: string;
}

export interface RollupDenialRow {
  at: number;
  retried: boolean;
  own: boolean;
  timeZone: string;
}

/**
 * Walks the text of findUsageForRollup: lines of `fixed` comma-separated fields (never null: concat_ws
 * would drop them), then the time zone, which takes the rest of the line (an IANA name holds no newline).
 * `fields` is reused from line to line.
 */
function eachLine(text: string | null, fixed: number, fn: (fields: readonly string[], timeZone: string) => void): void {
  if (!text) return;
  const fields = new Array<string>(fixed);
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    let from = at;
    for (let i = 0; i < fixed; i++) {
      const comma = text.indexOf(',', from);
      fields[i] = text.slice(from, comma);
      from = comma + 1;
    }
    fn(fields, text.slice(from, end));
    at = end + 1;
  }
}

/**
 * The sessions held at some instant of [fromMs, toMs) and the denials in it, of one feature on every
 * server (those of `serverId` marked own). Each list comes back as one text value rather than as rows:
 * decoding rows costs PGlite about 20 µs a row in JavaScript, splitting text a small fraction of that.
 */
export async function findUsageForRollup(
  tx: Queryable,
  featureId: string,
  serverId: string,
  fromMs: number,
  toMs: number,
): Promise<{ sessions: RollupSessionRow[]; denials: RollupDenialRow[] }> {
  const { rows } = await tx.query<{ sessions: string | null; denials: string | null }>(
    `SELECT
       (SELECT string_agg(concat_ws(',', (extract(epoch FROM s.started_at) * 1000)::bigint,
                                         (extract(epoch FROM coalesce(s.ended_at, s.last_seen_at)) * 1000)::bigint,
                                         s.seats, s.user_id, (s.license_server_id = $2)::int,
                                         coalesce(upper(s.end_reason) = 'INACTIVE', false)::int, ls.time_zone), E'\\n')
          FROM usage_sessions s
          JOIN license_servers ls ON ls.org_id = s.org_id AND ls.id = s.license_server_id
         WHERE s.org_id = ${CURRENT_ORG_SQL} AND s.feature_id = $1
           AND s.started_at < to_timestamp($4::float8 / 1000)
           AND coalesce(s.ended_at, s.last_seen_at) >= to_timestamp($3::float8 / 1000)) AS sessions,
       (SELECT string_agg(concat_ws(',', (extract(epoch FROM d.denied_at) * 1000)::bigint, d.retried::int,
                                         (d.license_server_id = $2)::int, ls.time_zone), E'\\n')
          FROM usage_denials d
          JOIN license_servers ls ON ls.org_id = d.org_id AND ls.id = d.license_server_id
         WHERE d.org_id = ${CURRENT_ORG_SQL} AND d.feature_id = $1
           AND d.denied_at >= to_timestamp($3::float8 / 1000) AND d.denied_at < to_timestamp($4::float8 / 1000)) AS denials`,
    [featureId, serverId, fromMs, toMs],
  );
  const sessions: RollupSessionRow[] = [];
  eachLine(rows[0]?.sessions ?? null, 6, (f, timeZone) => {
    sessions.push({ start: Number(f[0]), end: Number(f[1]), seats: Number(f[2]), userId: f[3]!, own: f[4] === '1', idle: f[5] === '1', timeZone });
  });
  const denials: RollupDenialRow[] = [];
  eachLine(rows[0]?.denials ?? null, 3, (f, timeZone) => {
    denials.push({ at: Number(f[0]), retried: f[1] === '1', own: f[2] === '1', timeZone });
  });
  return { sessions, denials };
}

export interface HourRow {
  hour: number;
  peak: number;
  peakAt: number | null;
  seatMs: number;
  denials: number;
  retriedDenials: number;
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

export interface PersonDayRow {
  userId: string;
  day: string;
  seatMs: number;
  sessions: number;
  idleCheckins: number;
  lastUsedAt: number;
}

/** The recomputed roll-ups of one feature over one window: its hours [hoursFrom, hoursTo) and local days [daysFrom, daysTo]. */
export interface RollupReplacement {
  featureId: string;
  hoursFrom: number;
  hoursTo: number;
  daysFrom: string;
  daysTo: string;
  /** Of the server being rolled up. */
  own: { hours: readonly HourRow[]; days: readonly DayRow[] };
  /** Of all servers together (ALL_SERVERS). */
  all: { hours: readonly HourRow[]; days: readonly DayRow[] };
  /** Per person, all servers together. */
  personDays: readonly PersonDayRow[];
}

/** A row with the feature and server it belongs to. */
interface Tagged<Row> {
  featureId: string;
  serverId: string;
  row: Row;
}

const HOUR_COLUMNS = [
  { name: 'feature_id', type: 'uuid', value: (h: Tagged<HourRow>) => h.featureId },
  { name: 'license_server_id', type: 'uuid', value: (h: Tagged<HourRow>) => h.serverId },
  { name: 'hour_ms', type: 'bigint', value: (h: Tagged<HourRow>) => h.row.hour },
  { name: 'peak', type: 'int', value: (h: Tagged<HourRow>) => h.row.peak },
  { name: 'peak_ms', type: 'bigint', value: (h: Tagged<HourRow>) => h.row.peakAt },
  { name: 'seat_ms', type: 'bigint', value: (h: Tagged<HourRow>) => h.row.seatMs },
  { name: 'denials', type: 'int', value: (h: Tagged<HourRow>) => h.row.denials },
  { name: 'retried', type: 'int', value: (h: Tagged<HourRow>) => h.row.retriedDenials },
] as const;

const DAY_COLUMNS = [
  { name: 'feature_id', type: 'uuid', value: (d: Tagged<DayRow>) => d.featureId },
  { name: 'license_server_id', type: 'uuid', value: (d: Tagged<DayRow>) => d.serverId },
  { name: 'day', type: 'date', value: (d: Tagged<DayRow>) => d.row.day },
  { name: 'users', type: 'int', value: (d: Tagged<DayRow>) => d.row.users },
  { name: 'peak', type: 'int', value: (d: Tagged<DayRow>) => d.row.peak },
  { name: 'peak_ms', type: 'bigint', value: (d: Tagged<DayRow>) => d.row.peakAt },
  { name: 'seat_ms', type: 'bigint', value: (d: Tagged<DayRow>) => d.row.seatMs },
  { name: 'denials', type: 'int', value: (d: Tagged<DayRow>) => d.row.denials },
  { name: 'retried', type: 'int', value: (d: Tagged<DayRow>) => d.row.retriedDenials },
] as const;

const PERSON_DAY_COLUMNS = [
  { name: 'feature_id', type: 'uuid', value: (p: Tagged<PersonDayRow>) => p.featureId },
  { name: 'user_id', type: 'bigint', value: (p: Tagged<PersonDayRow>) => p.row.userId },
  { name: 'day', type: 'date', value: (p: Tagged<PersonDayRow>) => p.row.day },
  { name: 'seat_ms', type: 'bigint', value: (p: Tagged<PersonDayRow>) => p.row.seatMs },
  { name: 'sessions', type: 'int', value: (p: Tagged<PersonDayRow>) => p.row.sessions },
  { name: 'idle', type: 'int', value: (p: Tagged<PersonDayRow>) => p.row.idleCheckins },
  { name: 'last_used_ms', type: 'bigint', value: (p: Tagged<PersonDayRow>) => p.row.lastUsedAt },
] as const;

/** Every row of every replacement, tagged with its feature and server. */
function tagged<Row>(replacements: readonly RollupReplacement[], rowsOf: (r: RollupReplacement) => readonly [string, readonly Row[]][]): Tagged<Row>[] {
  const out: Tagged<Row>[] = [];
  for (const replacement of replacements) {
    for (const [serverId, rows] of rowsOf(replacement)) for (const row of rows) out.push({ featureId: replacement.featureId, serverId, row });
  }
  return out;
}

/**
 * Replaces the roll-ups of several features at once, each over its own window: the hourly and daily rows of
 * `serverId` and of all servers, the per-person daily rows, and the monthly rows of the months those days
 * fall in, rebuilt from the daily ones. A feature may appear only once per call (its windows would overlap).
 */
export async function replaceRollups(tx: Queryable, serverId: string, replacements: readonly RollupReplacement[]): Promise<void> {
  if (replacements.length === 0) return;
  if (new Set(replacements.map((r) => r.featureId)).size !== replacements.length) throw new Error('replaceRollups: a feature appears twice');
  const featureIds = replacements.map((r) => r.featureId);
  const daysFrom = replacements.map((r) => r.daysFrom);
  const daysTo = replacements.map((r) => r.daysTo);
  const servers = [serverId, ALL_SERVERS];

  await tx.query(
    `DELETE FROM usage_hourly h USING unnest($2::uuid[], $3::float8[], $4::float8[]) AS r(feature_id, from_ms, to_ms)
      WHERE h.org_id = ${CURRENT_ORG_SQL} AND h.feature_id = r.feature_id AND h.license_server_id = ANY($1::uuid[])
        AND h.hour >= to_timestamp(r.from_ms / 1000) AND h.hour < to_timestamp(r.to_ms / 1000)`,
    [servers, featureIds, replacements.map((r) => r.hoursFrom), replacements.map((r) => r.hoursTo)],
  );
  const hours = tagged(replacements, (r) => [
    [serverId, r.own.hours],
    [ALL_SERVERS, r.all.hours],
  ]);
  if (hours.length > 0) {
    const rows = await rowSource(tx, hours, 1, { table: 'staged_hourly', columns: HOUR_COLUMNS });
    await tx.query(
      `INSERT INTO usage_hourly (org_id, feature_id, license_server_id, hour, peak, peak_at, seat_ms, denials, retried_denials)
       SELECT ${CURRENT_ORG_SQL}, t.feature_id, t.license_server_id, ${fromEpochMs('t.hour_ms')}, t.peak, ${fromEpochMs('t.peak_ms')},
              t.seat_ms, t.denials, t.retried
         FROM ${rows.source}`,
      rows.params,
    );
  }

  await tx.query(
    `DELETE FROM usage_daily d USING unnest($2::uuid[], $3::date[], $4::date[]) AS r(feature_id, days_from, days_to)
      WHERE d.org_id = ${CURRENT_ORG_SQL} AND d.feature_id = r.feature_id AND d.license_server_id = ANY($1::uuid[])
        AND d.day BETWEEN r.days_from AND r.days_to`,
    [servers, featureIds, daysFrom, daysTo],
  );
  const days = tagged(replacements, (r) => [
    [serverId, r.own.days],
    [ALL_SERVERS, r.all.days],
  ]);
  if (days.length > 0) {
    const rows = await rowSource(tx, days, 1, { table: 'staged_daily', columns: DAY_COLUMNS });
    await tx.query(
      `INSERT INTO usage_daily (org_id, feature_id, license_server_id, day, users, peak, peak_at, seat_ms, denials, retried_denials)
       SELECT ${CURRENT_ORG_SQL}, t.feature_id, t.license_server_id, t.day, t.users, t.peak, ${fromEpochMs('t.peak_ms')},
              t.seat_ms, t.denials, t.retried
         FROM ${rows.source}`,
      rows.params,
    );
  }

  await tx.query(
    `DELETE FROM usage_person_daily p USING unnest($1::uuid[], $2::date[], $3::date[]) AS r(feature_id, days_from, days_to)
      WHERE p.org_id = ${CURRENT_ORG_SQL} AND p.feature_id = r.feature_id AND p.day BETWEEN r.days_from AND r.days_to`,
    [featureIds, daysFrom, daysTo],
  );
  const personDays = tagged(replacements, (r) => [[ALL_SERVERS, r.personDays]]);
  if (personDays.length > 0) {
    const rows = await rowSource(tx, personDays, 1, { table: 'staged_person_days', columns: PERSON_DAY_COLUMNS });
    await tx.query(
      `INSERT INTO usage_person_daily (org_id, feature_id, user_id, day, seat_ms, sessions, idle_checkins, last_used_at)
       SELECT ${CURRENT_ORG_SQL}, t.feature_id, t.user_id, t.day, t.seat_ms, t.sessions, t.idle, ${fromEpochMs('t.last_used_ms')}
         FROM ${rows.source}`,
      rows.params,
    );
  }

  // The months the days fall in, rebuilt from the daily rows (every feature at most once, so no month twice).
  await tx.query(
    `DELETE FROM usage_person_monthly m USING unnest($1::uuid[], $2::date[], $3::date[]) AS r(feature_id, days_from, days_to)
      WHERE m.org_id = ${CURRENT_ORG_SQL} AND m.feature_id = r.feature_id
        AND m.month BETWEEN date_trunc('month', r.days_from)::date AND date_trunc('month', r.days_to)::date`,
    [featureIds, daysFrom, daysTo],
  );
  await tx.query(
    `INSERT INTO usage_person_monthly (org_id, feature_id, user_id, month, seat_ms, sessions, idle_checkins, last_used_at)
     SELECT p.org_id, p.feature_id, p.user_id, date_trunc('month', p.day)::date, sum(p.seat_ms), sum(p.sessions), sum(p.idle_checkins), max(p.last_used_at)
       FROM usage_person_daily p
       JOIN unnest($1::uuid[], $2::date[], $3::date[]) AS r(feature_id, days_from, days_to)
         ON p.feature_id = r.feature_id
        AND p.day >= date_trunc('month', r.days_from)::date AND p.day < (date_trunc('month', r.days_to) + interval '1 month')::date
      WHERE p.org_id = ${CURRENT_ORG_SQL}
      GROUP BY p.org_id, p.feature_id, p.user_id, date_trunc('month', p.day)`,
    [featureIds, daysFrom, daysTo],
  );
}
