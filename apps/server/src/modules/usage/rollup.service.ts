import { rollupUsage, type RollupDenial, type RollupSession } from '@seatwise/usage-engine';
import type { Queryable } from '../../db/connect.ts';
import type { LicenseServerRow } from './license-server.repo.ts';
import { findRollupWindows, findUsageForRollup, replaceRollups, type RollupReplacement } from './rollup.repo.ts';

export { lockFeatures } from './rollup.repo.ts';

/** The instants an ingest touched for one feature (epoch ms, inclusive). */
export interface TouchedRange {
  from: number;
  to: number;
}

const HOUR_MS = 3_600_000;
/** Recomputed a slice at a time, so memory follows a month of one feature's sessions, never a year's. */
const SLICE_MS = 28 * 24 * HOUR_MS;
/** Local days of other servers' zones reach this far beyond a window's UTC edges (UTC−12 … UTC+14). */
const ZONE_MARGIN_MS = 14 * HOUR_MS;
/** Recomputed rows are written in batches of about this many (several features per statement). */
const WRITE_BATCH_ROWS = 50_000;

/** Rows worth storing: an hour or day in which nothing happened is simply absent. */
const happened = (bucket: { peak: number; seatMs: number; denials: number }) => bucket.peak > 0 || bucket.seatMs > 0 || bucket.denials > 0;

/**
 * Recomputes, from the stored sessions and denials, the roll-ups of every whole local day (in the server's
 * zone) that the touched ranges reach: hourly and daily rows for this server and for all servers together,
 * and the per-person rows. Recomputing rather than adding is what makes a re-ingest count nothing twice.
 *
 * Each feature's range is cut into slices; each slice reads its feature's usage once, on every server (this
 * server's part is rolled up from the same rows), and the recomputed rows of many features are replaced
 * together. Slices go in rounds (every feature's first slice, then every second one, …) and a batch never
 * spans two rounds, so no batch holds two overlapping windows of one feature.
 */
export async function recomputeRollups(tx: Queryable, server: LicenseServerRow, touched: ReadonlyMap<string, TouchedRange>): Promise<void> {
  const slices: { featureId: string; from: number; to: number; round: number }[] = [];
  for (const [featureId, range] of touched) {
    let round = 0;
    for (let sliceFrom = range.from; sliceFrom <= range.to; sliceFrom += SLICE_MS) {
      slices.push({ featureId, from: sliceFrom, to: Math.min(range.to, sliceFrom + SLICE_MS - 1), round: round++ });
    }
  }
  const windows = await findRollupWindows(tx, server.time_zone, slices);
  const order = slices.map((_, i) => i).sort((a, b) => slices[a]!.round - slices[b]!.round || a - b);

  let batch: RollupReplacement[] = [];
  let batchRows = 0;
  let batchRound = 0;
  const flush = async () => {
    await replaceRollups(tx, server.id, batch);
    batch = [];
    batchRows = 0;
  };
  for (const i of order) {
    const { featureId, round } = slices[i]!;
    const window = windows[i]!;
    if (round !== batchRound) {
      await flush();
      batchRound = round;
    }
    const rollupWindow = { hoursFrom: window.hours_from, hoursTo: window.hours_to, daysFrom: window.days_from, daysTo: window.days_to };
    const usage = await findUsageForRollup(tx, featureId, server.id, window.hours_from - ZONE_MARGIN_MS, window.hours_to + ZONE_MARGIN_MS);

    // This server alone: its sessions held at some instant of the window's hours, its denials in them.
    const ownSessions: RollupSession[] = [];
    for (const s of usage.sessions) {
      if (s.own && s.start < window.hours_to && s.end >= window.hours_from) ownSessions.push(s);
    }
    const ownDenials: RollupDenial[] = usage.denials.filter((d) => d.own && d.at >= window.hours_from && d.at < window.hours_to);
    const own = rollupUsage(ownSessions, ownDenials, rollupWindow);
    // All servers: sessions and denials a margin beyond the hours, for other zones' local days.
    const all = rollupUsage(usage.sessions, usage.denials, rollupWindow);

    const replacement: RollupReplacement = {
      featureId,
      hoursFrom: window.hours_from,
      hoursTo: window.hours_to,
      daysFrom: window.days_from,
      daysTo: window.days_to,
      own: { hours: own.hours.filter(happened), days: own.days.filter(happened) },
      all: { hours: all.hours.filter(happened), days: all.days.filter(happened) },
      personDays: all.personDays,
    };
    batch.push(replacement);
    batchRows += replacement.own.hours.length + replacement.all.hours.length + replacement.own.days.length + replacement.all.days.length + replacement.personDays.length;
    if (batchRows >= WRITE_BATCH_ROWS) await flush();
  }
  await flush();
}
