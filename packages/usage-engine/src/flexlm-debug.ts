/**
 * FlexNet / FlexLM debug logs (lmgrd and vendor-daemon lines) → UsageEvents with absolute UTC times.
 *
 * Lines look like ` 9:14:47 (MLM) OUT: "MATLAB" jdoe@ws-17  (2 licenses)`: a wall-clock time, the daemon in
 * parentheses, a message. Most lines carry no date, so the parser keeps one: from start-up banners, TIMESTAMP
 * lines, "Server's System Date and Time", summary-log (SLOG) headers, per-line dates (`-datestamp` style
 * `2022/06/09 14:03:21` or `6/9/2022 14:03:21`, and the old `6/9 14:03` layout) or the caller's start date; a
 * clock going back by more than an hour means midnight passed. Events seen before any date are held and sent,
 * in order, once one is known.
 *
 * Speed: the parser reads UTF-8 bytes (`lineBytes`, which the line splitter calls directly); `line(text)`
 * encodes into a scratch buffer first. No line becomes a string, and names (users, hosts, features, vendors,
 * reasons) come from a table keyed by their bytes: a name seen before costs no allocation, events share one
 * string per name, and no kept name pins a chunk of input. The scanning is by hand — no regular expressions
 * and no per-line arrays on the common path; a regex with backtracking on hostile input is how log parsers
 * become quadratic. A byte loop costs V8 about fifteen instructions a byte, a native search of a Latin-1
 * string about three, so the common body ('"feature" user@host') is found with indexOf on the block text
 * the splitter passes along (quickBody), and byte loops decide everything else. Each event goes out with
 * the name-table slots of its names as a hint for the analyser (nameSlots in analyser.ts).
 */
import { nameSlots } from './analyser.ts';
import { createZoneClock, localMs } from './local-time.ts';
import type { LineParser, ParseOptions, ParseSink, UsageEvent, UsageEventKind } from './types.ts';

/** A LineParser that also takes a line as UTF-8 bytes (what the line splitter hands over when it can). */
export interface FlexlmDebugParser extends LineParser {
  /** The line in bytes [start, end) of `bytes`, without its terminator; `text` as in LineTarget.lineBytes. */
  lineBytes(bytes: Uint8Array, start: number, end: number, lineNumber: number, text?: string, textStart?: number): void;
  /**
   * What a parser needs to carry on from the next line as if it had never stopped: the date context (date
   * known or not, the day and clock of the last line, daylight-saving fold tracking, vendor starts just
   * announced) and the events held back (waiting for a date, or for a continuation line). Pass it to
   * createFlexlmDebugParser as `resumeFrom`. Plain JSON; a JSON round trip keeps it whole.
   */
  checkpoint(): FlexlmParserCheckpoint;
}

/** An event in a parser checkpoint: a UsageEvent without an undefined reason. */
export type FlexlmCheckpointEvent = Omit<UsageEvent, 'reason'> & { reason?: string };

/** See FlexlmDebugParser.checkpoint. Numbers that are NaN in the parser are null here. */
export interface FlexlmParserCheckpoint {
  version: 1;
  dateKnown: boolean;
  /** Day number (days since 1970-01-01) of the first line while nothing has been read. */
  baseDay: number;
  /** Local time (seconds, wall clock read as UTC) of the last timed line, and its day's midnight. */
  lastLocal: number | null;
  lastMidnight: number;
  /** Repeated-hour tracking (see localToUtc). */
  fold: { hour: number | null; max: number; passed: boolean; prev: number | null };
  /** Events held while no date is known, with their local time and (old layout) month * 100 + day. */
  undated: { event: FlexlmCheckpointEvent; local: number; monthDay: number }[];
  /** An event a following line may still complete ("(3 licenses)", a denial reason). */
  held: { event: FlexlmCheckpointEvent; local: number; monthDay: number; dated: boolean; wants: number } | null;
  /** Vendor daemons lmgrd just started, with the local time (seconds). */
  announced: [string, number][];
}

const DAY_S = 86_400;
const HOUR_S = 3_600;
/** A wall clock going back by more than this (seconds) means a new day; less is out-of-order lines or DST. */
const ROLLBACK_S = 3_600;
/** A line this close before the previous one, modulo a day, is a late line from before midnight. */
const LATE_LINE_S = 300;
/** In a repeated hour, a step back larger than this (seconds) means the clocks went back. */
const FOLD_STEP_S = 60;
/** Events held while no date is known; beyond this they are reported and dropped (memory stays bounded). */
export const MAX_UNDATED_EVENTS = 100_000;
const MAX_SEATS = 1_000_000;
const MAX_VENDOR_LENGTH = 64;
/** A vendor daemon's "Server started" within this many seconds of lmgrd's "Started" is the same start. */
const ANNOUNCE_WINDOW_S = 600;
const MIN_YEAR = 1980;
const MAX_YEAR = 2199;

const WANT_SEATS = 1;
const WANT_REASON = 2;
/** Vendor names cached by their bytes: entries, and bytes kept per entry (longer names skip the cache). */
const VENDOR_CACHE_SIZE = 64;
const VENDOR_CACHE_BYTES = 32;

// Byte values.
const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const OPEN = 40;
const CLOSE = 41;
const DOT = 46;
const SLASH = 47;
const COLON = 58;
const AT = 64;
const BRACKET = 91;
const CARET = 94;
const DASH = 45;
const UPPER_T = 84;

