/**
 * The protocol's plain values: limits, lists of names and day arithmetic, without any schema. The web app
 * imports values from here only (through the package index); importing a value from a module that defines
 * zod schemas would bring those schemas, and zod, into the browser bundle.
 */

/** Passwords: length rules here, strength rules on the server (which has the dictionary). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_BYTES = 72;

/** API key scopes and what each allows, and the longest name a key may have. */
export const API_KEY_SCOPES = ['ingest', 'read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_SCOPE_DESCRIPTIONS: Readonly<Record<ApiKeyScope, string>> = {
  ingest: 'Send usage data (the on-prem agent).',
  read: 'Read usage and license data.',
};
export const API_KEY_NAME_MAX_LENGTH = 100;

/** The most seats owned one feature may have. */
export const MAX_SEATS_OWNED = 10_000_000;

/** Smart Upload: the largest file accepted. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
/** Diagnostics kept per upload (the rest are counted). */
export const MAX_UPLOAD_DIAGNOSTICS = 100;
/** The longest file name an upload keeps. */
export const UPLOAD_FILE_NAME_MAX_LENGTH = 255;

/** Usage analytics: buckets, the largest answers, and the day arithmetic both sides use. */
export const ANALYTICS_BUCKETS = ['hour', 'day', 'week', 'month'] as const;
export type AnalyticsBucket = (typeof ANALYTICS_BUCKETS)[number];

/** The longest range one request may ask for: three years of days. */
export const MAX_ANALYTICS_RANGE_DAYS = 3 * 365 + 1;
/** The most points one timeline answers with (10 000 hours is about 416 days). */
export const MAX_TIMELINE_POINTS = 10_000;
/** The longest range an hourly timeline may cover, in days (10 000 hours). */
export const MAX_HOURLY_DAYS = Math.floor(MAX_TIMELINE_POINTS / 24);
/** The largest page of people. */
export const MAX_PEOPLE_PAGE = 1000;

const DAY_MS = 86_400_000;

/** Days from `from` to `to` (YYYY-MM-DD), both included; 0 when `to` is before `from`. */
export function daysInRange(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1);
}

/** The number of points a timeline of [from, to] by `bucket` has (weeks and months include partial ones). */
export function timelinePoints(from: string, to: string, bucket: AnalyticsBucket): number {
  const days = daysInRange(from, to);
  if (days === 0) return 0;
  if (bucket === 'hour') return days * 24;
  if (bucket === 'day') return days;
  const first = Date.parse(`${from}T00:00:00Z`) / DAY_MS;
  const last = first + days - 1;
  if (bucket === 'week') {
    const monday = (day: number) => day - ((((day + 3) % 7) + 7) % 7);
    return (monday(last) - monday(first)) / 7 + 1;
  }
  const month = (text: string) => Number(text.slice(0, 4)) * 12 + Number(text.slice(5, 7));
  return month(to) - month(from) + 1;
}

/**
 * The most change points one concurrency answer holds. A million covers a busy year: a change every 32
 * seconds around the clock, or some 1,370 check-outs a day (a check-out and its check-in are two changes)
 * every day of the year; a year of a count changing every minute is 525,600. As JSON that is about 14 MB
 * before compression, which a browser parses in well under a second.
 */
export const MAX_CONCURRENCY_POINTS = 1_000_000;
