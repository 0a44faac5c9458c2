/**
 * LM-X `lmxendutil -licstat` output → one FeatureSnapshot per (vendor, feature) of each license server, plus the
 * status of each server. Streaming and pure: lines in, snapshots and diagnostics out.
 *
 * The output reads, per server (`LM-X License Server on 6200@licsrv:` then `Server version: v5.1 Uptime: …`),
 * one block per feature between `----` lines:
 *   Feature: HyperWorks Version: 21.0 Vendor: ALTAIR
 *   Start date: 2022-02-17 Expire date: 2023-01-31
 *   Key type: EXCLUSIVE License sharing: CUSTOM VIRTUAL
 *   25000 of 1000000 license(s) used:
 *   25000 license(s) used by jdoe@ws-17 [10.0.0.17]
 *       Login time: 2022-02-18 09:26   Checkout time: 2022-02-18 09:26
 *       Shared on custom string: jdoe:ws-17
 * A user's start is its checkout time (else its login time), in the server's time zone; a borrowed license
 * prints `Borrow expire time:` instead. Blocks of one feature name and vendor in one server (several versions)
 * are added up. lmxendutil prints no "now": options.takenAt (or fallbackTakenAt, e.g. the file's modification
 * time) dates the snapshots; without either they are reported and not sent. A server that cannot be reached
 * is reported as down and yields no snapshot: no data is not absence.
 */
import { createZoneClock, localMs } from './local-time.ts';
import type { FeatureSnapshot, LineParser, ParseOptions, ParseSink, SnapshotUser } from './types.ts';

/** A license server: `LM-X License Server on 6200@licsrv:` and its `Server version:` line (or an error). */
export interface LmxServerStatus {
  host: string;
  port: number;
  status: 'up' | 'down';
  version?: string;
  /** Why it is down, as printed. */
  detail?: string;
  line: number;
}

/** A holder line, with what lmxendutil says beyond SnapshotUser. */
export interface LmxUser extends SnapshotUser {
  /** The client's address, from `[10.0.0.17]`. */
  ip?: string;
  /** Epoch ms of `Login time:` (startedAt is the checkout time when printed). */
  loginAt?: number;
  /** Epoch ms of `Borrow expire time:` for a borrowed license. */
  borrowedUntil?: number;
}

export interface LmxFeatureSnapshot extends FeatureSnapshot {
  users: LmxUser[];
  /** `port@host` of the server. */
  server: string;
  /** The feature versions the server listed under this name. */
  versions: string[];
}

export interface LmxParseOptions extends ParseOptions {
  /** When the status was taken (epoch ms). */
  takenAt?: number;
  /** Used when takenAt is not given (e.g. the file's modification time). */
  fallbackTakenAt?: number;
  onServer?: (status: LmxServerStatus) => void;
}

const MAX_LINE = 4096;
const MAX_COUNT = 2_147_483_647;

const SERVER_RE = /^LM-X License Server on (\d{1,5})@(\S+?):?$/i;
const VERSION_RE = /^Server version: v?(\S+)/i;
const FEATURE_RE = /^Feature:\s+(\S+)\s+Version:\s+(\S+)\s+Vendor:\s+(\S+)/;
const TOTALS_RE = /^(\d{1,12})\s+of\s+(\d{1,12})\s+license\(s\)\s+used:?$/;
const HOLDER_RE = /^(\d{1,12})\s+license\(s\)\s+used\s+by\s+(\S.*?)(?:\s\[([^\]\s]*)\])?$/;
const TIMES_RE = /(Login|Checkout|Borrow expire) time: (\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2})(?::(\d{2}))?/g;
const ERROR_RE = /^(?:XF Error|Error)\b|unable to connect|cannot connect|could not connect/i;

