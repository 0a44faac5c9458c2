import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { APP_ROLE, SYSTEM_ROLE } from '../db/tenant.ts';

/** A migrated database for one test file: `db` serves (as the application roles), `owner` is the owner. */
export interface TestDatabase {
  engine: 'pglite' | 'postgres';
  db: Database;
  owner: Database;
  close(): Promise<void>;
}

const TEST_LOGIN_ROLE = 'seatwise_test_login';

async function ignoreDuplicate(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    // Parallel test files create the same cluster-wide roles at once.
    const code = (error as { code?: string }).code;
    if (code !== '42710' && code !== '23505' && code !== 'XX000') throw error;
  }
}

/**
 * Embedded PGlite in memory by default; with TEST_DATABASE_URL (a superuser), a fresh database on that
 * server, migrated by the superuser as owner and served through a login role that owns nothing.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await openPglite(undefined);
    await migrate(db);
    return { engine: 'pglite', db, owner: db, close: () => db.close() };
  }
  const name = `seatwise_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const ownerUrl = new URL(serverUrl);
  ownerUrl.pathname = `/${name}`;
  const owner = openPostgres(ownerUrl.toString(), 2);
  await migrate(owner);
  await ignoreDuplicate(
    owner.transaction((tx) => tx.query(`CREATE ROLE ${TEST_LOGIN_ROLE} LOGIN NOINHERIT IN ROLE ${APP_ROLE}, ${SYSTEM_ROLE}`)),
  );
  const appUrl = new URL(ownerUrl);
  appUrl.username = TEST_LOGIN_ROLE;
  appUrl.password = '';
  const db = openPostgres(appUrl.toString(), 5);
  return {
    engine: 'postgres',
    db,
    owner,
    async close() {
      await db.close();
      await owner.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
