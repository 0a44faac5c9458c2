// Runs once before the browser test files (which run in parallel): the web app is built at most once, and
// every file serves the same copy of it.
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { ensureWebBuild, snapshotWebBuild } from './web-build.ts';

/** Vitest global setup for BROWSER_TESTS=1 runs; returns the teardown that removes the copy. */
export default function setup(project: TestProject): () => void {
  ensureWebBuild();
  const webDist = snapshotWebBuild();
  project.provide('browserWebDist', webDist);
  return () => rmSync(webDist, { recursive: true, force: true });
}
