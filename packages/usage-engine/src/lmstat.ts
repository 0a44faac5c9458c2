/**
 * `lmutil lmstat -a` snapshots: one FeatureSnapshot per "Users of FEATURE:" block, plus the status of
 * license servers and vendor daemons. Streaming and pure: lines in, snapshots and diagnostics out.
 *
 * User lines look like
 *   `    jdoe ws-17 ws-17:0 (v43) (licsrv/27000 1234), start Thu 6/9 8:01, 2 licenses (linger: 600)`
 * The "who" part before `(vVERSION)` is "user host display" separated by single spaces, but user names
 * may contain spaces, some vendors print no display, and some print extra tokens after it, so the split
 * is a heuristic (see splitWho).
 */
import { localMs, sharedZoneClock } from './local-time.ts';
import type { Diagnostic, FeatureSnapshot, LineParser, ParseOptions, ParseSink, SnapshotUser } from './types.ts';

// ---------------------------------------------------------------------------------------------------
// Wall clock → UTC in an IANA zone, by the engine's one zone clock (local-time.ts).

/** A wall-clock date and time (month 1–12). */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  millisecond?: number;
}

/** Throws a RangeError naming the zone when it is not a known IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  sharedZoneClock(timeZone);
}

/**
 * Epoch milliseconds of a wall-clock time in an IANA zone. A time repeated when clocks go back takes its
 * first occurrence; a time skipped when clocks go forward is read with the offset before the jump (02:30
 * in a 02:00→03:00 gap becomes 03:30). Returns NaN for an impossible date.
 */
export function toUtcMillis(local: LocalParts, timeZone: string): number {
  const wall = localMs(local.year, local.month, local.day, local.hour ?? 0, local.minute ?? 0, local.second ?? 0) + (local.millisecond ?? 0);
  return Number.isFinite(wall) ? sharedZoneClock(timeZone).toUtc(wall) : Number.NaN;
}

/** The wall-clock date and time of an instant in an IANA zone. */
export function localPartsAt(utcMs: number, timeZone: string): LocalParts {
  const wall = new Date(utcMs + sharedZoneClock(timeZone).offsetAt(utcMs));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

const DAY_MS = 86_400_000;

/** Naive wall-clock milliseconds: comparable with each other, not an instant. */
function wallMillis(p: LocalParts): number {
  return Date.UTC(p.year, p.month - 1, p.day, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
}

function validParts(p: LocalParts): boolean {
  const hour = p.hour ?? 0;
  const minute = p.minute ?? 0;
  const second = p.second ?? 0;
  if (p.month < 1 || p.month > 12 || p.day < 1 || hour > 23 || minute > 59 || second > 60) return false;
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day));
  return d.getUTCMonth() === p.month - 1 && d.getUTCDate() === p.day;
}

// ---------------------------------------------------------------------------------------------------
// Public shapes

/** A license server line: `host: license server UP (MASTER) v11.16` or `host: Cannot connect …`. */
export interface LmstatServerStatus {
  host: string;
  /** From the `License server status: port@host,…` line, when it names one. */
  port?: number;
  status: 'up' | 'down';
  master?: boolean;
  version?: string;
  /** Why it is down, as printed. */
  detail?: string;
  line: number;
}

/** A vendor daemon line: `MLM: UP v11.16`. */
export interface LmstatVendorStatus {
  vendor: string;
  status: 'up' | 'down';
  version?: string;
  detail?: string;
  line: number;
}

/** A user line, with what lmstat says beyond SnapshotUser. */
export interface LmstatUser extends SnapshotUser {
  /** The server's handle for this check-out. */
  handle?: number;
  /** Linger seconds, when the check-out lingers after the application let go. */
  linger?: number;
}

export interface LmstatFeatureSnapshot extends FeatureSnapshot {
  users: LmstatUser[];
  /** The `License server status:` list this feature was reported under (e.g. `27000@licsrv`). */
  server?: string;
  /** `(Uncounted, node-locked)`: issued is 0 and inUse is the sum of the user lines. */
  uncounted?: boolean;
}

export interface LmstatParseOptions extends ParseOptions {
  /**
   * When the snapshot was taken (epoch ms); otherwise the `… status on Thu 6/9/2022 14:03` header says.
   * When given it dates every snapshot in the input, so leave it out for several outputs appended together.
   */
  takenAt?: number;
  onServer?: (status: LmstatServerStatus) => void;
  onVendor?: (status: LmstatVendorStatus) => void;
}

