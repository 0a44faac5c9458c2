import { z } from 'zod';
import { IsoDateTime, Uuid } from './common.ts';
import { ANALYTICS_BUCKETS, daysInRange, MAX_ANALYTICS_RANGE_DAYS, MAX_PEOPLE_PAGE, MAX_TIMELINE_POINTS, timelinePoints, type AnalyticsBucket } from './limits.ts';

/**
 * Usage analytics: figures per feature (and per license server) over a range of days, read from the
 * roll-ups. Ranges are whole days, `from` and `to` both included. Days are the local days of each license
 * server ("all servers": each server's own days); hour buckets are the UTC hours of the requested days.
 */


const DateOnly = z.iso.date({ message: 'must be a date as YYYY-MM-DD' });

interface RangeInput {
  from: string;
  to: string;
  bucket?: AnalyticsBucket;
}

/** from ≤ to, at most MAX_ANALYTICS_RANGE_DAYS, and a timeline of at most MAX_TIMELINE_POINTS points. */
function checkRange(value: RangeInput, ctx: z.RefinementCtx): void {
  const days = daysInRange(value.from, value.to);
  if (days === 0) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${value.from})` });
    return;
  }
  if (days > MAX_ANALYTICS_RANGE_DAYS) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `the range is ${days} days; at most ${MAX_ANALYTICS_RANGE_DAYS} (3 years) may be asked for at once` });
    return;
  }
  if (value.bucket) {
    const points = timelinePoints(value.from, value.to, value.bucket);
    if (points > MAX_TIMELINE_POINTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['bucket'],
        message: `${value.bucket} buckets give ${points} points for this range; at most ${MAX_TIMELINE_POINTS}: choose a shorter range or a larger bucket`,
      });
    }
  }
}

const rangeFields = {
  /** First day, YYYY-MM-DD (included). */
  from: DateOnly,
  /** Last day, YYYY-MM-DD (included). */
  to: DateOnly,
  /** One license server; without it, all servers together (concurrency across servers, not a sum of peaks). */
  licenseServerId: Uuid.optional(),
};

export const AnalyticsSummaryQuery = z.strictObject(rangeFields).superRefine(checkRange);
export type AnalyticsSummaryQuery = z.infer<typeof AnalyticsSummaryQuery>;

export const AnalyticsTimelineQuery = z
  .strictObject({ ...rangeFields, bucket: z.enum(ANALYTICS_BUCKETS, { message: `must be one of: ${ANALYTICS_BUCKETS.join(', ')}` }).default('day') })
  .superRefine(checkRange);
export type AnalyticsTimelineQuery = z.infer<typeof AnalyticsTimelineQuery>;

export const AnalyticsPeopleQuery = z
  .strictObject({
    // licenseServerId is accepted like in the other analytics queries, but per-person figures are always
    // for all servers together (the roll-up keeps a person's day across servers).
    ...rangeFields,
    limit: z.coerce.number().int().min(1).max(MAX_PEOPLE_PAGE).default(100),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  })
  .superRefine(checkRange);
export type AnalyticsPeopleQuery = z.infer<typeof AnalyticsPeopleQuery>;

/** Use against seats owned (fractions: 1 = every owned seat); null when seats owned is not entered or 0. */
export const Utilisation = z
  .object({
    /** peak / seats owned. */
    peak: z.number(),
    /** average in use / seats owned. */
    average: z.number(),
  })
  .nullable();

export const AnalyticsFeature = z.object({
  id: Uuid,
  vendor: z.string(),
  name: z.string(),
  seatsOwned: z.number().int().nullable(),
});

export const FeatureSummary = z.object({
  featureId: Uuid,
  vendor: z.string(),
  name: z.string(),
  seatsOwned: z.number().int().nullable(),
  /** Most seats held at once on one day of the range. */
  peak: z.number().int(),
  /** When the peak was first reached; null when nothing was held. */
  peakAt: IsoDateTime.nullable(),
  /** Seats in use on average over the whole range (seat time / the range's duration). */
  averageInUse: z.number(),
  /** Distinct users on the busiest day. */
  maxDailyUsers: z.number().int(),
  /** Distinct users per day, averaged over every day of the range (days without use count as 0). */
  averageDailyUsers: z.number(),
  /** Seats × hours held. */
  seatHours: z.number(),
  /** True denials: not followed by a check-out of the same feature by the same person. */
  denials: z.number().int(),
  /** Denials followed by a check-out within the retry window (the person got a seat soon after). */
  retriedDenials: z.number().int(),
  utilisation: Utilisation,
  /** Seats owned that were never in use at once: seats owned − peak, at least 0; null when not entered. */
  unusedSeats: z.number().int().nullable(),
});
export type FeatureSummary = z.infer<typeof FeatureSummary>;

export const AnalyticsSummary = z.object({
  from: z.string(),
  to: z.string(),
  licenseServerId: Uuid.nullable(),
  days: z.number().int(),
  features: z.array(FeatureSummary),
});
export type AnalyticsSummary = z.infer<typeof AnalyticsSummary>;

export const TimelinePoint = z.object({
  /** Hour: the UTC instant it starts; day: YYYY-MM-DD; week: its Monday; month: its 1st. */
  start: z.string(),
  /** Days of the range inside the bucket (edge weeks and months may be partial); null for hours. */
  days: z.number().int().nullable(),
  peak: z.number().int(),
  peakAt: IsoDateTime.nullable(),
  averageInUse: z.number(),
  /** Day: that day's distinct users; week and month: the most on one day; null for hours (not kept per hour). */
  users: z.number().int().nullable(),
  /** Distinct users per day averaged over the bucket's days; null for hours. */
  averageDailyUsers: z.number().nullable(),
  seatHours: z.number(),
  denials: z.number().int(),
  retriedDenials: z.number().int(),
  utilisation: Utilisation,
});
export type TimelinePoint = z.infer<typeof TimelinePoint>;

export const FeatureTimeline = z.object({
  feature: AnalyticsFeature,
  licenseServerId: Uuid.nullable(),
  bucket: z.enum(ANALYTICS_BUCKETS),
  from: z.string(),
  to: z.string(),
  /** One point per bucket, ascending, empty buckets included as zeros. */
  points: z.array(TimelinePoint),
});
export type FeatureTimeline = z.infer<typeof FeatureTimeline>;

export const PersonUsage = z.object({
  /** Stable id of the person in usage data (not an account). */
  personId: z.string(),
  /** The user name as logged; after an erasure, the pseudonym that replaced it. */
  name: z.string(),
  pseudonymised: z.boolean(),
  /** Seats × hours held. */
  hours: z.number(),
  /** Check-outs started in the range. */
  sessions: z.number().int(),
  /** Check-ins for inactivity (the license was taken back from an idle session). */
  idleCheckins: z.number().int(),
  lastUsedAt: IsoDateTime,
});
export type PersonUsage = z.infer<typeof PersonUsage>;

export const FeaturePeople = z.object({
  feature: AnalyticsFeature,
  from: z.string(),
  to: z.string(),
  /** People who used the feature in the range (all pages). */
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  /** Most hours first. */
  people: z.array(PersonUsage),
});
export type FeaturePeople = z.infer<typeof FeaturePeople>;


/**
 * The exact seats-in-use step function of one feature. Its days are UTC days (like the hour buckets of
 * the timeline): the range runs from `from` at 00:00 UTC to the end of `to`.
 */
export const AnalyticsConcurrencyQuery = z.strictObject(rangeFields).superRefine(checkRange);
export type AnalyticsConcurrencyQuery = z.infer<typeof AnalyticsConcurrencyQuery>;

/**
 * Seats in use of one feature at every instant of a range, computed from the stored sessions (not the
 * roll-ups), as two parallel arrays: from `t[i]` until `t[i + 1]` (the last until `until`), `inUse[i]`
 * seats are held; before `t[0]`, `initialInUse`. Only instants where the count changes are listed, in whole
 * seconds. An open session (no check-in yet) counts as held until it was last seen, as in the roll-ups: for
 * an uploaded log, its last line; from an agent, only its start until the check-in arrives. All servers: concurrency across servers (the sum of each server's count at every instant).
 */
export const FeatureConcurrency = z.object({
  feature: AnalyticsFeature,
  licenseServerId: Uuid.nullable(),
  from: z.string(),
  to: z.string(),
  /** The range's first instant: `from` at 00:00 UTC, in seconds since 1970-01-01T00:00Z. */
  start: z.number().int(),
  /**
   * Where the answer ends, in seconds since 1970-01-01T00:00Z: the end of `to` (00:00 UTC of the day
   * after), or now when that is sooner, or, when truncated, the first change left out.
   */
  until: z.number().int(),
  /** Seats held at `start` by sessions that began before it. */
  initialInUse: z.number().int(),
  /** Instants where the count changes, in seconds since 1970-01-01T00:00Z, ascending, in [start, until). */
  t: z.array(z.number().int()),
  /** Seats in use from the matching instant of `t` on. */
  inUse: z.array(z.number().int()),
  /** More than MAX_CONCURRENCY_POINTS changes: the answer stops at `until`; ask for a shorter range. */
  truncated: z.boolean(),
});
export type FeatureConcurrency = z.infer<typeof FeatureConcurrency>;
