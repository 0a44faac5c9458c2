import { rollupUsage, type RollupDenial, type RollupSession } from '@seatwise/usage-engine';
import type { Queryable } from '../../db/connect.ts';
import type { LicenseServerRow } from './license-server.repo.ts';
import {
  ALL_SERVERS,
  findDenialsBetween,
  findRollupWindow,
  findSessionsOverlapping,
  replaceDaily,
  replaceHourly,
  replacePersonDays,
  type RollupDenialRow,
  type RollupSessionRow,
} from './rollup.repo.ts';

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

const toSession = (row: RollupSessionRow): RollupSession => ({
  start: row.start,
  end: row.end,
  seats: row.seats,
  userId: row.user_id,
  timeZone: row.time_zone,
  idle: row.idle,
});
const toDenial = (row: RollupDenialRow): RollupDenial => ({ at: row.at, retried: row.retried, timeZone: row.time_zone });

/** Rows worth storing: an hour or day in which nothing happened is simply absent. */
const happened = (bucket: { peak: number; seatMs: number; denials: number }) => bucket.peak > 0 || bucket.seatMs > 0 || bucket.denials > 0;

/**
 * Recomputes, from the stored sessions and denials, the roll-ups of every whole local day (in the server's
 * zone) that the touched ranges reach: hourly and daily rows for this server and for all servers together,
 * and the per-person rows. Recomputing rather than adding is what makes a re-ingest count nothing twice.
 */
export async function recomputeRollups(tx: Queryable, server: LicenseServerRow, touched: ReadonlyMap<string, TouchedRange>): Promise<void> {
  for (const [featureId, range] of touched) {
    for (let sliceFrom = range.from; sliceFrom <= range.to; sliceFrom += SLICE_MS) {
      const sliceTo = Math.min(range.to, sliceFrom + SLICE_MS - 1);
      const window = await findRollupWindow(tx, server.time_zone, sliceFrom, sliceTo);
      const rollupWindow = { hoursFrom: window.hours_from, hoursTo: window.hours_to, daysFrom: window.days_from, daysTo: window.days_to };

      const own = rollupUsage(
        (await findSessionsOverlapping(tx, featureId, server.id, window.hours_from, window.hours_to)).map(toSession),
        (await findDenialsBetween(tx, featureId, server.id, window.hours_from, window.hours_to)).map(toDenial),
        rollupWindow,
      );
      await replaceHourly(tx, featureId, server.id, window.hours_from, window.hours_to, own.hours.filter(happened));
      await replaceDaily(tx, featureId, server.id, window.days_from, window.days_to, own.days.filter(happened));

      const wideFrom = window.hours_from - ZONE_MARGIN_MS;
      const wideTo = window.hours_to + ZONE_MARGIN_MS;
      const all = rollupUsage(
        (await findSessionsOverlapping(tx, featureId, null, wideFrom, wideTo)).map(toSession),
        (await findDenialsBetween(tx, featureId, null, wideFrom, wideTo)).map(toDenial),
        rollupWindow,
      );
      await replaceHourly(tx, featureId, ALL_SERVERS, window.hours_from, window.hours_to, all.hours.filter(happened));
      await replaceDaily(tx, featureId, ALL_SERVERS, window.days_from, window.days_to, all.days.filter(happened));
      await replacePersonDays(tx, featureId, window.days_from, window.days_to, all.personDays);
    }
  }
}
