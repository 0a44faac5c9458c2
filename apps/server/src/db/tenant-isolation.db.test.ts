// Organisation B, running as the application role exactly as the server does, must not read, change, delete
// or create organisation A's rows, in any tenant table. The list of tables comes from the catalog, so a new
// tenant table fails here until it has a fixture row builder below.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import type { Queryable } from './connect.ts';
import { APP_ROLE, createTenancy, type Tenancy } from './tenant.ts';

/** Same list, same reason as in tenancy-catalog.db.test.ts: tables whose org_id is not a tenant key. */
const NOT_TENANT_TABLES = new Set<string>([]);

let auditSeq = 1000;

/**
 * Inserts one valid row belonging to `orgId`. Fixtures are written as the system role (the application
 * role may not create organisations or accounts); the refusals below run the same builders as the
 * application role.
 */
type RowBuilder = (tx: Queryable, orgId: string) => Promise<unknown>;

/** Accounts are global; memberships point at one made beforehand by account work. */
const people: string[] = [];
async function createPerson(tx: Queryable): Promise<void> {
  const id = randomUUID();
  await tx.query('INSERT INTO users (id, email, name) VALUES ($1, $2, $3)', [id, `person.${id}@example.test`, 'Test person']);
  people.push(id);
}

/** One builder per tenant table, in dependency order (organizations first). */
const ROW_BUILDERS: Record<string, RowBuilder> = {
  organizations: (tx, orgId) => tx.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Isolation test')`, [orgId]),
  memberships: async (tx, orgId) =>
    tx.query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'viewer')`, [orgId, people[0]]),
  invitations: (tx, orgId) =>
    tx.query(
      `INSERT INTO invitations (org_id, id, email, role, token_hash, expires_at)
       VALUES ($1, $2, $3, 'viewer', $4, now() + interval '7 days')`,
      [orgId, randomUUID(), `invitee.${randomUUID()}@example.test`, randomBytes(32)],
    ),
  audit_chain_heads: (tx, orgId) => tx.query('INSERT INTO audit_chain_heads (org_id, seq, hash) VALUES ($1, 0, $2)', [orgId, randomBytes(32)]),
  // Through the parent: the row lands in the current month's partition.
  audit_events: (tx, orgId) =>
    tx.query(
      `INSERT INTO audit_events (org_id, seq, occurred_at, action, outcome, prev_hash, hash)
       VALUES ($1, $2, now(), 'test.isolation', 'success', $3, $4)`,
      [orgId, auditSeq++, randomBytes(32), randomBytes(32)],
    ),
  api_keys: (tx, orgId) =>
    tx.query(
      `INSERT INTO api_keys (org_id, id, name, prefix, key_hash, scopes, created_by)
       VALUES ($1, $2, 'Isolation test', 'swk_AAAAAAAA', $3, '{ingest}', $4)`,
      [orgId, randomUUID(), randomBytes(32), people[0]],
    ),
  license_servers: (tx, orgId) =>
    tx.query(`INSERT INTO license_servers (org_id, id, name, time_zone) VALUES ($1, $2, $3, 'UTC')`, [
      orgId,
      usageParent(orgId).serverId,
      `server-${randomUUID()}`,
    ]),
  features: (tx, orgId) =>
    tx.query(`INSERT INTO features (org_id, id, vendor, name) VALUES ($1, $2, 'MLM', $3)`, [orgId, usageParent(orgId).featureId, `F${randomUUID()}`]),
  usage_identities: (tx, orgId) =>
    tx.query(`INSERT INTO usage_identities (org_id, kind, key, display) VALUES ($1, 'user', $2, $2) RETURNING id`, [orgId, `u${randomUUID()}`]).then(
      (result) => {
        usageParent(orgId).identityId = (result.rows[0] as { id: string }).id;
      },
    ),
  usage_sessions: (tx, orgId) => {
    const p = usageParent(orgId);
    return tx.query(
      `INSERT INTO usage_sessions (org_id, license_server_id, feature_id, user_id, host_id, started_at, ordinal, last_seen_at, seats, source)
       VALUES ($1, $2, $3, $4, $4, now(), $5, now(), 1, 'upload')`,
      [orgId, p.serverId, p.featureId, p.identityId, auditSeq++],
    );
  },
  usage_denials: (tx, orgId) => {
    const p = usageParent(orgId);
    return tx.query(
      `INSERT INTO usage_denials (org_id, license_server_id, feature_id, user_id, host_id, denied_at, ordinal, retried, source)
       VALUES ($1, $2, $3, $4, $4, now(), $5, false, 'upload')`,
      [orgId, p.serverId, p.featureId, p.identityId, auditSeq++],
    );
  },
  usage_snapshots: (tx, orgId) => {
    const p = usageParent(orgId);
    return tx.query(
      `INSERT INTO usage_snapshots (org_id, license_server_id, feature_id, taken_at, issued, in_use)
       VALUES ($1, $2, $3, now() - make_interval(secs => $4), 10, 3)`,
      [orgId, p.serverId, p.featureId, auditSeq++],
    );
  },
  usage_hourly: (tx, orgId) =>
    tx.query(
      `INSERT INTO usage_hourly (org_id, feature_id, license_server_id, hour, peak, seat_ms, denials, retried_denials)
       VALUES ($1, $2, $3, date_trunc('hour', now()) - make_interval(hours => $4), 1, 1000, 0, 0)`,
      [orgId, usageParent(orgId).featureId, usageParent(orgId).serverId, auditSeq++],
    ),
  usage_daily: (tx, orgId) =>
    tx.query(
      `INSERT INTO usage_daily (org_id, feature_id, license_server_id, day, users, peak, seat_ms, denials, retried_denials)
       VALUES ($1, $2, $3, current_date - $4::int, 1, 1, 1000, 0, 0)`,
      [orgId, usageParent(orgId).featureId, usageParent(orgId).serverId, auditSeq++],
    ),
  usage_person_daily: (tx, orgId) =>
    tx.query(
      `INSERT INTO usage_person_daily (org_id, feature_id, user_id, day, seat_ms, sessions, idle_checkins, last_used_at)
       VALUES ($1, $2, $3, current_date - $4::int, 1000, 1, 0, now())`,
      [orgId, usageParent(orgId).featureId, usageParent(orgId).identityId, auditSeq++],
    ),
  usage_person_monthly: (tx, orgId) =>
    tx.query(
      `INSERT INTO usage_person_monthly (org_id, feature_id, user_id, month, seat_ms, sessions, idle_checkins, last_used_at)
       VALUES ($1, $2, $3, date_trunc('month', now())::date - make_interval(months => $4), 1000, 1, 0, now())`,
      [orgId, usageParent(orgId).featureId, usageParent(orgId).identityId, auditSeq++],
    ),
  ingest_batches: (tx, orgId) =>
    tx.query(`INSERT INTO ingest_batches (org_id, batch_id, license_server_id, sessions, denials, snapshots) VALUES ($1, $2, $3, 0, 0, 0)`, [
      orgId,
      randomUUID(),
      usageParent(orgId).serverId,
    ]),
  usage_uploads: (tx, orgId) =>
    tx.query(`INSERT INTO usage_uploads (org_id, id, license_server_id, file_name, status) VALUES ($1, $2, $3, 'lmgrd.log', 'running')`, [
      orgId,
      randomUUID(),
      usageParent(orgId).serverId,
    ]),
};

/** Usage rows point at a license server, a feature and an identity of the same organisation, made first. */
const usageParents = new Map<string, { serverId: string; featureId: string; identityId: string }>();
function usageParent(orgId: string) {
  let parent = usageParents.get(orgId);
  if (!parent) {
    parent = { serverId: randomUUID(), featureId: randomUUID(), identityId: '0' };
    usageParents.set(orgId, parent);
  }
  return parent;
}

interface TenantTable {
  table: string;
  key: string;
  partitions: string[];
  canInsert: boolean;
  canUpdate: boolean;
  canDelete: boolean;
}

let database: TestDatabase;
let tenancy: Tenancy;
let tables: TenantTable[];
const orgA = randomUUID();
const orgB = randomUUID();

/** What the owner (who is not bound by the policies) counts of one organisation's rows. */
async function ownerCount(table: string, key: string, orgId: string): Promise<number> {
  const { rows } = await database.owner.transaction((tx) =>
    tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${key} = $1`, [orgId]),
  );
  return rows[0]!.n;
}

