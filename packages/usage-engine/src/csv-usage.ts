/**
 * A plain CSV of license use, for servers whose own output we do not read.
 *
 * The contract:
 * - The first row that names the columns is the header (names are matched case-insensitively, ignoring
 *   spaces, `_`, `-` and `.`). Required: a time (`time`, `timestamp`, `datetime`, `date`, `start`, … or
 *   `date` + `time` together), `feature` and `user`. Optional: `seats` (`count`, `licenses`, `quantity`;
 *   1 when absent), `vendor`, `host`, `event`, `reason`, and an end: `end` (a time, or a time of day
 *   after the start) or `duration` (seconds, or `H:MM[:SS]`; `duration_min` / `minutes` and
 *   `duration_h` / `hours` change the unit).
 * - Fields are separated by commas, semicolons, tabs or pipes (whichever makes the header; an Excel
 *   `sep=;` first line is honoured) and may be quoted as in RFC 4180, line breaks inside quotes included.
 * - A row without an `event` is a check-out at its time. With `event`, the row is `out` (checkout,
 *   check-out), `in` (checkin), `denied` (deny, denial, unsupported), `queued` or `dequeued`.
 *   A check-out with an end also yields the check-in at that end. That check-in is held back until a
 *   row at or after its time (or the end of the file), so events come out in time order when the rows
 *   are in time order, as the analyser wants; rows out of order are passed on as they come.
 * - Times are ISO 8601 (`2022-06-09T14:03:00+02:00`, `2022-06-09 14:03`, a date alone is midnight);
 *   without an offset they are wall-clock times in options.timeZone. 10-digit (seconds) and 13-digit
 *   (milliseconds) epoch numbers are accepted too.
 * - A bad row is reported (line number and reason) and skipped whole; parsing carries on.
 */
import { assertTimeZone, toUtcMillis, type LocalParts } from './lmstat.ts';
import type { LineParser, ParseOptions, ParseSink, UsageEvent, UsageEventKind } from './types.ts';

type Column = 'time' | 'date' | 'clock' | 'end' | 'duration' | 'feature' | 'user' | 'seats' | 'vendor' | 'host' | 'event' | 'reason';

/** Header names (normalised: lower case, no spaces, `_`, `-` or `.`) and what they mean. */
const NAMES: Record<string, Column> = {
  timestamp: 'time',
  datetime: 'time',
  start: 'time',
  starttime: 'time',
  startedat: 'time',
  checkouttime: 'time',
  outtime: 'time',
  date: 'date',
  time: 'clock',
  end: 'end',
  endtime: 'end',
  endedat: 'end',
  stop: 'end',
  stoptime: 'end',
  checkintime: 'end',
  intime: 'end',
  duration: 'duration',
  durations: 'duration',
  durationsec: 'duration',
  durationsecs: 'duration',
  durationseconds: 'duration',
  seconds: 'duration',
  secs: 'duration',
  durationmin: 'duration',
  durationmins: 'duration',
  durationminutes: 'duration',
  minutes: 'duration',
  mins: 'duration',
  durationh: 'duration',
  durationhours: 'duration',
  hours: 'duration',
  feature: 'feature',
  featurename: 'feature',
  product: 'feature',
  module: 'feature',
  user: 'user',
  username: 'user',
  userid: 'user',
  login: 'user',
  seats: 'seats',
  seat: 'seats',
  count: 'seats',
  licenses: 'seats',
  licences: 'seats',
  quantity: 'seats',
  qty: 'seats',
  tokens: 'seats',
  vendor: 'vendor',
  daemon: 'vendor',
  vendordaemon: 'vendor',
  isv: 'vendor',
  host: 'host',
  hostname: 'host',
  machine: 'host',
  computer: 'host',
  workstation: 'host',
  event: 'event',
  action: 'event',
  eventtype: 'event',
  reason: 'reason',
};

