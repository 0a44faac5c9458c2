// Reads the catalog, not the migration files: whatever a migration does, the schema the server actually runs
// on must keep the tenancy rules of ARCHITECTURE.md. New tables are covered without touching this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import { APP_ROLE, SYSTEM_ROLE } from './tenant.ts';

/**
 * Tables with an `org_id` column that are not tenant tables, with the reason. Every entry is a known gap to
 * close, not a place to park new tables: the test below fails once an entry is stale (the table lost its
 * org_id column, or became a proper tenant table), so that it is removed.
 */
const NOT_TENANT_TABLES: Record<string, string> = {};

/** The tenant key column of a table: `id` for the tenant root, `org_id` everywhere else. */
const tenantKey = (table: string) => (table === 'organizations' ? 'id' : 'org_id');

interface TableFacts {
  table: string;
  kind: string;
  is_partition: boolean;
  rls: boolean;
  forced: boolean;
  key_not_null: boolean;
}

interface PolicyFacts {
  table: string;
  name: string;
  permissive: string;
  roles: string[];
  cmd: string;
  qual: string | null;
  with_check: string | null;
}

let database: TestDatabase;
let tables: TableFacts[];
let policies: PolicyFacts[];
/** The tenant predicate as this server prints it, per key column. */
let expectedPredicate: Record<'org_id' | 'id', string>;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.owner.transaction(async (tx) => {
    tables = (
      await tx.query<TableFacts>(
        `SELECT c.relname AS table, c.relkind::text AS kind, c.relispartition AS is_partition,
                c.relrowsecurity AS rls, c.relforcerowsecurity AS forced, a.attnotnull AS key_not_null
           FROM pg_class c
           JOIN pg_attribute a ON a.attrelid = c.oid AND NOT a.attisdropped
                              AND a.attname = CASE WHEN c.relname = 'organizations' THEN 'id' ELSE 'org_id' END
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          ORDER BY c.relname`,
      )
    ).rows;
    policies = (
      await tx.query<PolicyFacts>(
        `SELECT tablename AS table, policyname AS name, permissive, roles::text[] AS roles, cmd, qual, with_check
           FROM pg_policies WHERE schemaname = 'public' ORDER BY tablename, policyname`,
      )
    ).rows;
    // Let the server print the expected expression, so that the comparison does not depend on how a given
    // PostgreSQL version parenthesises or casts it.
    await tx.query('CREATE TEMP TABLE tenancy_probe (id uuid, org_id uuid) ON COMMIT DROP');
    const predicate: Record<string, string> = {};
    for (const column of ['org_id', 'id'] as const) {
      await tx.query(
        `CREATE POLICY probe_${column} ON tenancy_probe USING (${column} = nullif(current_setting('app.org_id', true), '')::uuid)`,
      );
      const { rows } = await tx.query<{ qual: string }>(
        `SELECT pg_get_expr(polqual, polrelid) AS qual FROM pg_policy WHERE polname = $1 AND polrelid = 'tenancy_probe'::regclass`,
        [`probe_${column}`],
      );
      predicate[column] = rows[0]!.qual;
    }
    expectedPredicate = predicate as Record<'org_id' | 'id', string>;
  });
});
afterAll(async () => database?.close());

/** Every table (partitions included) that holds tenant rows. */
function tenantTables(): TableFacts[] {
  return tables.filter((t) => !(t.table in NOT_TENANT_TABLES));
}