// ---------------------------------------------------------------------------------------------------
// Line shapes

/** Longer lines are refused: keeps every regular expression below linear in practice. */
const MAX_LINE = 4096;

const HEADER_RE = /status on\s+\S+\s+(\d{1,2})\/(\d{1,2})\/(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?/;
const SERVER_LIST_RE = /^\s*License server status:\s*(.*)$/;
const SERVER_LINE_RE = /^\s*([^\s:]+):\s+(.*)$/;
const SERVER_UP_RE = /^license server (UP|DOWN)\b(\s*\(MASTER\))?\s*(v\S+)?/i;
const VENDOR_SECTION_RE = /^\s*Vendor daemon status\b/;
const VENDOR_LINE_RE = /^\s*([^\s:]+):\s+(.*)$/;
const VENDOR_UP_RE = /^(UP|DOWN)\b\s*(v\S+)?/i;
const USERS_OF_RE = /Users of\s+/;
const USERS_OF_SPLIT_RE = /:\s+\(/;
const TOTALS_RE = /Total of (\d+) licen[sc]es? issued;\s*Total of (\d+) licen[sc]es? in use/i;
const VERSION_BLOCK_RE = /^\s*"([^"]*)"\s+v(\S*),\s*vendor:\s*([^\s,]+)/;
const RESERVATION_RE = /^\s*(\d+)\s+RESERVATIONs?\s+for\s+/i;
/** ` (v43) (licsrv/27000 1234)`: the version is optional, the server and handle are not. */
const HANDLE_RE = /(?:\s\(v([^\s()]*)\))?\s+\(([^\s()/]+)\/([^\s()]+)\s+(\d+)\)/g;
const START_RE = /^\s*,\s*start\s+\S+\s+(\d{1,2})\/(\d{1,2})\s+(\d{1,2}):(\d{2})/;
const SEATS_RE = /,\s*(\d+)\s+licen[sc]es?\b/i;
const LINGER_RE = /\(linger:\s*(\d+)/i;
const QUEUED_RE = /^\s*queued for\s+(\d+)\s+licen[sc]es?\b/i;
const X_DISPLAY_RE = /^[^\s:]*:\d+(\.\d+)?$/;

/** Lines lmstat prints that carry nothing we keep. */
const IGNORED_RES = [
  /Copyright/i,
  /^\s*lm(?:util|stat)\b/i,
  /^\s*License file\(s\) on /i,
  /^\s*Feature usage info:/i,
  /^\s*\[Detecting lmgrd processes/i,
  /^\s*(?:uncounted\s+)?(?:floating|nodelocked|node-locked|counted)\b.*licen[sc]e/i,
  /^\s*vendor_string:/i,
  /^\s*Users of features served by /i,
  /^\s*-{3,}\s*$/,
  /^\s*[$#>%]\s/, // an echoed shell command
  /\blm(?:util\s+)?stat\s+-/i, // the command itself, after a prompt
];

// ---------------------------------------------------------------------------------------------------
// The "user host display" split

function sameHost(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Evidence that `token` is the display of a check-out from `host`. */
function isClearDisplay(token: string, host: string): boolean {
  return (
    sameHost(token, host) || // Windows clients print the host again
    token.startsWith('/dev/') || // Unix terminals
    X_DISPLAY_RE.test(token) || // :0, ws-17:0.0, 10.1.2.3:0
    token.toLowerCase().startsWith(`${host.toLowerCase()}:`) // ws-17:0894483_1
  );
}

/**
 * Splits the tokens before `(vVERSION)` into user, host and display, the way lmstat readers settle it:
 * - one token: the user; two: user and host (some vendors print no display);
 * - otherwise the display is the first token (from the third on) that is clearly a display of the
 *   token before it (equals it, is /dev/…, has the X `host:N` form, or starts with `host:`); failing
 *   that, the first that starts with the token before it (`server034` → `server0340`); failing that,
 *   the third token. The host is the token before the display and the user is everything before the
 *   host, spaces kept, so `Jane Roe ws-17 ws-17:0` gives user "Jane Roe". Tokens after the display
 *   stay in the display (some vendors append an id or a project).
 * A name with spaces and no recognisable display (`Jane Roe ws-17`) cannot be told apart from
 * `user host display`; it is read as the latter.
 */
export function splitWho(tokens: readonly string[]): { user: string; host: string; display?: string } {
  const n = tokens.length;
  if (n === 0) return { user: '', host: '' };
  if (n === 1) return { user: tokens[0] ?? '', host: '' };
  if (n === 2) return { user: tokens[0] ?? '', host: tokens[1] ?? '' };
  let d = -1;
  for (let i = 2; i < n && d < 0; i++) if (isClearDisplay(tokens[i] ?? '', tokens[i - 1] ?? '')) d = i;
  for (let i = 2; i < n && d < 0; i++) {
    const host = (tokens[i - 1] ?? '').toLowerCase();
    if (host.length >= 2 && (tokens[i] ?? '').toLowerCase().startsWith(host)) d = i;
  }
  if (d < 0) d = 2;
  return { user: tokens.slice(0, d - 1).join(' '), host: tokens[d - 1] ?? '', display: tokens.slice(d).join(' ') };
}

// ---------------------------------------------------------------------------------------------------
// The parser

interface OpenFeature {
  feature: string;
  vendor?: string;
  issued: number;
  inUse: number;
  uncounted: boolean;
  users: LmstatUser[];
  reserved: number;
  queued: number;
}

type Section = 'none' | 'servers' | 'vendors' | 'features';

/** A parser for `lmutil lmstat -a` output; emits one snapshot per feature. */
export function createLmstatParser(options: LmstatParseOptions, sink: ParseSink): LineParser {
  const { timeZone } = options;
  assertTimeZone(timeZone);
  const takenAt = options.takenAt !== undefined && Number.isFinite(options.takenAt) ? options.takenAt : undefined;

  let headerAt: number | undefined;
  let reference: LocalParts | undefined = takenAt !== undefined ? localPartsAt(takenAt, timeZone) : undefined;
  let section: Section = 'none';
  let serverList: string | undefined;
  const serverPorts = new Map<string, number>();
  let vendors: string[] = [];
  let open: OpenFeature | undefined;
  let warnedNoTime = false;
  let lastLine = 0;

  const diagnose = (line: number, reason: string): void => sink.diagnostic({ line, reason } satisfies Diagnostic);

  function flush(line: number): void {
    const f = open;
    open = undefined;
    if (!f) return;
    const at = takenAt ?? headerAt;
    if (at === undefined) {
      if (!warnedNoTime) {
        warnedNoTime = true;
        diagnose(line, 'snapshot time unknown: no "Flexible License Manager status on" header and no takenAt given');
      }
      return;
    }
    const vendor = f.vendor ?? (vendors.length === 1 ? (vendors[0] ?? '') : '');
    const inUse = f.uncounted ? f.users.reduce((sum, u) => sum + u.seats, 0) : f.inUse;
    const snapshot: LmstatFeatureSnapshot = {
      at,
      vendor,
      feature: f.feature,
      issued: f.issued,
      inUse,
      users: f.users,
      reserved: f.reserved,
      queued: f.queued,
    };
    if (serverList !== undefined) snapshot.server = serverList;
    if (f.uncounted) snapshot.uncounted = true;
    sink.snapshot?.(snapshot);
  }

  function onHeader(m: RegExpExecArray, lineNumber: number): void {
    flush(lineNumber);
    const rawYear = Number(m[3]);
    const local: LocalParts = {
      year: rawYear < 100 ? 2000 + rawYear : rawYear,
      month: Number(m[1]),
      day: Number(m[2]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: m[6] === undefined ? 0 : Number(m[6]),
    };
    if (!validParts(local)) {
      diagnose(lineNumber, 'header date is not a valid date');
      return;
    }
    headerAt = toUtcMillis(local, timeZone);
    reference = local;
    section = 'none';
    vendors = [];
    serverList = undefined;
    serverPorts.clear();
  }

  function onServerList(list: string): void {
    serverList = list.trim() || undefined;
    serverPorts.clear();
    vendors = [];
    for (const entry of list.split(/[,;\s]+/)) {
      const at = entry.indexOf('@');
      if (at <= 0) continue;
      const port = Number(entry.slice(0, at));
      if (!(Number.isInteger(port) && port > 0 && port < 65536)) continue;
      const host = entry.slice(at + 1).toLowerCase();
      serverPorts.set(host, port);
      // Server lines may name the host without its domain, or with it.
      const short = host.split('.')[0] ?? host;
      if (!serverPorts.has(short)) serverPorts.set(short, port);
    }
  }

  function onServerLine(host: string, text: string, lineNumber: number): void {
    const m = SERVER_UP_RE.exec(text);
    const status: LmstatServerStatus = {
      host,
      status: m && (m[1] ?? '').toUpperCase() === 'UP' ? 'up' : 'down',
      line: lineNumber,
    };
    const port = serverPorts.get(host.toLowerCase()) ?? serverPorts.get(host.toLowerCase().split('.')[0] ?? '');
    if (port !== undefined) status.port = port;
    if (m?.[2]) status.master = true;
    if (m?.[3]) status.version = m[3];
    if (!m || status.status === 'down') status.detail = text.trim();
    options.onServer?.(status);
  }

  function onVendorLine(vendor: string, text: string, lineNumber: number): void {
    const m = VENDOR_UP_RE.exec(text);
    const status: LmstatVendorStatus = {
      vendor,
      status: m && (m[1] ?? '').toUpperCase() === 'UP' ? 'up' : 'down',
      line: lineNumber,
    };
    if (m?.[2]) status.version = m[2];
    if (status.status === 'down') status.detail = text.trim();
    if (!vendors.includes(vendor)) vendors.push(vendor);
    options.onVendor?.(status);
  }

  function onUsersOf(body: string, lineNumber: number): void {
    flush(lineNumber);
    section = 'features';
    const split = USERS_OF_SPLIT_RE.exec(body);
    if (!split) {
      diagnose(lineNumber, '"Users of" line without "FEATURE:  (…)"');
      return;
    }
    const feature = body.slice(0, split.index).trim();
    const inner = body.slice(split.index + split[0].length).replace(/\)\s*$/, '');
    if (!feature) {
      diagnose(lineNumber, '"Users of" line without a feature name');
      return;
    }
    const totals = TOTALS_RE.exec(inner);
    if (totals) {
      const issued = safeCount(totals[1]);
      const inUse = safeCount(totals[2]);
      if (issued < 0 || inUse < 0) {
        diagnose(lineNumber, `feature ${feature}: implausible license totals`);
        return;
      }
      open = {
        feature,
        issued,
        inUse,
        uncounted: false,
        users: [],
        reserved: 0,
        queued: 0,
      };
    } else if (/^\s*Uncounted\b/i.test(inner)) {
      open = { feature, issued: 0, inUse: 0, uncounted: true, users: [], reserved: 0, queued: 0 };
    } else {
      // `(Error: 1 licenses, unsupported by licensed server)`: the server does not serve it.
      diagnose(lineNumber, `feature ${feature} not served: ${inner.trim()}`);
    }
  }

  /** The start of a check-out: month/day/time without a year, taken from the snapshot's own date. */
  function startedAt(m: RegExpExecArray): number | undefined {
    if (!reference) return undefined;
    const local: LocalParts = {
      year: reference.year,
      month: Number(m[1]),
      day: Number(m[2]),
      hour: Number(m[3]),
      minute: Number(m[4]),
    };
    // A start more than a day after the snapshot is last year's (Dec 31 seen on Jan 2).
    if (!validParts(local) || wallMillis(local) > wallMillis(reference) + DAY_MS) local.year -= 1;
    if (!validParts(local)) return undefined;
    return toUtcMillis(local, timeZone);
  }

  function onUserLine(text: string, lineNumber: number): boolean {
    // The last `(vX) (server/port handle)` followed by the start or queue text is the anchor.
    let anchor: RegExpExecArray | undefined;
    HANDLE_RE.lastIndex = 0;
    for (let m = HANDLE_RE.exec(text); m; m = HANDLE_RE.exec(text)) {
      const after = text.slice(m.index + m[0].length);
      if (/^\s*(?:,|queued\b|$)/i.test(after)) anchor = m;
    }
    if (!anchor) return false;
    const who = text.slice(0, anchor.index).trim();
    const rest = text.slice(anchor.index + anchor[0].length);
    if (!open) {
      diagnose(lineNumber, 'user line outside a "Users of" block');
      return true;
    }
    const { user, host, display } = splitWho(who ? who.split(/\s+/) : []);
    if (!user) {
      diagnose(lineNumber, 'user line without a user name');
      return true;
    }
    const queued = QUEUED_RE.exec(rest);
    if (queued) {
      open.queued += Math.max(1, safeCount(queued[1]));
      return true;
    }
    const entry: LmstatUser = { user, host, seats: 1 };
    if (display) entry.display = display;
    if (anchor[1] !== undefined) entry.version = anchor[1];
    const start = START_RE.exec(rest);
    if (start) {
      const at = startedAt(start);
      if (at !== undefined && Number.isFinite(at)) entry.startedAt = at;
      else if (reference) diagnose(lineNumber, 'check-out start is not a valid date');
    } else {
      diagnose(lineNumber, 'user line without ", start DAY M/D H:MM"');
    }
    const seats = SEATS_RE.exec(rest);
    if (seats) {
      const count = safeCount(seats[1]);
      if (count >= 1) entry.seats = count;
      else diagnose(lineNumber, `implausible license count ${seats[1] ?? ''}`);
    }
    const handle = safeCount(anchor[4]);
    if (handle >= 0) entry.handle = handle;
    const linger = LINGER_RE.exec(rest);
    if (linger) entry.linger = Math.max(0, safeCount(linger[1]));
    open.users.push(entry);
    return true;
  }

  function handle(raw: string, lineNumber: number): void {
    lastLine = lineNumber;
    // eslint-disable-next-line no-control-regex -- NUL and friends are noise in a status listing
    const text = raw.replace(/^\uFEFF/, '').replace(/[\r\u0000]+/g, '').trimEnd();
    if (!text.trim()) return;
    if (text.length > MAX_LINE) {
      diagnose(lineNumber, `line longer than ${MAX_LINE} characters`);
      return;
    }
    const header = HEADER_RE.exec(text);
    if (header && text.includes('License Manager status on')) return onHeader(header, lineNumber);

    const serverListMatch = SERVER_LIST_RE.exec(text);
    if (serverListMatch) {
      flush(lineNumber);
      section = 'servers';
      onServerList(serverListMatch[1] ?? '');
      return;
    }
    if (VENDOR_SECTION_RE.test(text)) {
      flush(lineNumber);
      section = 'vendors';
      return;
    }
    const usersOf = USERS_OF_RE.exec(text);
    if (usersOf && /^\s*(?:\S+\s+)?Users of\s/.test(text.slice(0, usersOf.index + usersOf[0].length))) {
      return onUsersOf(text.slice(usersOf.index + usersOf[0].length), lineNumber);
    }
    if (/^\s*Feature usage info:/i.test(text)) {
      flush(lineNumber);
      section = 'features';
      return;
    }
    if (/Error getting status:/i.test(text)) {
      diagnose(lineNumber, `lmstat could not reach the license server: ${text.trim()}`);
      return;
    }
    if (section === 'servers' && !/^\s*License file\(s\)/i.test(text)) {
      const m = SERVER_LINE_RE.exec(text);
      if (m) return onServerLine(m[1] ?? '', m[2] ?? '', lineNumber);
    }
    if (section === 'vendors') {
      const m = VENDOR_LINE_RE.exec(text);
      if (m) return onVendorLine(m[1] ?? '', m[2] ?? '', lineNumber);
    }
    const block = VERSION_BLOCK_RE.exec(text);
    if (block) {
      if (open && open.vendor === undefined && block[3]) open.vendor = block[3];
      return;
    }
    const reservation = RESERVATION_RE.exec(text);
    if (reservation) {
      if (open) open.reserved += safeCount(reservation[1]);
      else diagnose(lineNumber, 'reservation outside a "Users of" block');
      return;
    }
    if (onUserLine(text, lineNumber)) return;
    if (IGNORED_RES.some((re) => re.test(text))) return;
    diagnose(lineNumber, 'unrecognised line');
  }

  return {
    line: handle,
    end(): void {
      flush(lastLine);
    },
  };
}

/** A non-negative integer from digits, or -1 when it is not a safe one. */
function safeCount(digits: string | undefined): number {
  if (digits === undefined || digits.length > 15) return -1;
  const n = Number(digits);
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}
