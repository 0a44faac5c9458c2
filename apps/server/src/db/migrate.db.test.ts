import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import type { Database, Queryable } from './connect.ts';
import { migrate, MigrationError, readMigrations, type MigrationFile } from './migrate.ts';

let database: TestDatabase;
let files: MigrationFile[];

beforeAll(async () => {
  database = await createTestDatabase();
  files = readMigrations();
});
afterAll(async () => database?.close());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const migrationFile = (version: string, name: string, sql: string): MigrationFile => ({ version, name, sql, checksum: sha256(sql) });

class Rollback extends Error {
  constructor(readonly value: unknown) {
    super('rolled back on purpose');
  }
}

/** Runs fn in a transaction that is always rolled back, and returns what fn returned. */
async function rolledBack<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  try {
    await db.transaction(async (tx) => {
      throw new Rollback(await fn(tx));
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  throw new Error('unreachable');
}

async function appliedMigrations(): Promise<{ version: string; name: string; checksum: string }[]> {
  const { rows } = await database.owner.transaction((tx) =>
    tx.query<{ version: string; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migrations ORDER BY version'),
  );
  return rows;
}

describe('migrations', () => {
  it('records every migration file with its checksum', async () => {
    expect(files.length).toBeGreaterThan(0);
    expect(files[0]).toMatchObject({ version: '0001', name: 'platform_core' });
    expect(await appliedMigrations()).toEqual(files.map(({ version, name, checksum }) => ({ version, name, checksum })));
  });

  it('applying the migrations again is a no-op', async () => {
    const before = await appliedMigrations();
    expect(await migrate(database.owner)).toEqual([]);
    expect(await migrate(database.owner)).toEqual([]);
    expect(await appliedMigrations()).toEqual(before);
  });

  it('refuses an applied migration that was edited, naming the file', async () => {
    const edited = files.map((file, index) =>
      index === 0 ? migrationFile(file.version, file.name, `${file.sql}\n-- an innocent-looking edit\n`) : file,
    );
    const first = files[0]!;
    const attempt = migrate(database.owner, edited);
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(`Migration ${first.version}_${first.name}.sql was changed after it was applied`);
    expect((await appliedMigrations())[0]?.checksum).toBe(first.checksum);
  });

  it('refuses a database that has a migration this code does not know', async () => {
    await database.owner.transaction((tx) =>
      tx.query(`INSERT INTO schema_migrations (version, name, checksum) VALUES ('9999', 'from_the_future', 'x')`),
    );
    try {
      const attempt = migrate(database.owner);
      await expect(attempt).rejects.toBeInstanceOf(MigrationError);
      await expect(attempt).rejects.toThrow('The database has migration 9999_from_the_future, which this version of Seatwise does not know');
    } finally {
      await database.owner.transaction((tx) => tx.query(`DELETE FROM schema_migrations WHERE version = '9999'`));
    }
    // Code that lost a file it once applied is refused the same way.
    await expect(migrate(database.owner, files.slice(1))).rejects.toThrow(`${files[0]!.version}_${files[0]!.name}`);
    expect(await migrate(database.owner)).toEqual([]);
  });

  it('applies a new migration once, and a failing one not at all', async () => {
    const probe = migrationFile('9001', 'probe', 'CREATE TABLE migration_probe (id integer PRIMARY KEY);');
    const broken = migrationFile('9002', 'broken', 'CREATE TABLE migration_broken (id integer); SELECT 1 / 0;');
    try {
      expect(await migrate(database.owner, [...files, probe])).toEqual(['9001_probe']);
      expect(await migrate(database.owner, [...files, probe])).toEqual([]);
      await expect(migrate(database.owner, [...files, probe, broken])).rejects.toThrow(/division by zero/);
      expect((await appliedMigrations()).map((m) => m.version)).toEqual([...files.map((f) => f.version), '9001']);
      const { rows } = await database.owner.transaction((tx) =>
        tx.query<{ broken: string | null }>(`SELECT to_regclass('migration_broken')::text AS broken`),
      );
      expect(rows[0]?.broken).toBeNull();
    } finally {
      await database.owner.transaction(async (tx) => {
        await tx.query('DROP TABLE IF EXISTS migration_probe');
        await tx.query(`DELETE FROM schema_migrations WHERE version = '9001'`);
      });
    }
  });

  it('refuses a migration file whose name does not follow the pattern', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seatwise-migrations-'));
    try {
      writeFileSync(path.join(dir, '0001_fine.sql'), 'SELECT 1;');
      writeFileSync(path.join(dir, '2-Not Fine.sql'), 'SELECT 1;');
      expect(() => readMigrations(dir)).toThrow(/2-Not Fine\.sql must look like 0001_name\.sql/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('audit partitions', () => {
  /** The partition a row of audit_events with this time lands in (inserted by the owner, then rolled back). */
  const partitionFor = (occurredAt: string, timeZone = 'UTC') =>
    rolledBack(database.owner, async (tx) => {
      await tx.query(`SELECT set_config('TimeZone', $1, true)`, [timeZone]);
      const { rows } = await tx.query<{ partition: string }>(
        `INSERT INTO audit_events (org_id, seq, occurred_at, action, outcome, prev_hash, hash)
         VALUES (gen_random_uuid(), 1, $1::timestamptz, 'test.partition', 'success', '\\x00', '\\x00')
         RETURNING tableoid::regclass::text AS partition`,
        [occurredAt],
      );
      return rows[0]!.partition;
    });

  it('migrating created this month’s partition and the next three', async () => {
    const { rows } = await database.owner.transaction((tx) =>
      tx.query<{ name: string; exists: boolean; is_partition: boolean }>(
        `SELECT m.name, to_regclass(m.name) IS NOT NULL AS exists,
                EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = to_regclass(m.name) AND i.inhparent = 'audit_events'::regclass) AS is_partition
           FROM (SELECT 'audit_events_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => k), 'YYYY_MM') AS name
                   FROM generate_series(0, 3) AS k) m
          ORDER BY m.name`,
      ),
    );
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row, row.name).toMatchObject({ exists: true, is_partition: true });
    expect(await partitionFor(new Date().toISOString())).toBe(rows[0]!.name);
  });

  it('partitions follow UTC month boundaries, whatever the session time zone', async () => {
    await database.owner.transaction((tx) => tx.query(`SELECT seatwise_audit_ensure_partitions('2031-01-15T12:00:00Z')`));
    for (const timeZone of ['UTC', 'Pacific/Auckland', 'America/Los_Angeles']) {
      expect(await partitionFor('2031-01-01T00:00:00Z', timeZone), timeZone).toBe('audit_events_2031_01');
      expect(await partitionFor('2031-01-31T23:59:59.999Z', timeZone), timeZone).toBe('audit_events_2031_01');
      expect(await partitionFor('2031-02-01T00:00:00Z', timeZone), timeZone).toBe('audit_events_2031_02');
      expect(await partitionFor('2031-03-31T23:59:59Z', timeZone), timeZone).toBe('audit_events_2031_03');
      expect(await partitionFor('2031-04-30T23:59:59Z', timeZone), timeZone).toBe('audit_events_2031_04');
      expect(await partitionFor('2031-05-01T00:00:00Z', timeZone), timeZone).toBe('audit_events_default');
    }
  });

  it('TEN-01 a partition created later is a tenant table too', async () => {
    await database.owner.transaction((tx) => tx.query(`SELECT seatwise_audit_ensure_partitions('2032-06-01T00:00:00Z')`));
    const { rows } = await database.owner.transaction((tx) =>
      tx.query<{ rls: boolean; forced: boolean; policies: string[] }>(
        `SELECT c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
                (SELECT array_agg(polname::text ORDER BY polname) FROM pg_policy WHERE polrelid = c.oid) AS policies
           FROM pg_class c WHERE c.oid = 'audit_events_2032_06'::regclass`,
      ),
    );
    expect(rows[0]).toEqual({ rls: true, forced: true, policies: ['system_access', 'tenant_isolation'] });
  });
});
