import path from 'node:path';
import type { Config } from '../config.ts';
import { openPglite, openPostgres, type Database } from './connect.ts';
import { migrate } from './migrate.ts';

/** The serving database and, where it differs, the owner connection that migrates it. */
export interface OpenedDatabase {
  db: Database;
  /** Applies pending migrations as the owner. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/** Opens the configured engine: a PostgreSQL server when DATABASE_URL is set, else embedded PGlite in DATA_DIR. */
export async function openConfiguredDatabase(config: Pick<Config, 'databaseUrl' | 'migrationDatabaseUrl' | 'databasePoolSize' | 'dataDir'>): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    const db = openPostgres(config.databaseUrl, config.databasePoolSize);
    const ownerUrl = config.migrationDatabaseUrl ?? config.databaseUrl;
    return {
      db,
      async migrate() {
        const owner = openPostgres(ownerUrl, 1);
        try {
          return await migrate(owner);
        } finally {
          await owner.close();
        }
      },
      close: () => db.close(),
    };
  }
  // PGlite logs in as its superuser: the same handle migrates (as owner) and serves (switching role per transaction).
  const db = await openPglite(path.resolve(config.dataDir));
  return { db, migrate: () => migrate(db), close: () => db.close() };
}
