import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { APP_ROLE, SYSTEM_ROLE } from '../src/db/tenant.ts';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

/** A PostgreSQL server to measure on (with a superuser URL), or why there is none. */
export type PostgresServer = { url: string; source: string; stop(): Promise<void> } | { skipped: string };

/**
 * BENCH_DATABASE_URL when set; else a throwaway cluster from scripts/pg-test-cluster.sh when PostgreSQL 15 is
 * installed (the caller must call stop(), which removes it); else the reason for skipping.
 */
export async function findPostgresServer(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<PostgresServer> {
  if (env.BENCH_DATABASE_URL) {
    return { url: env.BENCH_DATABASE_URL, source: 'BENCH_DATABASE_URL', stop: async () => undefined };
  }
  if (!existsSync(PG_BIN)) {
    return { skipped: `BENCH_DATABASE_URL is not set and ${PG_BIN} does not exist (install postgresql-15 or point BENCH_DATABASE_URL at a server)` };
  }
  const script = path.join(repoRoot, 'scripts/pg-test-cluster.sh');
  const started = await run('bash', [script, 'start'], { cwd: repoRoot });
  const dir = /^export PG_TEST_CLUSTER_DIR=(\S+)$/m.exec(started.stdout)?.[1];
  if (!dir) throw new Error(`scripts/pg-test-cluster.sh start printed no cluster directory:\n${started.stdout}${started.stderr}`);
  const stop = async () => {
    await run('bash', [script, 'stop', dir], { cwd: repoRoot });
    process.stdout.write(`PostgreSQL: stopped the throwaway cluster and removed ${dir}\n`);
  };
  try {
    const url = (await run('bash', [script, 'url', dir], { cwd: repoRoot })).stdout.trim();
    return { url, source: `throwaway cluster from scripts/pg-test-cluster.sh in ${dir} (${PG_BIN})`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A fresh database on the server: the owner URL that migrates it, and the login role's URL that serves it. */
export interface BenchDatabase {
  ownerUrl: string;
  appUrl: string;
  /** Creates the login role; call after migrating, because the roles it joins are made by the migrations. */
  createLoginRole(): Promise<void>;
  drop(): Promise<void>;
}

async function asSuperuser(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database named for this run, like testing/test-database.ts does, but with a login role of its
 * own (random name and password, dropped at the end) so that the pool size and the cleanup are the
 * benchmark's: the application then logs in as a role that owns nothing and may only switch to the
 * application roles, as in production.
 */
export async function createBenchDatabase(superuserUrl: string): Promise<BenchDatabase> {
  const suffix = randomBytes(6).toString('hex');
  const name = `seatwise_bench_${suffix}`;
  const loginRole = `seatwise_bench_login_${suffix}`;
  const password = randomBytes(18).toString('hex');
  let roleCreated = false;
  await asSuperuser(superuserUrl, `CREATE DATABASE ${name}`);
  const ownerUrl = new URL(superuserUrl);
  ownerUrl.pathname = `/${name}`;
  const appUrl = new URL(ownerUrl);
  appUrl.username = loginRole;
  appUrl.password = password;
  return {
    ownerUrl: ownerUrl.toString(),
    appUrl: appUrl.toString(),
    async createLoginRole() {
      await asSuperuser(ownerUrl.toString(), `CREATE ROLE ${loginRole} LOGIN PASSWORD '${password}' NOINHERIT IN ROLE ${APP_ROLE}, ${SYSTEM_ROLE}`);
      roleCreated = true;
    },
    async drop() {
      await asSuperuser(superuserUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      if (roleCreated) await asSuperuser(superuserUrl, `DROP ROLE IF EXISTS ${loginRole}`);
    },
  };
}
