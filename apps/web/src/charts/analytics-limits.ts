/**
 * The analytics API's limits and day arithmetic, for the browser. They are defined in
 * @seatwise/protocol's analytics module, but importing any value from that module brings its zod schemas
 * (and zod) into the bundle, so the web app keeps this copy; analytics-limits.test.ts proves it equal to
 * the protocol's. When the protocol keeps these in a module without schemas, import them from there.
 */
import type { AnalyticsBucket } from '@seatwise/protocol';

/** Hour, day, ISO week and month, smallest first. */
export const ANALYTICS_BUCKETS: readonly AnalyticsBucket[] = ['hour', 'day', 'week', 'month'];
/** The longest range one request may ask for: three years of days. */
export const MAX_ANALYTICS_RANGE_DAYS = 3 * 365 + 1;
/** The most points one timeline answers with. */
export const MAX_TIMELINE_POINTS = 10_000;
/** The longest range an hourly timeline may cover, in days (10 000 hours). */
export const MAX_HOURLY_DAYS = Math.floor(MAX_TIMELINE_POINTS / 24);
/** The largest page of people. */
export const MAX_PEOPLE_PAGE = 1000;
/** The most change points one concurrency answer holds. */
export const MAX_CONCURRENCY_POINTS = 1_000_000;

const DAY_MS = 86_400_000;

/** Days from `from` to `to` (YYYY-MM-DD), both included; 0 when `to` is before `from`. */
export function daysInRange(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1);
}

/**
 * Whether the server answers a timeline of a range in a bucket (at most MAX_TIMELINE_POINTS points): only
 * hours can exceed it within the longest range (three years of days, weeks or months stay far below).
 */
export function timelineAllowed(from: string, to: string, bucket: AnalyticsBucket): boolean {
  return bucket !== 'hour' || daysInRange(from, to) <= MAX_HOURLY_DAYS;
}
