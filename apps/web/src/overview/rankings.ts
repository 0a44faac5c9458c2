/**
 * The overview's lists and totals, from the usage summaries of a period and the period before it:
 * which features run closest to their owned seats, which deny people most, which are least used
 * (cancellation candidates), and how the totals moved.
 */
import type { FeatureSummary } from '@seatwise/protocol';

/** How many features each list shows. */
export const LIST_LENGTH = 5;

export interface PeriodTotals {
  /** Features with any use or with seats owned entered. */
  features: number;
  seatsOwned: number;
  /** Seats owned never in use at once (features with seats owned entered). */
  unusedSeats: number;
  seatHours: number;
  denials: number;
  retriedDenials: number;
  /** Features whose seats owned are not entered yet. */
  withoutSeatsOwned: number;
}

/** A change against the period before: null when there is nothing to compare with. */
export interface Trend {
  current: number;
  previous: number;
  /** (current − previous) / previous; null when previous is 0. */
  change: number | null;
}

/** Adds up a period's features. */
export function totalsOf(features: readonly FeatureSummary[]): PeriodTotals {
  const totals: PeriodTotals = { features: features.length, seatsOwned: 0, unusedSeats: 0, seatHours: 0, denials: 0, retriedDenials: 0, withoutSeatsOwned: 0 };
  for (const feature of features) {
    if (feature.seatsOwned === null) totals.withoutSeatsOwned++;
    else totals.seatsOwned += feature.seatsOwned;
    totals.unusedSeats += feature.unusedSeats ?? 0;
    totals.seatHours += feature.seatHours;
    totals.denials += feature.denials;
    totals.retriedDenials += feature.retriedDenials;
  }
  return totals;
}

/** The change from `previous` to `current`. */
export function trend(current: number, previous: number): Trend {
  return { current, previous, change: previous === 0 ? null : (current - previous) / previous };
}

const byName = (a: FeatureSummary, b: FeatureSummary) => a.name.localeCompare(b.name) || a.vendor.localeCompare(b.vendor);

/** Features with seats owned, highest peak against seats owned first (the ones about to deny people). */
export function closestToOwned(features: readonly FeatureSummary[], length = LIST_LENGTH): FeatureSummary[] {
  return features
    .filter((feature) => feature.utilisation !== null && feature.peak > 0)
    .sort((a, b) => (b.utilisation?.peak ?? 0) - (a.utilisation?.peak ?? 0) || byName(a, b))
    .slice(0, length);
}

/** Features that turned people away, most true denials first (retried denials break ties). */
export function mostDenied(features: readonly FeatureSummary[], length = LIST_LENGTH): FeatureSummary[] {
  return features
    .filter((feature) => feature.denials + feature.retriedDenials > 0)
    .sort((a, b) => b.denials - a.denials || b.retriedDenials - a.retriedDenials || byName(a, b))
    .slice(0, length);
}

/**
 * Cancellation candidates: features with seats owned, the most seats never used at once first, then the
 * lowest average use. A feature nobody used at all leads (every seat unused).
 */
export function leastUsed(features: readonly FeatureSummary[], length = LIST_LENGTH): FeatureSummary[] {
  return features
    .filter((feature) => feature.seatsOwned !== null && feature.seatsOwned > 0 && (feature.unusedSeats ?? 0) > 0)
    .sort(
      (a, b) =>
        (b.unusedSeats ?? 0) - (a.unusedSeats ?? 0) || (a.utilisation?.average ?? 0) - (b.utilisation?.average ?? 0) || byName(a, b),
    )
    .slice(0, length);
}

export interface Period {
  from: string;
  to: string;
}

/** The period of the same length that ends the day before `period` starts. */
export function previousPeriod(period: Period): Period {
  const day = 86_400_000;
  const from = Date.parse(`${period.from}T00:00:00Z`);
  const to = Date.parse(`${period.to}T00:00:00Z`);
  const length = Math.round((to - from) / day) + 1;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: iso(from - length * day), to: iso(from - day) };
}
