/**
 * `rlmutil rlmstat -a` output → one FeatureSnapshot per product of each ISV server, plus the status of the rlm
 * servers and their ISV servers. Streaming and pure: lines in, snapshots and diagnostics out.
 *
 * The parts read (indentation varies between versions and is ignored):
 * - `rlm status on HOST (port N), up …` opens a server; its `--------- ISV servers ----------` table gives
 *   each ISV as running or not (`foundry  49679   Yes      0`).
 * - `ISV license pool status on HOST (port N)`: per pool `product vX[, pool: N]`, then
 *   `count: N, # reservations: N, inuse: N, exp: …`. Pools of one product (several versions or expiry
 *   dates) are added up into one snapshot. A `Token-based license` pool has no count of its own.
 * - `ISV license usage status on HOST (port N)`: per check-out
 *   `product vX: user@host N/M at mm/dd hh:mm  (handle: 15a)` — N licenses; the start has no year, so it
 *   takes the snapshot's (a start more than a day after the snapshot is last year's).
 * - When: rlmstat prints no "now", but every server block says `Recent Statistics (00:23:38), init time:
 *   Sun Mar 31 02:32:16 2024`, and init time + elapsed is when the status was taken (`Todays Statistics`
 *   likewise). options.takenAt overrides that; options.fallbackTakenAt is used only when the output has
 *   neither (`rlmstat -l` prints no statistics).
 * A product listed under usage but not under pools gets a snapshot with `issuedUnknown` (issued 0, in use
 * the sum of its user lines). An ISV that is not running yields no snapshot: no data is not absence.
 */
import { createZoneClock, localMs } from './local-time.ts';
import type { FeatureSnapshot, LineParser, ParseOptions, ParseSink, SnapshotUser } from './types.ts';

/** An rlm server line: `rlm status on licsrv (port 5053), up 99d 11:08:25`. */
export interface RlmstatServerStatus {
  host: string;
  port: number;
  status: 'up' | 'down';
  /** Why it is down, as printed. */
  detail?: string;
  line: number;
}

/** A row of the ISV servers table: `foundry  49679  Yes  0`. */
export interface RlmstatVendorStatus {
  vendor: string;
  port: number;
  status: 'up' | 'down';
  restarts: number;
  line: number;
}

/** A user line, with what rlmstat says beyond SnapshotUser. */
export interface RlmstatUser extends SnapshotUser {
  /** The server's handle for this check-out (hex, as printed). */
  handle?: string;
  /**
   * The second number of `N/M`, when not 0. The RLM manual does not explain it; it is taken to be the seats
   * of this check-out that come from reservations.
   */
  reserved?: number;
}

export interface RlmstatFeatureSnapshot extends FeatureSnapshot {
  users: RlmstatUser[];
  /** `host:port` of the ISV server. */
  server: string;
  /** A pool with `count: unlimited` (or uncounted): issued is 0. */
  uncounted?: boolean;
  /** The product had user lines but no pool listing: issued is unknown (0) and inUse is the sum of users. */
  issuedUnknown?: boolean;
}

export interface RlmstatParseOptions extends ParseOptions {
  /** When the status was taken (epoch ms); overrides the time derived from the statistics lines. */
  takenAt?: number;
  /** Used only when the output says nothing of its time (e.g. the file's modification time). */
  fallbackTakenAt?: number;
  onServer?: (status: RlmstatServerStatus) => void;
  onVendor?: (status: RlmstatVendorStatus) => void;
}

const MAX_LINE = 4096;
const DAY_MS = 86_400_000;
const MAX_COUNT = 1_000_000_000;

