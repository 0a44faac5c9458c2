// `npm run screenshot:readme`: the picture of the feature screen in the README, taken from the real app on
// the demo organisation (a year of generated usage) in Debian's Chromium, so it always shows the screen as
// it is. Writes docs/images/feature-screen.png; takes a minute or two (most of it loading the demo).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDemoOrganisation } from '../../server/src/demo/load-demo.ts';
import { launchPersonBrowser, signIn, startServer } from './harness.ts';
import { ensureWebBuild, snapshotWebBuild } from './web-build.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const OUTPUT = path.join(repoRoot, 'docs/images/feature-screen.png');
/** The feature shown: the demo's busiest pool, which fills up and turns people away. */
const FEATURE = 'MATLAB';

async function run(): Promise<void> {
  ensureWebBuild();
  const webDist = snapshotWebBuild();
  const server = await startServer(webDist);
  try {
    process.stdout.write('Loading the demo organisation…\n');
    const demo = await loadDemoOrganisation(server.api.tenancy, { days: 365, people: 400, seed: 2026, until: Date.now() });
    const browser = await launchPersonBrowser('readme', server.baseUrl, { width: 1280, height: 900 });
    try {
      const { page } = browser;
      await signIn(page, server, demo.email, demo.password);
      await page.goto(server.url('/license-servers'));
      await page.getByRole('link', { name: FEATURE, exact: true }).click();
      await page.waitForURL(/\/features\//);
      await page.goto(`${page.url()}?period=90d`);
      // A quarter of a busy feature's every check-out takes a while on the embedded database.
      await page.getByRole('img', { name: /^Seats in use over time/ }).waitFor({ timeout: 120_000 });
      await page.getByRole('img', { name: /^Hour-of-week heatmap/ }).waitFor();
      await page.screenshot({ path: OUTPUT, fullPage: true });
      if (browser.problems.length > 0) throw new Error(`the page reported problems:\n${browser.problems.join('\n')}`);
    } finally {
      await browser.context.close();
      await rm(browser.userDataDir, { recursive: true, force: true });
    }
    process.stdout.write(`Wrote ${path.relative(repoRoot, OUTPUT)}\n`);
  } finally {
    await server.close();
    await rm(webDist, { recursive: true, force: true });
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`The screenshot could not be taken: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
