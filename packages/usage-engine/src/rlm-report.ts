/**
 * RLM report logs (the ISV server's REPORTLOG, in its "std", "small" and "detailed" layouts) → UsageEvents.
 *
 * A report log opens with `RLM Report Log Format d, version x.y, authenticated` (d: 0 std, 1 small,
 * 2 detailed), `ISV: name, RLM version …`, a few lines of header text and `START host mm/dd/yyyy hh:mm[:ss]`.
 * Records then follow one per line; fields are separated by blanks and may be quoted (`"ISV_Def Stuff"`,
 * `""` for an empty field). What is read:
 * - OUT / IN / DENY / QUE / DEQUE → checkout / checkin / denied / queued / dequeued. The layout is told
 *   from the line itself, not the header: small records end with a bare `hh:mm`, std and detailed ones
 *   carry `mm/dd hh:mm:ss` (detailed adds a fraction of a second and fields after the time).
 * - Small IN and DEQUE records name only a handle (`IN why count handle hh:mm`): the parser keeps the
 *   open check-outs (and queued requests) by server handle, so every check-in gets the feature, user and
 *   host of its check-out. In std logs the handle wins too when the two disagree.
 * - Shared licenses (a `share_handle` other than the record's own handle) take no seat of their own: the
 *   group's check-out is sent at its first member and its check-in when the last member leaves.
 * - INUSE records list what is checked out when a log starts or ends; one for a handle not seen yet (a
 *   rotated log) becomes a check-out at that time.
 * - SHUTDOWN, and START unless the log was opened by `SWITCH from` (a new file for a running server), are
 *   restarts: every open check-out of the ISV ends there.
 * - Dates: START, END and the periodic `mm/dd/yyyy hh:mm` lines carry the year; records carry `mm/dd`
 *   (the year nearest the last date known) or, in the small layout, only `hh:mm` (the day of the line
 *   before; a clock going back by more than an hour means midnight passed). TIMEJUMP, REREAD and
 *   SHUTDOWN lines move the clock like any dated record. Records seen before any date wait for one
 *   (options.startDate gives it up front).
 * - Check-in reasons are RLM's numeric codes, kept as text ("1" normal, "2" client exited, "4" timed out …).
 *   Denial reasons are RLM status values, written as "All licenses in use (-22)"; a denial the client
 *   will retry elsewhere (last_attempt 0) says so after a semicolon.
 * Lines too long for a report log, bad fields and unknown records are reported and skipped.
 */
import { createZoneClock, localMs, type ZoneClock } from './local-time.ts';
import type { LineParser, ParseOptions, ParseSink, UsageEvent, UsageEventKind } from './types.ts';

export interface RlmReportParseOptions extends ParseOptions {
  /** The ISV (vendor daemon) name for records before the log's own `ISV:` line (a log cut from the middle). */
  vendor?: string;
}

/** Longer lines are refused whole. */
const MAX_LINE = 8192;
/** Events held while no date is known; beyond this they are reported and dropped (memory stays bounded). */
export const MAX_UNDATED_RLM_EVENTS = 100_000;
/** Open check-outs (or queued requests) tracked by handle at most; the oldest are forgotten beyond it. */
export const MAX_OPEN_HANDLES = 200_000;
const MAX_SEATS = 1_000_000;
const DAY_S = 86_400;
const HOUR_S = 3_600;
/** A clock going back by more than this (seconds) between time-only lines means a new day. */
const ROLLBACK_S = 3_600;
/** A time-only line this close before the previous one, modulo a day, is a late line from before midnight. */
const LATE_LINE_S = 300;

/** RLM status values for checkout errors (RLM_EL_…), as the RLM manual lists them. */
const RLM_STATUS: Record<string, string> = {
  '-1': 'No authorization for product',
  '-2': 'Authorization is for another ISV',
  '-3': 'Authorization has expired',
  '-4': 'Wrong host for authorization',
  '-5': 'Bad key in authorization',
  '-6': 'Requested version not supported',
  '-7': 'Bad date format in license',
  '-8': 'Checkout request for too many licenses',
  '-9': 'No license auth supplied to call',
  '-22': 'All licenses in use',
};

