/**
 * RLM debug logs (the ISV servers' lines of the RLM debug log) → UsageEvents with absolute UTC times.
 *
 * Lines look like `05/11 15:17 (demo) OUT: analytics v2.09 by cecil@win2008 ` — month/day, a wall-clock time to
 * the minute, the server in parentheses, a message. What is read:
 * - `OUT: product vX by user@host [isv-defined text] [(N licenses)]` and `IN: [(why)] product vX by user@host …`
 *   (the why — "client exit", "timed out", "lmremove" … — becomes the check-in reason).
 * - `DENIED: (N) product vX to user@host`, whose reason RLM prints on the next line, indented
 *   (`05/11 15:20 (demo)         All licenses in use`). The product is the word before the version.
 * - `Server started on host (hostid: …) for:` and `Shutdown request by user@host` from an ISV are restarts:
 *   every open check-out of that ISV ends there. Lines of the `(rlm)` server itself carry no usage.
 * Dates: lines carry `mm/dd` (or a full `mm/dd/yyyy`), some only a time; no public sample prints a year, so
 * the year comes from options.startDate or from a start-up line that carries a full date (`mm/dd/yyyy`, or
 * `Mon Mar 25 12:29:40 2024` as rlmstat prints start times). Each `mm/dd` takes the year nearest the date
 * before it (so December runs into January); a time-only line is on the day of the line before, and a clock
 * going back by more than an hour means midnight passed. Events seen before a year is known wait for one and
 * are reported if none comes. Lines that look like events but cannot be used are reported; other chatter is not.
 */
import { closestDay, createLocalTimeline, dayNumber, startDateDay } from './rlm-report.ts';
import { createZoneClock } from './local-time.ts';
import type { LineParser, ParseOptions, ParseSink, UsageEvent, UsageEventKind } from './types.ts';

/** Longer lines are refused whole (keeps every regular expression below cheap). */
const MAX_LINE = 4096;
/** Events held while no year is known; beyond this they are reported and dropped. */
export const MAX_UNDATED_RLM_DEBUG_EVENTS = 100_000;
const MAX_SEATS = 1_000_000;
const DAY_S = 86_400;
const ROLLBACK_S = 3_600;
const LATE_LINE_S = 300;

/** `[mm/dd[/yyyy] ]h:mm[:ss] (server) message`. */
const ENVELOPE_RE = /^[ \t]*(?:(\d{1,2})\/(\d{1,2})(?:\/(\d{4}))?[ \t]+)?(\d{1,2}):(\d{2})(?::(\d{2}))?[ \t]+\(([^()\s]{1,64})\)(.*)$/;
const EVENT_RE = /^(OUT|IN|DENIED):(.*)$/;
const TIMELESS_EVENT_RE = /^[ \t]*(?:\([^()\s]{1,64}\)[ \t]*)?(OUT|IN|DENIED):/;
const LICENSES_RE = /\((\d{1,9}) licenses?\)/;
const SLASH_DATE_RE = /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/;
const WORD_DATE_RE = /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?[ \t]+(\d{1,2}),?[ \t]+(?:\d{1,2}:\d{2}(?::\d{2})?[ \t]+)?(\d{4})\b/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Held {
  event: UsageEvent;
  /** month*100+day of the dated line this one counts from (0: none yet). */
  anchor: number;
  /** Days after that line (negative: before it). */
  roll: number;
  sec: number;
}

/**
 * Creates a parser for RLM ISV debug logs. Wall times are read in `options.timeZone`; `options.startDate`
 * (YYYY-MM-DD) gives the year (and the day of time-only first lines). Throws a RangeError for an unknown time
 * zone or a malformed start date.
 */
