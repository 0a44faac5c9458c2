import { loadConfig } from '../config.ts';
import { openConfiguredDatabase } from '../db/open.ts';
import { createTenancy } from '../db/tenant.ts';
import { DemoAlreadyLoadedError, loadDemoOrganisation } from '../demo/load-demo.ts';

/**
 * `npm run demo`: loads a generated organisation with a year of usage into the configured database (the
 * embedded one in DATA_DIR by default), so the analytics have something to show. Run it while the server
 * is stopped when using the embedded database.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const opened = await openConfiguredDatabase(config);
  try {
    await opened.migrate();
    const started = Date.now();
    process.stdout.write('Loading the demo organisation: 4 license servers, 10 features, 400 people, a year of usage…\n');
    const result = await loadDemoOrganisation(createTenancy(opened.db), {
      days: 365,
      people: 400,
      seed: 2026,
      until: Date.now(),
      onProgress: (message) => process.stdout.write(`  ${message}\n`),
    });
    process.stdout.write(
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.sessions} sessions and ${result.denials} denials.\n\n` +
        `Start the server (npm start) and sign in at ${config.publicUrl} as\n  ${result.email}\n  password: ${result.password}\n` +
        '(shown once; use "Forgot password" to set a new one)\n',
    );
  } finally {
    await opened.close();
  }
}

run().catch((error: unknown) => {
  if (error instanceof DemoAlreadyLoadedError) {
    process.stderr.write(`${error.message}\nTo start again, stop the server and remove the data directory (or use a fresh DATABASE_URL).\n`);
  } else {
    process.stderr.write(`Loading the demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
