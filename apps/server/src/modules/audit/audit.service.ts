import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/connect.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { csvRow } from '../../lib/csv.ts';
import type { AccessService, Principal, RequestMeta } from '../access/access.service.ts';
import { appendAuditEvent, findAuditChainHead, findAuditEvents, insertAuditChainHead, type AuditFilter, type AuditRow } from './audit.repo.ts';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** What happened, to what, by whom and from where. */
export interface AuditEventInput {
  orgId: string;
  action: string;
  outcome: AuditOutcome;
  actorUserId?: string | null;
  /** A readable name for the actor (e-mail, or "system"), kept as it was at the time. */
  actorLabel?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

function genesisHash(orgId: string): Buffer {
  return createHash('sha256').update(`seatwise-audit-genesis|${orgId}`).digest();
}

/** The exact text that the chain hashes for an event; rebuilt from stored rows when verifying. */
function payloadOf(event: {
  occurredAt: Date;
  actorUserId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}): string {
  return canonicalJson([
    event.occurredAt.toISOString(),
    event.actorUserId,
    event.actorLabel,
    event.action,
    event.targetType,
    event.targetId,
    event.outcome,
    event.ip,
    event.userAgent,
    event.details,
  ]);
}

/**
 * Text exactly as the database will keep it: an unpaired surrogate becomes U+FFFD (as the UTF-8 encoder
 * would make it silently, after the payload was hashed) and NUL, which PostgreSQL text and jsonb refuse,
 * becomes U+FFFD too. Recording an event must neither fail on odd input nor store other text than it hashed.
 */
function storableText(text: string): string {
  const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
  return text.replace(unpairedSurrogate, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}

const storableOrNull = (text: string | null | undefined): string | null => (text === null || text === undefined ? null : storableText(text));

/** The details as jsonb will return them: a JSON round trip (Dates become strings) with storable text. */
function storableDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!details) return {};
  const normalise = (value: unknown): unknown => {
    if (typeof value === 'string') return storableText(value);
    if (Array.isArray(value)) return value.map(normalise);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), normalise(item)]));
    }
    return value;
  };
  return normalise(JSON.parse(JSON.stringify(details))) as Record<string, unknown>;
}

/** A stored row's event fields, as recordAudit had them. */
function fieldsOf(row: AuditRow) {
  return {
    occurredAt: row.occurred_at,
    actorUserId: row.actor_user_id,
    actorLabel: row.actor_label,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    outcome: row.outcome,
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details,
  };
}

function chainHash(prevHash: Uint8Array, seq: number, payload: string): Buffer {
  return createHash('sha256').update(prevHash).update(`${seq}|${payload}`, 'utf8').digest();
}

/**
 * Writes an audit event inside the caller's transaction, so the record commits or rolls back with the
 * change it describes. The transaction must be bound to event.orgId.
 */
export async function recordAudit(tx: Queryable, event: AuditEventInput): Promise<void> {
  const row = {
    orgId: event.orgId,
    occurredAt: new Date(),
    actorUserId: event.actorUserId ?? null,
    actorLabel: storableOrNull(event.actorLabel),
    action: storableText(event.action),
    targetType: storableOrNull(event.targetType),
    targetId: storableOrNull(event.targetId),
    outcome: event.outcome,
    ip: storableOrNull(event.ip),
    userAgent: event.userAgent ? storableText(event.userAgent.slice(0, 500)) : null,
    details: storableDetails(event.details),
  };
  const payload = payloadOf(row);
  if (await appendAuditEvent(tx, { ...row, payload })) return;
  await insertAuditChainHead(tx, event.orgId, genesisHash(event.orgId));
  if (!(await appendAuditEvent(tx, { ...row, payload }))) {
    throw new Error('audit chain head could not be created');
  }
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  reason: string | null;
}

const VERIFY_BATCH = 1000;

/**
 * Walks one organisation's chain from its oldest kept event and reports the first broken link. The
 * oldest kept event may follow events removed by retention; from there on every link must hold.
 */