const DURATION_UNITS: Record<string, number> = {
  durationmin: 60_000,
  durationmins: 60_000,
  durationminutes: 60_000,
  minutes: 60_000,
  mins: 60_000,
  durationh: 3_600_000,
  durationhours: 3_600_000,
  hours: 3_600_000,
};

const EVENT_KINDS: Record<string, Exclude<UsageEventKind, 'restart'>> = {
  out: 'checkout',
  checkout: 'checkout',
  checkedout: 'checkout',
  granted: 'checkout',
  in: 'checkin',
  checkin: 'checkin',
  checkedin: 'checkin',
  released: 'checkin',
  denied: 'denied',
  deny: 'denied',
  denial: 'denied',
  unsupported: 'denied',
  queued: 'queued',
  queue: 'queued',
  dequeued: 'dequeued',
  dequeue: 'dequeued',
};

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Where each column sits in a row, once a header has been read. */
export interface CsvHeader {
  delimiter: string;
  columns: Partial<Record<Column, number>>;
  /** Milliseconds per unit of the duration column. */
  durationUnit: number;
  fieldCount: number;
}

function normaliseName(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_.\-()[\]]+/g, '');
}

/** Splits one physical line on a delimiter, honouring quotes that open and close on it. */
function splitLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter).map((f) => f.trim());
  const state = newRecordState();
  feed(state, line, delimiter);
  return finishField(state).map((f) => f.trim());
}

/**
 * Reads a header row: which delimiter makes time, feature and user columns appear, and where every
 * known column is. Null when the line is not such a header.
 */
export function parseCsvHeader(line: string, delimiter?: string): CsvHeader | null {
  const text = line.replace(/^\uFEFF/, '');
  let best: CsvHeader | null = null;
  for (const d of delimiter ? [delimiter] : DELIMITERS) {
    if (!text.includes(d)) continue;
    const names = splitLine(text, d).map(normaliseName);
    const columns: Partial<Record<Column, number>> = {};
    let durationUnit = 1000;
    names.forEach((name, index) => {
      const column = NAMES[name];
      if (column === undefined || columns[column] !== undefined) return;
      columns[column] = index;
      if (column === 'duration') durationUnit = DURATION_UNITS[name] ?? 1000;
    });
    // A lone `time` column holds full timestamps; beside `date` it holds the time of day.
    if (columns.time === undefined && columns.date === undefined && columns.clock !== undefined) {
      columns.time = columns.clock;
      delete columns.clock;
    } else if (columns.time === undefined && columns.date !== undefined && columns.clock === undefined) {
      columns.time = columns.date;
      delete columns.date;
    }
    const hasTime = columns.time !== undefined || (columns.date !== undefined && columns.clock !== undefined);
    if (!hasTime || columns.feature === undefined || columns.user === undefined) continue;
    if (!best || names.length > best.fieldCount) best = { delimiter: d, columns, durationUnit, fieldCount: names.length };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------
// RFC 4180 records that may span lines

interface RecordState {
  fields: string[];
  field: string;
  inQuotes: boolean;
  /** The current field opened with a quote (text after its closing quote is kept, leniently). */
  quoted: boolean;
  /** The current field has had something other than blanks (a quote there is just a character). */
  nonBlank: boolean;
}

function newRecordState(): RecordState {
  return { fields: [], field: '', inQuotes: false, quoted: false, nonBlank: false };
}

const QUOTE = 34;
const SPACE = 32;
const TAB = 9;

/** Consumes one physical line in one pass; afterwards `inQuotes` says whether the record goes on. */
function feed(state: RecordState, line: string, delimiter: string): void {
  const delim = delimiter.charCodeAt(0);
  let start = 0;
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const ch = line.charCodeAt(i);
    if (state.inQuotes) {
      if (ch === QUOTE) {
        state.field += line.slice(start, i);
        if (line.charCodeAt(i + 1) === QUOTE) {
          state.field += '"';
          i++;
        } else {
          state.inQuotes = false;
        }
        start = i + 1;
      }
    } else if (ch === delim) {
      state.field += line.slice(start, i);
      state.fields.push(state.field);
      state.field = '';
      state.quoted = false;
      state.nonBlank = false;
      start = i + 1;
    } else if (ch === QUOTE && !state.quoted && !state.nonBlank) {
      state.field = '';
      state.inQuotes = true;
      state.quoted = true;
      start = i + 1;
    } else if (ch !== SPACE && ch !== TAB) {
      state.nonBlank = true;
    }
  }
  state.field += line.slice(start);
}

function finishField(state: RecordState): string[] {
  state.fields.push(state.field);
  const fields = state.fields;
  state.fields = [];
  state.field = '';
  state.quoted = false;
  state.nonBlank = false;
  return fields;
}

/** The largest instant a Date can hold (ms either side of 1970). */
const MAX_INSTANT = 8.64e15;

/** Longest record (characters, across lines) before an open quote is given up on. */
const MAX_RECORD = 65_536;

// ---------------------------------------------------------------------------------------------------
// Values

const ISO_RE =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const CLOCK_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;

type ParsedTime = { at: number } | { error: string };

function parseTime(value: string, timeZone: string): ParsedTime {
  if (/^\d{10}(?:\.\d{1,6})?$/.test(value)) return { at: Math.round(Number(value) * 1000) };
  if (/^\d{13}$/.test(value)) return { at: Number(value) };
  const m = ISO_RE.exec(value);
  if (!m) return { error: `time ${JSON.stringify(value)} is not ISO 8601 (YYYY-MM-DD[THH:MM[:SS]][±HH:MM])` };
  const local: LocalParts = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: m[4] === undefined ? 0 : Number(m[4]),
    minute: m[5] === undefined ? 0 : Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
    millisecond: m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000),
  };
  if (!validLocal(local)) return { error: `time ${JSON.stringify(value)} is not a valid date and time` };
  const zone = m[8];
  if (zone === undefined) {
    const at = toUtcMillis(local, timeZone);
    return Number.isFinite(at) ? { at } : { error: `time ${JSON.stringify(value)} is out of range` };
  }
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hours > 18 || minutes > 59) return { error: `time ${JSON.stringify(value)} has an invalid offset` };
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond);
  return { at: naive - offsetMinutes * 60_000 };
}