export function createRlmDebugParser(options: ParseOptions, sink: ParseSink): LineParser {
  const clock = createZoneClock(options.timeZone);
  const timeline = createLocalTimeline(clock);
  const startDay = startDateDay(options.startDate);
  let dateKnown = !Number.isNaN(startDay);

  /** Local seconds (wall clock read as UTC) of the last timed line; relative to `anchor` while no year is known. */
  let lastLocal = Number.NaN;
  let lastMidnight = 0;
  /** While no year is known: month*100+day of the last line that had one. */
  let anchor = 0;
  const undated: Held[] = [];
  /** Index in `undated` from which entries may still lack a month/day. */
  let unanchored = 0;
  /** A denial waiting one line for its reason. */
  let waiting: UsageEvent | null = null;
  let waitingDated = false;
  let lineNumber = 0;

  const diagnose = (reason: string): void => sink.diagnostic({ line: lineNumber, reason });

  function setLocal(midnight: number, sec: number): number {
    lastMidnight = midnight;
    lastLocal = midnight + sec;
    return lastLocal;
  }

  function advance(sec: number): number {
    if (lastLocal !== lastLocal) return setLocal(dateKnown ? startDay * DAY_S : 0, sec);
    const delta = lastMidnight + sec - lastLocal;
    if (delta < -ROLLBACK_S) return setLocal(lastMidnight + DAY_S, sec);
    if (delta > DAY_S - LATE_LINE_S) return setLocal(lastMidnight - DAY_S, sec);
    lastLocal = lastMidnight + sec;
    return lastLocal;
  }

  /** While no year is known, a line with month/day: earlier lines without one count from it. */
  function reanchor(monthDay: number, sec: number): void {
    const roll = Math.floor(advance(sec) / DAY_S);
    // Only lines since the last month/day can be without one: each is visited once.
    for (let i = unanchored; i < undated.length; i++) {
      const held = undated[i] as Held;
      if (held.anchor === 0) {
        held.anchor = monthDay;
        held.roll -= roll;
      }
    }
    unanchored = undated.length;
    anchor = monthDay;
    setLocal(0, sec);
  }

  /** The year is known from here (`day`): date and send what waited, newest first back in time. */
  function establish(day: number, monthDay: number, sec: number): number {
    if (!dateKnown) {
      reanchor(monthDay, sec);
      let ref = day;
      let current = -1;
      let currentDay = day;
      const times: number[] = new Array<number>(undated.length);
      for (let i = undated.length - 1; i >= 0; i--) {
        const held = undated[i] as Held;
        if (held.anchor !== current) {
          current = held.anchor;
          currentDay = closestDay(Math.floor(current / 100), current % 100, ref);
          ref = currentDay;
        }
        times[i] = (currentDay + held.roll) * DAY_S + held.sec;
      }
      dateKnown = true;
      undated.forEach((held, i) => {
        held.event.at = timeline.toUtc(times[i] as number);
        sink.event?.(held.event);
      });
      undated.length = 0;
      unanchored = 0;
    }
    return setLocal(day * DAY_S, sec);
  }

  /**
   * Local time of an envelope; NaN for an impossible date. While no year is known, returns the seconds of the
   * day and leaves `anchor`/`roll` to describe the day.
   */
  let roll = 0;
  function localOf(month: number, day: number, year: number, sec: number): number {
    roll = 0;
    if (year > 0) {
      const d = dayNumber(year, month, day);
      return Number.isNaN(d) ? Number.NaN : establish(d, month * 100 + day, sec);
    }
    if (month > 0) {
      if (dateKnown) {
        const ref = lastLocal === lastLocal ? Math.floor(lastLocal / DAY_S) : startDay;
        const d = closestDay(month, day, ref);
        return Number.isNaN(d) ? Number.NaN : setLocal(d * DAY_S, sec);
      }
      if (Number.isNaN(closestDay(month, day, 11_000))) return Number.NaN;
      reanchor(month * 100 + day, sec);
      return sec;
    }
    const t = advance(sec);
    if (!dateKnown) roll = Math.floor(t / DAY_S);
    return t;
  }

  function flushWaiting(): void {
    if (waiting !== null && waitingDated) sink.event?.(waiting);
    waiting = null;
  }

  function deliver(event: UsageEvent, t: number, sec: number): void {
    if (dateKnown) {
      event.at = timeline.toUtc(t);
      if (event.kind === 'denied') {
        waiting = event;
        waitingDated = true;
      } else {
        sink.event?.(event);
      }
      return;
    }
    if (undated.length >= MAX_UNDATED_RLM_DEBUG_EVENTS) {
      diagnose(`no year known yet and ${MAX_UNDATED_RLM_DEBUG_EVENTS} events already wait for one; line dropped`);
      return;
    }
    undated.push({ event, anchor, roll, sec });
    if (event.kind === 'denied') {
      waiting = event;
      waitingDated = false;
    }
  }

  /** Reads the body of OUT:, IN: and DENIED:; returns why it cannot, or null. */
  function eventLine(kind: UsageEventKind, label: string, body: string, vendor: string, t: number, sec: number): void {
    let rest = body.trim();
    let paren: string | undefined;
    if (rest.startsWith('(')) {
      const close = rest.indexOf(')');
      if (close === -1) return diagnose(`${label} line: unclosed parenthesis`);
      paren = rest.slice(1, close).trim();
      rest = rest.slice(close + 1).trim();
    }
    const words = rest.split(/[ \t]+/);
    const link = kind === 'denied' ? 'to' : 'by';
    let k = -1;
    for (let i = 2; i < words.length; i++) {
      if (words[i] === link && /^v\S/.test(words[i - 1] ?? '')) {
        k = i;
        break;
      }
    }
    if (k === -1) return diagnose(`${label} line without "product vVERSION ${link} user@host"`);
    const feature = words[k - 2] ?? '';
    const who = words.slice(k + 1).join(' ');
    const at = who.indexOf('@');
    let user: string;
    let host: string;
    let tail: string;
    if (at === -1) {
      user = words[k + 1] ?? '';
      host = '';
      tail = words.slice(k + 2).join(' ');
    } else {
      user = who.slice(0, at).trim();
      const hostEnd = who.slice(at + 1).search(/[ \t]|$/);
      host = who.slice(at + 1, at + 1 + hostEnd);
      tail = who.slice(at + 1 + hostEnd);
    }
    if (!user) return diagnose(`${label} line without a user name`);
    let seats = 1;
    let reason: string | undefined;
    if (kind === 'denied') {
      if (paren !== undefined) {
        if (!/^\d{1,9}$/.test(paren)) return diagnose(`${label} line: "(${paren})" is not a license count`);
        seats = Number(paren);
      }
    } else {
      const licenses = LICENSES_RE.exec(tail);
      if (licenses) seats = Number(licenses[1]);
      if (paren !== undefined && paren !== '') reason = paren;
    }
    if (seats < 1 || seats > MAX_SEATS) return diagnose(`${label} line: license count out of range`);
    const event: UsageEvent = { kind, at: 0, line: lineNumber, vendor, feature, user, host, seats };
    if (reason !== undefined) event.reason = reason;
    deliver(event, t, sec);
  }

  /** A full date in a start-up message, as a day number (NaN: none). */
  function messageDate(message: string): number {
    if (!/start/i.test(message)) return Number.NaN;
    const slash = SLASH_DATE_RE.exec(message);
    if (slash) return dayNumber(Number(slash[3]), Number(slash[1]), Number(slash[2]));
    const word = WORD_DATE_RE.exec(message);
    if (word) return dayNumber(Number(word[3]), MONTHS.indexOf(word[1] as string) + 1, Number(word[2]));
    return Number.NaN;
  }

  function timedLine(m: RegExpExecArray): void {
    const hour = Number(m[4]);
    const minute = Number(m[5]);
    const second = m[6] === undefined ? 0 : Number(m[6]);
    const vendor = m[7] as string;
    const raw = m[8] as string;
    const message = raw.trim();
    const event = EVENT_RE.exec(message);
    const label = event ? (event[1] as string) : '';
    if (hour > 23 || minute > 59 || second > 59) {
      if (event) diagnose(`${label} line with an invalid time`);
      return;
    }
    const sec = hour * 3600 + minute * 60 + second;
    let month = m[1] === undefined ? 0 : Number(m[1]);
    let day = m[2] === undefined ? 0 : Number(m[2]);
    let year = m[3] === undefined ? 0 : Number(m[3]);
    if (year === 0 && !event) {
      const found = messageDate(message);
      if (!Number.isNaN(found)) {
        // The message says today's date: the envelope's month/day (if any) is read in its year.
        const d = month > 0 ? closestDay(month, day, found) : found;
        if (!Number.isNaN(d)) {
          const date = new Date(d * 86_400_000);
          year = date.getUTCFullYear();
          month = date.getUTCMonth() + 1;
          day = date.getUTCDate();
        }
      }
    }
    const t = localOf(month, day, year, sec);
    if (t !== t) {
      if (event) diagnose(`${label} line with an invalid date`);
      return;
    }
    // Every dated line shows the timeline where the clock is (a step back inside a repeated hour).
    if (dateKnown && !event) timeline.toUtc(t);
    if (event) {
      const kind: UsageEventKind = label === 'OUT' ? 'checkout' : label === 'IN' ? 'checkin' : 'denied';
      eventLine(kind, label, event[2] as string, vendor, t, sec);
      return;
    }
    if (vendor === 'rlm') return;
    if (message.startsWith('Server started on') || message.startsWith('Shutdown request by')) {
      deliver({ kind: 'restart', at: 0, line: lineNumber, vendor, feature: '', user: '', host: '', seats: 0 }, t, sec);
    }
  }

  /** The indented line RLM prints after a denial: its reason. */
  function continuation(text: string, envelope: RegExpExecArray | null): boolean {
    if (waiting === null) return false;
    let body: string;
    if (envelope) {
      if (envelope[7] !== waiting.vendor) return false;
      body = envelope[8] as string;
      if (!/^[ \t]{2,}|^\t/.test(body)) return false;
    } else {
      body = text;
      if (!/^[ \t]/.test(body)) return false;
    }
    const reason = body.trim();
    if (!reason || EVENT_RE.test(reason)) return false;
    waiting.reason = reason;
    return true;
  }

  return {
    line(rawLine: string, number: number): void {
      lineNumber = number;
      if (rawLine.length > MAX_LINE) {
        flushWaiting();
        diagnose(`line longer than ${MAX_LINE} characters`);
        return;
      }
      let text = rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine;
      // eslint-disable-next-line no-control-regex -- a CR left by CRLF, or NULs a crash left, are noise here
      text = text.replace(/[\r\u0000]+/g, '').trimEnd();
      const envelope = ENVELOPE_RE.exec(text);
      if (continuation(text, envelope)) {
        flushWaiting();
        return;
      }
      flushWaiting();
      if (envelope) {
        timedLine(envelope);
        return;
      }
      const timeless = TIMELESS_EVENT_RE.exec(text);
      if (timeless) diagnose(`${timeless[1] as string} line without a time`);
    },
    end(): void {
      flushWaiting();
      if (!dateKnown) {
        for (const held of undated) {
          sink.diagnostic({ line: held.event.line, reason: 'no year for this line: the log gives none and no start date was set' });
        }
        undated.length = 0;
      }
    },
  };
}