/** Multiplicative hashing of names, four bytes at a time. */
const HASH_SEED = 0x811c9dc5 | 0;
const HASH_PRIME = 0x01000193;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** An envelope (time, optional date, "(vendor)") after a shell prompt or other text glued before it. */
const GLUED_ENVELOPE = /(?<![\d:/.-])(?:\d{1,4}[/-]\d{1,2}(?:[/-]\d{2,4})?[ \t]+)?\d{1,2}:\d\d(?::\d\d)?[ \t]+\(/;
/** A line without a time that still reads like an event ("(MLM) OUT: ..." or "OUT: ..."). */
const TIMELESS_EVENT = /^[ \t]*(?:\([^()\s]{1,64}\)[ \t]*)?(OUT|IN|DENIED|UNSUPPORTED|QUEUED|DEQUEUED):/i;

/** One character per byte, so that indexes into the text are indexes into the bytes (for the regexes). */
const byteText = new TextDecoder('latin1');
const encoder = new TextEncoder();

/**
 * Creates a parser for FlexNet/FlexLM debug logs. Wall times are read in `options.timeZone` (IANA);
 * `options.startDate` (YYYY-MM-DD) dates the first lines when the log does not. `resumeFrom` (from
 * `checkpoint()`, same time zone) carries on from the line after the one where it was taken; the caller
 * numbers lines on from there. Throws a RangeError for an unknown time zone, a malformed start date or a
 * checkpoint of another version.
 */
export function createFlexlmDebugParser(options: ParseOptions, sink: ParseSink, resumeFrom?: FlexlmParserCheckpoint): FlexlmDebugParser {
  const clock = createZoneClock(options.timeZone);
  let dateKnown = false;
  /** Day (days since 1970-01-01) of the first line when nothing has been read yet. */
  let baseDay = 0;
  if (options.startDate !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(options.startDate);
    const day = m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : Number.NaN;
    if (Number.isNaN(day)) {
      throw new RangeError(`Invalid start date: ${JSON.stringify(options.startDate)} (expected YYYY-MM-DD)`);
    }
    baseDay = day;
    dateKnown = true;
  }

  /** Features, vendors and reasons: few, looked up on every event, so kept in a small table of their own. */
  const words = new NameTable();
  // Vendor names by their bytes (see vendorName).
  const vendorLengths = new Int32Array(VENDOR_CACHE_SIZE);
  const vendorBytes = new Uint8Array(VENDOR_CACHE_SIZE * VENDOR_CACHE_BYTES);
  const vendorStrings: string[] = new Array<string>(VENDOR_CACHE_SIZE).fill('');
  /** Users and hosts. */
  const names = new NameTable();
  /** Scratch for line(text): the text as UTF-8. */
  let scratch = new Uint8Array(1024);
  /** The current line's bytes as Latin-1 text from byte lineTextStart on, when the caller gave it (see LineTarget). */
  let lineText: string | null = null;
  let lineTextStart = 0;

  // ---- date and time state -------------------------------------------------------------------------
  /** Local time (seconds, wall clock read as UTC) of the last timed line; relative while no date is known. */
  let lastLocal = Number.NaN;
  /** Local midnight (seconds) of the day lastLocal falls on. */
  let lastMidnight = 0;
  /** The local hour whose single UTC offset is cached, and that offset (ms). */
  let offsetHour = Number.NaN;
  let offsetMs = 0;
  // Repeated-hour tracking (see localToUtc).
  let foldHour = Number.NaN;
  let foldMax = 0;
  let foldPassed = false;
  let foldPrev = Number.NaN;

  // ---- events waiting ----------------------------------------------------------------------------
  const undated: UsageEvent[] = [];
  const undatedLocal: number[] = [];
  /** month * 100 + day of an old-layout line whose year was unknown, else 0. */
  const undatedMonthDay: number[] = [];
  /** An event that a following line without time may complete ("(3 licenses)" or a denial reason). */
  let held: UsageEvent | null = null;
  let heldLocal = 0;
  let heldMonthDay = 0;
  let heldDated = false;
  let heldWants = 0;
  /**
   * Name-table slots of the last event line's feature, user and host, handed to the analyser as a cache
   * hint (see nameSlots in analyser.ts) when that event is delivered: a held event is always delivered
   * before the next event line sets them again.
   */
  let featureSlot = -1;
  let userSlot = -1;
  let hostSlot = -1;

  /**
   * Vendors lmgrd just announced ("Started MLM"), with the local time: the daemon's own "Server started"
   * line that follows is the same restart.
   */
  const announced = new Map<string, number>();

  // ---- scanner outputs (kept here, not in module scope: two parsers may run side by side) ------------
  let num = 0;
  let envSec = -1;
  let envDateKind = 0; // 0 none, 1 full date, 2 month/day only
  let envYear = 0;
  let envMonth = 0;
  let envDay = 0;
  let envVendorStart = 0;
  let envVendorEnd = 0;
  let envMsg = 0;
  let lineMonthDay = 0;

  let featureStart = 0;
  let featureEnd = 0;
  let userStart = 0;
  let userEnd = 0;
  let hostStart = 0;
  let hostEnd = 0;
  let seats = 1;
  let hasSeats = false;
  /** The first and the last parenthesised group that is not a seat count (a denial's reason; a check-in's qualifier). */
  let reasonStart = -1;
  let reasonEnd = -1;
  let lastReasonStart = -1;
  let lastReasonEnd = -1;
  /** The body ended with a "[…]" group (see eventLine). */
  let endsWithBracket = false;

  function diagnostic(line: number, reason: string): void {
    sink.diagnostic({ line, reason });
  }

  /** Reads up to `max` digits at `i` (before `end`) into `num`; returns the index after them. */
  function digits(b: Uint8Array, i: number, end: number, max: number): number {
    let value = 0;
    let j = i;
    const limit = Math.min(end, i + max);
    while (j < limit) {
      const d = (b[j] as number) - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      j++;
    }
    num = value;
    return j;
  }

  /**
   * The usual envelope, " H:MM:SS (vendor) " or "HH:MM:SS (vendor) " at the start, read at fixed
   * positions. False sends the line to the general scanner.
   */
  function quickEnvelope(b: Uint8Array, s: number, end: number): boolean {
    if (end - s < 12 || b[s + 2] !== COLON || b[s + 5] !== COLON || b[s + 8] !== SPACE || b[s + 9] !== OPEN) return false;
    const c0 = b[s] as number;
    const h1 = (b[s + 1] as number) - 48;
    const m0 = (b[s + 3] as number) - 48;
    const m1 = (b[s + 4] as number) - 48;
    const s0 = (b[s + 6] as number) - 48;
    const s1 = (b[s + 7] as number) - 48;
    if (h1 < 0 || h1 > 9 || m0 < 0 || m0 > 5 || m1 < 0 || m1 > 9 || s0 < 0 || s0 > 5 || s1 < 0 || s1 > 9) return false;
    let hour = h1;
    if (c0 !== SPACE) {
      const h0 = c0 - 48;
      if (h0 < 0 || h0 > 9) return false;
      hour += h0 * 10;
    }
    const vendorStart = s + 10;
    const limit = Math.min(end, vendorStart + MAX_VENDOR_LENGTH + 1);
    let v = vendorStart;
    let c = 0;
    while (v < limit) {
      c = b[v] as number;
      if (c === CLOSE || c <= SPACE || c === OPEN) break;
      v++;
    }
    if (c !== CLOSE || v === vendorStart) return false;
    let p = v + 1;
    while (p < end && (b[p] === SPACE || b[p] === TAB)) p++;
    envDateKind = 0;
    envVendorStart = vendorStart;
    envVendorEnd = v;
    envMsg = p;
    envSec = hour <= 23 ? hour * HOUR_S + (m0 * 10 + m1) * 60 + s0 * 10 + s1 : -1;
    return true;
  }

  /**
   * Reads "[date ]H:MM[:SS] (vendor) " at `start` (after blanks). Sets the env* fields; false when the line
   * does not start that way. A time out of range leaves envSec at -1.
   */
  function scanEnvelope(b: Uint8Array, start: number, end: number): boolean {
    let i = skipBlanks(b, start, end);
    let j = digits(b, i, end, 4);
    if (j === i) return false;
    let first = num;
    let firstLength = j - i;
    envDateKind = 0;
    let c = j < end ? (b[j] as number) : 0;
    if (c === SLASH || c === DASH) {
      // A date: Y/M/D, Y-M-D, M/D/Y or M/D.
      const separator = c;
      // Old logs pad the day with a space: " 4/ 8 10:38 (lmgrd) …".
      let k0 = j + 1;
      if (separator === SLASH && firstLength <= 2) while (k0 < end && b[k0] === SPACE) k0++;
      const k = digits(b, k0, end, 2);
      if (k === k0) return false;
      const second = num;
      if (k < end && b[k] === separator) {
        const m = digits(b, k + 1, end, 4);
        const thirdLength = m - (k + 1);
        if (firstLength === 4 && thirdLength >= 1 && thirdLength <= 2) {
          envYear = first;
          envMonth = second;
          envDay = num;
        } else if (firstLength <= 2 && separator === SLASH && (thirdLength === 2 || thirdLength === 4)) {
          envMonth = first;
          envDay = second;
          envYear = thirdLength === 2 ? twoDigitYear(num) : num;
        } else {
          return false;
        }
        envDateKind = 1;
        j = m;
      } else {
        if (separator !== SLASH || firstLength > 2) return false;
        envMonth = first;
        envDay = second;
        envDateKind = 2;
        j = k;
      }
      if (j < end && b[j] === UPPER_T) {
        j++;
      } else {
        if (j >= end || (b[j] !== SPACE && b[j] !== TAB)) return false;
        j = skipBlanks(b, j, end);
      }
      i = j;
      j = digits(b, i, end, 2);
      if (j === i) return false;
      first = num;
      firstLength = j - i;
      c = j < end ? (b[j] as number) : 0;
    }
    if (c !== COLON || firstLength > 2) return false;
    const hour = first;
    let k = digits(b, j + 1, end, 2);
    if (k - (j + 1) !== 2) return false;
    const minute = num;
    let second = 0;
    if (k < end && b[k] === COLON) {
      const m = digits(b, k + 1, end, 2);
      if (m - (k + 1) !== 2) return false;
      second = num;
      k = m;
      if (k < end && b[k] === DOT) k = digits(b, k + 1, end, 9);
    }
    if (k >= end || (b[k] !== SPACE && b[k] !== TAB)) return false;
    k = skipBlanks(b, k, end);
    if (k >= end || b[k] !== OPEN) return false;
    const vendorStart = k + 1;
    const limit = Math.min(end, vendorStart + MAX_VENDOR_LENGTH + 1);
    let v = vendorStart;
    while (v < limit) {
      c = b[v] as number;
      if (c === CLOSE) break;
      if (c <= SPACE || c === OPEN) return false;
      v++;
    }
    if (v === vendorStart || v >= limit || b[v] !== CLOSE) return false;
    envVendorStart = vendorStart;
    envVendorEnd = v;
    envMsg = skipBlanks(b, v + 1, end);
    envSec = hour <= 23 && minute <= 59 && second <= 59 ? hour * HOUR_S + minute * 60 + second : -1;
    return true;
  }

  // ---- time keeping ----------------------------------------------------------------------------

  /** Local time of a line that carries only a time of day: same day as the previous line, or the next. */
  function advance(sec: number): number {
    if (lastLocal !== lastLocal) return setLocal(baseDay * DAY_S, sec);
    const delta = lastMidnight + sec - lastLocal;
    if (delta < -ROLLBACK_S) return setLocal(lastMidnight + DAY_S, sec);
    if (delta > DAY_S - LATE_LINE_S) return setLocal(lastMidnight - DAY_S, sec);
    lastLocal = lastMidnight + sec;
    return lastLocal;
  }

  function setLocal(midnight: number, sec: number): number {
    lastMidnight = midnight;
    lastLocal = midnight + sec;
    return lastLocal;
  }

  /** The line at local time `t` (so far relative) says it is on `day`: fix the date from here on. */
  function establish(day: number, sec: number, t: number): number {
    if (!dateKnown) {
      dateKnown = true;
      const shift = day - Math.floor(t / DAY_S);
      for (const [vendor, at] of announced) announced.set(vendor, at + shift * DAY_S);
      releaseUndated(shift, day);
    }
    return setLocal(day * DAY_S, sec);
  }

  /**
   * UTC milliseconds of local time `t`. In a repeated hour the first reading is used until the log shows
   * the clocks went back (a step back of more than a minute inside the hour, or a line from after the
   * hour); from then on the second reading, so time stays monotonic and no usage is created or lost.
   */
  function localToUtc(t: number): number {
    const hour = Math.floor(t / HOUR_S);
    const ms = t * 1000;
    if (hour === offsetHour) {
      foldPrev = t;
      return ms - offsetMs;
    }
    const uniform = clock.uniformOffset(ms);
    if (uniform === uniform) {
      offsetHour = hour;
      offsetMs = uniform;
      foldPrev = t;
      return ms - uniform;
    }
    if (!clock.isRepeated(ms)) {
      // A skipped hour or one with a transition inside: no single offset to cache.
      foldPrev = t;
      return clock.toUtc(ms);
    }
    if (hour !== foldHour) {
      foldHour = hour;
      foldPassed = false;
      foldMax = t;
    }
    if (!foldPassed) {
      if (foldPrev >= (hour + 1) * HOUR_S || t < foldMax - FOLD_STEP_S) foldPassed = true;
      else if (t > foldMax) foldMax = t;
    }
    foldPrev = t;
    return clock.toUtc(ms, foldPassed);
  }

  /** Sends the events held while no date was known, now that one is (`shift` days turn relative to real). */
  function releaseUndated(shift: number, day: number): void {
    for (let i = 0; i < undated.length; i++) {
      const event = undated[i] as UsageEvent;
      let t = (undatedLocal[i] as number) + shift * DAY_S;
      const monthDay = undatedMonthDay[i] as number;
      if (monthDay !== 0) {
        const d = closestDay(Math.floor(monthDay / 100), monthDay % 100, day);
        if (Number.isNaN(d)) {
          diagnostic(event.line, 'invalid month/day date');
          continue;
        }
        t = d * DAY_S + (((t % DAY_S) + DAY_S) % DAY_S);
      }
      event.at = localToUtc(t);
      sink.event?.(event);
    }
    undated.length = 0;
    undatedLocal.length = 0;
    undatedMonthDay.length = 0;
  }

  function deliver(event: UsageEvent, t: number, monthDay: number, dated: boolean): void {
    if (dated) {
      const hint = nameSlots;
      hint.feature = featureSlot;
      hint.user = userSlot;
      hint.host = hostSlot;
      sink.event?.(event);
      hint.feature = hint.user = hint.host = -1;
    } else if (undated.length >= MAX_UNDATED_EVENTS) {
      diagnostic(event.line, `no date known yet and ${MAX_UNDATED_EVENTS} events already wait for one; line dropped`);
    } else {
      undated.push(event);
      undatedLocal.push(t);
      undatedMonthDay.push(monthDay);
    }
  }

  function flushHeld(): void {
    if (held === null) return;
    const event = held;
    held = null;
    deliver(event, heldLocal, heldMonthDay, heldDated);
  }

  function queue(event: UsageEvent, t: number, wants: number): void {
    const dated = dateKnown && lineMonthDay === 0;
    if (dated) event.at = localToUtc(t);
    if (wants !== 0) {
      held = event;
      heldLocal = t;
      heldMonthDay = lineMonthDay;
      heldDated = dated;
      heldWants = wants;
      return;
    }
    deliver(event, t, lineMonthDay, dated);
  }

  /** Local time of the current (timed) line, NaN when its own date is invalid. Sets lineMonthDay. */
  function lineTime(): number {
    lineMonthDay = 0;
    if (envDateKind === 0) return advance(envSec);
    if (envDateKind === 1) {
      const day = dayNumber(envYear, envMonth, envDay);
      if (Number.isNaN(day)) return Number.NaN;
      return establish(day, envSec, advance(envSec));
    }
    // Month and day only: the year comes from what is known so far.
    if (dateKnown) {
      const ref = lastLocal === lastLocal ? Math.floor(lastLocal / DAY_S) : baseDay;
      const day = closestDay(envMonth, envDay, ref);
      if (Number.isNaN(day)) return Number.NaN;
      return setLocal(day * DAY_S, envSec);
    }
    if (envMonth < 1 || envMonth > 12 || envDay < 1 || envDay > 31) return Number.NaN;
    lineMonthDay = envMonth * 100 + envDay;
    return advance(envSec);
  }

  // ---- message bodies ----------------------------------------------------------------------------

  /** True when b[start, end) reads "N license" or "N licenses" (N left in `num`). */
  function isLicenseCount(b: Uint8Array, start: number, end: number): boolean {
    let i = start;
    while (i < end && (b[i] as number) <= SPACE) i++;
    const j = digits(b, i, end, 9);
    if (j === i || j >= end) return false;
    const count = num;
    let k = j;
    while (k < end && (b[k] as number) <= SPACE) k++;
    if (k === j || !matchWord(b, k, end, 'LICENSE')) return false;
    k += 7;
    if (k < end && ((b[k] as number) | 0x20) === 115) k++;
    while (k < end && (b[k] as number) <= SPACE) k++;
    num = count;
    return k === end;
  }

  /**
   * Reads `"feature" user@host  [extra] (N licenses) (reason)` from `p`. Sets the body fields; returns why
   * the line is unusable, or null.
   */
  function parseBody(b: Uint8Array, p: number, end: number): string | null {
    p = skipBlanks(b, p, end);
    if (p >= end) return 'no feature name';
    if (b[p] === QUOTE) {
      let q = p + 1;
      while (q < end && b[q] !== QUOTE) q++;
      if (q >= end) return 'unterminated quoted feature name';
      featureStart = p + 1;
      featureEnd = q;
      p = q + 1;
    } else {
      featureStart = p;
      while (p < end && (b[p] as number) > SPACE) p++;
      featureEnd = p;
    }
    if (featureEnd === featureStart) return 'empty feature name';
    p = skipBlanks(b, p, end);
    // UNSUPPORTED lines put "(PORT_AT_HOST_PLUS   )" between the feature and the user.
    if (p < end && b[p] === OPEN && !isDigit(p + 1 < end ? (b[p + 1] as number) : 0)) {
      let close = p + 1;
      while (close < end && b[close] !== CLOSE) close++;
      if (close < end) p = skipBlanks(b, close + 1, end);
    }
    // user@host: the user may hold single spaces ("LOCAL SERVICE@host"); two blanks, or a blank before
    // '(', '[' or '^', end it without a host. The host is the word after the '@' (after the last '@' of
    // that word: "jane@corp@host").
    userStart = p;
    let at = -1;
    let i = p;
    for (; i < end; i++) {
      const c = b[i] as number;
      if (c === AT) {
        at = i;
        break;
      }
      if (c <= SPACE) {
        const d = i + 1 < end ? (b[i + 1] as number) : 0;
        if (d <= SPACE || d === OPEN || d === BRACKET || d === CARET) break;
      }
    }
    if (at === -1) {
      userEnd = i;
      hostStart = hostEnd = i;
      p = i;
    } else {
      let q = at + 1;
      for (; q < end; q++) {
        const c = b[q] as number;
        if (c <= SPACE) break;
        if (c === AT) at = q; // "jane@corp@host": the user runs to the last '@'
      }
      userEnd = at;
      hostStart = at + 1;
      hostEnd = q;
      p = q;
    }
    return parseRest(b, p, end);
  }

  /**
   * The common body, '"feature" user@host' with single spaces, found with native searches of the line's
   * Latin-1 text instead of byte loops. Sets the body fields as parseBody would, provided the user and the
   * host hold no blank, control character or '@' (eventLine checks that through the name table); false when
   * the body is not of that shape or is unusable, and parseBody then decides.
   */
  function quickBody(b: Uint8Array, p: number, end: number, text: string, offset: number): boolean {
    // p is at the opening quote.
    const q = text.indexOf('"', p + 1 - offset) + offset;
    if (q <= p + 1 || q >= end) return false;
    const u = q + 2;
    if (u >= end || b[q + 1] !== SPACE) return false;
    const c = b[u] as number;
    if (c <= SPACE || c === OPEN || c === AT) return false;
    const at = text.indexOf('@', u - offset) + offset;
    if (at <= u || at >= end) return false;
    let stop = text.indexOf(' ', at - offset) + offset;
    if (stop < offset || stop > end) stop = end;
    if (stop === at + 1) return false;
    featureStart = p + 1;
    featureEnd = q;
    userStart = u;
    userEnd = at;
    hostStart = at + 1;
    hostEnd = stop;
    while (stop < end && b[stop] === SPACE) stop++;
    return parseRest(b, stop, end) === null;
  }

  /** The part after user@host from `p`: seat count, reasons, "[…]" groups, verbose fields; then the checks. */
  function parseRest(b: Uint8Array, p: number, end: number): string | null {
    seats = 1;
    hasSeats = false;
    reasonStart = reasonEnd = lastReasonStart = lastReasonEnd = -1;
    endsWithBracket = false;
    // The rest: (N licenses), (reason), [extra], ^^^ verbose fields ^^^.
    while (p < end) {
      const c = b[p] as number;
      if (c <= SPACE) {
        p++;
        continue;
      }
      endsWithBracket = c === BRACKET;
      if (c === OPEN) {
        const after = closeParen(b, p, end);
        const close = after === -1 ? end : after - 1;
        if (isLicenseCount(b, p + 1, close)) {
          hasSeats = true;
          seats = num;
        } else {
          if (reasonStart < 0) {
            reasonStart = p + 1;
            reasonEnd = close;
          }
          lastReasonStart = p + 1;
          lastReasonEnd = close;
        }
        p = after === -1 ? end : after;
      } else if (c === BRACKET) {
        while (p < end && b[p] !== 93) p++;
        p++;
      } else if (c === CARET && p + 2 < end && b[p + 1] === CARET && b[p + 2] === CARET) {
        p = verboseFields(b, p + 3, end);
      } else {
        while (p < end && (b[p] as number) > SPACE) p++;
      }
    }
    if (userEnd === userStart && hostEnd === hostStart) return 'no user@host';
    if (userEnd === userStart) return 'no user name';
    if (hasSeats && (seats < 1 || seats > MAX_SEATS)) return 'license count out of range';
    return null;
  }

  /** "^^^ ver user ip pid handle ... ^^^": takes the user from it when the line had none. */
  function verboseFields(b: Uint8Array, p: number, end: number): number {
    let field = 0;
    while (p < end) {
      while (p < end && (b[p] as number) <= SPACE) p++;
      if (p >= end) break;
      const start = p;
      while (p < end && (b[p] as number) > SPACE) p++;
      if (p - start === 3 && b[start] === CARET && b[start + 1] === CARET && b[start + 2] === CARET) return p;
      if (field === 1 && userEnd === userStart) {
        userStart = start;
        userEnd = p;
      }
      field++;
    }
    return p;
  }

  /** "DENIED: 2 feature to user" (an older denial form). */
  function parseCountedDenial(b: Uint8Array, p: number, end: number): boolean {
    const j = digits(b, p, end, 9);
    if (j === p || j >= end || b[j] !== SPACE) return false;
    const count = num;
    let k = skipBlanks(b, j, end);
    featureStart = k;
    while (k < end && (b[k] as number) > SPACE) k++;
    featureEnd = k;
    k = skipBlanks(b, k, end);
    if (featureEnd === featureStart || !matchWord(b, k, end, 'TO ')) return false;
    k = skipBlanks(b, k + 3, end);
    let last = end;
    while (last > k && (b[last - 1] as number) <= SPACE) last--;
    if (last === k || count < 1 || count > MAX_SEATS) return false;
    userStart = k;
    userEnd = last;
    hostStart = hostEnd = last;
    seats = count;
    hasSeats = true;
    reasonStart = reasonEnd = lastReasonStart = lastReasonEnd = -1;
    endsWithBracket = false;
    return true;
  }

  function eventLine(b: Uint8Array, end: number, line: number, kind: UsageEventKind, label: string, body: number, t: number): void {
    const first = skipBlanks(b, body, end);
    let user = '';
    let host = '';
    let quick = lineText !== null && first < end && b[first] === QUOTE && quickBody(b, first, end, lineText, lineTextStart);
    if (quick) {
      user = names.get(b, userStart, userEnd);
      userSlot = names.slot;
      const userClean = names.clean;
      host = names.get(b, hostStart, hostEnd);
      hostSlot = names.slot;
      quick = userClean && names.clean;
    }
    if (!quick) {
      if (!(kind === 'denied' && first < end && isDigit(b[first] as number) && parseCountedDenial(b, first, end))) {
        const error = parseBody(b, body, end);
        if (error !== null) {
          diagnostic(line, `${label} line: ${error}`);
          return;
        }
      }
      user = names.get(b, userStart, trimEnd(b, userStart, userEnd));
      userSlot = names.slot;
      host = names.get(b, hostStart, hostEnd);
      hostSlot = names.slot;
    }
    const feature = words.get(b, featureStart, featureEnd);
    featureSlot = words.slot;
    let reason: string | undefined;
    if (kind === 'checkin') reason = lastReasonStart >= 0 ? trimmedName(b, lastReasonStart, lastReasonEnd) : undefined;
    else reason = reasonStart >= 0 ? trimmedName(b, reasonStart, reasonEnd) : undefined;
    const vendor = vendorName(b, envVendorStart, envVendorEnd);
    if (announced.size > 0) announced.delete(vendor);
    const event: UsageEvent = { kind, at: 0, line, vendor, feature, user, host, seats, reason };
    // Some daemons print the seat count or the denial reason on the next line, after a "[…]" that ends
    // this one: only then can a following line complete the event.
    let wants = 0;
    if (endsWithBracket) {
      if (!hasSeats) wants = WANT_SEATS;
      if (kind !== 'checkout' && kind !== 'dequeued' && reason === undefined) wants |= WANT_REASON;
    }
    queue(event, t, wants);
  }

  /** The vendor name of bytes [start, end), from a small cache in front of the words table (a log has a few vendors). */
  function vendorName(b: Uint8Array, start: number, end: number): string {
    const length = end - start;
    if (length <= 0 || length > VENDOR_CACHE_BYTES) return words.get(b, start, end);
    const entry = (length * 31 + (b[start] as number) * 7 + (b[end - 1] as number)) & (VENDOR_CACHE_SIZE - 1);
    const at = entry * VENDOR_CACHE_BYTES;
    if (vendorLengths[entry] === length) {
      let k = 0;
      while (k < length && vendorBytes[at + k] === b[start + k]) k++;
      if (k === length) return vendorStrings[entry] as string;
    }
    const name = words.get(b, start, end);
    vendorLengths[entry] = length;
    for (let k = 0; k < length; k++) vendorBytes[at + k] = b[start + k] as number;
    vendorStrings[entry] = name;
    return name;
  }

  function trimmedName(b: Uint8Array, start: number, end: number): string | undefined {
    while (start < end && (b[start] as number) <= SPACE) start++;
    end = trimEnd(b, start, end);
    return end > start ? words.get(b, start, end) : undefined;
  }

  /** A line without a time right after a held event: "(3 licenses)" or "(Licensed number ... (-4,342))". */
  function continuation(b: Uint8Array, start: number, end: number): boolean {
    const event = held as UsageEvent;
    let p = skipBlanks(b, start, end);
    if (p >= end || b[p] !== OPEN || (p + 1 < end && b[p + 1] === AT)) return false;
    let count = -1;
    let rs = -1;
    let re = -1;
    while (p < end) {
      const c = b[p] as number;
      if (c <= SPACE) {
        p++;
        continue;
      }
      if (c !== OPEN) return false;
      const after = closeParen(b, p, end);
      if (after === -1) return false;
      if (isLicenseCount(b, p + 1, after - 1)) count = num;
      else if (rs < 0 || event.kind === 'checkin') {
        rs = p + 1;
        re = after - 1;
      }
      p = after;
    }
    let used = false;
    if ((heldWants & WANT_SEATS) !== 0 && count >= 1 && count <= MAX_SEATS) {
      event.seats = count;
      used = true;
    }
    if ((heldWants & WANT_REASON) !== 0 && rs >= 0) {
      const reason = trimmedName(b, rs, re);
      if (reason !== undefined) {
        event.reason = reason;
        used = true;
      }
    }
    if (!used) return false;
    flushHeld();
    return true;
  }

  // ---- dates in messages -------------------------------------------------------------------------

  /** "M/D/YYYY" (or M/D/YY) at `p`; the day number, or NaN. */
  function slashDate(b: Uint8Array, p: number, end: number): number {
    const a = digits(b, p, end, 2);
    if (a === p || a >= end || b[a] !== SLASH) return Number.NaN;
    const month = num;
    const c = digits(b, a + 1, end, 2);
    if (c === a + 1 || c >= end || b[c] !== SLASH) return Number.NaN;
    const day = num;
    const y = digits(b, c + 1, end, 4);
    const length = y - (c + 1);
    if ((length !== 2 && length !== 4) || (y < end && isDigit(b[y] as number))) return Number.NaN;
    return dayNumber(length === 2 ? twoDigitYear(num) : num, month, day);
  }

  /** "Thu Jun 09 2022 …" at `p` (weekday optional); the day number, or NaN. */
  function wordDate(b: Uint8Array, p: number, end: number): number {
    p = skipBlanks(b, p, end);
    let month = monthAt(b, p, end);
    if (month === 0) {
      while (p < end && isLetter(b[p] as number)) p++;
      p = skipBlanks(b, p, end);
      month = monthAt(b, p, end);
      if (month === 0) return Number.NaN;
    }
    while (p < end && isLetter(b[p] as number)) p++;
    p = skipBlanks(b, p, end);
    const a = digits(b, p, end, 2);
    if (a === p) return Number.NaN;
    const day = num;
    const c = skipBlanks(b, a, end);
    const y = digits(b, c, end, 4);
    if (y - c !== 4) return Number.NaN;
    return dayNumber(num, month, day);
  }

  /** Messages that are not events: dates and restarts; everything else is ordinary chatter. */
  function otherLine(b: Uint8Array, end: number, line: number, p: number, t: number): void {
    const c = p < end ? (b[p] as number) | 0x20 : 0;
    let day = Number.NaN;
    if (c === 116 /* t */ && matchWord(b, p, end, 'TIMESTAMP ')) {
      day = slashDate(b, skipBlanks(b, p + 10, end), end);
      if (Number.isNaN(day)) {
        diagnostic(line, 'TIMESTAMP line without a valid M/D/YYYY date');
        return;
      }
    } else if (c === 102 /* f */ && (matchWord(b, p, end, 'FLEXNET LICENSING') || matchWord(b, p, end, 'FLEXLM'))) {
      // "FlexNet Licensing (v11.16.2.0 build …) started on host (linux) (6/9/2022)"
      if (indexOfWord(b, p, end, 'STARTED ON') !== -1) {
        let open = end - 1;
        while (open > p && b[open] !== OPEN) open--;
        if (open > p) day = slashDate(b, open + 1, end);
      }
    } else if (c === 115 /* s */) {
      if (matchWord(b, p, end, "SERVER'S SYSTEM DATE AND TIME:")) {
        day = wordDate(b, p + 30, end);
      } else if (matchWord(b, p, end, 'SERVER STARTED ON')) {
        // The vendor daemon's own start-up line; skip it when lmgrd announced this start just before.
        const vendor = words.get(b, envVendorStart, envVendorEnd);
        if (!isLmgrd(vendor)) {
          const announcedAt = announced.get(vendor);
          announced.delete(vendor);
          if (announcedAt === undefined || t - announcedAt > ANNOUNCE_WINDOW_S || t < announcedAt) restart(line, vendor, t);
          return;
        }
      } else if (matchWord(b, p, end, 'STARTED ') && isLmgrd(words.get(b, envVendorStart, envVendorEnd))) {
        restartNamed(b, end, line, p + 8, t);
        return;
      }
    } else if (c === 114 /* r */ && matchWord(b, p, end, 'RESTARTED ') && isLmgrd(words.get(b, envVendorStart, envVendorEnd))) {
      restartNamed(b, end, line, p + 10, t);
      return;
    } else if (c === OPEN && p + 1 < end && b[p + 1] === AT) {
      // Summary log: "(@lmgrd-SLOG@) Start-Date: Sat Nov 06 2021 …" or "(@MLM-SLOG@) Time: …". The dates in
      // its "… ms at <date>" and "attempted at <date>" lines are not the time of the line: never read them.
      let close = p;
      while (close < end && b[close] !== CLOSE) close++;
      if (close < end && b[close - 1] === AT && matchWord(b, close - 6, end, '-SLOG')) {
        const q = skipBlanks(b, close + 1, end);
        if (matchWord(b, q, end, 'START-DATE:')) day = wordDate(b, q + 11, end);
        else if (matchWord(b, q, end, 'TIME:')) day = wordDate(b, q + 5, end);
      }
    }
    if (!Number.isNaN(day)) {
      lineMonthDay = 0;
      t = establish(day, envSec, t);
    }
    if (dateKnown && lineMonthDay === 0) localToUtc(t);
  }

  /** "(lmgrd) Started MLM (internet tcp_port …)" / "(lmgrd) REStarted MLM …": vendor MLM restarts. */
  function restartNamed(b: Uint8Array, end: number, line: number, p: number, t: number): void {
    p = skipBlanks(b, p, end);
    let stop = p;
    const limit = Math.min(end, p + MAX_VENDOR_LENGTH + 1);
    while (stop < limit) {
      const c = b[stop] as number;
      if (c <= SPACE || c === OPEN || c === CLOSE) break;
      stop++;
    }
    if (stop === p || stop - p > MAX_VENDOR_LENGTH) return;
    const vendor = words.get(b, p, stop);
    announced.set(vendor, t);
    restart(line, vendor, t);
  }

  function restart(line: number, vendor: string, t: number): void {
    const event: UsageEvent = { kind: 'restart', at: 0, line, vendor, feature: '', user: '', host: '', seats: 0, reason: undefined };
    featureSlot = userSlot = hostSlot = -1;
    queue(event, t, 0);
  }

  // ---- lines -------------------------------------------------------------------------------------

  function timedLine(b: Uint8Array, end: number, line: number): void {
    const p = envMsg;
    let kind: UsageEventKind | null = null;
    let label = '';
    let body = 0;
    const c1 = p + 1 < end ? (b[p + 1] as number) | 0x20 : 0;
    switch (p < end ? (b[p] as number) | 0x20 : 0) {
      case 111: // o
        if (c1 === 117 && p + 3 < end && ((b[p + 2] as number) | 0x20) === 116 && b[p + 3] === COLON) {
          kind = 'checkout';
          label = 'OUT';
          body = p + 4;
        }
        break;
      case 105: // i
        if (c1 === 110 && p + 2 < end && b[p + 2] === COLON) {
          kind = 'checkin';
          label = 'IN';
          body = p + 3;
        }
        break;
      case 100: // d
        if (matchWord(b, p, end, 'DENIED:')) {
          kind = 'denied';
          label = 'DENIED';
          body = p + 7;
        } else if (matchWord(b, p, end, 'DEQUEUED:')) {
          kind = 'dequeued';
          label = 'DEQUEUED';
          body = p + 9;
        }
        break;
      case 117: // u
        if (matchWord(b, p, end, 'UNSUPPORTED:')) {
          kind = 'denied';
          label = 'UNSUPPORTED';
          body = p + 12;
        }
        break;
      case 113: // q
        if (matchWord(b, p, end, 'QUEUED:')) {
          kind = 'queued';
          label = 'QUEUED';
          body = p + 7;
        }
        break;
    }
    if (envSec < 0) {
      if (kind !== null) diagnostic(line, `${label} line with an invalid time`);
      return;
    }
    const t = lineTime();
    if (t !== t) {
      if (kind !== null) diagnostic(line, `${label} line with an invalid date`);
      return;
    }
    if (kind !== null) eventLine(b, end, line, kind, label, body, t);
    else otherLine(b, end, line, p, t);
  }

  function lineBytes(b: Uint8Array, start: number, end: number, lineNumber: number, text?: string, textStart?: number): void {
    lineText = text ?? null;
    lineTextStart = textStart ?? 0;
    while (end > start && (b[end - 1] === 10 || b[end - 1] === 13)) end--;
    if (end - start >= 3 && b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf) start += 3;
    if (quickEnvelope(b, start, end) || scanEnvelope(b, start, end)) {
      flushHeld();
      timedLine(b, end, lineNumber);
      return;
    }
    if (held !== null && continuation(b, start, end)) return;
    flushHeld();
    // Rare lines: a prompt glued before the envelope, or an event without a time. The regexes run on one
    // character per byte, so an index in the text is an index in the bytes.
    const latin1 = byteText.decode(b.subarray(start, end));
    const glued = GLUED_ENVELOPE.exec(latin1);
    if (glued !== null && glued.index > 0 && scanEnvelope(b, start + glued.index, end)) {
      timedLine(b, end, lineNumber);
      return;
    }
    const timeless = TIMELESS_EVENT.exec(latin1);
    if (timeless !== null) diagnostic(lineNumber, `${(timeless[1] as string).toUpperCase()} line without a time`);
  }

  function checkpoint(): FlexlmParserCheckpoint {
    return {
      version: 1,
      dateKnown,
      baseDay,
      lastLocal: nanToNull(lastLocal),
      lastMidnight,
      fold: { hour: nanToNull(foldHour), max: foldMax, passed: foldPassed, prev: nanToNull(foldPrev) },
      undated: undated.map((event, i) => ({
        event: plainEvent(event),
        local: undatedLocal[i] as number,
        monthDay: undatedMonthDay[i] as number,
      })),
      held: held === null ? null : { event: plainEvent(held), local: heldLocal, monthDay: heldMonthDay, dated: heldDated, wants: heldWants },
      announced: [...announced],
    };
  }

  if (resumeFrom !== undefined) {
    if ((resumeFrom as { version?: unknown }).version !== 1) {
      throw new RangeError(`unsupported FlexLM parser checkpoint version ${String((resumeFrom as { version?: unknown }).version)}`);
    }
    dateKnown = resumeFrom.dateKnown;
    baseDay = resumeFrom.baseDay;
    lastLocal = resumeFrom.lastLocal ?? Number.NaN;
    lastMidnight = resumeFrom.lastMidnight;
    foldHour = resumeFrom.fold.hour ?? Number.NaN;
    foldMax = resumeFrom.fold.max;
    foldPassed = resumeFrom.fold.passed;
    foldPrev = resumeFrom.fold.prev ?? Number.NaN;
    for (const entry of resumeFrom.undated) {
      undated.push(usageEvent(entry.event));
      undatedLocal.push(entry.local);
      undatedMonthDay.push(entry.monthDay);
    }
    if (resumeFrom.held !== null) {
      held = usageEvent(resumeFrom.held.event);
      heldLocal = resumeFrom.held.local;
      heldMonthDay = resumeFrom.held.monthDay;
      heldDated = resumeFrom.held.dated;
      heldWants = resumeFrom.held.wants;
    }
    for (const [vendor, at] of resumeFrom.announced) announced.set(vendor, at);
  }

  return {
    lineBytes,
    checkpoint,
    line(text: string, lineNumber: number): void {
      if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3 + 64);
      const { written } = encoder.encodeInto(text, scratch);
      // ASCII text (one byte per character) doubles as the Latin-1 text of its bytes.
      lineBytes(scratch, 0, written, lineNumber, written === text.length ? text : undefined, 0);
    },
    end(): void {
      flushHeld();
      if (!dateKnown) {
        for (const event of undated) {
          diagnostic(event.line, 'no date for this line: the log gives none and no start date was set');
        }
        undated.length = 0;
        undatedLocal.length = 0;
        undatedMonthDay.length = 0;
      }
    },
  };
}

