import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenancy } from '../db/tenant.ts';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import { ensureAuditPartitions } from './audit-partitions.job.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

describe('audit partitions job', () => {
  it('AUD-01 the scheduled job, as the system role, creates the coming months and gives them the protections', async () => {
    await ensureAuditPartitions(createTenancy(database.db), new Date('2040-06-15T00:00:00Z'));
    const { rows } = await database.owner.transaction((tx) =>
      tx.query<{ name: string; forced: boolean; no_truncate: boolean }>(
        `SELECT c.relname AS name, c.relforcerowsecurity AS forced,
                EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'audit_partition_no_truncate') AS no_truncate
           FROM pg_class c WHERE c.relname LIKE 'audit_events_2040_%' AND c.relkind = 'r' ORDER BY c.relname`,
      ),
    );
    expect(rows.map((row) => row.name)).toEqual(['audit_events_2040_06', 'audit_events_2040_07', 'audit_events_2040_08', 'audit_events_2040_09']);
    for (const row of rows) expect(row, row.name).toMatchObject({ forced: true, no_truncate: true });
  });

  it('AUD-01 the application role cannot create partitions itself', async () => {
    const attempt = createTenancy(database.db).withTenantTx({ orgId: '00000000-0000-0000-0000-000000000000', userId: null }, (tx) =>
      tx.query(`SELECT seatwise_audit_ensure_partitions('2041-01-01T00:00:00Z')`),
    );
    await expect(attempt).rejects.toMatchObject({ code: '42501' });
  });
});