/** Denial reason text for an RLM status value (`why` of a DENY record, or a debug-log denial). */
export function rlmDenialReason(why: string): string {
  const text = RLM_STATUS[why];
  return text === undefined ? `RLM status (${why})` : `${text} (${why})`;
}

// ---- shared with the RLM debug-log parser ---------------------------------------------------------

/**
 * Wall-clock readings (seconds, local time read as UTC) → UTC milliseconds, keeping time monotonic across
 * the repeated autumn hour: the first reading is used until the log shows the clocks went back (a step back
 * of more than a minute inside that hour, or a line from after it), the second one from then on.
 */
export interface LocalTimeline {
  toUtc(localSeconds: number, fractionMs?: number): number;
}

/** Creates a LocalTimeline over a zone clock. */
export function createLocalTimeline(clock: ZoneClock): LocalTimeline {
  let foldHour = Number.NaN;
  let foldMax = 0;
  let foldPassed = false;
  let prev = Number.NaN;
  return {
    toUtc(t: number, fractionMs = 0): number {
      const ms = t * 1000;
      if (!clock.isRepeated(ms)) {
        prev = t;
        return clock.toUtc(ms) + fractionMs;
      }
      const hour = Math.floor(t / HOUR_S);
      if (hour !== foldHour) {
        foldHour = hour;
        foldPassed = false;
        foldMax = t;
      }
      if (!foldPassed) {
        if (prev >= (hour + 1) * HOUR_S || t < foldMax - 60) foldPassed = true;
        else if (t > foldMax) foldMax = t;
      }
      prev = t;
      return clock.toUtc(ms, foldPassed) + fractionMs;
    },
  };
}

/** Days since 1970-01-01 of a calendar date; NaN when it is not one (or outside 1980–2199). */
export function dayNumber(year: number, month: number, day: number): number {
  if (!(year >= 1980 && year <= 2199 && month >= 1 && month <= 12 && day >= 1 && day <= 31)) return Number.NaN;
  const ms = localMs(year, month, day);
  const d = new Date(ms);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return Number.NaN;
  return ms / 86_400_000;
}

/** The day of month/day whose year puts it nearest to day `ref`; NaN for an impossible month/day. */
export function closestDay(month: number, day: number, ref: number): number {
  const refYear = new Date(ref * 86_400_000).getUTCFullYear();
  let best = Number.NaN;
  for (let year = refYear - 1; year <= refYear + 1; year++) {
    const d = dayNumber(year, month, day);
    if (!Number.isNaN(d) && (Number.isNaN(best) || Math.abs(d - ref) < Math.abs(best - ref))) best = d;
  }
  return best;
}

/** Parses a YYYY-MM-DD start date option; throws a RangeError when malformed. */
export function startDateDay(startDate: string | undefined): number {
  if (startDate === undefined) return Number.NaN;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(startDate);
  const day = m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : Number.NaN;
  if (Number.isNaN(day)) throw new RangeError(`Invalid start date: ${JSON.stringify(startDate)} (expected YYYY-MM-DD)`);
  return day;
}

/** Splits a record into fields: blanks separate, `"…"` groups (empty `""` is an empty field). */
export function splitFields(line: string, fields: string[], quoted: boolean[]): void {
  fields.length = 0;
  quoted.length = 0;
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    if (c === 34) {
      const close = line.indexOf('"', i + 1);
      const end = close === -1 ? n : close;
      fields.push(line.slice(i + 1, end));
      quoted.push(true);
      i = end + 1;
      continue;
    }
    const start = i;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === 32 || c === 9) break;
      i++;
    }
    fields.push(line.slice(start, i));
    quoted.push(false);
  }
}

const MONTH_DAY_RE = /^(\d{1,2})\/(\d{1,2})$/;
const FULL_DATE_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** Seconds of the day of `h:mm[:ss[.frac]]`, or -1; the fraction (ms) is left in `timeFraction`. */
let timeFraction = 0;
function timeOfDay(text: string | undefined): number {
  timeFraction = 0;
  const m = text === undefined ? null : TIME_RE.exec(text);
  if (!m) return -1;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || min > 59 || s > 59) return -1;
  if (m[4] !== undefined) timeFraction = Math.floor(Number(`0.${m[4]}`) * 1000);
  return h * HOUR_S + min * 60 + s;
}

