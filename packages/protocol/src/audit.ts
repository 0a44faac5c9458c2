import { z } from 'zod';
import { IsoDateTime, Uuid } from './common.ts';

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;

export const AuditEvent = z.object({
  seq: z.number().int(),
  occurredAt: IsoDateTime,
  actorUserId: Uuid.nullable(),
  actorLabel: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.strictObject({
  actor: Uuid.optional(),
  action: z.string().trim().min(1).max(100).regex(/^[a-z_.]+$/, 'may contain only a-z, _ and .').optional(),
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
  /** Events with a sequence number below this one (for paging backwards in time). */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z.object({ events: z.array(AuditEvent), nextBefore: z.number().int().nullable() });

export const AuditVerifyResponse = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBrokenSeq: z.number().int().nullable(),
  reason: z.string().nullable(),
});
