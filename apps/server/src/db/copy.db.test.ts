import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import { copyText } from './connect.ts';
import { APP_ROLE } from './tenant.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

class Rollback extends Error {}

const COLUMNS = ['id', 'name', 'at', 'n', 'flag'];
const line = (values: (string | number | boolean | null)[]) => values.map(copyText).join('\t') + '\n';

describe('Queryable.copyFrom', () => {
  it('loads rows in COPY text format into a temporary table, as the application role, with nulls and escapes intact', async () => {
    const awkward = 'tab\there, new\nline, back\\slash, cr\r, \\N literally, ünïcødé';
    const text =
      line([1, 'plain', '2024-03-01T10:00:00.000Z', 42, true]) +
      line([2, awkward, null, null, false]) +
      line([3, '', '2024-03-01T10:00:00.000+02:00', -1, null]);
    const rows = await database.db
      .transaction(async (tx) => {
        await tx.query(`SELECT set_config('role', $1, true)`, [APP_ROLE]);
        await tx.query('CREATE TEMP TABLE copy_probe (id int PRIMARY KEY, name text, at timestamptz, n bigint, flag boolean) ON COMMIT DROP');
        expect(await tx.copyFrom('copy_probe', COLUMNS, text)).toBe(3);
        // Statements go on normally after a COPY on the same connection.
        expect(await tx.copyFrom('copy_probe', COLUMNS, '')).toBe(0);
        const { rows } = await tx.query<{ id: number; name: string; at: string | null; n: number | null; flag: boolean | null }>(
          `SELECT id, name, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS at, n, flag FROM copy_probe ORDER BY id`,
        );
        throw Object.assign(new Rollback(), { rows });
      })
      .catch((error: unknown) => {
        if (error instanceof Rollback) return (error as Rollback & { rows: unknown[] }).rows;
        throw error;
      });
    expect(rows).toEqual([
      { id: 1, name: 'plain', at: '2024-03-01 10:00', n: 42, flag: true },
      { id: 2, name: awkward, at: null, n: null, flag: false },
      { id: 3, name: '', at: '2024-03-01 08:00', n: -1, flag: null },
    ]);
  });

  it('COPYs and statements sent at once in one transaction run one after the other, whole', async () => {
    const counts = await database.db
      .transaction(async (tx) => {
        await tx.query('CREATE TEMP TABLE copy_queue (n int) ON COMMIT DROP');
        const numbers = (from: number) => Array.from({ length: 1000 }, (_, i) => `${from + i}\n`).join('');
        const [first, count, second] = await Promise.all([
          tx.copyFrom('copy_queue', ['n'], numbers(0)),
          tx.query<{ count: number }>('SELECT count(*)::int AS count FROM copy_queue'),
          tx.copyFrom('copy_queue', ['n'], numbers(1000)),
        ]);
        const total = await tx.query<{ count: number; distinct: number }>('SELECT count(*)::int AS count, count(DISTINCT n)::int AS distinct FROM copy_queue');
        throw Object.assign(new Rollback(), { rows: [first, count.rows[0]!.count, second, total.rows[0]] });
      })
      .catch((error: unknown) => {
        if (error instanceof Rollback) return (error as Rollback & { rows: unknown[] }).rows;
        throw error;
      });
    expect(counts).toEqual([1000, 1000, 1000, { count: 2000, distinct: 2000 }]);
  });

  it('TEN-01 the application role cannot COPY into a tenant table (row-level security refuses it on both engines)', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('role', $1, true)`, [APP_ROLE]);
        await tx.copyFrom('license_servers', ['org_id', 'id', 'name', 'time_zone'], `${crypto.randomUUID()}\t${crypto.randomUUID()}\tx\tUTC\n`);
      }),
    ).rejects.toThrow(/row-level security/);
  });

  it('a COPY that fails (a duplicate key) throws, and the transaction rolls back with nothing loaded', async () => {
    await database.owner.transaction((tx) => tx.query('CREATE TABLE IF NOT EXISTS copy_probe_kept (id int PRIMARY KEY)'));
    try {
      await expect(
        database.owner.transaction(async (tx) => {
          await tx.copyFrom('copy_probe_kept', ['id'], '1\n2\n');
          await tx.copyFrom('copy_probe_kept', ['id'], '3\n1\n');
        }),
      ).rejects.toThrow(/duplicate key/);
      // The connection is still usable, and the first COPY was undone with the rest.
      const { rows } = await database.owner.transaction((tx) => tx.query<{ count: number }>('SELECT count(*)::int AS count FROM copy_probe_kept'));
      expect(rows[0]!.count).toBe(0);
    } finally {
      await database.owner.transaction((tx) => tx.query('DROP TABLE copy_probe_kept'));
    }
  });
});

describe('copyText', () => {
  it('escapes what COPY text format treats specially and leaves everything else alone', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText(12)).toBe('12');
    expect(copyText(false)).toBe('false');
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('José Müller')).toBe('José Müller');
  });
});
