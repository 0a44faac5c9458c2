// `npm run bench:chart`: is the feature screen's chart smooth with a year of minute-level data?
//
// Stores a year of one feature's usage whose seats-in-use count changes about every minute (the real
// server, the embedded database, through the agent's ingest API), opens the feature screen for the last 12
// months in Debian's Chromium, and times, in the same run:
//   - the concurrency answer: its points and bytes, and how long the request takes;
//   - the screen: from opening the address to the chart drawn;
//   - zooming (a drag across the chart) and resetting the zoom, each until the chart says so; with the
//     longest gap between two painted frames meanwhile (what a person sees as a stutter), calibrated
//     against a known 120 ms block;
//   - the reference: the same points drawn as one plain canvas polyline in an empty page, the least any
//     chart of them can cost.
// Prints the figures with the method and the machine; record them in docs/benchmarks.md.
import { cpus, loadavg, totalmem } from 'node:os';
import { rm } from 'node:fs/promises';
import { createSeededRandom } from '@seatwise/usage-engine';
import type { Page } from 'playwright-core';
import { envNumber, ms, num, out, packageVersion } from '../../server/bench/common.ts';
import { launchPersonBrowser, signIn, startServer } from '../browser/harness.ts';
import { ensureWebBuild, snapshotWebBuild } from '../browser/web-build.ts';

const DAY_MS = 86_400_000;
const RUNS = envNumber('BENCH_CHART_RUNS', 5, 1);
/** One check-out every this many minutes, each held 2–90 minutes: the count changes about every minute. */
const EVERY_MINUTES = envNumber('BENCH_CHART_EVERY_MINUTES', 1, 1);
const BATCH = 5000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** A year of sessions ending yesterday (UTC), in agent batches. */
function* yearOfBatches(): Generator<object> {
  const random = createSeededRandom(7);
  const end = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const start = end - 365 * DAY_MS;
  let sessions: object[] = [];
  let counter = 0;
  for (let at = start; at < end; at += EVERY_MINUTES * 60_000) {
    const held = (2 + Math.floor(random() * 89)) * 60_000;
    const user = `user${String(Math.floor(random() * 400)).padStart(3, '0')}`;
    sessions.push({
      vendor: 'MLM',
      feature: 'MATLAB',
      user,
      host: `ws-${user}`,
      start: new Date(at).toISOString(),
      end: new Date(Math.min(at + held, end)).toISOString(),
      seats: 1,
      closedBy: 'checkin',
    });
    if (sessions.length === BATCH) {
      yield batchOf(sessions, counter++);
      sessions = [];
    }
  }
  if (sessions.length > 0) yield batchOf(sessions, counter);
}

function batchOf(sessions: object[], index: number): object {
  return {
    batchId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    agent: { version: 'bench', hostname: 'bench' },
    licenseServer: { name: '27000@bench', host: 'bench', port: 27000, timeZone: 'UTC' },
    sessions,
  };
}

/**
 * Milliseconds until `done` resolves, and the longest gap between two frames the page painted meanwhile:
 * what a person sees as a stutter (a steady page paints every 16.7 ms).
 */
async function timed(page: Page, act: () => Promise<void>, done: () => Promise<unknown>): Promise<{ ms: number; longestFrameGap: number }> {
  // Given as text: the script runner names inner functions with a helper that the page does not have.
  await page.evaluate(`(() => {
    window.frameGap = 0;
    window.watching = true;
    let last = performance.now();
    const frame = () => {
      // The time the frame's work ran, not the frame's timestamp (its vsync, which can precede a block).
      const now = performance.now();
      window.frameGap = Math.max(window.frameGap, now - last);
      last = now;
      if (window.watching) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  })()`);
  const started = performance.now();
  await act();
  await done();
  const elapsed = performance.now() - started;
  // Two more frames, so a gap that ends with the last drawing is counted.
  const longestFrameGap = await page.evaluate(
    () =>
      new Promise<number>((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const state = window as unknown as { frameGap: number; watching: boolean };
            state.watching = false;
            resolve(state.frameGap);
          }),
        ),
      ),
  );
  return { ms: elapsed, longestFrameGap };
}

