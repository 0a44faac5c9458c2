import { copyText, type Queryable } from '../../db/connect.ts';
import { CURRENT_ORG_SQL } from '../../db/tenant.ts';

/**
 * Storing usage. Every statement takes many rows at once, never one round trip per row: a few rows as
 * arrays unnested server-side, many rows COPY'd into a temporary staging table first. Every write is an
 * upsert on the row's natural key, so storing the same data twice changes nothing.
 */

/**
 * Items stored per part (an upload reads its spool in parts of this size) and rows per statement: large,
 * because each part resolves its names and stages its rows once; the rows of one part are a few MB.
 */
export const STORE_CHUNK_ROWS = 50_000;

/**
 * From this many rows on, rows go to the database as one COPY into a staging table and then one
 * INSERT … SELECT: COPY's text format is cheaper to send and to read than array parameters, but the
 * staging table costs a few statements, which a handful of rows (an agent batch) does not repay.
 */
export const STAGE_MIN_ROWS = 1000;

/**
 * Loads rows, given as COPY text (see copyText), into a temporary table of this transaction (created on
 * first use, emptied on every use, dropped at commit), as the application role: COPY FROM cannot write a
 * table under row-level security, so tenant tables are written from the staging table with
 * INSERT … SELECT, where the policies apply. `table` and `definition` are written in the code, never input.
 */
export async function stageRows(tx: Queryable, table: string, definition: string, columns: readonly string[], text: string): Promise<void> {
  await tx.query(`CREATE TEMP TABLE IF NOT EXISTS ${table} (${definition}) ON COMMIT DROP`);
  await tx.query(`TRUNCATE ${table}`);
  await tx.copyFrom(table, columns, text);
}

export type IdentityKind = 'user' | 'host';

/** The key two spellings of one name share ("JSmith" and "jsmith" are one person). */
export function identityKey(name: string): string {
  return name.trim().toLowerCase();
}

/** Ids of the named people or hosts, creating those not seen before. Keys are identityKey(display). */
export async function resolveIdentities(tx: Queryable, kind: IdentityKind, displays: Iterable<string>): Promise<Map<string, string>> {
  const byKey = new Map<string, string>();
  for (const display of displays) {
    const key = identityKey(display);
    if (!byKey.has(key)) byKey.set(key, display.trim());
  }
  const ids = new Map<string, string>();
  const keys = [...byKey.keys()];
  for (let i = 0; i < keys.length; i += STORE_CHUNK_ROWS) {
    const chunk = keys.slice(i, i + STORE_CHUNK_ROWS);
    await tx.query(
      `INSERT INTO usage_identities (org_id, kind, key, display)
       SELECT ${CURRENT_ORG_SQL}, $1, k, d FROM unnest($2::text[], $3::text[]) AS t(k, d)
       ON CONFLICT (org_id, kind, key) DO NOTHING`,
      [kind, chunk, chunk.map((key) => byKey.get(key)!)],
    );
    // A join rather than key = ANY($2): the generic plan PostgreSQL settles on while an organisation has few
    // names applies = ANY as a filter, comparing every row with every key (163 ms for 3,400 names, measured);
    // the join hashes the keys (3 ms).
    const { rows } = await tx.query<{ id: string; key: string }>(
      `SELECT i.id::text AS id, i.key FROM usage_identities i JOIN unnest($2::text[]) AS t(k) ON i.key = t.k
        WHERE i.org_id = ${CURRENT_ORG_SQL} AND i.kind = $1`,
      [kind, chunk],
    );
    for (const row of rows) ids.set(row.key, row.id);
  }
  return ids;
}

/** The key of a feature: vendor and name, compared case-insensitively. */
export function featureKey(vendor: string, name: string): string {
  return `${vendor.toLowerCase()}\u0000${name.toLowerCase()}`;
}

/** Ids of the features, creating those not seen before (the first spelling is kept). Keyed by featureKey. */
export async function resolveFeatures(tx: Queryable, features: Iterable<{ vendor: string; name: string }>): Promise<Map<string, string>> {
  const byKey = new Map<string, { vendor: string; name: string }>();
  for (const feature of features) {
    const key = featureKey(feature.vendor, feature.name);
    if (!byKey.has(key)) byKey.set(key, feature);
  }
  const ids = new Map<string, string>();
  const entries = [...byKey.values()];
  for (let i = 0; i < entries.length; i += STORE_CHUNK_ROWS) {
    const chunk = entries.slice(i, i + STORE_CHUNK_ROWS);
    const vendors = chunk.map((f) => f.vendor);
    const names = chunk.map((f) => f.name);
    await tx.query(
      `INSERT INTO features (org_id, id, vendor, name)
       SELECT ${CURRENT_ORG_SQL}, gen_random_uuid(), v, n FROM unnest($1::text[], $2::text[]) AS t(v, n)
       ON CONFLICT (org_id, lower(vendor), lower(name)) DO NOTHING`,
      [vendors, names],
    );
    const { rows } = await tx.query<{ id: string; vendor: string; name: string }>(
      `SELECT f.id, f.vendor, f.name FROM features f
         JOIN unnest($1::text[], $2::text[]) AS t(v, n) ON lower(f.vendor) = lower(t.v) AND lower(f.name) = lower(t.n)
        WHERE f.org_id = ${CURRENT_ORG_SQL}`,
      [vendors, names],
    );
    for (const row of rows) ids.set(featureKey(row.vendor, row.name), row.id);
  }
  return ids;
}

