/**
 * Wall-clock time in an IANA time zone → UTC, correct across daylight-saving jumps, using only `Intl`.
 *
 * A "local" instant is written as epoch milliseconds of the wall-clock reading taken as if it were UTC
 * (`Date.UTC(year, month - 1, day, hour, minute, second)`). Asking `Intl` for an offset costs microseconds,
 * so the answer is cached per local hour: a parser converting millions of lines asks `Intl` a few times per
 * hour of log, not per line.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Beyond this many cached hours the cache starts again (adversarial input with random dates). */
const MAX_CACHED_HOURS = 50_000;

/** Converts wall-clock readings of one time zone to UTC. */
export interface ZoneClock {
  readonly timeZone: string;
  /** The zone's offset from UTC (milliseconds, local − UTC) at the UTC instant `utcMs`. */
  offsetAt(utcMs: number): number;
  /**
   * The UTC instant of the wall-clock reading `localMs`. In a repeated hour (clocks set back) the wall time
   * happens twice: `later` picks the second reading, otherwise the first. A wall time that never happened
   * (clocks set forward) is moved forward by the jump, so 02:30 in a skipped 02:00–03:00 hour reads 03:30.
   */
  toUtc(localMs: number, later?: boolean): number;
  /** True when the wall-clock reading `localMs` happens twice (the repeated autumn hour). */
  isRepeated(localMs: number): boolean;
  /**
   * The offset (local − UTC, ms) of the whole local hour holding `localMs` when every reading in that hour
   * has that one offset; NaN when the hour is repeated, skipped or holds a transition. Lets a caller convert
   * a run of readings in the same hour with one subtraction each.
   */
  uniformOffset(localMs: number): number;
}

/** Epoch milliseconds of a wall-clock reading taken as if it were UTC (works for years 0–9999). */
export function localMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

/** True when `timeZone` is an IANA zone name (or alias) that this runtime's `Intl` knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

interface HourEntry {
  /** Offset of the first reading (local − UTC, ms). */
  early: number;
  /** Offset of the second reading; equal to `early` unless the hour is repeated. */
  late: number;
  /** The hour holds a transition that is not on the hour (e.g. a 30-minute shift): resolve per reading. */
  mixed: boolean;
  /** The reading never happened (clocks jumped over it). */
  skipped: boolean;
}

/**
 * Creates a clock for `timeZone` (an IANA name such as Europe/Madrid). Throws a RangeError for a zone the
 * runtime does not know.
 */
export function createZoneClock(timeZone: string): ZoneClock {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new RangeError(`Unknown time zone: ${JSON.stringify(timeZone)} (expected an IANA name such as Europe/Madrid)`);
  }

  function offsetAt(utcMs: number): number {
    const t = Math.floor(utcMs / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of format.formatToParts(t)) {
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
        case 'era':
          // Only years before 1 AD carry an era worth reading; licence logs never do.
          break;
      }
    }
    return localMs(year, month, day, hour, minute, second) - t;
  }

  /**
   * Both readings of one wall time as offsets [first, second]. Real zones change offset at most once in any
   * two days, so the offsets one day either side are the only candidates.
   */
  function resolveOffsets(local: number, out: HourEntry): void {
    const before = offsetAt(local - DAY_MS);
    const after = offsetAt(local + DAY_MS);
    const okBefore = offsetAt(local - before) === before;
    const okAfter = before === after ? okBefore : offsetAt(local - after) === after;
    out.skipped = false;
    if (okBefore && okAfter) {
      // Repeated: the larger offset is the earlier instant.
      out.early = Math.max(before, after);
      out.late = Math.min(before, after);
    } else if (okBefore) {
      out.early = out.late = before;
    } else if (okAfter) {
      out.early = out.late = after;
    } else {
      // Skipped by a forward jump: read it with the offset in force before the jump (moves it forward).
      out.early = out.late = before;
      out.skipped = true;
    }
  }

  const cache = new Map<number, HourEntry>();
  /** Local days whose every hour has one and the same offset (the usual day): their shared entry. */
  const days = new Map<number, HourEntry | null>();

  /** The entry for the whole local day holding `local` when the day has one offset throughout, else null. */
  function dayEntry(local: number): HourEntry | null {
    const day = Math.floor(local / DAY_MS);
    let entry = days.get(day);
    if (entry === undefined) {
      const start: HourEntry = { early: 0, late: 0, mixed: false, skipped: false };
      resolveOffsets(day * DAY_MS, start);
      resolveOffsets(day * DAY_MS + DAY_MS - 1000, scratch);
      // Real zones change offset at most once a day: equal offsets at both ends mean none in between.
      const uniform = !start.skipped && !scratch.skipped && start.early === start.late && scratch.early === scratch.late && start.early === scratch.early;
      entry = uniform ? start : null;
      if (days.size >= MAX_CACHED_HOURS) days.clear();
      days.set(day, entry);
    }
    return entry;
  }
  let lastHour = Number.NaN;
  let last: HourEntry = { early: 0, late: 0, mixed: false, skipped: false };
  const scratch: HourEntry = { early: 0, late: 0, mixed: false, skipped: false };

  function hourEntry(local: number): HourEntry {
    const hour = Math.floor(local / HOUR_MS);
    if (hour === lastHour) return last;
    let entry = dayEntry(local) ?? cache.get(hour);
    if (entry === undefined) {
      const start = hour * HOUR_MS;
      const first: HourEntry = { early: 0, late: 0, mixed: false, skipped: false };
      resolveOffsets(start, first);
      resolveOffsets(start + HOUR_MS - 1000, scratch);
      if (scratch.early !== first.early || scratch.late !== first.late || scratch.skipped !== first.skipped) first.mixed = true;
      entry = first;
      if (cache.size >= MAX_CACHED_HOURS) cache.clear();
      cache.set(hour, entry);
    }
    lastHour = hour;
    last = entry;
    return entry;
  }

  return {
    timeZone,
    offsetAt,
    toUtc(local: number, later = false): number {
      const entry = hourEntry(local);
      if (entry.mixed) {
        resolveOffsets(local, scratch);
        return local - (later ? scratch.late : scratch.early);
      }
      return local - (later ? entry.late : entry.early);
    },
    uniformOffset(local: number): number {
      const entry = hourEntry(local);
      // A skipped hour has one offset too, but its readings never happened: not uniform.
      return entry.mixed || entry.skipped || entry.early !== entry.late ? Number.NaN : entry.early;
    },
    isRepeated(local: number): boolean {
      const entry = hourEntry(local);
      if (entry.mixed) {
        resolveOffsets(local, scratch);
        return scratch.early !== scratch.late;
      }
      return entry.early !== entry.late;
    },
  };
}