async function run(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  ensureWebBuild();
  const webDist = snapshotWebBuild();
  const server = await startServer(webDist);
  try {
    const owner = await server.api.newOrganization('bench');
    const key = await server.api.createApiKey(owner, ['ingest'], 'bench');
    const storing = performance.now();
    let stored = 0;
    for (const batch of yearOfBatches()) {
      const answer = await server.api.request({ as: key, method: 'POST', url: '/api/ingest/batches', payload: batch });
      if (answer.statusCode !== 200) throw new Error(`ingest answered ${answer.statusCode}: ${answer.body}`);
      stored += answer.json().sessions as number;
    }
    const storeSeconds = (performance.now() - storing) / 1000;
    const features = (await server.api.request({ as: owner, method: 'GET', url: '/api/features' })).json().features as { id: string }[];
    const featureId = features[0]!.id;

    const browser = await launchPersonBrowser('bench', server.baseUrl, { width: 1280, height: 900 });
    try {
      const { page } = browser;
      await signIn(page, server, owner.email, owner.password);
      const today = new Date().toISOString().slice(0, 10);
      const from = new Date(Date.now() - 364 * DAY_MS).toISOString().slice(0, 10);

      // The answer the chart draws.
      const answer = await page.evaluate(
        async ({ featureId, from, to }) => {
          const started = performance.now();
          const response = await fetch(`/api/usage/features/${featureId}/concurrency?from=${from}&to=${to}`);
          const text = await response.text();
          const body = JSON.parse(text) as { t: number[]; truncated: boolean };
          return { ms: performance.now() - started, bytes: text.length, points: body.t.length, truncated: body.truncated };
        },
        { featureId, from, to: today },
      );

      const chart = page.getByRole('img', { name: /^Seats in use over time/ });
      const status = page.locator('.feature-window');
      const opens: number[] = [];
      const zooms: { ms: number; longestFrameGap: number }[] = [];
      const resets: { ms: number; longestFrameGap: number }[] = [];
      for (let index = 0; index < RUNS; index++) {
        const opened = performance.now();
        await page.goto(server.url(`/features/${featureId}?period=12m`));
        await chart.waitFor({ timeout: 120_000 });
        opens.push(performance.now() - opened);

        const plot = page.locator('.u-over').first();
        await plot.scrollIntoViewIfNeeded();
        const area = await plot.boundingBox();
        if (!area) throw new Error('the chart has no plotting area');
        const y = area.y + area.height / 2;
        zooms.push(
          await timed(
            page,
            async () => {
              await page.mouse.move(area.x + area.width * 0.3, y);
              await page.mouse.down();
              await page.mouse.move(area.x + area.width * 0.45, y, { steps: 5 });
              await page.mouse.up();
            },
            () => status.filter({ hasText: 'Zoomed to' }).waitFor(),
          ),
        );
        resets.push(
          await timed(
            page,
            () => page.getByRole('button', { name: 'Reset zoom' }).click(),
            () => status.filter({ hasText: 'Showing the whole range' }).waitFor(),
          ),
        );
      }

      // The frame watch's calibration: a known 120 ms block must read as a gap of at least that.
      const calibration = await timed(
        page,
        () =>
          page.evaluate(() => {
            const started = performance.now();
            while (performance.now() - started < 120) {
              // busy on purpose
            }
          }),
        async () => undefined,
      );

      // The reference: the same number of points as one canvas polyline, in an empty page.
      const reference: number[] = [];
      for (let index = 0; index < RUNS; index++) {
        await page.setContent('<canvas width="1100" height="300"></canvas>');
        reference.push(
          await page.evaluate((points) => {
            const canvas = document.querySelector('canvas') as HTMLCanvasElement;
            const context = canvas.getContext('2d') as CanvasRenderingContext2D;
            const xs = new Float64Array(points);
            const ys = new Float64Array(points);
            for (let i = 0; i < points; i++) {
              xs[i] = (i / points) * 1100;
              ys[i] = 150 + Math.sin(i / 50) * 100;
            }
            const started = performance.now();
            context.beginPath();
            context.moveTo(xs[0] ?? 0, ys[0] ?? 0);
            for (let i = 1; i < points; i++) context.lineTo(xs[i] ?? 0, ys[i] ?? 0);
            context.stroke();
            context.getImageData(0, 0, 1, 1); // waits for the drawing to finish
            return performance.now() - started;
          }, answer.points * 2),
        );
      }

      const cpu = cpus()[0]?.model ?? 'unknown';
      const chromium = /Chrome\/([\d.]+)/.exec(await page.evaluate(() => navigator.userAgent))?.[1] ?? 'unknown';
      out(`# Feature chart with a year of minute-level data (npm run bench:chart)`);
      out();
      out(`Machine: ${cpus().length} cores, ${cpu}, ${num(totalmem() / 2 ** 30, 1)} GiB; Node ${process.version}; ` +
        `Chromium ${chromium}; uPlot ${packageVersion('uplot')}; embedded PGlite; load average ${num(loadBefore, 2)} when it started.`);
      out(`Data: ${num(stored)} sessions over 365 days (one every ${EVERY_MINUTES} min, held 2–90 min), stored in ${num(storeSeconds, 1)} s.`);
      out(`Runs: ${RUNS} of each; medians (every run in brackets).`);
      out();
      out(`| Measure | Median | Runs |`);
      out(`| --- | ---: | --- |`);
      out(`| Concurrency answer: ${num(answer.points)} changes${answer.truncated ? ' (truncated)' : ''}, ${num(answer.bytes / 1e6, 1)} MB of JSON | ${ms(answer.ms)} ms | one request |`);
      out(`| Feature screen opened until the chart is drawn (all its requests) | ${ms(median(opens))} ms | ${opens.map(ms).join(', ')} |`);
      out(`| Zoom (drag) until redrawn | ${ms(median(zooms.map((z) => z.ms)))} ms | ${zooms.map((z) => ms(z.ms)).join(', ')} |`);
      out(`| … longest gap between painted frames | ${ms(median(zooms.map((z) => z.longestFrameGap)))} ms | ${zooms.map((z) => ms(z.longestFrameGap)).join(', ')} |`);
      out(`| Reset zoom until redrawn | ${ms(median(resets.map((z) => z.ms)))} ms | ${resets.map((z) => ms(z.ms)).join(', ')} |`);
      out(`| … longest gap between painted frames | ${ms(median(resets.map((z) => z.longestFrameGap)))} ms | ${resets.map((z) => ms(z.longestFrameGap)).join(', ')} |`);
      out(`| Calibration: a 120 ms block on the page reads as a frame gap of | ${ms(calibration.longestFrameGap)} ms | one run |`);
      out(`| Reference: ${num(answer.points * 2)} points as one canvas polyline | ${ms(median(reference))} ms | ${reference.map(ms).join(', ')} |`);
    } finally {
      await browser.context.close();
      await rm(browser.userDataDir, { recursive: true, force: true });
    }
  } finally {
    await server.close();
    await rm(webDist, { recursive: true, force: true });
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`bench:chart failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
