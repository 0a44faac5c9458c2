import type { ApiKeyScope } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  created_by: string;
  /** Null when the creator's account is not visible any more (no longer a member). */
  created_by_name: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const API_KEY_COLUMNS = `k.id, k.name, k.prefix, k.scopes, k.created_by, u.name AS created_by_name, k.created_at,
  k.last_used_at, k.revoked_at`;

/**
 * Which key a hash belongs to, across organisations. Run only as the system role (withSystemTx): it is the
 * one query that reads api_keys before the organisation is known, and it returns nothing else.
 */
export async function findApiKeyOrgByHash(tx: Queryable, keyHash: Buffer): Promise<{ id: string; orgId: string } | undefined> {
  const { rows } = await tx.query<{ id: string; org_id: string }>('SELECT id, org_id FROM api_keys WHERE key_hash = $1 LIMIT 1', [keyHash]);
  const row = rows[0];
  return row ? { id: row.id, orgId: row.org_id } : undefined;
}

/** What a request needs to know about the key that authenticates it, in the transaction's organisation. */
export interface ApiKeyForUse {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export async function findApiKeyForUse(tx: Queryable, id: string): Promise<ApiKeyForUse | undefined> {
  const { rows } = await tx.query<ApiKeyForUse>('SELECT id, name, prefix, scopes, last_used_at, revoked_at FROM api_keys WHERE id = $1', [id]);
  return rows[0];
}

/**
 * Records a use unless one was recorded in the last minute. A row locked by another request of the same
 * key is skipped rather than waited for: that request records the use.
 */
export async function touchApiKeyLastUsed(tx: Queryable, id: string): Promise<void> {
  await tx.query(
    `UPDATE api_keys SET last_used_at = now()
      WHERE (org_id, id) IN (SELECT org_id, id FROM api_keys
                              WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
                              FOR NO KEY UPDATE SKIP LOCKED)`,
    [id],
  );
}

export async function insertApiKey(
  tx: Queryable,
  key: { orgId: string; id: string; name: string; prefix: string; keyHash: Buffer; scopes: ApiKeyScope[]; createdBy: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO api_keys (org_id, id, name, prefix, key_hash, scopes, created_by)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7)`,
    [key.orgId, key.id, key.name, key.prefix, key.keyHash, key.scopes, key.createdBy],
  );
}

/** The organisation's keys, newest first, revoked ones included. */
export async function findApiKeys(tx: Queryable): Promise<ApiKeyRow[]> {
  const { rows } = await tx.query<ApiKeyRow>(
    `SELECT ${API_KEY_COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
      ORDER BY k.created_at DESC, k.id`,
  );
  return rows;
}

export async function findApiKey(tx: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await tx.query<ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by WHERE k.id = $1`, [id]);
  return rows[0];
}

/** Revokes a live key; returns when it was revoked, or undefined when it was not live (or not visible). */
export async function revokeApiKey(tx: Queryable, id: string, revokedBy: string): Promise<Date | undefined> {
  const { rows } = await tx.query<{ revoked_at: Date }>(
    'UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING revoked_at',
    [id, revokedBy],
  );
  return rows[0]?.revoked_at;
}
