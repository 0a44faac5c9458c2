// The browser tests load the BUILT web app, as people do. A developer's run must never test a stale build,
// so the app is rebuilt when any of its sources is newer than the built page. The run then serves a copy
// of the build, so that another build of apps/web/dist during the run (a colleague's, an editor's) cannot
// take away the files the served page refers to.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const webRoot = path.join(repoRoot, 'apps/web');

/** The built web app the browser tests serve. */
export const WEB_DIST = path.join(webRoot, 'dist');
const builtPage = path.join(WEB_DIST, 'index.html');

// Everything that ends up in the bundle: the app, its page and settings, and the shared protocol constants.
const SOURCES = [
  path.join(webRoot, 'src'),
  path.join(webRoot, 'public'),
  path.join(webRoot, 'index.html'),
  path.join(webRoot, 'vite.config.ts'),
  path.join(webRoot, 'package.json'),
  path.join(repoRoot, 'packages/protocol/src'),
];

function newestChange(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestChange(path.join(entry, child)));
  return newest;
}

/** Why the built app must be (re)built, or undefined when it is up to date. */
export function staleBuildReason(): string | undefined {
  if (!existsSync(builtPage)) return `${path.relative(repoRoot, builtPage)} is missing`;
  const builtAt = statSync(builtPage).mtimeMs;
  const changed = SOURCES.find((source) => newestChange(source) > builtAt);
  return changed ? `${path.relative(repoRoot, changed)} changed after the last build` : undefined;
}

/** Builds the web app with Vite (the same command as CI) when the build is missing or older than its sources. */
export function ensureWebBuild(): void {
  const reason = staleBuildReason();
  if (!reason) return;
  process.stdout.write(`Building the web app for the browser tests (${reason})…\n`);
  const result = spawnSync('npm', ['run', 'build', '--workspace', 'apps/web'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) {
    // Vite's report goes out as it is: inside an error message its "at …" lines would be read as a stack.
    process.stderr.write(`${result.stdout}\n${result.stderr}\n`);
    throw new Error('Building the web app failed (npm run build --workspace apps/web): its output is printed above.');
  }
}

/** Copies the built app to a new temporary directory (the caller removes it) and returns that directory. */
export function snapshotWebBuild(): string {
  const snapshot = mkdtempSync(path.join(tmpdir(), 'seatwise-web-'));
  cpSync(WEB_DIST, snapshot, { recursive: true });
  if (!existsSync(path.join(snapshot, 'index.html'))) {
    throw new Error(`${WEB_DIST} changed while it was copied (a build running elsewhere?): run the tests again.`);
  }
  return snapshot;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The copy of the built web app that this run's browser tests serve. */
    browserWebDist: string;
  }
}
