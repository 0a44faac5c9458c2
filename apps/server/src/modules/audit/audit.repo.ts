import type { Queryable } from '../../db/connect.ts';

export interface AuditRow {
  org_id: string;
  seq: number;
  occurred_at: Date;
  actor_user_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

export interface NewAuditRow {
  orgId: string;
  occurredAt: Date;
  actorUserId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: 'success' | 'failure' | 'denied';
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  /** Canonical text of the fields above; the chain hashes it with the sequence number and previous hash. */
  payload: string;
}

/**
 * Appends one event to its organisation's chain in a single statement: the head row is locked, advanced
 * and hashed (sha256(prev_hash || seq || '|' || payload)) and the event inserted with the same values.
 * Returns false when the organisation has no chain head yet.
 */
export async function appendAuditEvent(tx: Queryable, row: NewAuditRow): Promise<boolean> {
  const result = await tx.query(
    `WITH prev AS (
       SELECT seq, hash FROM audit_chain_heads WHERE org_id = $1 FOR UPDATE
     ), head AS (
       UPDATE audit_chain_heads h
          SET seq = prev.seq + 1,
              hash = sha256(prev.hash || convert_to((prev.seq + 1)::text || '|' || $2, 'UTF8'))
         FROM prev
        WHERE h.org_id = $1
       RETURNING h.seq, h.hash, prev.hash AS prev_hash
     )
     INSERT INTO audit_events (org_id, seq, occurred_at, actor_user_id, actor_label, action, target_type, target_id,
                               outcome, ip, user_agent, details, prev_hash, hash)
     SELECT $1, head.seq, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, head.prev_hash, head.hash FROM head`,
    [
      row.orgId,
      row.payload,
      row.occurredAt,
      row.actorUserId,
      row.actorLabel,
      row.action,
      row.targetType,
      row.targetId,
      row.outcome,
      row.ip,
      row.userAgent,
      JSON.stringify(row.details),
    ],
  );
  return result.rowCount === 1;
}

/** Starts an organisation's chain; a no-op when it exists. */
export async function insertAuditChainHead(tx: Queryable, orgId: string, genesis: Uint8Array): Promise<void> {
  await tx.query('INSERT INTO audit_chain_heads (org_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (org_id) DO NOTHING', [
    orgId,
    genesis,
  ]);
}

export async function findAuditChainHead(tx: Queryable, orgId: string): Promise<{ seq: number; hash: Uint8Array } | undefined> {
  const { rows } = await tx.query<{ seq: number; hash: Uint8Array }>('SELECT seq, hash FROM audit_chain_heads WHERE org_id = $1', [orgId]);
  return rows[0];
}

export interface AuditFilter {
  orgId: string;
  actorUserId?: string | undefined;
  /** An action ("member.role_change") or a family of them ("member"); matched literally, never as a pattern. */
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  beforeSeq?: number | undefined;
  afterSeq?: number | undefined;
  limit: number;
  order: 'asc' | 'desc';
}

/** Events of one organisation matching the filter, by sequence number. */
export async function findAuditEvents(tx: Queryable, filter: AuditFilter): Promise<AuditRow[]> {
  const { rows } = await tx.query<AuditRow>(
    `SELECT org_id, seq, occurred_at, actor_user_id, actor_label, action, target_type, target_id, outcome, ip,
            user_agent, details, prev_hash, hash
       FROM audit_events
      WHERE org_id = $1
        AND ($2::uuid IS NULL OR actor_user_id = $2)
        AND ($3::text IS NULL OR action = $3 OR starts_with(action, $3 || '.'))
        AND ($4::timestamptz IS NULL OR occurred_at >= $4)
        AND ($5::timestamptz IS NULL OR occurred_at < $5)
        AND ($6::bigint IS NULL OR seq < $6)
        AND ($7::bigint IS NULL OR seq > $7)
      ORDER BY seq ${filter.order === 'asc' ? 'ASC' : 'DESC'}
      LIMIT $8`,
    [
      filter.orgId,
      filter.actorUserId ?? null,
      filter.action ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.beforeSeq ?? null,
      filter.afterSeq ?? null,
      filter.limit,
    ],
  );
  return rows;
}