function isMonthDay(text: string | undefined, wasQuoted: boolean | undefined): boolean {
  return wasQuoted !== true && text !== undefined && MONTH_DAY_RE.test(text);
}

function isTime(text: string | undefined): boolean {
  return text !== undefined && TIME_RE.test(text);
}

/** A seat count: a positive integer up to a million, else NaN. */
function seatCount(text: string | undefined): number {
  if (text === undefined || !/^\d{1,7}$/.test(text)) return Number.NaN;
  const n = Number(text);
  return n >= 1 && n <= MAX_SEATS ? n : Number.NaN;
}

// ---- the parser ------------------------------------------------------------------------------------

/** Who holds a handle (or a group of shared handles). */
interface Holder {
  feature: string;
  user: string;
  host: string;
  seats: number;
  /** Handles sharing this seat; the check-in goes out when the last one leaves. */
  members: number;
}

/** When a record happened, as far as its own fields say. */
interface Stamp {
  /** 0 time only, 1 month/day + time, 2 full date + time. */
  kind: 0 | 1 | 2;
  year: number;
  month: number;
  day: number;
  sec: number;
  fractionMs: number;
}

interface Held {
  event: UsageEvent;
  /** Relative local seconds (time-only records) or month*100+day with seconds (dated records). */
  local: number;
  monthDay: number;
  fractionMs: number;
}

/**
 * Creates a parser for RLM report logs (std, small and detailed). Wall times are read in
 * `options.timeZone`; `options.startDate` (YYYY-MM-DD) dates records before the log's first date. Throws
 * a RangeError for an unknown time zone or a malformed start date.
 */
