/**
 * From absolute instants to a license server's wall clock: UTC offsets, local calendar days and ISO-8601
 * strings with the offset (2022-06-09T14:03:21+02:00).
 *
 * The offsets come from the zone clock (local-time.ts), the one place that asks Intl: it learns each year's
 * transitions once and then answers with a few comparisons, with no Intl call and nothing allocated, which
 * is what the analyser needs when it asks for every event. The clock is shared per zone, so creating a
 * view (an analyser, or a formatted instant) costs nothing once its zone has been seen.
 */
import { sharedZoneClock } from './local-time.ts';

const DAY_MS = 86_400_000;

/** Wall-clock views of instants in one IANA time zone. */
export interface TimeZoneView {
  readonly timeZone: string;
  /** Local time minus UTC at `at`, in milliseconds (+7_200_000 for Madrid in summer). */
  offsetMs(at: number): number;
  /** The local calendar day of `at` as a day number (days since 1970-01-01 on the local calendar). */
  localDay(at: number): number;
  /** `at` as ISO-8601 local time with its offset; milliseconds only when there are some. */
  formatIso(at: number): string;
}

/** A local day number (see TimeZoneView.localDay) as YYYY-MM-DD. */
export function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A view of instants in `timeZone`. Throws RangeError for a zone Intl does not know, so a wrong
 * setting fails at once rather than on the first event.
 */
export function createTimeZoneView(timeZone: string): TimeZoneView {
  const clock = sharedZoneClock(timeZone);
  const offsetMs = clock.offsetAt;

  function localDay(at: number): number {
    return Math.floor((at + offsetMs(at)) / DAY_MS);
  }

  function formatIso(at: number): string {
    const offset = offsetMs(at);
    const local = new Date(at + offset).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ, in local wall time
    const wall = local.endsWith('.000Z') ? local.slice(0, -5) : local.slice(0, -1);
    const minutes = Math.round(Math.abs(offset) / 60_000);
    const sign = offset < 0 ? '-' : '+';
    const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
    const mm = String(minutes % 60).padStart(2, '0');
    return `${wall}${sign}${hh}:${mm}`;
  }

  return { timeZone, offsetMs, localDay, formatIso };
}

/** `at` as ISO-8601 local time in `timeZone` with its offset, e.g. 2022-06-09T14:03:21+02:00. */
export function formatIsoWithOffset(at: number, timeZone: string): string {
  return createTimeZoneView(timeZone).formatIso(at);
}
