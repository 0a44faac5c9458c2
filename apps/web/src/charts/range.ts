/**
 * What the feature page shows: a range of days (a preset relative to today, or chosen dates), a bucket
 * size and a license server, read from and written to the page's query string so a view can be
 * bookmarked and shared. Presets stay relative: "last 7 days" opened next week shows that week.
 */
import { daysBefore } from '../format.ts';
import { ANALYTICS_BUCKETS, MAX_ANALYTICS_RANGE_DAYS, MAX_TIMELINE_POINTS, daysInRange, timelinePoints, type AnalyticsBucket } from '@seatwise/protocol';

export const RANGE_PRESETS = [
  { id: '7d', days: 7, label: 'Last 7 days' },
  { id: '30d', days: 30, label: 'Last 30 days' },
  { id: '90d', days: 90, label: 'Last 90 days' },
  { id: '12m', days: 365, label: 'Last 12 months' },
] as const;
export type PresetId = (typeof RANGE_PRESETS)[number]['id'];
export const DEFAULT_PRESET: PresetId = '30d';

export const BUCKET_LABELS: Readonly<Record<AnalyticsBucket, string>> = { hour: 'Hour', day: 'Day', week: 'Week', month: 'Month' };

export interface DayRange {
  from: string;
  to: string;
}

export interface FeatureView extends DayRange {
  /** The preset the range follows, or null for chosen dates. */
  preset: PresetId | null;
  bucket: AnalyticsBucket;
  /** True when the bucket was chosen rather than picked for the range. */
  bucketChosen: boolean;
  /** One license server, or null for all of them. */
  serverId: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The day (YYYY-MM-DD) an instant falls on in a time zone. */
export function dayIn(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/**
 * The days from one instant to another as read in a license server's zone (the days its usage is counted
 * on), cut to the longest range the analytics answer: its last days when longer.
 */
export function daysCovering(firstIso: string, lastIso: string, timeZone: string): DayRange {
  const to = dayIn(lastIso, timeZone);
  const from = dayIn(firstIso, timeZone);
  return daysInRange(from, to) > MAX_ANALYTICS_RANGE_DAYS ? { from: daysBefore(to, MAX_ANALYTICS_RANGE_DAYS - 1), to } : { from, to };
}

/** The days of a preset, ending today (both included). */
export function presetRange(preset: PresetId, today: string): DayRange {
  const days = RANGE_PRESETS.find((option) => option.id === preset)?.days ?? 30;
  return { from: daysBefore(today, days - 1), to: today };
}

/** The bucket that suits a range: hours for a week, days up to a quarter, weeks up to two years, else months. */
export function defaultBucket(range: DayRange): AnalyticsBucket {
  const days = daysInRange(range.from, range.to);
  if (days <= 7) return 'hour';
  if (days <= 92) return 'day';
  if (days <= 731) return 'week';
  return 'month';
}

/** Whether the server answers a timeline of this range in this bucket (at most MAX_TIMELINE_POINTS points). */
export function bucketAllowed(range: DayRange, bucket: AnalyticsBucket): boolean {
  return timelinePoints(range.from, range.to, bucket) <= MAX_TIMELINE_POINTS;
}

/** What is wrong with a range typed into the date fields, per field, in words; empty when it is fine. */
export function rangeProblems(range: DayRange): Partial<Record<keyof DayRange, string>> {
  const problems: Partial<Record<keyof DayRange, string>> = {};
  if (!isDate(range.from)) problems.from = 'From must be a date (YYYY-MM-DD).';
  if (!isDate(range.to)) problems.to = 'To must be a date (YYYY-MM-DD).';
  if (problems.from || problems.to) return problems;
  const days = daysInRange(range.from, range.to);
  if (days === 0) problems.to = 'To must not be before From.';
  else if (days > MAX_ANALYTICS_RANGE_DAYS) problems.to = `The range is ${days} days; choose at most ${MAX_ANALYTICS_RANGE_DAYS} days (3 years).`;
  return problems;
}

const isBucket = (text: string | null): text is AnalyticsBucket => ANALYTICS_BUCKETS.some((bucket) => bucket === text);
const isPreset = (text: string | null): text is PresetId => RANGE_PRESETS.some((option) => option.id === text);

/**
 * The view a query string asks for (`?period=7d`, or `?from=…&to=…`, and `bucket`, `server`). Anything
 * missing or unusable falls back to the default: the last 30 days, all servers, the range's own bucket.
 */
export function readView(search: URLSearchParams, today: string): FeatureView {
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const period = search.get('period');
  let preset: PresetId | null;
  let range: DayRange;
  if (!isPreset(period) && (from || to) && Object.keys(rangeProblems({ from, to })).length === 0) {
    preset = null;
    range = { from, to };
  } else {
    preset = isPreset(period) ? period : DEFAULT_PRESET;
    range = presetRange(preset, today);
  }
  const asked = search.get('bucket');
  const bucketChosen = isBucket(asked) && bucketAllowed(range, asked);
  const server = search.get('server');
  return {
    ...range,
    preset,
    bucket: bucketChosen ? asked : defaultBucket(range),
    bucketChosen,
    serverId: server ? server : null,
  };
}

/** The query string for a view, leaving out what is the default. */
export function viewSearch(view: FeatureView): URLSearchParams {
  const search = new URLSearchParams();
  if (view.preset === null) {
    search.set('from', view.from);
    search.set('to', view.to);
  } else if (view.preset !== DEFAULT_PRESET) search.set('period', view.preset);
  if (view.bucketChosen) search.set('bucket', view.bucket);
  if (view.serverId) search.set('server', view.serverId);
  return search;
}

/**
 * The view after choosing another range: a chosen bucket is kept when the new range allows it, otherwise
 * the new range's own bucket applies.
 */
export function withRange(view: FeatureView, range: DayRange, preset: PresetId | null): FeatureView {
  const keep = view.bucketChosen && bucketAllowed(range, view.bucket);
  return { ...view, ...range, preset, bucket: keep ? view.bucket : defaultBucket(range), bucketChosen: keep };
}