export async function verifyAuditChain(tx: Queryable, orgId: string): Promise<ChainVerification> {
  let checked = 0;
  let previous: AuditRow | undefined;
  const broken = (row: { seq: number }, reason: string): ChainVerification => ({ ok: false, checked, firstBrokenSeq: row.seq, reason });
  for (;;) {
    const filter: AuditFilter = { orgId, limit: VERIFY_BATCH, order: 'asc', afterSeq: previous?.seq ?? 0 };
    const rows = await findAuditEvents(tx, filter);
    for (const row of rows) {
      if (previous) {
        // Report the first missing event, as the check against the head below does for a missing tail.
        if (row.seq !== previous.seq + 1) return broken({ seq: previous.seq + 1 }, `event ${previous.seq + 1} is missing`);
        if (!Buffer.from(row.prev_hash).equals(Buffer.from(previous.hash))) return broken(row, 'does not link to the event before it');
      } else if (row.seq === 1 && !Buffer.from(row.prev_hash).equals(genesisHash(orgId))) {
        return broken(row, 'does not start from the chain origin');
      }
      const expected = chainHash(
        row.prev_hash,
        row.seq,
        payloadOf(fieldsOf(row)),
      );
      if (!expected.equals(Buffer.from(row.hash))) return broken(row, 'its content does not match its hash');
      previous = row;
      checked += 1;
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  const head = await findAuditChainHead(tx, orgId);
  if (head && previous && (head.seq !== previous.seq || !Buffer.from(head.hash).equals(Buffer.from(previous.hash)))) {
    return { ok: false, checked, firstBrokenSeq: previous.seq + 1, reason: 'events after this one are missing' };
  }
  if (head && !previous && head.seq > 0) {
    return { ok: false, checked, firstBrokenSeq: 1, reason: 'the log has a head but no events' };
  }
  return { ok: true, checked, firstBrokenSeq: null, reason: null };
}

const presentEvent = (row: AuditRow) => ({ seq: row.seq, ...fieldsOf(row), occurredAt: row.occurred_at.toISOString() });
export type AuditEventView = ReturnType<typeof presentEvent>;

export interface AuditSearch {
  actor?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  before?: number | undefined;
  limit: number;
}

const EXPORT_COLUMNS = ['seq', 'occurredAt', 'actorUserId', 'actorLabel', 'action', 'targetType', 'targetId', 'outcome', 'ip', 'userAgent', 'details'] as const;
const EXPORT_BATCH = 1000;

export type AuditService = ReturnType<typeof createAuditService>;

/** AUD-02: Owners and Admins read, filter, export and verify their organisation's audit log. */
export function createAuditService(deps: { access: AccessService }) {
  const { access } = deps;
  const filterOf = (orgId: string, search: Omit<AuditSearch, 'limit' | 'before'>) => ({
    orgId,
    actorUserId: search.actor,
    action: search.action,
    from: search.from ? new Date(search.from) : undefined,
    to: search.to ? new Date(search.to) : undefined,
  });

  return {
    async list(principal: Principal | null, meta: RequestMeta, search: AuditSearch) {
      return access.asMember(principal, meta, 'audit:read', async (tx, actor) => {
        const rows = await findAuditEvents(tx, { ...filterOf(actor.orgId, search), beforeSeq: search.before, limit: search.limit, order: 'desc' });
        const last = rows.at(-1);
        return { events: rows.map(presentEvent), nextBefore: rows.length === search.limit && last ? last.seq : null };
      });
    },

    /** The whole filtered log as CSV (formula-safe); the export itself is audited in the same transaction. */
    async exportCsv(principal: Principal | null, meta: RequestMeta, search: Omit<AuditSearch, 'limit' | 'before'>): Promise<string> {
      return access.asMember(principal, meta, 'audit:export', async (tx, actor) => {
        const chunks: string[] = [csvRow(EXPORT_COLUMNS)];
        let afterSeq = 0;
        let rowsExported = 0;
        for (;;) {
          const rows = await findAuditEvents(tx, { ...filterOf(actor.orgId, search), afterSeq, limit: EXPORT_BATCH, order: 'asc' });
          for (const row of rows) {
            const view = presentEvent(row);
            chunks.push(csvRow(EXPORT_COLUMNS.map((column) => view[column])));
          }
          rowsExported += rows.length;
          if (rows.length < EXPORT_BATCH) break;
          afterSeq = rows.at(-1)!.seq;
        }
        await recordAudit(tx, {
          orgId: actor.orgId,
          actorUserId: actor.userId,
          actorLabel: actor.email,
          ip: actor.ip,
          userAgent: actor.userAgent,
          action: 'audit.export',
          outcome: 'success',
          targetType: 'audit_log',
          details: { format: 'csv', rows: rowsExported, filter: { ...search } },
        });
        return chunks.join('');
      });
    },

    async verify(principal: Principal | null, meta: RequestMeta): Promise<ChainVerification> {
      return access.asMember(principal, meta, 'audit:read', (tx, actor) => verifyAuditChain(tx, actor.orgId));
    },
  };
}