/** Lines lmxendutil prints that carry nothing kept. */
const IGNORED_RES = [
  /^LM-X End-user Utility\b/i,
  /Copyright \(C\)/i,
  /^[+\-=]{3,}$/,
  /^Start date: /i,
  /^Key type: /i,
  /^Shared on /i,
  /^LM-X license server\(s\):$/i,
  /^[$#>%] /,
  /\blmxendutil\s+-/i,
];

interface Gathered {
  vendor: string;
  feature: string;
  versions: string[];
  issued: number;
  inUse: number;
  users: LmxUser[];
}

/** A parser for `lmxendutil -licstat` output; emits one snapshot per (vendor, feature) of each server. */
export function createLmxParser(options: LmxParseOptions, sink: ParseSink): LineParser {
  const clock = createZoneClock(options.timeZone);
  const at = finite(options.takenAt) ?? finite(options.fallbackTakenAt);

  let server = '';
  let serverHost = '';
  let serverPort = 0;
  let serverReported = true;
  let features = new Map<string, Gathered>();
  let current: Gathered | undefined;
  /** The feature block has its `N of M` line. */
  let totalsSeen = false;
  let lastUser: LmxUser | undefined;
  let warnedNoTime = false;
  let lineNumber = 0;

  const diagnose = (reason: string): void => sink.diagnostic({ line: lineNumber, reason });

  function flush(): void {
    const gathered = features;
    features = new Map();
    current = undefined;
    lastUser = undefined;
    if (gathered.size === 0) return;
    if (at === undefined) {
      if (!warnedNoTime) {
        warnedNoTime = true;
        diagnose('snapshot time unknown: lmxendutil prints none and no takenAt was given');
      }
      return;
    }
    for (const g of gathered.values()) {
      const snapshot: LmxFeatureSnapshot = { at, vendor: g.vendor, feature: g.feature, issued: g.issued, inUse: g.inUse, users: g.users, server, versions: g.versions };
      sink.snapshot?.(snapshot);
    }
  }

  function reportServer(status: 'up' | 'down', detail?: string, version?: string): void {
    if (serverReported || !server) return;
    serverReported = true;
    const entry: LmxServerStatus = { host: serverHost, port: serverPort, status, line: lineNumber };
    if (version !== undefined) entry.version = version;
    if (detail !== undefined) entry.detail = detail;
    options.onServer?.(entry);
  }

  /** Epoch ms of a wall-clock date and time in the server's zone; NaN for an impossible one. */
  function wallToUtc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
    const local = localMs(year, month, day, hour, minute, second);
    if (new Date(local).getUTCDate() !== day) return Number.NaN;
    return clock.toUtc(local);
  }

  function onFeature(m: RegExpExecArray): void {
    const feature = m[1] as string;
    const version = m[2] as string;
    const vendor = m[3] as string;
    const key = `${vendor}\u0000${feature}`;
    let gathered = features.get(key);
    if (gathered === undefined) {
      gathered = { vendor, feature, versions: [], issued: 0, inUse: 0, users: [] };
      features.set(key, gathered);
    }
    if (!gathered.versions.includes(version)) gathered.versions.push(version);
    current = gathered;
    totalsSeen = false;
    lastUser = undefined;
  }

  function onTotals(m: RegExpExecArray): void {
    if (current === undefined || totalsSeen) {
      diagnose(current === undefined ? '"N of M license(s) used" line outside a feature block' : 'a second "N of M license(s) used" line in one feature block');
      return;
    }
    const inUse = Number(m[1]);
    const issued = Number(m[2]);
    if (inUse > MAX_COUNT || issued > MAX_COUNT) {
      diagnose('implausible license totals');
      return;
    }
    current.inUse += inUse;
    current.issued += issued;
    totalsSeen = true;
  }

  function onHolder(m: RegExpExecArray): void {
    lastUser = undefined;
    if (current === undefined) {
      diagnose('holder line outside a feature block');
      return;
    }
    const seats = Number(m[1]);
    if (seats < 1 || seats > MAX_COUNT) {
      diagnose(`implausible license count ${m[1] ?? ''}`);
      return;
    }
    const who = (m[2] as string).trim();
    const split = who.lastIndexOf('@');
    const user = split === -1 ? who : who.slice(0, split);
    const host = split === -1 ? '' : who.slice(split + 1);
    if (!user) {
      diagnose('holder line without a user name');
      return;
    }
    const entry: LmxUser = { user, host, seats };
    if (m[3]) entry.ip = m[3];
    current.users.push(entry);
    lastUser = entry;
  }

  function onTimes(text: string): boolean {
    TIMES_RE.lastIndex = 0;
    let any = false;
    for (let m = TIMES_RE.exec(text); m; m = TIMES_RE.exec(text)) {
      any = true;
      if (lastUser === undefined) continue;
      const ms = wallToUtc(Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7] ?? 0));
      if (ms !== ms) {
        diagnose(`${m[1] as string} time is not a valid date`);
        continue;
      }
      if (m[1] === 'Checkout') lastUser.startedAt = ms;
      else if (m[1] === 'Login') lastUser.loginAt = ms;
      else lastUser.borrowedUntil = ms;
    }
    if (!any) return false;
    if (lastUser === undefined) diagnose('time line without a holder line before it');
    else if (lastUser.startedAt === undefined && lastUser.loginAt !== undefined) lastUser.startedAt = lastUser.loginAt;
    return true;
  }

  function handle(raw: string, number: number): void {
    lineNumber = number;
    if (raw.length > MAX_LINE) {
      diagnose(`line longer than ${MAX_LINE} characters`);
      return;
    }
    // Blanks are normalised: captures differ in tabs and runs of spaces, never in meaning.
    // eslint-disable-next-line no-control-regex -- NUL and CR are noise in a status listing
    const text = raw.replace(/^\uFEFF/, '').replace(/[\r\u0000]+/g, '').replace(/[ \t]+/g, ' ').trim();
    if (!text) return;

    const serverLine = SERVER_RE.exec(text);
    if (serverLine) {
      flush();
      serverPort = Number(serverLine[1]);
      serverHost = serverLine[2] as string;
      server = `${serverPort}@${serverHost}`;
      serverReported = false;
      return;
    }
    const version = VERSION_RE.exec(text);
    if (version) {
      reportServer('up', undefined, version[1]);
      return;
    }
    const feature = FEATURE_RE.exec(text);
    if (feature) return onFeature(feature);
    const totals = TOTALS_RE.exec(text);
    if (totals) return onTotals(totals);
    const holder = HOLDER_RE.exec(text);
    if (holder) return onHolder(holder);
    if (onTimes(text)) return;
    if (IGNORED_RES.some((re) => re.test(text))) return;
    if (ERROR_RE.test(text) || /no license server\(s\) available/i.test(text)) {
      reportServer('down', text);
      diagnose(`lmxendutil could not get the status: ${text}`);
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
