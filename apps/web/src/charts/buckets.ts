/**
 * Timeline buckets (hour, day, ISO week, month) placed on the time axis, and shaped for the denials panel.
 * Hours are UTC instants; days, weeks and months are calendar dates of the license servers' own days, so
 * they are placed at midnight in the zone the page reads days in (the server's, when there is one).
 */
import type { AnalyticsBucket, TimelinePoint } from '@seatwise/protocol';
import { formatDateTime } from '../format.ts';
import { zonedMidnight } from './zone.ts';

/** The day after a YYYY-MM-DD date. */
export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** Where a bucket begins, in epoch seconds: an hour's instant, or a date's midnight in `zone`. */
export function bucketStart(bucket: AnalyticsBucket, start: string, zone: string): number {
  return bucket === 'hour' ? Date.parse(start) / 1000 : zonedMidnight(start.slice(0, 10), zone);
}

/** Where a timeline of the range [from, to] ends: 00:00 UTC after `to` for hours, else that midnight in `zone`. */
export function timelineEnd(bucket: AnalyticsBucket, to: string, zone: string): number {
  const after = nextDay(to);
  return bucket === 'hour' ? Date.parse(`${after}T00:00:00Z`) / 1000 : zonedMidnight(after, zone);
}

/** Denials per bucket for a stepped, stacked panel. */
export interface DenialData {
  /** Bucket starts, then the end of the last bucket (epoch seconds). */
  x: Float64Array;
  /** True denials: the lower band. */
  denials: Float64Array;
  /** True plus retried denials: the top of the upper band (retried = total − true). */
  total: Float64Array;
  /** Retried denials per point, for the legend and the table. */
  retried: Float64Array;
}

/**
 * The timeline's denials as steps: each bucket's value holds from its start to the next bucket's, and a
 * closing point at `end` finishes the last one. Stacked: true denials below, retried ones on top.
 */
export function denialData(bucket: AnalyticsBucket, points: readonly TimelinePoint[], zone: string, end: number): DenialData {
  const length = points.length + 1;
  const x = new Float64Array(length);
  const denials = new Float64Array(length);
  const total = new Float64Array(length);
  const retried = new Float64Array(length);
  points.forEach((point, index) => {
    x[index] = bucketStart(bucket, point.start, zone);
    denials[index] = point.denials;
    retried[index] = point.retriedDenials;
    total[index] = point.denials + point.retriedDenials;
  });
  const last = points.length > 0 ? x[points.length - 1]! : end;
  x[points.length] = Math.max(end, last);
  return { x, denials, total, retried };
}

/** A calendar date shown as itself, whatever the viewer's zone ("30 Jan 2026"). */
function formatCalendarDate(day: string, options: Intl.DateTimeFormatOptions): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { ...options, timeZone: 'UTC' });
}

/** How a bucket is named in tables: an hour in the viewer's zone, a day, "Week of …", or a month. */
export function formatBucket(bucket: AnalyticsBucket, start: string): string {
  if (bucket === 'hour') return formatDateTime(start);
  const day = start.slice(0, 10);
  if (bucket === 'month') return formatCalendarDate(day, { month: 'long', year: 'numeric' });
  const date = formatCalendarDate(day, { day: 'numeric', month: 'short', year: 'numeric' });
  return bucket === 'week' ? `Week of ${date}` : date;
}
