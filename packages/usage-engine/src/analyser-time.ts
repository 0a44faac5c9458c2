/**
 * From absolute instants to a license server's wall clock: UTC offsets, local calendar days and ISO-8601
 * strings with the offset (2022-06-09T14:03:21+02:00). Built on Intl only.
 *
 * Intl is slow (microseconds a call), and the analyser asks for every event, so offsets are cached per UTC
 * hour. An hour whose first and last millisecond share an offset is taken as uniform (no zone changes its
 * offset and back within one hour); an hour holding a transition is searched once for the exact instant.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Cached hours before the cache is dropped and rebuilt (input spanning years with random access). */
const MAX_CACHED_HOURS = 8_192;

/** One UTC hour: the offset before `switchAt` and from it on (equal when the hour has no transition). */
interface HourOffsets {
  switchAt: number;
  before: number;
  after: number;
}

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
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const cache = new Map<number, HourOffsets>();
  let lastHour = Number.NaN;
  let last: HourOffsets = { switchAt: 0, before: 0, after: 0 };

  /** Exact offset at `at` from Intl, to the second. */
  function exactOffset(at: number): number {
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of format.formatToParts(at)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        default:
          break;
      }
    }
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    return wall - Math.floor(at / 1000) * 1000;
  }

  function hourOffsets(hourNumber: number): HourOffsets {
    const cached = cache.get(hourNumber);
    if (cached) return cached;
    const start = hourNumber * HOUR_MS;
    const end = start + HOUR_MS - 1;
    const before = exactOffset(start);
    const after = exactOffset(end);
    let switchAt = start;
    if (before !== after) {
      // Find the first millisecond with the new offset; transitions fall on whole seconds, so search seconds.
      let low = Math.floor(start / 1000); // offset `before`
      let high = Math.floor(end / 1000); // offset `after`
      while (high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        if (exactOffset(mid * 1000) === before) low = mid;
        else high = mid;
      }
      switchAt = high * 1000;
    }
    if (cache.size >= MAX_CACHED_HOURS) cache.clear();
    const entry = { switchAt, before, after };
    cache.set(hourNumber, entry);
    return entry;
  }

  function offsetMs(at: number): number {
    const hourNumber = Math.floor(at / HOUR_MS);
    if (hourNumber !== lastHour) {
      last = hourOffsets(hourNumber);
      lastHour = hourNumber;
    }
    return at < last.switchAt ? last.before : last.after;
  }

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