/** Runs fn as organisation B and returns its result, or the database error it raised. */
async function asB<T>(fn: (tx: Queryable) => Promise<T>): Promise<{ value?: T; error?: { code?: string; message: string } }> {
  try {
    return { value: await tenancy.withTenantTx({ orgId: orgB, userId: null }, fn) };
  } catch (error) {
    return { error: error as { code?: string; message: string } };
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  tenancy = createTenancy(database.db);
  tables = (
    await database.owner.transaction((tx) =>
      tx.query<TenantTable>(
        `SELECT c.relname AS table, a.attname AS key,
                coalesce((SELECT array_agg(p.relname::text ORDER BY p.relname) FROM pg_inherits i
                            JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid), '{}') AS partitions,
                has_table_privilege($1::name, c.oid, 'INSERT') AS "canInsert",
                has_table_privilege($1::name, c.oid, 'UPDATE') AS "canUpdate",
                has_table_privilege($1::name, c.oid, 'DELETE') AS "canDelete"
           FROM pg_class c
           JOIN pg_attribute a ON a.attrelid = c.oid AND NOT a.attisdropped
                              AND a.attname = CASE WHEN c.relname = 'organizations' THEN 'id' ELSE 'org_id' END
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          ORDER BY c.relname`,
        [APP_ROLE],
      ),
    )
  ).rows.filter((t) => !NOT_TENANT_TABLES.has(t.table));

  // Both organisations get one row in every table that has a builder.
  await tenancy.withSystemTx('test fixtures', async (tx) => {
    await createPerson(tx);
    for (const orgId of [orgA, orgB]) {
      for (const [table, build] of Object.entries(ROW_BUILDERS)) {
        if (tables.some((t) => t.table === table)) await build(tx, orgId);
      }
    }
  });
});
afterAll(async () => database?.close());