const SERVER_RE = /^rlm status on (\S+) \(port (\d{1,5})\)/;
const SECTION_RE = /^(\S+) (ISV server status|license pool status|license usage status) on (\S+) \(port (\d{1,5})\)/;
const STATS_RE = /^(Recent|Todays) Statistics \((?:(\d{1,5})d\s+)?(\d{1,3}):(\d{2}):(\d{2})\), init time: \w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})/;
const ISV_TABLE_RE = /^-+ ISV servers -+$/;
const ISV_ROW_RE = /^(\S+)\s+(\d{1,5})\s+(Yes|No)\s+(\d{1,9})$/i;
const POOL_RE = /^(\S+) v(\S*?)(?:, pool: (\d{1,9}))?$/;
const COUNT_RE = /^count: (\d{1,12}|unlimited|uncounted), # reservations: (\d{1,12}), inuse: (\d{1,12})/i;
const USAGE_HEAD_RE = /^(\S+) v(\S*): /;
const USAGE_ANCHOR_RE = / (\d{1,9})\/(\d{1,9}) at (\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2})(?![\d:])/;
const HANDLE_RE = /\(handle: ([^)\s]{1,32})\)/;
const ERROR_RE = /\b(?:error|cannot connect|could not connect|unable to connect|not running)\b/i;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Lines rlmstat prints that carry nothing kept. */
const IGNORED_RES = [
  /^Setting license file path to /i,
  /^rlm(?:util|stat) v\d/i,
  /Copyright \(C\)/i,
  /^rlm (?:software|comm) version/i,
  /^\S+ (?:software version|comm version:|Debug log filename:|Report log filename:|info log filename:)/i,
  /^Startup time: /i,
  /^Recent Stats\s+Todays Stats/i,
  /^[\dd: ]+$/,
  /^(?:Messages|Connections|Checkouts|Denials|Removals):/i,
  /^-{3,}$/,
  /^={3,}$/,
  /^Name\s+Port\s+Running\s+Restarts$/i,
  /^obsolete: \d+/i,
  /^Token-based license$/i,
  /^[$#>%] /,
  /\brlmutil\s+rlmstat\b|\brlmstat\s+-/i,
];

interface Pool {
  issued: number;
  inUse: number;
  reserved: number;
  uncounted: boolean;
  counted: boolean;
}

interface PendingUser {
  user: RlmstatUser;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

type Section = 'none' | 'isvs' | 'pool' | 'usage';

/** A parser for `rlmutil rlmstat -a` output; emits one snapshot per (ISV, product). */
export function createRlmstatParser(options: RlmstatParseOptions, sink: ParseSink): LineParser {
  const clock = createZoneClock(options.timeZone);
  const takenAt = finite(options.takenAt);
  const fallbackTakenAt = finite(options.fallbackTakenAt);

  let section: Section = 'none';
  let derivedAt: number | undefined;
  let derivedFromRecent = false;
  /** The ISV whose pools and users are being gathered, and its server. */
  let vendor = '';
  let server = '';
  let pools = new Map<string, Pool>();
  let users = new Map<string, PendingUser[]>();
  let currentPool: Pool | undefined;
  let warnedNoTime = false;
  let lineNumber = 0;

  const diagnose = (reason: string): void => sink.diagnostic({ line: lineNumber, reason });

  function startedAt(pending: PendingUser, at: number): number | undefined {
    if (!(pending.month >= 1)) return undefined;
    const reference = at + clock.offsetAt(at);
    const year = new Date(reference).getUTCFullYear();
    let local = localMs(year, pending.month, pending.day, pending.hour, pending.minute);
    // A start more than a day after the snapshot is last year's (Dec 31 seen on Jan 2).
    if (local > reference + DAY_MS) local = localMs(year - 1, pending.month, pending.day, pending.hour, pending.minute);
    return Number.isFinite(local) ? clock.toUtc(local) : undefined;
  }

  /** Sends the gathered ISV's snapshots. */
  function flush(): void {
    const at = takenAt ?? derivedAt ?? fallbackTakenAt;
    const gatheredPools = pools;
    const gatheredUsers = users;
    pools = new Map();
    users = new Map();
    currentPool = undefined;
    if (gatheredPools.size === 0 && gatheredUsers.size === 0) return;
    if (at === undefined) {
      if (!warnedNoTime) {
        warnedNoTime = true;
        diagnose('snapshot time unknown: no "Recent Statistics … init time" line and no takenAt given');
      }
      return;
    }
    const products = [...gatheredPools.keys()];
    for (const product of gatheredUsers.keys()) if (!gatheredPools.has(product)) products.push(product);
    for (const product of products) {
      const pool = gatheredPools.get(product);
      const pending = gatheredUsers.get(product) ?? [];
      if (pool !== undefined && !pool.counted && pending.length === 0) continue; // token-based, unused
      const list = pending.map((p) => {
        const start = startedAt(p, at);
        if (start !== undefined) p.user.startedAt = start;
        return p.user;
      });
      const snapshot: RlmstatFeatureSnapshot = {
        at,
        vendor,
        feature: product,
        issued: pool?.counted ? pool.issued : 0,
        inUse: pool?.counted ? pool.inUse : list.reduce((sum, u) => sum + u.seats, 0),
        users: list,
        reserved: pool?.reserved ?? 0,
        server,
      };
      if (pool?.uncounted) snapshot.uncounted = true;
      if (pool === undefined || !pool.counted) snapshot.issuedUnknown = true;
      sink.snapshot?.(snapshot);
    }
  }

  /** A new ISV (or server) block: what was gathered for the previous one goes out first. */
  function switchVendor(name: string, host: string, port: string): void {
    const where = `${host}:${port}`;
    if (name !== vendor || where !== server) flush();
    vendor = name;
    server = where;
  }

  function onStats(m: RegExpExecArray): void {
    const recent = m[1] === 'Recent';
    if (derivedFromRecent && !recent) return;
    const month = MONTHS.indexOf(m[6] as string) + 1;
    const local = localMs(Number(m[11]), month, Number(m[7]), Number(m[8]), Number(m[9]), Number(m[10]));
    if (month === 0 || !Number.isFinite(local)) {
      diagnose('statistics line with an unreadable init time');
      return;
    }
    const elapsed = ((Number(m[2] ?? 0) * 24 + Number(m[3])) * 3600 + Number(m[4]) * 60 + Number(m[5])) * 1000;
    derivedAt = clock.toUtc(local) + elapsed;
    derivedFromRecent = recent;
  }

  function onPool(m: RegExpExecArray): void {
    const product = m[1] as string;
    let pool = pools.get(product);
    if (pool === undefined) {
      pool = { issued: 0, inUse: 0, reserved: 0, uncounted: false, counted: false };
      pools.set(product, pool);
    }
    currentPool = pool;
  }

  function onCount(m: RegExpExecArray): void {
    if (currentPool === undefined) {
      diagnose('"count:" line outside a pool');
      return;
    }
    const count = m[1] as string;
    const reserved = Number(m[2]);
    const inUse = Number(m[3]);
    if (reserved > MAX_COUNT || inUse > MAX_COUNT || (/^\d/.test(count) && Number(count) > MAX_COUNT)) {
      diagnose('implausible license totals');
      return;
    }
    if (/^\d/.test(count)) currentPool.issued += Number(count);
    else currentPool.uncounted = true;
    currentPool.reserved += reserved;
    currentPool.inUse += inUse;
    currentPool.counted = true;
    // One count line per pool: another one before the next pool line is out of place.
    currentPool = undefined;
  }

  function onUser(text: string): boolean {
    const head = USAGE_HEAD_RE.exec(text);
    if (!head) return false;
    const rest = text.slice(head[0].length);
    const anchor = USAGE_ANCHOR_RE.exec(rest);
    if (!anchor) return false;
    const who = rest.slice(0, anchor.index).trim();
    const at = who.lastIndexOf('@');
    const user = (at === -1 ? who : who.slice(0, at)).trim();
    // Older versions print `tom@sun1(v1.0) (809f418)`: the host ends before a blank or a parenthesis.
    const host = at === -1 ? '' : (who.slice(at + 1).split(/[\s(]/)[0] ?? '');
    if (!user) {
      diagnose('user line without a user name');
      return true;
    }
    const seats = Number(anchor[1]);
    const month = Number(anchor[3]);
    const day = Number(anchor[4]);
    const hour = Number(anchor[5]);
    const minute = Number(anchor[6]);
    if (seats < 1 || seats > MAX_COUNT) {
      diagnose(`implausible license count ${anchor[1] ?? ''}`);
      return true;
    }
    const entry: RlmstatUser = { user, host, version: head[2] as string, seats };
    const reserved = Number(anchor[2]);
    if (reserved > 0) entry.reserved = reserved;
    const handle = HANDLE_RE.exec(rest.slice(anchor.index + anchor[0].length));
    if (handle) entry.handle = handle[1] as string;
    const valid = month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && new Date(localMs(2000, month, day)).getUTCDate() === day;
    // An unreadable start still leaves the user: the line says the seat is taken.
    if (!valid) diagnose('check-out start is not a valid date');
    const product = head[1] as string;
    let list = users.get(product);
    if (list === undefined) {
      list = [];
      users.set(product, list);
    }
    list.push({ user: entry, month: valid ? month : Number.NaN, day, hour, minute });
    return true;
  }

  function handle(raw: string, number: number): void {
    lineNumber = number;
    if (raw.length > MAX_LINE) {
      diagnose(`line longer than ${MAX_LINE} characters`);
      return;
    }
    // eslint-disable-next-line no-control-regex -- NUL and CR are noise in a status listing
    const text = raw.replace(/^\uFEFF/, '').replace(/[\r\u0000]+/g, '').trim();
    if (!text) return;

    const serverLine = SERVER_RE.exec(text);
    if (serverLine) {
      flush();
      vendor = '';
      server = '';
      section = 'none';
      derivedAt = undefined;
      derivedFromRecent = false;
      options.onServer?.({ host: serverLine[1] as string, port: Number(serverLine[2]), status: 'up', line: number });
      return;
    }
    const sectionLine = SECTION_RE.exec(text);
    if (sectionLine) {
      switchVendor(sectionLine[1] as string, sectionLine[3] as string, sectionLine[4] as string);
      const kind = sectionLine[2];
      section = kind === 'license pool status' ? 'pool' : kind === 'license usage status' ? 'usage' : 'none';
      if (kind === 'ISV server status') derivedFromRecent = false;
      return;
    }
    const stats = STATS_RE.exec(text);
    if (stats) return onStats(stats);
    if (ISV_TABLE_RE.test(text)) {
      section = 'isvs';
      return;
    }
    if (section === 'isvs') {
      const row = ISV_ROW_RE.exec(text);
      if (row) {
        options.onVendor?.({
          vendor: row[1] as string,
          port: Number(row[2]),
          status: (row[3] as string).toLowerCase() === 'yes' ? 'up' : 'down',
          restarts: Number(row[4]),
          line: number,
        });
        return;
      }
    }
    if (section === 'pool') {
      const count = COUNT_RE.exec(text);
      if (count) return onCount(count);
      const pool = POOL_RE.exec(text);
      if (pool) return onPool(pool);
      if (/^UNCOUNTED\b/i.test(text) && currentPool !== undefined) {
        currentPool.uncounted = true;
        return;
      }
    }
    if (section === 'usage' && onUser(text)) return;
    if (IGNORED_RES.some((re) => re.test(text))) return;
    if (ERROR_RE.test(text)) {
      diagnose(`rlmstat could not get the status: ${text}`);
      return;
    }
    diagnose('unrecognised line');
  }

  return {
    line: handle,
    end(): void {
      flush();
    },
  };
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
