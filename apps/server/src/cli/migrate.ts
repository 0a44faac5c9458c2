import { loadConfig } from '../config.ts';
import { openConfiguredDatabase } from '../db/open.ts';

/** `npm run migrate`: applies pending migrations and exits. */
async function run(): Promise<void> {
  const config = loadConfig();
  const opened = await openConfiguredDatabase(config);
  try {
    const applied = await opened.migrate();
    process.stdout.write(applied.length > 0 ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
  } finally {
    await opened.close();
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