describe('tenant isolation, table by table', () => {
  it('TEN-01 every tenant table in the catalog has a fixture row builder', () => {
    expect(tables.map((t) => t.table)).toEqual(expect.arrayContaining(['organizations', 'memberships', 'invitations', 'audit_chain_heads', 'audit_events']));
    const missing = tables.map((t) => t.table).filter((table) => !(table in ROW_BUILDERS));
    expect(missing, 'add a row builder to ROW_BUILDERS for each new tenant table').toEqual([]);
  });

  it('TEN-01 each organisation sees its own rows (the fixtures are real)', async () => {
    for (const t of tables) {
      expect(await ownerCount(t.table, t.key, orgA), t.table).toBeGreaterThan(0);
      const own = await tenancy.withTenantTx({ orgId: orgA, userId: null }, (tx) =>
        tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t.table} WHERE ${t.key} = $1`, [orgA]),
      );
      expect(own.rows[0]!.n, t.table).toBe(await ownerCount(t.table, t.key, orgA));
    }
  });

  it('TEN-01 organisation B cannot read organisation A’s rows in any tenant table', async () => {
    for (const t of tables) {
      const result = await asB(async (tx) => ({
        byKey: (await tx.query(`SELECT * FROM ${t.table} WHERE ${t.key} = $1`, [orgA])).rows.length,
        foreign: (await tx.query(`SELECT * FROM ${t.table} WHERE ${t.key} IS DISTINCT FROM $1`, [orgB])).rows.length,
        own: (await tx.query(`SELECT * FROM ${t.table} WHERE ${t.key} = $1`, [orgB])).rows.length,
      }));
      expect(result.error, t.table).toBeUndefined();
      expect(result.value, t.table).toEqual({ byKey: 0, foreign: 0, own: await ownerCount(t.table, t.key, orgB) });
    }
  });

  it('TEN-01 organisation B cannot read organisation A’s rows through a partition either', async () => {
    const partitions = tables.flatMap((t) => t.partitions.map((partition) => ({ ...t, partition })));
    expect(partitions.length).toBeGreaterThan(0);
    for (const p of partitions) {
      const result = await asB((tx) => tx.query(`SELECT * FROM ${p.partition} WHERE ${p.key} = $1`, [orgA]));
      // Refused outright (no privilege on the partition) or filtered by its own policy: either way, nothing.
      if (result.error) expect(result.error.code, p.partition).toBe('42501');
      else expect(result.value?.rows, p.partition).toEqual([]);
    }
  });

  it('TEN-01 organisation B cannot change organisation A’s rows in any tenant table', async () => {
    for (const t of tables) {
      const before = await ownerCount(t.table, t.key, orgA);
      const result = await asB((tx) => tx.query(`UPDATE ${t.table} SET ${t.key} = ${t.key} WHERE ${t.key} = $1`, [orgA]));
      if (t.canUpdate) {
        expect(result.error, t.table).toBeUndefined();
        expect(result.value?.rowCount, t.table).toBe(0);
      } else {
        expect(result.error?.code, t.table).toBe('42501');
      }
      expect(await ownerCount(t.table, t.key, orgA), t.table).toBe(before);
    }
  });

  it('TEN-01 organisation B cannot move its own rows into organisation A', async () => {
    for (const t of tables.filter((table) => table.canUpdate)) {
      const result = await asB((tx) => tx.query(`UPDATE ${t.table} SET ${t.key} = $1 WHERE ${t.key} = $2`, [orgA, orgB]));
      expect(result.error?.code, t.table).toBe('42501');
      expect(result.error?.message, t.table).toMatch(/row-level security/);
    }
  });

  it('TEN-01 organisation B cannot delete organisation A’s rows in any tenant table', async () => {
    for (const t of tables) {
      const before = await ownerCount(t.table, t.key, orgA);
      const result = await asB((tx) => tx.query(`DELETE FROM ${t.table} WHERE ${t.key} = $1`, [orgA]));
      if (t.canDelete) {
        expect(result.error, t.table).toBeUndefined();
        expect(result.value?.rowCount, t.table).toBe(0);
      } else {
        // No DELETE privilege at all (the audit log is append-only; the rest is soft-deleted).
        expect(result.error?.code, t.table).toBe('42501');
      }
      expect(await ownerCount(t.table, t.key, orgA), t.table).toBe(before);
    }
  });

  it('TEN-01 organisation B cannot insert a row for organisation A in any tenant table', async () => {
    for (const t of tables) {
      const build = ROW_BUILDERS[t.table];
      if (!build) continue; // reported by the fixture test above
      const before = await ownerCount(t.table, t.key, orgA);
      const result = await asB((tx) => build(tx, orgA));
      expect(result.error?.code, t.table).toBe('42501');
      // Where the application role may insert at all, the policy is what refuses.
      expect(result.error?.message, t.table).toMatch(t.canInsert ? /row-level security/ : /permission denied/);
      expect(await ownerCount(t.table, t.key, orgA), t.table).toBe(before);
    }
  });

  it('TEN-01 a transaction without a tenant context sees no rows and can write none', async () => {
    // A tenant transaction first, so that a leftover setting on the same connection would show up below.
    await tenancy.withTenantTx({ orgId: orgA, userId: null }, (tx) => tx.query('SELECT 1'));
    for (const t of tables) {
      const seen = await database.db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('role', $1, true)`, [APP_ROLE]);
        const setting = (await tx.query<{ org: string | null }>(`SELECT current_setting('app.org_id', true) AS org`)).rows[0]!.org;
        return { setting: setting ?? '', rows: (await tx.query(`SELECT * FROM ${t.table}`)).rows.length };
      });
      expect(seen, t.table).toEqual({ setting: '', rows: 0 });

      const build = ROW_BUILDERS[t.table];
      if (!build) continue;
      const write = database.db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('role', $1, true)`, [APP_ROLE]);
        await build(tx, randomUUID());
      });
      await expect(write, t.table).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(t.canInsert ? /row-level security/ : /permission denied/),
      });
    }
  });
});