export type UsageSource = 'upload' | 'agent' | 'demo';

/** A session ready to store: names already turned into ids. `endedAt` null while still open. */
export interface SessionRow {
  featureId: string;
  userId: string;
  hostId: string;
  startedAt: number;
  ordinal: number;
  endedAt: number | null;
  lastSeenAt: number;
  seats: number;
  closedBy: string | null;
  endReason: string | null;
}

export interface DenialRow {
  featureId: string;
  userId: string;
  hostId: string;
  deniedAt: number;
  ordinal: number;
  reason: string | null;
  retried: boolean;
}

export interface SnapshotRow {
  featureId: string;
  takenAt: number;
  issued: number;
  inUse: number;
  reserved: number | null;
  queued: number | null;
}

/**
 * SQL for the instant held in `column` as epoch milliseconds. Instants travel as integers: cheaper to
 * write and to read than timestamp text, and exact (milliseconds times 1000 stay integer microseconds).
 */
export const fromEpochMs = (column: string) => `(timestamptz 'epoch' + ${column} * interval '1 millisecond')`;

/**
 * The rows of one write, from unnested arrays (few rows) or from a staging table (many, see stageRows):
 * `source` is what the INSERT … SELECT reads (as `t`, with the columns' names), `params` the arrays it then
 * takes as parameters from `firstParam` on (none when staged).
 */
export async function rowSource<Row>(
  tx: Queryable,
  rows: readonly Row[],
  firstParam: number,
  staging: { table: string; columns: readonly { name: string; type: string; value: (row: Row) => string | number | boolean | null }[] },
): Promise<{ source: string; params: unknown[] }> {
  const { table, columns } = staging;
  const names = columns.map((column) => column.name);
  if (rows.length >= STAGE_MIN_ROWS) {
    const lines = new Array<string>(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      let line = copyText(columns[0]!.value(row));
      for (let c = 1; c < columns.length; c++) line += `\t${copyText(columns[c]!.value(row))}`;
      lines[r] = line;
    }
    const definition = columns.map((column) => `${column.name} ${column.type}`).join(', ');
    await stageRows(tx, table, definition, names, `${lines.join('\n')}\n`);
    return { source: `${table} AS t`, params: [] };
  }
  const arrays = columns.map((column, i) => `$${firstParam + i}::${column.type}[]`).join(', ');
  return { source: `unnest(${arrays}) AS t(${names.join(', ')})`, params: columns.map((column) => rows.map(column.value)) };
}

const SESSION_COLUMNS = [
  { name: 'feature_id', type: 'uuid', value: (s: SessionRow) => s.featureId },
  { name: 'user_id', type: 'bigint', value: (s: SessionRow) => s.userId },
  { name: 'host_id', type: 'bigint', value: (s: SessionRow) => s.hostId },
  { name: 'started_ms', type: 'bigint', value: (s: SessionRow) => s.startedAt },
  { name: 'ordinal', type: 'int', value: (s: SessionRow) => s.ordinal },
  { name: 'ended_ms', type: 'bigint', value: (s: SessionRow) => s.endedAt },
  { name: 'last_seen_ms', type: 'bigint', value: (s: SessionRow) => s.lastSeenAt },
  { name: 'seats', type: 'int', value: (s: SessionRow) => s.seats },
  { name: 'closed_by', type: 'text', value: (s: SessionRow) => s.closedBy },
  { name: 'end_reason', type: 'text', value: (s: SessionRow) => s.endReason },
] as const;

/**
 * Stores sessions. A session stored before keeps its seats; an end learnt later (a check-in after an
 * upload that ended while it was open) closes it; an open one only ever moves its last-seen time forward.
 * Rows must be unique by key within one call (see mergeSessionRows).
 */
export async function upsertSessions(tx: Queryable, licenseServerId: string, source: UsageSource, sessions: readonly SessionRow[]): Promise<void> {
  for (let i = 0; i < sessions.length; i += STORE_CHUNK_ROWS) {
    const chunk = sessions.slice(i, i + STORE_CHUNK_ROWS);
    const rows = await rowSource(tx, chunk, 3, { table: 'staged_sessions', columns: SESSION_COLUMNS });
    await tx.query(
      `INSERT INTO usage_sessions AS s (org_id, license_server_id, feature_id, user_id, host_id, started_at, ordinal,
                                        ended_at, last_seen_at, seats, closed_by, end_reason, source)
       SELECT ${CURRENT_ORG_SQL}, $1, t.feature_id, t.user_id, t.host_id, ${fromEpochMs('t.started_ms')}, t.ordinal,
              ${fromEpochMs('t.ended_ms')}, ${fromEpochMs('t.last_seen_ms')}, t.seats, t.closed_by, t.end_reason, $2
         FROM ${rows.source}
       ON CONFLICT (org_id, license_server_id, feature_id, user_id, host_id, started_at, ordinal) DO UPDATE SET
         ended_at = coalesce(s.ended_at, excluded.ended_at),
         last_seen_at = CASE WHEN s.ended_at IS NOT NULL THEN s.last_seen_at
                             WHEN excluded.ended_at IS NOT NULL THEN excluded.last_seen_at
                             ELSE greatest(s.last_seen_at, excluded.last_seen_at) END,
         closed_by = CASE WHEN s.ended_at IS NOT NULL THEN s.closed_by ELSE excluded.closed_by END,
         end_reason = CASE WHEN s.ended_at IS NOT NULL THEN s.end_reason ELSE excluded.end_reason END
       WHERE s.ended_at IS NULL`,
      [licenseServerId, source, ...rows.params],
    );
  }
}

