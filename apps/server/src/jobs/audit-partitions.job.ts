import type { Logger } from 'pino';
import type { Tenancy } from '../db/tenant.ts';
import { scheduleJob } from './schedule.ts';

const TWELVE_HOURS_MS = 12 * 60 * 60 * 1000;

/**
 * Creates the coming months' audit partitions (the function runs with the owner's rights), so that a
 * server running for months never writes audit rows into the default partition.
 */
export function ensureAuditPartitions(tenancy: Tenancy, around = new Date()): Promise<void> {
  return tenancy.withSystemTx('audit partitions: create the coming months', async (tx) => {
    await tx.query('SELECT seatwise_audit_ensure_partitions($1)', [around]);
  });
}

/** Runs ensureAuditPartitions now and twice a day until stopped. */
export function scheduleAuditPartitions(tenancy: Tenancy, log: Logger): () => void {
  return scheduleJob('creating audit partitions', TWELVE_HOURS_MS, () => ensureAuditPartitions(tenancy), log);
}
