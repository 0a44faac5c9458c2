// Runs once before the browser test files (which run in parallel), so the web app is built at most once.
import { ensureWebBuild } from './web-build.ts';

/** Vitest global setup for BROWSER_TESTS=1 runs. */
export default function setup(): void {
  ensureWebBuild();
}
