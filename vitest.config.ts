// One Vitest configuration for every workspace.
//
// - Unit and HTTP tests live beside the code as *.test.ts / *.test.tsx.
// - *.db.test.ts files use the database: embedded PGlite by default, a PostgreSQL server when
//   TEST_DATABASE_URL (a superuser URL) is set; the harness creates a fresh database per file.
//   `npx vitest run db.test` selects only those files.
// - *.browser.test.ts files drive a real browser; they run only when BROWSER_TESTS=1, and then alone.
// - The JSON report (.test-results/*.json) feeds `npm run claims`; CI points VITEST_JSON_OUTPUT at a
//   second file for the PostgreSQL run so both reports are kept.
import { defineConfig } from 'vitest/config';

const roots = ['apps', 'packages'];
const browserTests = process.env.BROWSER_TESTS === '1';

const include = browserTests
  ? roots.map((root) => `${root}/**/*.browser.test.ts`)
  : roots.flatMap((root) => [`${root}/**/*.test.ts`, `${root}/**/*.test.tsx`]);

// A browser run gets its own default report file so it never replaces the main run's report.
const jsonReport = browserTests ? '.test-results/vitest-browser.json' : '.test-results/vitest.json';

const exclude = ['**/node_modules/**', '**/dist/**', ...(browserTests ? [] : ['**/*.browser.test.ts'])];

export default defineConfig({
  test: {
    include,
    exclude,
    // Separate processes: database drivers, PGlite's WASM and process-wide state stay per file.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: process.env.VITEST_JSON_OUTPUT ?? jsonReport },
    // Browser test files serve the built web app: it is (re)built once, before they start in parallel.
    globalSetup: browserTests ? ['apps/web/browser/global-setup.ts'] : [],
  },
});
