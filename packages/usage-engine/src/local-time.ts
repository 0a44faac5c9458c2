/**
 * Wall-clock time in an IANA time zone → UTC, correct across daylight-saving jumps, using only `Intl`.
 *
 * A "local" instant is written as epoch milliseconds of the wall-clock reading taken as if it were UTC
 * (`Date.UTC(year, month - 1, day, hour, minute, second)`). Asking `Intl` for an offset costs microseconds, so
 * the clock learns each calendar year's transitions once (about a hundred `Intl` calls a year) and answers
 * everything else from that table, with the answer for the last local hour kept at hand: a parser converting
 * millions of lines does one comparison per line, and no input, however its dates jump, costs more than one
 * table per year it names.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Offsets are sampled this far apart to find transitions (real zones keep an offset for months). */
const SAMPLE_MS = 6 * DAY_MS;
/** Beyond this many cached years the cache starts again. */
const MAX_CACHED_YEARS = 512;
/** Beyond this many zones the shared clocks start again (a process serves a handful of zones). */
const MAX_SHARED_CLOCKS = 256;

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

/** The offsets of one UTC year (with a margin), as a step function. */
interface YearTable {
  start: number;
  end: number;
  /** Instants (UTC ms) where the offset changes, ascending. */
  changes: number[];
  /** offsets[i] holds before changes[i]; the last one after the last change. */
  offsets: number[];
}

/** Both readings of one wall time, as offsets, and whether it happened at all. */
interface Readings {
  early: number;
  late: number;
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

  /** The offset at a UTC instant, straight from Intl (the slow way). */
  function intlOffset(utcMs: number): number {
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
        default:
          // Literals, and the era (only years before 1 AD have one; licence logs never do).
          break;
      }
    }
    return localMs(year, month, day, hour, minute, second) - t;
  }

  /** Finds the offset changes of a UTC year (two days' margin each side) by sampling and bisection. */
  function buildYear(year: number): YearTable {
    const start = localMs(year, 1, 1) - 2 * DAY_MS;
    const end = localMs(year + 1, 1, 1) + 2 * DAY_MS;
    const changes: number[] = [];
    const offsets: number[] = [];
    let t = start;
    let offset = intlOffset(t);
    while (t < end) {
      const next = Math.min(t + SAMPLE_MS, end);
      const nextOffset = intlOffset(next);
      if (nextOffset !== offset) {
        // The change lies in (t, next]: bisect to the second.
        let low = t;
        let high = next;
        while (high - low > 1000) {
          const mid = low + Math.floor((high - low) / 2000) * 1000;
          if (intlOffset(mid) === offset) low = mid;
          else high = mid;
        }
        changes.push(high);
        offsets.push(offset);
        offset = nextOffset;
      }
      t = next;
    }
    offsets.push(offset);
    return { start, end, changes, offsets };
  }

  const years = new Map<number, YearTable>();
  /** The table in use (empty until the first question). */
  let table: YearTable = { start: Infinity, end: -Infinity, changes: [], offsets: [] };

  function offsetAt(utcMs: number): number {
    if (!(utcMs >= table.start && utcMs < table.end)) {
      const year = new Date(utcMs).getUTCFullYear();
      if (Number.isNaN(year)) return Number.NaN;
      let found = years.get(year);
      if (found === undefined) {
        found = buildYear(year);
        if (years.size >= MAX_CACHED_YEARS) years.clear();
        years.set(year, found);
      }
      table = found;
    }
    const changes = table.changes;
    let i = 0;
    while (i < changes.length && utcMs >= (changes[i] as number)) i++;
    return table.offsets[i] as number;
  }

  /**
   * Both readings of the wall time `local`. Real zones change offset at most once in any two days, so the
   * offsets one day either side are the only candidates.
   */
  function readings(local: number, out: Readings): void {
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

  // The last local hour asked about, and what holds for all of it (NaN uniform: look closer).
  let hour = Number.NaN;
  let hourUniform = Number.NaN;
  const scratch: Readings = { early: 0, late: 0, skipped: false };
  const scratchEnd: Readings = { early: 0, late: 0, skipped: false };

  /** Offset of the whole local hour holding `local` when it has one, else NaN (see uniformOffset). */
  function uniform(local: number): number {
    const h = Math.floor(local / HOUR_MS);
    if (h !== hour) {
      hour = h;
      readings(h * HOUR_MS, scratch);
      readings(h * HOUR_MS + HOUR_MS - 1000, scratchEnd);
      const same = !scratch.skipped && !scratchEnd.skipped && scratch.early === scratch.late;
      hourUniform = same && scratchEnd.early === scratch.early && scratchEnd.late === scratch.late ? scratch.early : Number.NaN;
    }
    return hourUniform;
  }

  const one: Readings = { early: 0, late: 0, skipped: false };

  return {
    timeZone,
    offsetAt,
    uniformOffset: uniform,
    toUtc(local: number, later = false): number {
      const offset = uniform(local);
      if (offset === offset) return local - offset;
      readings(local, one);
      return local - (later ? one.late : one.early);
    },
    isRepeated(local: number): boolean {
      const offset = uniform(local);
      if (offset === offset) return false;
      readings(local, one);
      return one.early !== one.late;
    },
  };
}

/**
 * Clocks by zone, shared by every caller in the process. A clock holds nothing but what its zone's rules
 * decide (year tables and the last hour looked at), so sharing one changes no answer; it saves building the
 * tables again (a few milliseconds a zone) for every analyser and every formatted instant.
 */
const sharedClocks = new Map<string, ZoneClock>();

/** The shared clock of `timeZone` (see createZoneClock; the same RangeError for a zone the runtime does not know). */
export function sharedZoneClock(timeZone: string): ZoneClock {
  let clock = sharedClocks.get(timeZone);
  if (clock === undefined) {
    clock = createZoneClock(timeZone);
    if (sharedClocks.size >= MAX_SHARED_CLOCKS) sharedClocks.clear();
    sharedClocks.set(timeZone, clock);
  }
  return clock;
}
