import { z } from 'zod';
import { IsoDateTime, PlainText, Uuid } from './common.ts';

/**
 * What the on-prem agent sends: usage already parsed and paired on the license server, in batches. The
 * server stores each item under a natural key, so a batch sent twice (or an overlapping upload) never
 * counts twice.
 */

/** Most items of each kind in one batch; the agent splits larger backlogs. */
export const MAX_BATCH_ITEMS = 5000;

/** An IANA time zone name such as Europe/Madrid (checked against the runtime's zone database). */
export const TimeZoneName = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Madrid');

const Name = (max: number) => PlainText(max);
/** Host names may be empty when a log does not say. */
const HostName = z.string().trim().max(256);

/** The license server a batch comes from; created on first sight, matched by name afterwards. */
export const IngestLicenseServer = z.strictObject({
  /** Stable name chosen in the agent's config, e.g. "27000@flex1". */
  name: Name(200),
  host: HostName,
  port: z.number().int().min(1).max(65535).nullable().default(null),
  timeZone: TimeZoneName,
});
export type IngestLicenseServer = z.infer<typeof IngestLicenseServer>;

export const SESSION_CLOSED_BY = ['checkin', 'restart', 'end-of-input', 'snapshot'] as const;

/**
 * One check-out. `ordinal` tells apart identical check-outs (same feature, user, host, second): the n-th
 * of them, counted from 0 in log order, so the same log lines always give the same keys.
 */
export const IngestSession = z.strictObject({
  vendor: Name(64),
  feature: Name(200),
  user: Name(256),
  host: HostName,
  start: IsoDateTime,
  ordinal: z.number().int().min(0).max(100_000).default(0),
  /** Null while the check-out is still open. */
  end: IsoDateTime.nullable(),
  seats: z.number().int().min(1).max(1_000_000),
  closedBy: z.enum(SESSION_CLOSED_BY).nullable().default(null),
  /** The check-in's qualifier as logged (FlexLM INACTIVE = idle timeout, SHUTDOWN …). */
  endReason: z.string().max(100).nullable().default(null),
});
export type IngestSession = z.infer<typeof IngestSession>;

export const IngestDenial = z.strictObject({
  vendor: Name(64),
  feature: Name(200),
  user: Name(256),
  host: HostName,
  at: IsoDateTime,
  ordinal: z.number().int().min(0).max(100_000).default(0),
  /** Reason as logged (e.g. "Licensed number of users already reached. (-4,342)"). */
  reason: z.string().max(500).nullable().default(null),
  /** A check-out of the same feature by the same user followed within the retry window. */
  retried: z.boolean(),
});
export type IngestDenial = z.infer<typeof IngestDenial>;

/** Totals a status command reported for one feature at one instant. */
export const IngestSnapshot = z.strictObject({
  vendor: Name(64),
  feature: Name(200),
  at: IsoDateTime,
  issued: z.number().int().min(0).max(10_000_000),
  inUse: z.number().int().min(0).max(10_000_000),
  reserved: z.number().int().min(0).max(10_000_000).nullable().default(null),
  queued: z.number().int().min(0).max(10_000_000).nullable().default(null),
});
export type IngestSnapshot = z.infer<typeof IngestSnapshot>;

export const AgentBatch = z.strictObject({
  /** Chosen by the agent when it first spools the batch; the same id on a re-send marks a duplicate. */
  batchId: Uuid,
  agent: z.strictObject({ version: Name(40), hostname: Name(256) }),
  licenseServer: IngestLicenseServer,
  sessions: z.array(IngestSession).max(MAX_BATCH_ITEMS).default([]),
  denials: z.array(IngestDenial).max(MAX_BATCH_ITEMS).default([]),
  snapshots: z.array(IngestSnapshot).max(MAX_BATCH_ITEMS).default([]),
});
export type AgentBatch = z.input<typeof AgentBatch>;
/** A batch as the server receives it, defaults filled in. */
export type ReceivedAgentBatch = z.output<typeof AgentBatch>;

export const AgentBatchResult = z.object({
  batchId: Uuid,
  /** True when this batch id was stored before: nothing was changed. */
  duplicate: z.boolean(),
  sessions: z.number().int(),
  denials: z.number().int(),
  snapshots: z.number().int(),
});
export type AgentBatchResult = z.infer<typeof AgentBatchResult>;