// ---- helpers (pure) ------------------------------------------------------------------------------

function nanToNull(value: number): number | null {
  return value === value ? value : null;
}

/** An event as a checkpoint keeps it (no undefined reason). */
function plainEvent(event: UsageEvent): FlexlmCheckpointEvent {
  const { kind, at, line, vendor, feature, user, host, seats, reason } = event;
  return reason === undefined ? { kind, at, line, vendor, feature, user, host, seats } : { kind, at, line, vendor, feature, user, host, seats, reason };
}

/** An event from a checkpoint, shaped as the parser makes them. */
function usageEvent(event: FlexlmCheckpointEvent): UsageEvent {
  const { kind, at, line, vendor, feature, user, host, seats, reason } = event;
  return { kind, at, line, vendor, feature, user, host, seats, reason };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  const l = c | 0x20;
  return l >= 97 && l <= 122;
}

function isLmgrd(vendor: string): boolean {
  return vendor.length === 5 && vendor.toLowerCase() === 'lmgrd';
}

function skipBlanks(b: Uint8Array, p: number, end: number): number {
  while (p < end && (b[p] === SPACE || b[p] === TAB)) p++;
  return p;
}

/** `end` moved back over blanks and control characters before it. */
function trimEnd(b: Uint8Array, start: number, end: number): number {
  while (end > start && (b[end - 1] as number) <= SPACE) end--;
  return end;
}

