// The embedded database on disk, as a server started without DATABASE_URL uses it: one process at a time,
// and the data stays in DATA_DIR across restarts. Always PGlite, whatever TEST_DATABASE_URL says.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseLockedError, openPglite, type Database } from './connect.ts';
import { migrate } from './migrate.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repositoryRoot = path.resolve(here, '../../../..');

let workDir: string;
/** One DATA_DIR for the whole file: creating an embedded database on disk is the slow part. */
let dataDir: string;
let probeScript: string;
const open: Database[] = [];

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'seatwise-pglite-'));
  dataDir = path.join(workDir, 'data');
  // A second Seatwise process in miniature: it opens the embedded database in the folder it is given and
  // lets any error end it, as the server and the migrate command do.
  probeScript = path.join(workDir, 'open-data-dir.mts');
  writeFileSync(
    probeScript,
    `import { openPglite } from ${JSON.stringify(pathToFileURL(path.join(here, 'connect.ts')).href)};
const db = await openPglite(process.argv[2]);
await db.transaction((tx) => tx.query('SELECT 1'));
await db.close();
process.stdout.write('opened and closed\\n');
`,
  );
});

afterAll(async () => {
  // Close before removing the folder: a lock whose file disappears counts as compromised.
  for (const db of open.splice(0)) await db.close().catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
});

async function openTracked(dataDir: string): Promise<Database> {
  const db = await openPglite(dataDir);
  open.push(db);
  return db;
}

async function closeTracked(db: Database): Promise<void> {
  const index = open.indexOf(db);
  if (index >= 0) open.splice(index, 1);
  await db.close();
}

/** Runs the probe in a separate Node process and reports how it ended. */
function runProbe(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', probeScript, dataDir], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 45_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the embedded database in DATA_DIR', () => {
  it('ST-01 a second process opening the same embedded database is refused', async () => {
    const first = await openTracked(dataDir);

    // In the same process: refused with a message that says what to do.
    const again = openPglite(dataDir);
    await expect(again).rejects.toBeInstanceOf(DatabaseLockedError);
    await expect(again).rejects.toThrow(`The embedded database in ${dataDir} is in use by another Seatwise process`);

    // From another process, while the first still holds it.
    const refused = await runProbe(dataDir);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`The embedded database in ${dataDir} is in use by another Seatwise process`);
    expect(refused.stderr).toContain('point DATA_DIR at another folder');

    // The refused attempts changed nothing: the first holder still works.
    await expect(first.transaction((tx) => tx.query('SELECT 1'))).resolves.toBeDefined();

    // Closed, the folder is free again, for another process and for this one.
    await closeTracked(first);
    const allowed = await runProbe(dataDir);
    expect(allowed, allowed.stderr).toMatchObject({ code: 0, stdout: 'opened and closed\n' });
    await closeTracked(await openTracked(dataDir));
  });

  it('ST-01 the embedded database keeps data in DATA_DIR across restarts', async () => {
    const orgId = '6f1c1e2a-3b4d-4c5e-8f60-718293a4b5c6';

    const first = await openTracked(dataDir);
    await migrate(first);
    await first.transaction((tx) => tx.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Survives restarts')`, [orgId]));
    await closeTracked(first);

    const second = await openTracked(dataDir);
    // Already migrated: nothing to apply, and the row is still there.
    expect(await migrate(second)).toEqual([]);
    const { rows } = await second.transaction((tx) => tx.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [orgId]));
    expect(rows).toEqual([{ name: 'Survives restarts' }]);
    await closeTracked(second);
  });
});