describe('tenancy in the catalog', () => {
  it('sees the tenant tables of the platform core, partitions included', () => {
    const names = tenantTables().map((t) => t.table);
    for (const table of ['organizations', 'memberships', 'invitations', 'audit_chain_heads', 'audit_events', 'audit_events_default']) {
      expect(names).toContain(table);
    }
    expect(tenantTables().filter((t) => t.is_partition).length).toBeGreaterThanOrEqual(2);
    // The expected predicate really is the tenant comparison (guards the probe above).
    expect(expectedPredicate.org_id).toMatch(/org_id = .*nullif\(current_setting\('app\.org_id'/i);
  });

  it('keeps its list of known exceptions current', () => {
    for (const [table, reason] of Object.entries(NOT_TENANT_TABLES)) {
      const facts = tables.find((t) => t.table === table);
      expect(facts, `${table} (${reason}) no longer has an org_id column: remove it from NOT_TENANT_TABLES`).toBeDefined();
      expect(facts?.rls, `${table} now has row-level security: remove it from NOT_TENANT_TABLES`).toBe(false);
    }
  });

  it('TEN-01 every table with org_id has forced row-level security and the tenant policy', () => {
    const problems: string[] = [];
    for (const t of tenantTables()) {
      const key = tenantKey(t.table);
      if (!t.rls) problems.push(`${t.table}: row-level security is not enabled`);
      if (!t.forced) problems.push(`${t.table}: row-level security is not forced`);
      if (!t.key_not_null) problems.push(`${t.table}: ${key} is nullable`);
      const own = policies.filter((p) => p.table === t.table);
      const tenant = own.find((p) => p.name === 'tenant_isolation');
      if (!tenant) {
        problems.push(`${t.table}: no tenant_isolation policy`);
      } else {
        const expected = expectedPredicate[key];
        if (tenant.permissive !== 'PERMISSIVE' || tenant.cmd !== 'ALL') {
          problems.push(`${t.table}: tenant_isolation is ${tenant.permissive} for ${tenant.cmd}, expected PERMISSIVE for ALL`);
        }
        if (tenant.roles.length !== 1 || tenant.roles[0] !== APP_ROLE) {
          problems.push(`${t.table}: tenant_isolation applies to ${tenant.roles.join(', ')}, expected ${APP_ROLE} only`);
        }
        if (tenant.qual !== expected) problems.push(`${t.table}: tenant_isolation USING is ${tenant.qual}, expected ${expected}`);
        if (tenant.with_check !== expected) {
          problems.push(`${t.table}: tenant_isolation WITH CHECK is ${tenant.with_check}, expected ${expected}`);
        }
      }
      // Permissive policies are OR-ed: any other one that reaches the application role would widen what it sees.
      // Only the system role (cross-tenant work, reviewed through withSystemTx) may have a policy of its own.
      for (const other of own.filter((p) => p.name !== 'tenant_isolation' && p.permissive === 'PERMISSIVE')) {
        if (other.roles.some((role) => role !== SYSTEM_ROLE)) {
          problems.push(`${t.table}: policy ${other.name} applies to ${other.roles.join(', ')}, which widens what ${APP_ROLE} may see`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('TEN-01 org_id leads the primary key and every unique index of every tenant table', async () => {
    const { rows } = await database.owner.transaction((tx) =>
      tx.query<{ table: string; index: string; primary: boolean; first_column: string | null }>(
        `SELECT c.relname AS table, i.relname AS index, x.indisprimary AS primary, a.attname AS first_column
           FROM pg_index x
           JOIN pg_class c ON c.oid = x.indrelid
           JOIN pg_class i ON i.oid = x.indexrelid
           LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
          WHERE c.relnamespace = 'public'::regnamespace AND (x.indisprimary OR x.indisunique)`,
      ),
    );
    const problems: string[] = [];
    for (const t of tenantTables().filter((table) => table.table !== 'organizations')) {
      const indexes = rows.filter((row) => row.table === t.table);
      if (!indexes.some((row) => row.primary)) problems.push(`${t.table}: no primary key`);
      for (const index of indexes) {
        if (index.first_column !== 'org_id') {
          problems.push(`${t.table}: ${index.primary ? 'primary key' : 'unique index'} ${index.index} starts with ${index.first_column ?? 'an expression'}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('TEN-01 the application roles are neither superuser nor BYPASSRLS, own nothing and cannot become a role that could', async () => {
    const roles = [APP_ROLE, SYSTEM_ROLE];
    const facts = await database.owner.transaction(async (tx) => ({
      roles: (
        await tx.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
          'SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ANY($1::text[]) ORDER BY rolname',
          [roles],
        )
      ).rows,
      owned: (
        await tx.query<{ owner: string; relation: string }>(
          `SELECT pg_get_userbyid(c.relowner) AS owner, c.oid::regclass::text AS relation
             FROM pg_class c WHERE pg_get_userbyid(c.relowner) = ANY($1::text[])`,
          [roles],
        )
      ).rows,
      // A role it is a member of (directly or not) that is privileged or owns tables: SET ROLE would escape RLS.
      escapes: (
        await tx.query<{ member: string; role: string }>(
          `SELECT m.rolname AS member, r.rolname AS role
             FROM pg_roles m CROSS JOIN pg_roles r
            WHERE m.rolname = ANY($1::text[]) AND r.oid <> m.oid AND pg_has_role(m.oid, r.oid, 'MEMBER')
              AND (r.rolsuper OR r.rolbypassrls
                   OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace))`,
          [roles],
        )
      ).rows,
    }));
    expect(facts.roles).toEqual([
      { rolname: APP_ROLE, rolsuper: false, rolbypassrls: false },
      { rolname: SYSTEM_ROLE, rolsuper: false, rolbypassrls: false },
    ]);
    expect(facts.owned).toEqual([]);
    expect(facts.escapes).toEqual([]);
  });
});
