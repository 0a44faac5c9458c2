import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Database } from '../../db/connect.ts';
import { migrate } from '../../db/migrate.ts';
import { createTenancy, INSTANCE_ORG_ID } from '../../db/tenant.ts';
import { recordAudit } from './audit.service.ts';

// The command runs against the embedded database in DATA_DIR, as on a default installation. It opens its
// own PGlite folder, so it runs the same whether or not TEST_DATABASE_URL points the other suites at a server.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npx tsx apps/server/src/cli/audit-verify.ts` with DATA_DIR set, as an operator would. */
function runAuditVerify(dataDir: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  for (const name of ['DATABASE_URL', 'MIGRATION_DATABASE_URL', 'TEST_DATABASE_URL', 'SECRETS_FILE', 'INIT_CWD']) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'apps/server/src/cli/audit-verify.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Opens the data folder the way the server does, runs fn, and closes it again (PGlite allows one process). */
async function withDataDir<T>(dataDir: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openPglite(dataDir);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

let dataDir: string;
const orgA = randomUUID();
const orgB = randomUUID();

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'seatwise-audit-cli-'));
  await withDataDir(dataDir, async (db) => {
    await migrate(db);
    const tenancy = createTenancy(db);
    for (const orgId of [orgA, orgB]) {
      for (const action of ['org.create', 'auth.sign_in', 'org.update']) {
        await tenancy.withTenantTx({ orgId, userId: null }, (tx) =>
          recordAudit(tx, { orgId, action, outcome: 'success', actorLabel: 'cli test', ip: '203.0.113.7', details: { action } }),
        );
      }
    }
    await tenancy.withTenantTx({ orgId: INSTANCE_ORG_ID, userId: null }, (tx) =>
      recordAudit(tx, { orgId: INSTANCE_ORG_ID, action: 'auth.sign_in', outcome: 'failure', details: { reason: 'unknown_account' } }),
    );
  });
});

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run audit:verify', () => {
  it('AUD-01 the verification command passes intact chains and fails, naming the event, once one is tampered with', async () => {
    const intact = await runAuditVerify(dataDir);
    expect(intact.stderr).not.toMatch(/Audit verification failed/);
    expect(intact.code, intact.stdout + intact.stderr).toBe(0);
    expect(intact.stdout).toContain(`ok      ${orgA}  3 events`);
    expect(intact.stdout).toContain(`ok      ${orgB}  3 events`);
    expect(intact.stdout).toContain(`ok      ${INSTANCE_ORG_ID}  1 events`);
    expect(intact.stdout).toContain('3 chains checked, 0 broken.');
    expect(intact.stdout).not.toContain('BROKEN');

    // The owner switches the append-only trigger off and rewrites one event of organisation B.
    await withDataDir(dataDir, (db) =>
      db.transaction(async (tx) => {
        await tx.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
        const changed = await tx.query(`UPDATE audit_events SET action = 'org.delete' WHERE org_id = $1 AND seq = 2`, [orgB]);
        expect(changed.rowCount).toBe(1);
        await tx.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
      }),
    );

    const tampered = await runAuditVerify(dataDir);
    expect(tampered.code, tampered.stdout + tampered.stderr).toBe(1);
    expect(tampered.stdout).toContain(`ok      ${orgA}  3 events`);
    expect(tampered.stdout).toMatch(new RegExp(`BROKEN  ${orgB}  at event 2: .+ \\(1 verified before it\\)`));
    expect(tampered.stdout).toContain('3 chains checked, 1 broken.');
  });

  it('refuses, with exit status 2, to open a data folder that another process holds', async () => {
    const db = await openPglite(dataDir);
    try {
      const locked = await runAuditVerify(dataDir);
      expect(locked.code).toBe(2);
      expect(locked.stderr).toMatch(/Audit verification failed: .*in use by another Seatwise process/);
    } finally {
      await db.close();
    }
  });
});
