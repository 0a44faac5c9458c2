import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import { openPostgres, type Database, type Queryable } from './connect.ts';
import { APP_ROLE, assertSafeRoles, createTenancy, UnsafeDatabaseRoleError } from './tenant.ts';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

class Rollback extends Error {}

/**
 * A Database whose every transaction is the one open transaction `tx`, so that uncommitted changes made in
 * `tx` (role attributes, ownership) are what assertSafeRoles sees. Roles are shared by the whole PostgreSQL
 * cluster, and other test files run against it at the same time: a change there must never be committed.
 */
function insideTransaction(tx: Queryable, engine: Database['engine']): Database {
  return { engine, transaction: (fn) => fn(tx), close: async () => undefined };
}

/**
 * Applies `change` as the owner, runs assertSafeRoles against the changed catalog and undoes the change.
 * On PGlite, this file's database is an instance of its own, used by nothing else: it is changed for real,
 * then reverted, and shown to be accepted again.
 * On PostgreSQL, the change stays inside one transaction that is rolled back; the session switches to the
 * serving login role first, so that only the application role is in question.
 */
async function assertSafeRolesAfter(change: string, revert: string): Promise<unknown> {
  if (!onPostgres) {
    const { db, owner } = database;
    await expect(assertSafeRoles(db, createTenancy(db))).resolves.toBeUndefined();
    await owner.transaction((tx) => tx.query(change));
    const outcome = await assertSafeRoles(db, createTenancy(db)).catch((error: unknown) => error);
    await owner.transaction((tx) => tx.query(revert));
    // Reverted, the same database is accepted again: the refusal was about the change, nothing else.
    await expect(assertSafeRoles(db, createTenancy(db))).resolves.toBeUndefined();
    return outcome;
  }
  const login = await database.db.transaction(async (tx) => (await tx.query<{ user: string }>('SELECT session_user AS user')).rows[0]!.user);
  let outcome: unknown;
  await database.owner
    .transaction(async (tx) => {
      await tx.query(change);
      await tx.query(`SET LOCAL SESSION AUTHORIZATION "${login}"`);
      const db = insideTransaction(tx, 'postgres');
      outcome = await assertSafeRoles(db, createTenancy(db)).catch((error: unknown) => error);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return outcome;
}

describe('the roles the server runs as', () => {
  it('TEN-01 the server accepts the normal setup, where tenant work runs as the application role', async () => {
    const tenancy = createTenancy(database.db);
    await expect(assertSafeRoles(database.db, tenancy)).resolves.toBeUndefined();
    const who = await tenancy.withTenantTx({ orgId: '11111111-1111-4111-8111-111111111111', userId: null }, async (tx) =>
      (await tx.query<{ user: string }>('SELECT current_user AS user')).rows[0]!.user,
    );
    expect(who).toBe(APP_ROLE);
  });

  it('TEN-01 the server refuses to serve with a role that can bypass row-level security', async () => {
    const bypass = await assertSafeRolesAfter(`ALTER ROLE ${APP_ROLE} BYPASSRLS`, `ALTER ROLE ${APP_ROLE} NOBYPASSRLS`);
    expect(bypass).toBeInstanceOf(UnsafeDatabaseRoleError);
    expect((bypass as Error).message).toMatch(`the application role ${APP_ROLE} has BYPASSRLS`);

    const superuser = await assertSafeRolesAfter(`ALTER ROLE ${APP_ROLE} SUPERUSER`, `ALTER ROLE ${APP_ROLE} NOSUPERUSER`);
    expect(superuser).toBeInstanceOf(UnsafeDatabaseRoleError);
    expect((superuser as Error).message).toMatch(`the application role ${APP_ROLE} is a superuser`);

    // A table owner is not bound by row-level security unless it is forced, and may switch it off.
    const owner = await assertSafeRolesAfter(`ALTER TABLE memberships OWNER TO ${APP_ROLE}`, 'ALTER TABLE memberships OWNER TO CURRENT_USER');
    expect(owner).toBeInstanceOf(UnsafeDatabaseRoleError);
    expect((owner as Error).message).toMatch(`the application role ${APP_ROLE} owns tables`);

    // Not privileged itself, but able to SET ROLE to the owner at any moment.
    const ownerRole = await database.owner.transaction(async (tx) => (await tx.query<{ user: string }>('SELECT current_user AS user')).rows[0]!.user);
    const member = await assertSafeRolesAfter(`GRANT "${ownerRole}" TO ${APP_ROLE}`, `REVOKE "${ownerRole}" FROM ${APP_ROLE}`);
    expect(member).toBeInstanceOf(UnsafeDatabaseRoleError);
    expect((member as Error).message).toMatch(`the application role ${APP_ROLE} can switch to "${ownerRole}"`);
  });

  it.runIf(onPostgres)('TEN-01 the server refuses to serve through a superuser login', async () => {
    const name = await database.owner.transaction(async (tx) => (await tx.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name);
    const ownerUrl = new URL(process.env.TEST_DATABASE_URL!);
    ownerUrl.pathname = `/${name}`;
    const served = openPostgres(ownerUrl.toString(), 1);
    try {
      const refusal = assertSafeRoles(served, createTenancy(served));
      await expect(refusal).rejects.toBeInstanceOf(UnsafeDatabaseRoleError);
      await expect(refusal).rejects.toThrow(/DATABASE_URL logs in as "[^"]+", which is a superuser/);
    } finally {
      await served.close();
    }
  });
});
