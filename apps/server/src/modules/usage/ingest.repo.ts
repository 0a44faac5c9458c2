import type { Queryable } from '../../db/connect.ts';
import { CURRENT_ORG_SQL } from '../../db/tenant.ts';

/**
 * Storing usage. Every statement takes many rows at once (arrays unnested server-side), never one round trip
 * per row, and every write is an upsert on the row's natural key, so storing the same data twice changes
 * nothing.
 */

/** Rows per statement: large enough to amortise the round trip, small enough for PGlite's memory. */
export const STORE_CHUNK_ROWS = 5000;

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
    const { rows } = await tx.query<{ id: string; key: string }>(
      `SELECT id::text AS id, key FROM usage_identities WHERE org_id = ${CURRENT_ORG_SQL} AND kind = $1 AND key = ANY($2::text[])`,
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

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Stores sessions. A session stored before keeps its seats; an end learnt later (a check-in after an
 * upload that ended while it was open) closes it; an open one only ever moves its last-seen time forward.
 * Rows must be unique by key within one call (see mergeSessionRows).
 */
export async function upsertSessions(tx: Queryable, licenseServerId: string, source: UsageSource, sessions: readonly SessionRow[]): Promise<void> {
  for (let i = 0; i < sessions.length; i += STORE_CHUNK_ROWS) {
    const chunk = sessions.slice(i, i + STORE_CHUNK_ROWS);
    await tx.query(
      `INSERT INTO usage_sessions AS s (org_id, license_server_id, feature_id, user_id, host_id, started_at, ordinal,
                                        ended_at, last_seen_at, seats, closed_by, end_reason, source)
       SELECT ${CURRENT_ORG_SQL}, $1, t.feature_id, t.user_id, t.host_id, t.started_at, t.ordinal,
              t.ended_at, t.last_seen_at, t.seats, t.closed_by, t.end_reason, $2
         FROM unnest($3::uuid[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::int[], $8::timestamptz[],
                     $9::timestamptz[], $10::int[], $11::text[], $12::text[])
           AS t(feature_id, user_id, host_id, started_at, ordinal, ended_at, last_seen_at, seats, closed_by, end_reason)
       ON CONFLICT (org_id, license_server_id, feature_id, user_id, host_id, started_at, ordinal) DO UPDATE SET
         ended_at = coalesce(s.ended_at, excluded.ended_at),
         last_seen_at = CASE WHEN s.ended_at IS NOT NULL THEN s.last_seen_at
                             WHEN excluded.ended_at IS NOT NULL THEN excluded.last_seen_at
                             ELSE greatest(s.last_seen_at, excluded.last_seen_at) END,
         closed_by = CASE WHEN s.ended_at IS NOT NULL THEN s.closed_by ELSE excluded.closed_by END,
         end_reason = CASE WHEN s.ended_at IS NOT NULL THEN s.end_reason ELSE excluded.end_reason END
       WHERE s.ended_at IS NULL`,
      [
        licenseServerId,
        source,
        chunk.map((s) => s.featureId),
        chunk.map((s) => s.userId),
        chunk.map((s) => s.hostId),
        chunk.map((s) => iso(s.startedAt)),
        chunk.map((s) => s.ordinal),
        chunk.map((s) => (s.endedAt === null ? null : iso(s.endedAt))),
        chunk.map((s) => iso(s.lastSeenAt)),
        chunk.map((s) => s.seats),
        chunk.map((s) => s.closedBy),
        chunk.map((s) => s.endReason),
      ],
    );
  }
}

/** Stores denials; a denial stored before becomes "retried" when newer data shows the retry. */
export async function upsertDenials(tx: Queryable, licenseServerId: string, source: UsageSource, denials: readonly DenialRow[]): Promise<void> {
  for (let i = 0; i < denials.length; i += STORE_CHUNK_ROWS) {
    const chunk = denials.slice(i, i + STORE_CHUNK_ROWS);
    await tx.query(
      `INSERT INTO usage_denials AS d (org_id, license_server_id, feature_id, user_id, host_id, denied_at, ordinal, reason, retried, source)
       SELECT ${CURRENT_ORG_SQL}, $1, t.feature_id, t.user_id, t.host_id, t.denied_at, t.ordinal, t.reason, t.retried, $2
         FROM unnest($3::uuid[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::int[], $8::text[], $9::boolean[])
           AS t(feature_id, user_id, host_id, denied_at, ordinal, reason, retried)
       ON CONFLICT (org_id, license_server_id, feature_id, user_id, host_id, denied_at, ordinal) DO UPDATE SET
         retried = d.retried OR excluded.retried
       WHERE NOT d.retried AND excluded.retried`,
      [
        licenseServerId,
        source,
        chunk.map((d) => d.featureId),
        chunk.map((d) => d.userId),
        chunk.map((d) => d.hostId),
        chunk.map((d) => iso(d.deniedAt)),
        chunk.map((d) => d.ordinal),
        chunk.map((d) => d.reason),
        chunk.map((d) => d.retried),
      ],
    );
  }
}

/** Stores snapshots; one per feature and instant (the same snapshot again changes nothing). */
export async function insertSnapshots(tx: Queryable, licenseServerId: string, snapshots: readonly SnapshotRow[]): Promise<void> {
  for (let i = 0; i < snapshots.length; i += STORE_CHUNK_ROWS) {
    const chunk = snapshots.slice(i, i + STORE_CHUNK_ROWS);
    await tx.query(
      `INSERT INTO usage_snapshots (org_id, license_server_id, feature_id, taken_at, issued, in_use, reserved, queued)
       SELECT ${CURRENT_ORG_SQL}, $1, t.feature_id, t.taken_at, t.issued, t.in_use, t.reserved, t.queued
         FROM unnest($2::uuid[], $3::timestamptz[], $4::int[], $5::int[], $6::int[], $7::int[])
           AS t(feature_id, taken_at, issued, in_use, reserved, queued)
       ON CONFLICT (org_id, license_server_id, feature_id, taken_at) DO NOTHING`,
      [
        licenseServerId,
        chunk.map((s) => s.featureId),
        chunk.map((s) => iso(s.takenAt)),
        chunk.map((s) => s.issued),
        chunk.map((s) => s.inUse),
        chunk.map((s) => s.reserved),
        chunk.map((s) => s.queued),
      ],
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