const DENIAL_COLUMNS = [
  { name: 'feature_id', type: 'uuid', value: (d: DenialRow) => d.featureId },
  { name: 'user_id', type: 'bigint', value: (d: DenialRow) => d.userId },
  { name: 'host_id', type: 'bigint', value: (d: DenialRow) => d.hostId },
  { name: 'denied_ms', type: 'bigint', value: (d: DenialRow) => d.deniedAt },
  { name: 'ordinal', type: 'int', value: (d: DenialRow) => d.ordinal },
  { name: 'reason', type: 'text', value: (d: DenialRow) => d.reason },
  { name: 'retried', type: 'boolean', value: (d: DenialRow) => d.retried },
] as const;

/** Stores denials; a denial stored before becomes "retried" when newer data shows the retry. */
export async function upsertDenials(tx: Queryable, licenseServerId: string, source: UsageSource, denials: readonly DenialRow[]): Promise<void> {
  for (let i = 0; i < denials.length; i += STORE_CHUNK_ROWS) {
    const chunk = denials.slice(i, i + STORE_CHUNK_ROWS);
    const rows = await rowSource(tx, chunk, 3, { table: 'staged_denials', columns: DENIAL_COLUMNS });
    await tx.query(
      `INSERT INTO usage_denials AS d (org_id, license_server_id, feature_id, user_id, host_id, denied_at, ordinal, reason, retried, source)
       SELECT ${CURRENT_ORG_SQL}, $1, t.feature_id, t.user_id, t.host_id, ${fromEpochMs('t.denied_ms')}, t.ordinal, t.reason, t.retried, $2
         FROM ${rows.source}
       ON CONFLICT (org_id, license_server_id, feature_id, user_id, host_id, denied_at, ordinal) DO UPDATE SET
         retried = d.retried OR excluded.retried
       WHERE NOT d.retried AND excluded.retried`,
      [licenseServerId, source, ...rows.params],
    );
  }
}

const SNAPSHOT_COLUMNS = [
  { name: 'feature_id', type: 'uuid', value: (s: SnapshotRow) => s.featureId },
  { name: 'taken_ms', type: 'bigint', value: (s: SnapshotRow) => s.takenAt },
  { name: 'issued', type: 'int', value: (s: SnapshotRow) => s.issued },
  { name: 'in_use', type: 'int', value: (s: SnapshotRow) => s.inUse },
  { name: 'reserved', type: 'int', value: (s: SnapshotRow) => s.reserved },
  { name: 'queued', type: 'int', value: (s: SnapshotRow) => s.queued },
] as const;

/** Stores snapshots; one per feature and instant (the same snapshot again changes nothing). */
export async function insertSnapshots(tx: Queryable, licenseServerId: string, snapshots: readonly SnapshotRow[]): Promise<void> {
  for (let i = 0; i < snapshots.length; i += STORE_CHUNK_ROWS) {
    const chunk = snapshots.slice(i, i + STORE_CHUNK_ROWS);
    const rows = await rowSource(tx, chunk, 2, { table: 'staged_snapshots', columns: SNAPSHOT_COLUMNS });
    await tx.query(
      `INSERT INTO usage_snapshots (org_id, license_server_id, feature_id, taken_at, issued, in_use, reserved, queued)
       SELECT ${CURRENT_ORG_SQL}, $1, t.feature_id, ${fromEpochMs('t.taken_ms')}, t.issued, t.in_use, t.reserved, t.queued
         FROM ${rows.source}
       ON CONFLICT (org_id, license_server_id, feature_id, taken_at) DO NOTHING`,
      [licenseServerId, ...rows.params],
    );
  }
}

/** Records an agent batch id; false when it was recorded before (a re-send). */
export async function insertIngestBatch(
  tx: Queryable,
  batch: { batchId: string; licenseServerId: string; apiKeyId: string | null; sessions: number; denials: number; snapshots: number },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO ingest_batches (org_id, batch_id, license_server_id, api_key_id, sessions, denials, snapshots)
     VALUES (${CURRENT_ORG_SQL}, $1, $2, $3, $4, $5, $6)
     ON CONFLICT (org_id, batch_id) DO NOTHING`,
    [batch.batchId, batch.licenseServerId, batch.apiKeyId, batch.sessions, batch.denials, batch.snapshots],
  );
  return rowCount === 1;
}