export function createRlmReportParser(options: RlmReportParseOptions, sink: ParseSink): LineParser {
  const clock = createZoneClock(options.timeZone);
  const timeline = createLocalTimeline(clock);
  const startDay = startDateDay(options.startDate);
  let dateKnown = !Number.isNaN(startDay);
  let vendor = options.vendor ?? '';

  /** Local time (seconds, wall clock read as UTC) of the last timed record; relative while no date is known. */
  let lastLocal = Number.NaN;
  let lastMidnight = 0;
  const undated: Held[] = [];

  /** Between the format line and START: free header text. */
  let inHeader = false;
  /** `SWITCH from …` opened this log: its START is a new file, not a restart. */
  let switchedFrom = false;

  /** Open check-outs by server handle (several handles may share one holder). */
  const open = new Map<string, Holder>();
  /** Queued requests by server handle. */
  const queued = new Map<string, { feature: string; user: string; host: string; seats: number }>();

  const fields: string[] = [];
  const quoted: boolean[] = [];
  let lineNumber = 0;

  const diagnose = (reason: string): void => sink.diagnostic({ line: lineNumber, reason });

  // ---- time ----------------------------------------------------------------------------------------

  function setLocal(midnight: number, sec: number): number {
    lastMidnight = midnight;
    lastLocal = midnight + sec;
    return lastLocal;
  }

  /** Local time of a time-only record: the day of the record before, or the next after a step back. */
  function advance(sec: number): number {
    if (lastLocal !== lastLocal) return setLocal(dateKnown ? startDay * DAY_S : 0, sec);
    const delta = lastMidnight + sec - lastLocal;
    if (delta < -ROLLBACK_S) return setLocal(lastMidnight + DAY_S, sec);
    if (delta > DAY_S - LATE_LINE_S) return setLocal(lastMidnight - DAY_S, sec);
    lastLocal = lastMidnight + sec;
    return lastLocal;
  }

  /** A full date is known from here: send what waited for one. */
  function establish(day: number, sec: number): number {
    if (!dateKnown) {
      dateKnown = true;
      // Time-only records so far were counted from day 0: this line's own reading fixes the shift.
      const rel = advance(sec);
      const shift = day - Math.floor(rel / DAY_S);
      for (const held of undated) {
        let t: number;
        if (held.monthDay !== 0) {
          const d = closestDay(Math.floor(held.monthDay / 100), held.monthDay % 100, day);
          t = d * DAY_S + held.local;
        } else {
          t = held.local + shift * DAY_S;
        }
        held.event.at = timeline.toUtc(t, held.fractionMs);
        sink.event?.(held.event);
      }
      undated.length = 0;
    }
    return setLocal(day * DAY_S, sec);
  }

  /** Local seconds of a stamp, NaN when its date is impossible; `monthDay` set when it must wait for a year. */
  let pendingMonthDay = 0;
  function localOf(stamp: Stamp): number {
    pendingMonthDay = 0;
    if (stamp.kind === 2) {
      const day = dayNumber(stamp.year, stamp.month, stamp.day);
      return Number.isNaN(day) ? Number.NaN : establish(day, stamp.sec);
    }
    if (stamp.kind === 1) {
      if (dateKnown) {
        const ref = lastLocal === lastLocal ? Math.floor(lastLocal / DAY_S) : startDay;
        const day = closestDay(stamp.month, stamp.day, ref);
        return Number.isNaN(day) ? Number.NaN : setLocal(day * DAY_S, stamp.sec);
      }
      if (Number.isNaN(closestDay(stamp.month, stamp.day, 18_000))) return Number.NaN;
      pendingMonthDay = stamp.month * 100 + stamp.day;
      return stamp.sec;
    }
    return advance(stamp.sec);
  }

  /** Local seconds of a stamp (see localOf), also shown to the timeline so it sees every step of the clock. */
  function localAndSeen(stamp: Stamp): number {
    const t = localOf(stamp);
    if (t === t && dateKnown && pendingMonthDay === 0) timeline.toUtc(t);
    return t;
  }

  /** Reads `mm/dd hh:mm[:ss]` at fields[i], fields[i+1], or a bare time at fields[i]. */
  function stampAt(i: number, stamp: Stamp): boolean {
    const a = fields[i];
    const md = a === undefined || quoted[i] === true ? null : MONTH_DAY_RE.exec(a);
    if (md) {
      const sec = timeOfDay(fields[i + 1]);
      if (sec < 0) return false;
      stamp.kind = 1;
      stamp.month = Number(md[1]);
      stamp.day = Number(md[2]);
      stamp.sec = sec;
      stamp.fractionMs = timeFraction;
      return true;
    }
    const sec = timeOfDay(a);
    if (sec < 0) return false;
    stamp.kind = 0;
    stamp.sec = sec;
    stamp.fractionMs = timeFraction;
    return true;
  }

  const stamp: Stamp = { kind: 0, year: 0, month: 0, day: 0, sec: 0, fractionMs: 0 };

  /** Sends an event timed by `stamp` (or holds it until a date is known). */
  function emit(kind: UsageEventKind, feature: string, user: string, host: string, seats: number, reason: string | undefined, label: string): void {
    const t = localOf(stamp);
    if (t !== t) {
      diagnose(`${label} record with an invalid date`);
      return;
    }
    const event: UsageEvent = { kind, at: 0, line: lineNumber, vendor, feature, user, host, seats };
    if (reason !== undefined) event.reason = reason;
    if (dateKnown && pendingMonthDay === 0) {
      event.at = timeline.toUtc(t, stamp.fractionMs);
      sink.event?.(event);
    } else if (undated.length >= MAX_UNDATED_RLM_EVENTS) {
      diagnose(`no date known yet and ${MAX_UNDATED_RLM_EVENTS} events already wait for one; record dropped`);
    } else {
      undated.push({ event, local: t, monthDay: pendingMonthDay, fractionMs: stamp.fractionMs });
    }
  }

  /** Moves the clock to a dated record that is not an event (REREAD, TIMEJUMP). */
  function touch(label: string): void {
    const t = localAndSeen(stamp);
    if (t !== t) diagnose(`${label} record with an invalid date`);
  }

  function restart(): void {
    open.clear();
    queued.clear();
    emit('restart', '', '', '', 0, undefined, 'restart');
  }

  function remember<T>(map: Map<string, T>, key: string, value: T): void {
    if (map.size >= MAX_OPEN_HANDLES && !map.has(key)) {
      const oldest = map.keys().next().value as string;
      map.delete(oldest);
      diagnose(`more than ${MAX_OPEN_HANDLES} open handles; the oldest (${oldest}) is forgotten`);
    }
    map.set(key, value);
  }

  // ---- records -------------------------------------------------------------------------------------

  /** OUT (small: 10 fields ending hh:mm; std/detailed: mm/dd hh:mm:ss after the requested version). */
  function checkout(): void {
    const n = fields.length;
    let user: number;
    let host: number;
    let count: number;
    let handle: number;
    let share: number;
    if (n === 10 && isTime(fields[9]) && !isMonthDay(fields[8], quoted[8])) {
      user = 3;
      host = 4;
      count = 6;
      handle = 7;
      share = 8;
      stampAt(9, stamp);
    } else {
      let date = -1;
      for (let j = 8; j + 1 < n; j++) {
        if (isMonthDay(fields[j], quoted[j]) && isTime(fields[j + 1])) {
          date = j;
          break;
        }
      }
      if (date < 0 || !stampAt(date, stamp)) {
        diagnose('OUT record without a valid mm/dd hh:mm:ss or hh:mm time');
        return;
      }
      user = 4;
      host = 5;
      count = 7;
      handle = date > 10 ? 10 : -1;
      share = date > 11 ? 11 : -1;
    }
    const feature = fields[1] ?? '';
    const seats = seatCount(fields[count]);
    if (!feature) return diagnose('OUT record without a product name');
    if (Number.isNaN(seats)) return diagnose(`OUT record: license count ${JSON.stringify(fields[count] ?? '')} is not 1 to ${MAX_SEATS}`);
    const holder: Holder = { feature, user: fields[user] ?? '', host: fields[host] ?? '', seats, members: 1 };
    const own = handle >= 0 ? fields[handle] : undefined;
    const shared = share >= 0 ? fields[share] : undefined;
    if (own !== undefined) {
      queued.delete(own);
      if (shared !== undefined && shared !== own && shared !== '0') {
        const group = open.get(shared);
        if (group !== undefined) {
          // A shared license: it takes no seat of its own.
          group.members++;
          remember(open, own, group);
          localAndSeen(stamp);
          return;
        }
      }
      remember(open, own, holder);
    }
    emit('checkout', holder.feature, holder.user, holder.host, seats, undefined, 'OUT');
  }

  /** IN (small: `IN why count handle hh:mm`; std/detailed: 13 fields). */
  function checkin(): void {
    const n = fields.length;
    const why = fields[1] ?? '';
    let handle: string | undefined;
    let own: { feature: string; user: string; host: string; seats: number } | undefined;
    if (n === 5) {
      if (!stampAt(4, stamp) || stamp.kind !== 0) return diagnose('IN record without a valid hh:mm time');
      handle = fields[3];
    } else if (n >= 13) {
      if (!stampAt(n - 2, stamp) || stamp.kind !== 1) return diagnose('IN record without a valid mm/dd hh:mm:ss time');
      handle = fields[10];
      const seats = seatCount(fields[7]);
      if (Number.isNaN(seats)) return diagnose(`IN record: license count ${JSON.stringify(fields[7] ?? '')} is not 1 to ${MAX_SEATS}`);
      if (!fields[2]) return diagnose('IN record without a product name');
      own = { feature: fields[2], user: fields[4] ?? '', host: fields[5] ?? '', seats };
    } else {
      return diagnose(`IN record with ${n} fields (expected 5 in the small layout, 13 in std)`);
    }
    if (!/^\d{1,3}$/.test(why)) return diagnose(`IN record: reason ${JSON.stringify(why)} is not an RLM check-in code`);
    const holder = handle === undefined ? undefined : open.get(handle);
    if (holder !== undefined && handle !== undefined) {
      open.delete(handle);
      if (--holder.members > 0) {
        localAndSeen(stamp);
        return;
      }
      emit('checkin', holder.feature, holder.user, holder.host, holder.seats, why, 'IN');
    } else if (own !== undefined) {
      emit('checkin', own.feature, own.user, own.host, own.seats, why, 'IN');
    } else {
      localAndSeen(stamp);
      diagnose(`IN record for handle ${handle ?? ''} with no check-out seen (the small layout names no product)`);
    }
  }

  /** DENY product version user host "isv_def" count why last_attempt mm/dd hh:mm[:ss]. */
  function denial(): void {
    const n = fields.length;
    if (n < 11 || !stampAt(n - 2, stamp) || stamp.kind !== 1) return diagnose('DENY record without a valid mm/dd hh:mm time');
    const feature = fields[1] ?? '';
    const seats = seatCount(fields[6]);
    const why = fields[7] ?? '';
    if (!feature) return diagnose('DENY record without a product name');
    if (Number.isNaN(seats)) return diagnose(`DENY record: license count ${JSON.stringify(fields[6] ?? '')} is not 1 to ${MAX_SEATS}`);
    if (!/^-?\d{1,4}$/.test(why)) return diagnose(`DENY record: status ${JSON.stringify(why)} is not a number`);
    const last = fields[8] === '0' ? '; not the last attempt (the client tries elsewhere)' : '';
    emit('denied', feature, fields[3] ?? '', fields[4] ?? '', seats, rlmDenialReason(why) + last, 'DENY');
  }

  /** QUE product version user host "isv_def" count handle [project req_product req_version mm/dd] time. */
  function queue(): void {
    const n = fields.length;
    const dated = n >= 13 && isMonthDay(fields[n - 2], quoted[n - 2]);
    if (!(dated ? n >= 13 : n === 9) || !stampAt(dated ? n - 2 : n - 1, stamp)) return diagnose('QUE record without a valid time');
    const feature = fields[1] ?? '';
    const seats = seatCount(fields[6]);
    if (!feature) return diagnose('QUE record without a product name');
    if (Number.isNaN(seats)) return diagnose(`QUE record: license count ${JSON.stringify(fields[6] ?? '')} is not 1 to ${MAX_SEATS}`);
    const who = { feature, user: fields[3] ?? '', host: fields[4] ?? '', seats };
    if (fields[7]) remember(queued, fields[7], who);
    emit('queued', who.feature, who.user, who.host, seats, undefined, 'QUE');
  }

  /** DEQUE why [product version user host "isv_def"] count handle [mm/dd] time. */
  function dequeue(): void {
    const n = fields.length;
    const why = fields[1] ?? '';
    let who: { feature: string; user: string; host: string; seats: number } | undefined;
    let handle: string | undefined;
    if (n === 5) {
      if (!stampAt(4, stamp) || stamp.kind !== 0) return diagnose('DEQUE record without a valid hh:mm time');
      handle = fields[3];
      who = handle === undefined ? undefined : queued.get(handle);
    } else if (n >= 11) {
      if (!stampAt(n - 2, stamp) || stamp.kind !== 1) return diagnose('DEQUE record without a valid mm/dd hh:mm:ss time');
      handle = fields[8];
      const seats = seatCount(fields[7]);
      if (!fields[2] || Number.isNaN(seats)) return diagnose('DEQUE record without a product or a valid license count');
      who = queued.get(handle ?? '') ?? { feature: fields[2], user: fields[4] ?? '', host: fields[5] ?? '', seats };
    } else {
      return diagnose(`DEQUE record with ${n} fields (expected 5 in the small layout, 11 in std)`);
    }
    if (handle !== undefined) queued.delete(handle);
    if (who === undefined) {
      localAndSeen(stamp);
      return diagnose(`DEQUE record for handle ${handle ?? ''} with no queued request seen`);
    }
    emit('dequeued', who.feature, who.user, who.host, who.seats, why || undefined, 'DEQUE');
  }

  /** INUSE product version pool# user host "isv_def" count handle [share_handle] pid mm/dd hh:mm:ss. */
  function inUse(): void {
    const n = fields.length;
    if (n < 12 || !stampAt(n - 2, stamp) || stamp.kind !== 1) return diagnose('INUSE record without a valid mm/dd hh:mm:ss time');
    const handle = fields[8] ?? '';
    const share = n - 2 - 8 === 3 ? fields[9] : undefined;
    const feature = fields[1] ?? '';
    const seats = seatCount(fields[7]);
    if (!feature || Number.isNaN(seats)) return diagnose('INUSE record without a product or a valid license count');
    if (open.has(handle)) {
      localAndSeen(stamp);
      return;
    }
    if (share !== undefined && share !== handle && share !== '0') {
      const group = open.get(share);
      if (group !== undefined) {
        group.members++;
        remember(open, handle, group);
        localAndSeen(stamp);
        return;
      }
    }
    const holder: Holder = { feature, user: fields[4] ?? '', host: fields[5] ?? '', seats, members: 1 };
    remember(open, handle, holder);
    emit('checkout', feature, holder.user, holder.host, seats, undefined, 'INUSE');
  }

  function fullDate(dateField: string | undefined, timeField: string | undefined, label: string): boolean {
    const d = dateField === undefined ? null : FULL_DATE_RE.exec(dateField);
    const sec = timeOfDay(timeField);
    if (!d || sec < 0) {
      diagnose(`${label} without a valid mm/dd/yyyy hh:mm date`);
      return false;
    }
    stamp.kind = 2;
    stamp.year = Number(d[3]);
    stamp.month = Number(d[1]);
    stamp.day = Number(d[2]);
    stamp.sec = sec;
    stamp.fractionMs = timeFraction;
    const t = localAndSeen(stamp);
    if (t !== t) {
      diagnose(`${label} with an impossible date`);
      return false;
    }
    return true;
  }

  function record(text: string): void {
    splitFields(text, fields, quoted);
    const keyword = fields[0] ?? '';
    switch (keyword) {
      case 'OUT':
        return checkout();
      case 'IN':
        return checkin();
      case 'DENY':
        return denial();
      case 'QUE':
        return queue();
      case 'DEQUE':
        return dequeue();
      case 'INUSE':
        return inUse();
      case 'START': {
        inHeader = false;
        if (!fullDate(fields[2], fields[3], 'START record')) return;
        if (switchedFrom) switchedFrom = false;
        else restart();
        return;
      }
      case 'SHUTDOWN': {
        const n = fields.length;
        if (n < 5 || !stampAt(n - 2, stamp) || stamp.kind !== 1) return diagnose('SHUTDOWN record without a valid mm/dd hh:mm:ss time');
        return restart();
      }
      case 'END':
        fullDate(fields[1], fields[2], 'END record');
        return;
      case 'REREAD':
      case 'TIMEJUMP': {
        const n = fields.length;
        if (n < 4 || !stampAt(n - 2, stamp) || stamp.kind !== 1) return diagnose(`${keyword} record without a valid mm/dd hh:mm:ss time`);
        return touch(keyword);
      }
      case 'SWITCH':
        if (fields[1] === 'from') switchedFrom = true;
        return;
      case 'ISV:': {
        const name = (fields[1] ?? '').replace(/,$/, '');
        if (name) vendor = name;
        return;
      }
      case 'PRODUCT':
      case 'LICENSE':
      case 'TIMEZONE':
      case 'AUTH':
      case 'AUTH:':
      case 'REPROCESSED':
      case 'log':
      case 'DYNRES':
      case 'METER_DEC':
      case 'ROAM_EXTEND':
      case 'TEMP':
        return;
      default:
        break;
    }
    if (FULL_DATE_RE.test(keyword) && fields.length === 2) {
      // The periodic timestamp, about every half hour.
      fullDate(keyword, fields[1], 'timestamp line');
      return;
    }
    if (inHeader) return;
    diagnose('unrecognised line');
  }

  return {
    line(raw: string, number: number): void {
      lineNumber = number;
      if (raw.length > MAX_LINE) {
        diagnose(`line longer than ${MAX_LINE} characters`);
        return;
      }
      let text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      // eslint-disable-next-line no-control-regex -- a CR left by CRLF, or NULs a crash left, are noise here
      text = text.replace(/[\r\u0000]+/g, '').trim();
      if (!text) return;
      if (text.startsWith('RLM Report Log Format')) {
        inHeader = true;
        return;
      }
      record(text);
    },
    end(): void {
      if (!dateKnown) {
        for (const held of undated) {
          sink.diagnostic({ line: held.event.line, reason: 'no date for this record: the log gives none and no start date was set' });
        }
        undated.length = 0;
      }
    },
  };
}