/** From the '(' at `p` to its matching ')': the index after it, or -1 when it is not closed. */
function closeParen(b: Uint8Array, p: number, end: number): number {
  let depth = 0;
  for (let q = p; q < end; q++) {
    const c = b[q];
    if (c === OPEN) depth++;
    else if (c === CLOSE && --depth === 0) return q + 1;
  }
  return -1;
}

/** Case-insensitive match of an upper-case ASCII `word` at `p`. */
function matchWord(b: Uint8Array, p: number, end: number, word: string): boolean {
  if (p < 0 || p + word.length > end) return false;
  for (let i = 0; i < word.length; i++) {
    const w = word.charCodeAt(i);
    const c = b[p + i] as number;
    if (c !== w && !(w >= 65 && w <= 90 && c === w + 32)) return false;
  }
  return true;
}

/** Case-insensitive search for an upper-case ASCII `word` from `p`. */
function indexOfWord(b: Uint8Array, p: number, end: number, word: string): number {
  const first = word.charCodeAt(0);
  for (let i = p; i + word.length <= end; i++) {
    const c = b[i];
    if ((c === first || c === first + 32) && matchWord(b, i, end, word)) return i;
  }
  return -1;
}

function monthAt(b: Uint8Array, p: number, end: number): number {
  if (p + 3 > end) return 0;
  for (let m = 0; m < 12; m++) if (matchWord(b, p, end, MONTHS[m] as string)) return m + 1;
  return 0;
}