function validLocal(p: LocalParts): boolean {
  if (p.month < 1 || p.month > 12 || p.day < 1 || (p.hour ?? 0) > 23 || (p.minute ?? 0) > 59 || (p.second ?? 0) > 59) return false;
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day));
  return d.getUTCFullYear() === p.year && d.getUTCMonth() === p.month - 1 && d.getUTCDate() === p.day;
}

/** Milliseconds of a duration: a number of units, `H:MM[:SS]`, or ISO `PT1H30M`. */
function parseDuration(value: string, unit: number): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * unit);
  const clock = /^(\d+):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (clock) return ((Number(clock[1]) * 60 + Number(clock[2])) * 60 + Number(clock[3] ?? 0)) * 1000;
  const iso = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(value);
  if (iso && (iso[1] ?? iso[2] ?? iso[3]) !== undefined) {
    return Math.round((Number(iso[1] ?? 0) * 3600 + Number(iso[2] ?? 0) * 60 + Number(iso[3] ?? 0)) * 1000);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// The parser

/** Check-ins waiting for their time, earliest first (ties in arrival order). */
class PendingCheckins {
  private heap: { event: UsageEvent; seq: number }[] = [];
  private seq = 0;

  push(event: UsageEvent): void {
    const heap = this.heap;
    heap.push({ event, seq: this.seq++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns every check-in at or before `at` (all of them without `at`), in time order. */
  *drain(at = Number.POSITIVE_INFINITY): Generator<UsageEvent> {
    const heap = this.heap;
    while (heap.length > 0 && (heap[0]?.event.at ?? 0) <= at) {
      const top = heap[0];
      const last = heap.pop();
      if (heap.length > 0 && last) {
        heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && this.before(l, m)) m = l;
          if (r < heap.length && this.before(r, m)) m = r;
          if (m === i) break;
          this.swap(i, m);
          i = m;
        }
      }
      if (top) yield top.event;
    }
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    if (!x || !y) return false;
    return x.event.at < y.event.at || (x.event.at === y.event.at && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    const t = heap[a];
    heap[a] = heap[b] as (typeof heap)[number];
    heap[b] = t as (typeof heap)[number];
  }
}

/** Rows before the header that are tried as a header before giving up. */
const HEADER_SEARCH_ROWS = 10;

/** A parser for CSV rows of (time, feature, user[, seats]); see the contract at the top of this file. */
export function createCsvUsageParser(options: ParseOptions, sink: ParseSink): LineParser {
  const { timeZone } = options;
  assertTimeZone(timeZone);

  let header: CsvHeader | null = null;
  let forcedDelimiter: string | undefined;
  let rowsBeforeHeader = 0;
  let gaveUp = false;
  const record = newRecordState();
  let recordLine = 0;
  let recordChars = 0;

  const pending = new PendingCheckins();
  const diagnose = (line: number, reason: string): void => sink.diagnostic({ line, reason });

  function emit(event: UsageEvent): void {
    for (const checkin of pending.drain(event.at)) sink.event?.(checkin);
    sink.event?.(event);
  }

  function lookForHeader(text: string, lineNumber: number): void {
    if (gaveUp) return;
    const sep = /^\s*"?sep=(.)"?\s*$/i.exec(text.replace(/^\uFEFF/, ''));
    if (sep && rowsBeforeHeader === 0) {
      forcedDelimiter = sep[1];
      return;
    }
    header = parseCsvHeader(text, forcedDelimiter);
    if (header) return;
    rowsBeforeHeader++;
    if (rowsBeforeHeader >= HEADER_SEARCH_ROWS) {
      gaveUp = true;
      diagnose(lineNumber, `no header row in the first ${HEADER_SEARCH_ROWS} rows: expected columns time, feature and user (seats optional); the rest of the file is ignored`);
    } else {
      diagnose(lineNumber, 'not a header row (expected columns time, feature and user); skipped');
    }
  }

  function field(row: readonly string[], column: Column): string {
    const index = header?.columns[column];
    return index === undefined ? '' : (row[index] ?? '').trim();
  }

  function onRow(row: string[], lineNumber: number): void {
    const h = header;
    if (!h) return;
    if (row.every((f) => f.trim() === '')) return;
    const fail = (reason: string): void => diagnose(lineNumber, reason);
    const needed = Math.max(h.columns.time ?? 0, h.columns.date ?? 0, h.columns.clock ?? 0, h.columns.feature ?? 0, h.columns.user ?? 0);
    if (row.length <= needed) return fail(`expected ${h.fieldCount} fields, got ${row.length}`);

    let timeText = field(row, 'time');
    if (h.columns.time === undefined) {
      const date = field(row, 'date');
      const clock = field(row, 'clock');
      if (!date || !clock) return fail(date ? 'no time of day' : 'no date');
      timeText = `${date} ${clock}`;
    }
    if (!timeText) return fail('no time');
    const feature = field(row, 'feature');
    if (!feature) return fail('no feature');
    const user = field(row, 'user');
    if (!user) return fail('no user');

    const start = parseTime(timeText, timeZone);
    if ('error' in start) return fail(start.error);

    let seats = 1;
    const seatsText = field(row, 'seats');
    if (seatsText) {
      if (!/^\d{1,9}$/.test(seatsText) || Number(seatsText) < 1) return fail(`seats ${JSON.stringify(seatsText)} is not a whole number of at least 1`);
      seats = Number(seatsText);
    }

    let kind: Exclude<UsageEventKind, 'restart'> = 'checkout';
    const eventText = field(row, 'event');
    if (eventText) {
      const mapped = EVENT_KINDS[normaliseName(eventText)];
      if (!mapped) return fail(`event ${JSON.stringify(eventText)} is not one of out, in, denied, queued, dequeued`);
      kind = mapped;
    }

    let end: number | undefined;
    if (kind === 'checkout') {
      const endText = field(row, 'end');
      const durationText = field(row, 'duration');
      if (endText) {
        if (CLOCK_RE.test(endText)) {
          end = endOfClock(timeText, endText, start.at, timeZone);
          if (end === undefined) return fail(`end ${JSON.stringify(endText)} is a time of day, but the start has no date to put it on`);
        } else {
          const parsed = parseTime(endText, timeZone);
          if ('error' in parsed) return fail(parsed.error.replace(/^time/, 'end'));
          end = parsed.at;
        }
      } else if (durationText) {
        const ms = parseDuration(durationText, h.durationUnit);
        if (ms === undefined) return fail(`duration ${JSON.stringify(durationText)} is not a number, H:MM[:SS] or PT…`);
        end = start.at + ms;
      }
      if (end !== undefined && end < start.at) return fail('end is before start');
      if (end !== undefined && !(Math.abs(end) <= MAX_INSTANT)) return fail('end is too far in the future');
    }

    const base = { line: lineNumber, vendor: field(row, 'vendor'), feature, user, host: field(row, 'host'), seats };
    const reason = field(row, 'reason');
    const event: UsageEvent = { kind, at: start.at, ...base };
    if (reason) event.reason = reason;
    emit(event);
    if (end !== undefined) pending.push({ kind: 'checkin', at: end, ...base });
  }

  return {
    line(raw: string, lineNumber: number): void {
      const text = (record.inQuotes ? raw : raw.replace(/^\uFEFF/, '')).replace(/\r$/, '');
      if (!header) {
        if (text.trim()) lookForHeader(text, lineNumber);
        return;
      }
      if (!record.inQuotes) {
        if (!text.trim()) return;
        recordLine = lineNumber;
        recordChars = 0;
        if (!text.includes('"')) {
          onRow(text.split(header.delimiter), lineNumber);
          recordLine = 0;
          return;
        }
      } else {
        record.field += '\n';
      }
      recordChars += text.length + 1;
      feed(record, text, header.delimiter);
      if (record.inQuotes) {
        if (recordChars > MAX_RECORD) {
          diagnose(recordLine, `quoted field not closed within ${MAX_RECORD} characters; row skipped`);
          record.inQuotes = false;
          finishField(record);
          recordLine = 0;
        }
        return;
      }
      const row = finishField(record);
      const at = recordLine;
      recordLine = 0;
      onRow(row, at);
    },
    end(): void {
      if (record.inQuotes) {
        diagnose(recordLine, 'quoted field not closed at the end of the file; row skipped');
        record.inQuotes = false;
        finishField(record);
      }
      for (const checkin of pending.drain()) sink.event?.(checkin);
    },
  };
}

/** The end instant of an `end` column that holds only a time of day: same local day, or the next. */
function endOfClock(startText: string, endText: string, startAt: number, timeZone: string): number | undefined {
  const date = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})/.exec(startText);
  if (!date) return undefined;
  const clock = CLOCK_RE.exec(endText);
  if (!clock) return undefined;
  const local: LocalParts = {
    year: Number(date[1]),
    month: Number(date[2]),
    day: Number(date[3]),
    hour: Number(clock[1]),
    minute: Number(clock[2]),
    second: Number(clock[3] ?? 0),
  };
  if (!validLocal(local)) return undefined;
  const zone = /(Z|[+-]\d{2}(?::?\d{2})?)$/i.exec(startText);
  const read = (p: LocalParts): number | undefined => {
    const stamp = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}T${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}:${String(p.second).padStart(2, '0')}${zone?.[1] ?? ''}`;
    const parsed = parseTime(stamp, timeZone);
    return 'at' in parsed ? parsed.at : undefined;
  };
  const sameDay = read(local);
  if (sameDay === undefined || sameDay >= startAt) return sameDay;
  const next = new Date(Date.UTC(local.year, local.month - 1, local.day + 1));
  return read({ ...local, year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() });
}
