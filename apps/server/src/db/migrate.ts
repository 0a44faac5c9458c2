import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './connect.ts';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface MigrationFile {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

/** Reads `NNNN_name.sql` files in order. */
export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match) throw new MigrationError(`Migration file name ${file} must look like 0001_name.sql`);
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return { version: match[1]!, name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies pending migrations in one transaction as the owner, under an advisory lock so that two
 * instances starting together do not race. Refuses to run when an applied file was edited or when the
 * database has migrations this code does not know.
 */
export async function migrate(owner: Database, files = readMigrations()): Promise<string[]> {
  return owner.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('seatwise:migrate'))`);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: string; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const known = new Map(files.map((file) => [file.version, file]));
    for (const applied of rows) {
      const file = known.get(applied.version);
      if (!file) {
        throw new MigrationError(
          `The database has migration ${applied.version}_${applied.name}, which this version of Seatwise does not know. ` +
            'It was migrated by a newer version; run that version instead.',
        );
      }
      if (file.checksum !== applied.checksum) {
        throw new MigrationError(
          `Migration ${applied.version}_${applied.name}.sql was changed after it was applied (checksum differs). ` +
            'Applied migrations must never be edited: restore the original file and put the change in a new migration.',
        );
      }
    }
    const appliedVersions = new Set(rows.map((row) => row.version));
    const applied: string[] = [];
    for (const file of files) {
      if (appliedVersions.has(file.version)) continue;
      await tx.exec(file.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        file.version,
        file.name,
        file.checksum,
      ]);
      applied.push(`${file.version}_${file.name}`);
    }
    // Audit partitions are created ahead of time by the owner: the application role cannot create tables.
    await tx.query('SELECT seatwise_audit_ensure_partitions(now())');
    return applied;
  });
}