function twoDigitYear(y: number): number {
  return y < 70 ? 2000 + y : 1900 + y;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

let lastDayKey = -1;
let lastDayValue = Number.NaN;

/** Days since 1970-01-01 of a calendar date, NaN when it is not one (or outside 1980–2199). */
function dayNumber(year: number, month: number, day: number): number {
  const key = year * 10_000 + month * 100 + day;
  if (key === lastDayKey) return lastDayValue;
  let value = Number.NaN;
  if (year >= MIN_YEAR && year <= MAX_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
    value = localMs(year, month, day) / 86_400_000;
  }
  lastDayKey = key;
  lastDayValue = value;
  return value;
}

/** The day of month/day whose year puts it nearest to `ref` (a day number). */
function closestDay(month: number, day: number, ref: number): number {
  const refYear = new Date(ref * 86_400_000).getUTCFullYear();
  let best = Number.NaN;
  for (let year = refYear - 1; year <= refYear + 1; year++) {
    const d = dayNumber(year, month, day);
    if (!Number.isNaN(d) && (Number.isNaN(best) || Math.abs(d - ref) < Math.abs(best - ref))) best = d;
  }
  return best;
}

/** Slots of the name table at most; it starts again when half full (hostile input with endless names). */
const MAX_NAME_SLOTS = 1 << 18;
/** Bytes of names kept at most (same rule). */
const MAX_NAME_BYTES = 1 << 24;
/** A longer "name" (hostile input) is decoded and returned, not kept. */
const MAX_KEPT_NAME = 4096;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Names seen in the log (users, hosts, features, vendors, reasons) by their bytes: a name seen before is
 * found without allocating, events share one string per name, and a name never pins the input it came from.
 * A name that is not valid UTF-8 (a Windows server writing in its ANSI code page) is read as Latin-1.
 * Layout: open addressing over one typed array (hash, offset, length and a clean flag per slot: one cache line per probe),
 * the bytes of every name side by side in an arena, hashed and compared four bytes at a time.
 */
class NameTable {
  /** The slot of the name the last get() returned; -1 for a name too long to keep (or none yet). */
  slot = -1;
  /** The name the last get() returned holds no byte ≤ 0x20 and no '@'. */
  clean = false;
  private names: (string | undefined)[] = [];
  /** Per slot: hash, offset of its bytes in the arena (-1: empty), length, 1 when clean (see `clean`). */
  private slots = new Int32Array(0);
  private mask = 0;
  private size = 0;
  private arena = new Uint8Array(1 << 16);
  private arenaView = new DataView(this.arena.buffer);
  private used = 0;
  private viewed: Uint8Array | null = null;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  constructor() {
    this.reset(1 << 12);
  }

  /** The name of bytes [start, end) of `b`. */
  get(b: Uint8Array, start: number, end: number): string {
    const length = end - start;
    if (length <= 0) {
      this.slot = -1;
      this.clean = false;
      return '';
    }
    const input = this.viewOf(b);
    // Four bytes at a time; the last word may overlap the one before (a DataView reads unaligned words).
    let hash = HASH_SEED ^ length;
    if (length >= 4) {
      for (let i = start; i + 4 < end; i += 4) hash = Math.imul(hash ^ input.getUint32(i, true), HASH_PRIME);
      hash = Math.imul(hash ^ input.getUint32(end - 4, true), HASH_PRIME);
    } else {
      for (let i = start; i < end; i++) hash = Math.imul(hash ^ (b[i] as number), HASH_PRIME);
    }
    hash ^= hash >>> 15;
    const slots = this.slots;
    const arena = this.arenaView;
    let slot = hash & this.mask;
    for (;;) {
      const at = slot * 4;
      const offset = slots[at + 1] as number;
      if (offset < 0) break;
      if (slots[at] === hash && slots[at + 2] === length && this.same(arena, offset, input, b, start, length)) {
        this.slot = slot;
        this.clean = slots[at + 3] === 1;
        return this.names[slot] as string;
      }
      slot = (slot + 1) & this.mask;
    }
    return this.add(b, start, end, hash, slot);
  }

  private same(arena: DataView, offset: number, input: DataView<ArrayBufferLike>, b: Uint8Array, start: number, length: number): boolean {
    if (length < 4) {
      for (let k = 0; k < length; k++) if (arena.getUint8(offset + k) !== b[start + k]) return false;
      return true;
    }
    let k = 0;
    while (k + 4 < length) {
      if (arena.getUint32(offset + k, true) !== input.getUint32(start + k, true)) return false;
      k += 4;
    }
    return arena.getUint32(offset + length - 4, true) === input.getUint32(start + length - 4, true);
  }

  /** A DataView of `b`, kept while the same buffer comes back (line after line of one chunk). */
  private viewOf(b: Uint8Array): DataView<ArrayBufferLike> {
    if (b !== this.viewed) {
      this.viewed = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    return this.view;
  }

  private add(b: Uint8Array, start: number, end: number, hash: number, slot: number): string {
    const length = end - start;
    const bytes = b.subarray(start, end);
    let name: string;
    try {
      name = utf8.decode(bytes);
    } catch {
      name = byteText.decode(bytes);
    }
    let clean = true;
    for (let i = start; i < end; i++) {
      const c = b[i] as number;
      if (c <= SPACE || c === AT) clean = false;
    }
    this.clean = clean;
    if (length > MAX_KEPT_NAME) {
      this.slot = -1;
      return name;
    }
    const full = (this.size + 1) * 2 > this.names.length;
    if (full || this.used + length > this.arena.length) {
      if ((full && this.names.length >= MAX_NAME_SLOTS) || this.used + length > MAX_NAME_BYTES) {
        this.reset(this.names.length);
        this.used = 0;
      } else {
        this.grow(length);
      }
      slot = this.free(hash);
    }
    this.arena.set(bytes, this.used);
    this.put(slot, name, hash, this.used, length, clean);
    this.slot = slot;
    this.used += length;
    return name;
  }

  private free(hash: number): number {
    let slot = hash & this.mask;
    while ((this.slots[slot * 4 + 1] as number) >= 0) slot = (slot + 1) & this.mask;
    return slot;
  }

  private put(slot: number, name: string | undefined, hash: number, offset: number, length: number, clean: boolean): void {
    this.names[slot] = name;
    this.slots[slot * 4] = hash;
    this.slots[slot * 4 + 1] = offset;
    this.slots[slot * 4 + 2] = length;
    this.slots[slot * 4 + 3] = clean ? 1 : 0;
    this.size++;
  }

  private reset(count: number): void {
    this.names = new Array<string | undefined>(count).fill(undefined);
    this.slots = new Int32Array(count * 4);
    for (let i = 1; i < this.slots.length; i += 4) this.slots[i] = -1;
    this.mask = count - 1;
    this.size = 0;
  }

  /** Makes room for one more name of `length` bytes: doubles the slots or the arena as needed, keeping every name. */
  private grow(length: number): void {
    if (this.used + length > this.arena.length) {
      const arena = new Uint8Array(Math.min(MAX_NAME_BYTES, Math.max(this.arena.length * 2, this.used + length)));
      arena.set(this.arena.subarray(0, this.used));
      this.arena = arena;
      this.arenaView = new DataView(arena.buffer);
    }
    if ((this.size + 1) * 2 <= this.names.length) return;
    const { names, slots } = this;
    this.reset(names.length * 2);
    for (let i = 0; i < names.length; i++) {
      const offset = slots[i * 4 + 1] as number;
      if (offset < 0) continue;
      const hash = slots[i * 4] as number;
      this.put(this.free(hash), names[i], hash, offset, slots[i * 4 + 2] as number, slots[i * 4 + 3] === 1);
    }
  }
}
