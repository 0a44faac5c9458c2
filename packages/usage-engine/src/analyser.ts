/**
 * The usage maths: a streaming analyser that turns UsageEvents into sessions (check-out paired with
 * check-in), peak concurrency, seat-hours, true and retried denials and distinct users per local day.
 *
 * What must stay true:
 * - Memory is proportional to open check-outs + distinct names + features × (days, as one count each, and
 *   the user sets of the last two or three days) + users with denials still inside the retry window, never
 *   to the number of events. Closed sessions leave through `onSession` and are not kept.
 * - One analyser takes the events of one license server: a restart closes every open check-out of its
 *   vendor daemon that this analyser holds (all vendors when the restart names none).
 * - A check-in closes the earliest open check-out with the same (vendor, feature, user, host), compared
 *   case-insensitively, so identical check-outs in one second pair in arrival order. Seats come from the
 *   check-out. A check-in that finds nothing is an anomaly, never negative usage.
 * - Concurrency is counted per instant with check-ins applied before check-outs: a seat freed and taken in
 *   the same second is counted once. A session that starts and ends in the same instant still held its
 *   seats during that instant and counts towards the peak.
 * - Events arrive in time order. Within one instant their order may be loose: a check-in that arrives
 *   before its check-out of the same instant still pairs with it, and a check-out in the same instant as a
 *   denial counts as its retry whichever came first. An event earlier than the current instant is taken
 *   as happening at the current instant and reported as a diagnostic.
 *
 * Speed (it sees every event of logs of gigabytes): the state per event lives in typed arrays — open
 * check-outs in fixed-size slots, (feature, user, host) keys in an open-addressing table of records, a busy
 * day's users in a bitmap — so that nothing per check-out reaches the garbage collector's old generation
 * and one event touches a few cache lines; names are looked up by spelling only when a parser's slot hint
 * (nameSlots) does not already lead to them.
 */
import { createTimeZoneView, dayKey } from './analyser-time.ts';
import type { Diagnostic, UsageEvent } from './types.ts';

/**
 * Where a parser may say, while it hands over an event, in which slots of its name tables the event's
 * feature (with the vendor) and its user and host sit; -1 when it does not say. The analyser uses these
 * numbers only to pick entries of small caches, which it checks against the event's own names: a wrong or
 * stale hint costs a look-up, never a wrong result. A parser sets them right before `sink.event(event)` and
 * puts -1 back right after (see flexlm-debug.ts); the slots of users and hosts share one numbering.
 */
export const nameSlots = { feature: -1, user: -1, host: -1 };
/** Hinted slots at or above this are ignored (the caches they index stay bounded). */
const MAX_HINT_SLOT = 1 << 20;

/** Default window in which a successful check-out turns a denial into a "retried" one. */
export const DEFAULT_RETRY_WINDOW_SECONDS = 120;
/** Distinct denial reason codes kept per feature; the rest are counted under OTHER_REASON. */
export const MAX_REASONS_PER_FEATURE = 50;
export const OTHER_REASON = 'other';
/** Reason key for a denial logged without a reason. */
export const UNKNOWN_REASON = 'unknown';

/** How a session ended; 'open' for a check-out still open, as `openSessions()` reports it. */
export type SessionEnd = 'checkin' | 'restart' | 'end-of-input' | 'open';

/** One check-out from start to end (a closed session, or one still open when the input ended). */
export interface UsageSession {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  /** Epoch milliseconds (UTC). */
  start: number;
  /** Epoch milliseconds (UTC); for 'end-of-input' and 'open', the time of the last event so far. */
  end: number;
  seats: number;
  closedBy: SessionEnd;
  /**
   * Among check-outs with the same vendor, feature, user, host (compared case-insensitively, as pairing
   * does) and start instant, this one's place in log order, from 0: with `start` it keys the session the
   * same way every time the same log lines are read.
   */
  ordinal: number;
  /** Source line of the check-out. */
  startLine: number;
  /** Source line of the check-in or restart; absent for 'end-of-input' and 'open'. */
  endLine?: number;
  /** The check-in's qualifier (INACTIVE, SHUTDOWN …), when logged. */
  endReason?: string;
}

/** One denial, once it is known whether it was retried. */
export interface UsageDenial {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  /** Epoch milliseconds (UTC). */
  at: number;
  /** Source line of the denial. */
  line: number;
  /**
   * Among denials with the same vendor, feature, user, host (compared case-insensitively) and instant, this
   * one's place in log order, from 0.
   */
  ordinal: number;
  /** The denial's reason text, when logged. */
  reason?: string;
  /** True when the same user checked out the same feature within the retry window. */
  retried: boolean;
}

export interface UsageAnalyserOptions {
  /** The license server's IANA time zone: local days and the offsets in peakAt come from it. */
  timeZone: string;
  /** A denial followed within this many seconds by a check-out of the same feature by the same user is "retried". */
  retryWindowSeconds?: number;
  /** Called once per session as it closes (and at finish for those still open), so a caller can stream them. */
  onSession?: (session: UsageSession) => void;
  /**
   * Called once per denial when it is settled: at the check-out that retries it, when its retry window has
   * passed without one (on the first event after the window), or at finish.
   */
  onDenial?: (denial: UsageDenial) => void;
  /** Called for events the analyser could not take as they were (check-in without check-out, time going backwards). */
  onDiagnostic?: (diagnostic: Diagnostic) => void;
  /**
   * Carries on from a checkpoint (see UsageAnalyser.checkpoint), as if the events before it had been pushed
   * to this analyser: open check-outs, pairing, ordinals, the current instant's pending changes and the
   * denials still inside their retry window. The per-feature totals (sessions, seat-hours, peaks, denial
   * counts, reasons, queues, daily users, event counts) start again from zero; the seats in use carry
   * over, so peaks after the resume count the sessions still open.
   */
  resumeFrom?: AnalyserCheckpoint;
}

/** A check-out still open, in a checkpoint. Names as logged by the check-out. */
export interface AnalyserCheckpointSession {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  start: number;
  seats: number;
  line: number;
  ordinal: number;
}

/** Names of a (vendor, feature, user, host) key and a count, in a checkpoint. */
export interface AnalyserCheckpointCount {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  count: number;
}

/**
 * What an analyser needs to carry on where another stopped: plain JSON (no Map, no NaN or Infinity), with
 * a version. Holds open check-outs, not history: its size follows what is open, not what was read.
 */
export interface AnalyserCheckpoint {
  version: 1;
  /** The instant being processed (epoch ms); null before the first event. */
  now: number | null;
  /** Open check-outs, oldest first. */
  open: AnalyserCheckpointSession[];
  /**
   * Per feature: seats in use after the last completed instant, and the changes of the current instant not
   * yet applied (seats taken, seats of older sessions given back, seats of sessions of this instant alone).
   */
  levels: { vendor: string; feature: string; level: number; started: number; endedBefore: number; endedSameInstant: number }[];
  /** Check-ins of the current instant still waiting for their check-out, in arrival order. */
  waiting: { vendor: string; feature: string; user: string; host: string; line: number; reason?: string }[];
  /** Check-outs and denials seen so far in the current instant per key (for ordinals). */
  checkoutCounts: AnalyserCheckpointCount[];
  denialCounts: AnalyserCheckpointCount[];
  /** (feature, user) pairs with a check-out in the current instant: a denial now is retried at once. */
  checkedOutNow: { feature: string; user: string }[];
  /** Denials still inside their retry window, oldest first. */
  pendingDenials: Omit<UsageDenial, 'retried'>[];
}

/** Per-feature results. The first eleven fields are, in order, the feature entry of `seatwise analyze --json`. */
export interface FeatureUsage {
  feature: string;
  vendor: string;
  /** Most seats in use at once. */
  peak: number;
  /** When `peak` was first reached, ISO-8601 with the server's offset; null when no seat was ever used. */
  peakAt: string | null;
  /** Check-outs that got a seat, including those still open at the end. */
  sessions: number;
  /** Sum of seats × duration in hours (open sessions run until the last event), to 2 decimals. */
  seatHours: number;
  /** True denials: not followed by a check-out of the same feature by the same user within the window. */
  denials: number;
  retriedDenials: number;
  /** Sessions still open at the end of the input. */
  openAtEnd: number;
  /** Distinct users per local calendar day (YYYY-MM-DD, ascending) of every day a session covered. */
  dailyUsers: Record<string, number>;
  /** Denials (true and retried) per reason code, e.g. "-4" for "(-4,342)". */
  denialReasons: Record<string, number>;
  queued: number;
  dequeued: number;
  /** Check-ins that matched no open check-out. */
  unmatchedCheckins: number;
}

/** The feature entry of `seatwise analyze --json`, exactly. */
export type AnalyzeFeature = Pick<
  FeatureUsage,
  | 'feature'
  | 'vendor'
  | 'peak'
  | 'peakAt'
  | 'sessions'
  | 'seatHours'
  | 'denials'
  | 'retriedDenials'
  | 'openAtEnd'
  | 'dailyUsers'
>;

export interface AnalysisResult {
  timeZone: string;
  /** Events pushed (including ones reported as diagnostics). */
  events: number;
  /** Epoch ms of the first and last event; null when there were none. */
  firstEventAt: number | null;
  lastEventAt: number | null;
  /** Sorted by vendor, then feature. */
  features: FeatureUsage[];
  /** Events that arrived earlier than an event already seen (taken at the later time). */
  outOfOrderEvents: number;
}

/** Sizes of what the analyser holds, to check that memory follows state and not input length. */
export interface AnalyserStats {
  openCheckouts: number;
  pendingDenials: number;
  features: number;
  users: number;
  /** (feature, local day, user) entries behind dailyUsers. */
  userDays: number;
  /** (feature, local day) user sets still held; older days are kept as counts only. */
  daySets: number;
}

export interface UsageAnalyser {
  /** Takes one event; events come in time order. */
  push(event: UsageEvent): void;
  /** Closes what is still open at the last event time and returns the aggregates; push is refused after. */
  finish(): AnalysisResult;
  stats(): AnalyserStats;
  /** The check-outs open now, oldest first, with `end` at the current instant and closedBy 'open'; changes nothing. */
  openSessions(): UsageSession[];
  /** The state to resume from (see UsageAnalyserOptions.resumeFrom); a JSON round trip keeps it whole. */
  checkpoint(): AnalyserCheckpoint;
}

/** The analyze JSON feature entry, with exactly its fields in its order. */
export function toAnalyzeFeature(usage: FeatureUsage): AnalyzeFeature {
  return {
    feature: usage.feature,
    vendor: usage.vendor,
    peak: usage.peak,
    peakAt: usage.peakAt,
    sessions: usage.sessions,
    seatHours: usage.seatHours,
    denials: usage.denials,
    retriedDenials: usage.retriedDenials,
    openAtEnd: usage.openAtEnd,
    dailyUsers: usage.dailyUsers,
  };
}

/**
 * The code of a denial reason: "-4" from "Licensed number of users already reached. (-4,342:10054 "")" or
 * from "(-4,342)"; a bare number as it is; otherwise the text itself, trimmed and cut to 60 characters.
 */
export function denialReasonCode(reason: string | undefined): string {
  if (reason === undefined) return UNKNOWN_REASON;
  const text = reason.trim();
  if (text === '') return UNKNOWN_REASON;
  const coded = /\((-?\d+)\s*[,:)]/.exec(text);
  if (coded?.[1] !== undefined) return coded[1];
  if (/^-?\d+$/.test(text)) return text;
  return text.slice(0, 60);
}

const HOUR_MS = 3_600_000;
/** Beyond this many distinct spellings the name caches start again (adversarial input with random names). */
const MAX_SPELLINGS = 200_000;
/** No session / no pair / empty slot. */
const NONE = -1;
/** Emptied day sets kept for reuse, at most. */
const MAX_SPARE_SETS = 4096;
/** Check-outs of one instant beyond which "did this user check this feature out now?" uses a set, not a scan. */
const SCAN_LIMIT = 32;

interface FeatureState {
  /** Position in `states`. */
  index: number;
  vendor: string;
  feature: string;
  vendorId: number;
  featureId: number;
  /** The vendor spelling this state was last found with by its feature spelling (see stateOf). */
  cacheVendor: string;
  /** Seats in use after the last completed instant. */
  level: number;
  peak: number;
  peakAt: number;
  sessions: number;
  /** Seats × milliseconds: integers while `at` and seats are, so sums stay exact. */
  seatMs: number;
  trueDenials: number;
  retriedDenials: number;
  reasons: Map<string, number>;
  queued: number;
  dequeued: number;
  unmatchedCheckins: number;
  openAtEnd: number;
  /**
   * Local day number → the ids of its users, or their number once the day is sealed: over, with the users of
   * check-outs still open counted in, so nothing can add to it (see sealDays).
   */
  days: Map<number, IntSet | number>;
  /** Days of `days` not sealed yet. */
  openDays: number[];
  /** The user set of the day last added to, and that day (most sessions end on the day of the last one). */
  lastDay: number;
  lastDayUsers: IntSet | null;
  /** Seats that changed in the current instant, applied when it ends: ends of older sessions first. */
  endedBefore: number;
  started: number;
  /** Sessions that started and ended in the current instant: counted in its peak, then released. */
  endedSameInstant: number;
  touched: boolean;
}

/** A user spelling's id, with the host it last came with (users mostly stay on one machine). */
interface UserSpelling {
  id: number;
  host: string | null;
  hostId: number;
}

/** A check-in that found no open check-out yet; it may still pair with a check-out of the same instant. */
interface WaitingCheckin {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  line: number;
  reason: string | undefined;
}

interface PendingDenial {
  at: number;
  featureId: number;
  userId: number;
  state: FeatureState;
  resolved: boolean;
  vendor: string;
  feature: string;
  user: string;
  host: string;
  line: number;
  ordinal: number;
  reason: string | undefined;
}

/**
 * A set of non-negative integers (user ids): a bitmap below `range` once it is dense enough to cost no more
 * than the hash table would (bits under 32 per member), open addressing over one typed array for the rest.
 * A bitmap keeps a busy day's users in a few cache lines; a JS Set costs far more per entry.
 */
class IntSet {
  size = 0;
  /** Values below `range` live in `bits`; the others in `slots`. */
  private range = 0;
  private bits = new Int32Array(0);
  private slots = new Int32Array(8).fill(NONE);
  private hashed = 0;
  private max = 0;

  /** Empties the set, keeping its arrays for reuse. */
  clear(): void {
    this.size = 0;
    this.bits.fill(0);
    if (this.hashed > 0) this.slots.fill(NONE);
    this.hashed = 0;
  }

  /** Adds `value`; true when it was not there. */
  add(value: number): boolean {
    if (value < this.range) {
      const word = value >>> 5;
      const mask = 1 << (value & 31);
      const old = this.bits[word] as number;
      if ((old & mask) !== 0) return false;
      this.bits[word] = old | mask;
      this.size++;
      return true;
    }
    let mask = this.slots.length - 1;
    let slot = intHash(value) & mask;
    for (;;) {
      const at = this.slots[slot] as number;
      if (at === value) return false;
      if (at === NONE) break;
      slot = (slot + 1) & mask;
    }
    this.size++;
    this.hashed++;
    if (value > this.max) this.max = value;
    if (this.hashed >= 64 && this.max < this.size * 32) {
      this.slots[slot] = value;
      this.toBits();
      return true;
    }
    if (this.hashed * 2 > this.slots.length) {
      const old = this.slots;
      this.slots = new Int32Array(old.length * 2).fill(NONE);
      mask = this.slots.length - 1;
      for (const v of old) if (v !== NONE) this.place(v, mask);
      this.place(value, mask);
    } else {
      this.slots[slot] = value;
    }
    return true;
  }

  /** Moves every hashed value into a bitmap that covers them all. */
  private toBits(): void {
    const range = (this.max + 32) & ~31;
    const bits = new Int32Array(range >>> 5);
    bits.set(this.bits);
    for (const v of this.slots) if (v !== NONE) bits[v >>> 5] = (bits[v >>> 5] as number) | (1 << (v & 31));
    this.bits = bits;
    this.range = range;
    this.slots = new Int32Array(8).fill(NONE);
    this.hashed = 0;
  }

  private place(value: number, mask: number): void {
    let slot = intHash(value) & mask;
    while ((this.slots[slot] as number) !== NONE) slot = (slot + 1) & mask;
    this.slots[slot] = value;
  }
}

function intHash(value: number): number {
  const h = Math.imul(value, 0x9e3779b1);
  return h ^ (h >>> 16);
}

// Fields of an open check-out (see Sessions): in `times`, in `ints` and in `names`, four per slot each.
const S_START = 0;
const S_SEATS = 1;
const S_LINE = 2;
const S_SEQ = 3;
const S_ORDINAL = 0;
const S_START_DAY = 1;
const S_PAIR = 2;
/** The next check-out of the same pair (FIFO chain), or the next free slot. */
const S_NEXT = 3;
const S_VENDOR = 0;
const S_FEATURE = 1;
const S_USER = 2;
const S_HOST = 3;

/**
 * Open check-outs, one slot each, in typed arrays (names as logged in a plain array): no object per
 * check-out, so nothing that lives for hours lands in the old generation of the garbage collector. A slot's
 * fields sit side by side (a few cache lines per check-out, not one per field). Freed slots are reused; the
 * arrays grow with the most check-outs open at once, never with the input.
 */
class Sessions {
  capacity = 0;
  /** Per slot: start, seats, line, seq. */
  times = new Float64Array(0);
  /** Per slot: ordinal, start day, pair, next. */
  ints = new Int32Array(0);
  /** Per slot: vendor, feature, user, host. */
  names: string[] = [];
  private top = 0;
  private free = NONE;

  constructor() {
    this.grow(256);
  }

  alloc(): number {
    const slot = this.free;
    if (slot !== NONE) {
      this.free = this.ints[slot * 4 + S_NEXT] as number;
      return slot;
    }
    if (this.top === this.capacity) this.grow(this.capacity * 2);
    return this.top++;
  }

  release(slot: number): void {
    this.ints[slot * 4 + S_NEXT] = this.free;
    this.free = slot;
  }

  private grow(capacity: number): void {
    this.times = widen(this.times, new Float64Array(capacity * 4));
    this.ints = widen(this.ints, new Int32Array(capacity * 4));
    for (let i = this.capacity * 4; i < capacity * 4; i++) this.names.push('');
    this.capacity = capacity;
  }
}

function widen<T extends Float64Array | Int32Array>(old: T, into: T): T {
  into.set(old);
  return into;
}

// Fields of a pair record (see Pairs).
const P_STATE = 0;
const P_USER = 1;
const P_HOST = 2;
const P_HEAD = 3;
const P_TAIL = 4;
/** Instant number of the pair's last check-out, and that check-out's ordinal. */
const P_CHECKOUT_INSTANT = 5;
const P_CHECKOUT_ORDINAL = 6;
const P_DENIAL_INSTANT = 7;
const P_DENIAL_ORDINAL = 8;
/** Instant number when the pair was last used. */
const P_SEEN_INSTANT = 9;
/** A local day whose dailyUsers already count this pair's user (NO_DAY: none yet). */
const P_COUNTED_DAY = 10;
/** Numbers per record: 16 × 4 bytes, one cache line. */
const P_FIELDS = 16;
const NO_DAY = -2_147_483_648;
/** Pairs the table holds before it drops idle ones, at least. */
const MIN_PAIR_LIMIT = 4096;

/**
 * The (feature state, user id, host id) keys seen lately: those with open check-outs, those seen in the
 * current instant (ordinals, early check-ins), and idle ones until the table fills up, when they are
 * dropped at once (so a pair used again soon costs no new entry, and nothing is removed per event). One
 * record of P_FIELDS numbers per pair in one typed array (a pair's fields share a cache line), found
 * through an open-addressing table. Its size follows what is open, not what was read.
 */
class Pairs {
  records = new Int32Array(0);
  private capacity = 0;
  private top = 0;
  private free = NONE;
  private table = new Int32Array(0);
  private mask = 0;
  private count = 0;
  private limit = MIN_PAIR_LIMIT;

  constructor() {
    this.grow(1024);
  }

  /** The record of (state, user, host), or NONE. */
  find(state: number, user: number, host: number): number {
    const records = this.records;
    const table = this.table;
    const mask = this.mask;
    let slot = pairHash(state, user, host) & mask;
    for (;;) {
      const pair = table[slot] as number;
      if (pair === NONE) return NONE;
      const at = pair * P_FIELDS;
      if (records[at + P_USER] === user && records[at + P_HOST] === host && records[at + P_STATE] === state) return pair;
      slot = (slot + 1) & mask;
    }
  }

  /** A new record for (state, user, host); when the table is full, idle pairs (no open check-out, not seen in `instant`) go first. */
  add(state: number, user: number, host: number, instant: number): number {
    if (this.count >= this.limit) this.sweep(instant);
    let pair = this.free;
    if (pair !== NONE) this.free = this.records[pair * P_FIELDS + P_HEAD] as number;
    else {
      if (this.top === this.capacity) this.grow(this.capacity * 2);
      pair = this.top++;
    }
    const at = pair * P_FIELDS;
    const records = this.records;
    records[at + P_STATE] = state;
    records[at + P_USER] = user;
    records[at + P_HOST] = host;
    records[at + P_HEAD] = NONE;
    records[at + P_TAIL] = NONE;
    records[at + P_CHECKOUT_INSTANT] = NONE;
    records[at + P_DENIAL_INSTANT] = NONE;
    records[at + P_SEEN_INSTANT] = instant;
    records[at + P_COUNTED_DAY] = NO_DAY;
    this.place(pair);
    this.count++;
    return pair;
  }

  /** Every pair in use. */
  *all(): IterableIterator<number> {
    for (let pair = 0; pair < this.top; pair++) if (this.records[pair * P_FIELDS + P_STATE] !== NONE) yield pair;
  }

  /** Drops the idle pairs and rebuilds the table; the limit becomes four times what is left (amortised O(1) per pair). */
  private sweep(instant: number): void {
    const records = this.records;
    let kept = 0;
    for (let pair = 0; pair < this.top; pair++) {
      const at = pair * P_FIELDS;
      if (records[at + P_STATE] === NONE) continue;
      if (records[at + P_HEAD] !== NONE || records[at + P_SEEN_INSTANT] === instant) kept++;
      else {
        records[at + P_STATE] = NONE;
        records[at + P_HEAD] = this.free;
        this.free = pair;
      }
    }
    this.count = kept;
    this.limit = Math.max(MIN_PAIR_LIMIT, kept * 4);
    this.rebuild();
  }

  private place(pair: number): void {
    const at = pair * P_FIELDS;
    const records = this.records;
    let slot = pairHash(records[at + P_STATE] as number, records[at + P_USER] as number, records[at + P_HOST] as number) & this.mask;
    while ((this.table[slot] as number) !== NONE) slot = (slot + 1) & this.mask;
    this.table[slot] = pair;
  }

  private rebuild(): void {
    let size = 1024;
    while (size < this.limit * 2) size *= 2;
    if (size !== this.table.length) {
      this.table = new Int32Array(size);
      this.mask = size - 1;
    }
    this.table.fill(NONE);
    const records = this.records;
    for (let pair = 0; pair < this.top; pair++) if (records[pair * P_FIELDS + P_STATE] !== NONE) this.place(pair);
  }

  private grow(capacity: number): void {
    this.records = widen(this.records, new Int32Array(capacity * P_FIELDS));
    this.capacity = capacity;
    if (this.table.length === 0) this.rebuild();
  }
}

function pairHash(state: number, user: number, host: number): number {
  let h = Math.imul(state ^ Math.imul(user, 0x85ebca6b), 0x9e3779b1) ^ Math.imul(host, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

/** Creates a streaming analyser for the events of one license server (see the module comment). */
export function createUsageAnalyser(options: UsageAnalyserOptions): UsageAnalyser {
  const zone = createTimeZoneView(options.timeZone);
  const retryWindowSeconds = options.retryWindowSeconds ?? DEFAULT_RETRY_WINDOW_SECONDS;
  if (!Number.isFinite(retryWindowSeconds) || retryWindowSeconds < 0) {
    throw new RangeError(`retryWindowSeconds must be a finite number ≥ 0, got ${String(retryWindowSeconds)}`);
  }
  const retryWindowMs = retryWindowSeconds * 1000;
  const onSession = options.onSession;
  const onDenial = options.onDenial;
  const onDiagnostic = options.onDiagnostic;

  // Names compare case-insensitively: every spelling maps to the id of its lower-case form. Parsers hand
  // over the same string for the same name, so a spelling is looked up, never lower-cased, per event; the
  // feature and user caches below spare most of even those look-ups.
  const spellings = new Map<string, number>();
  const lowerIds = new Map<string, number>();
  /** Id → a spelling of it (the first seen), to name things in a checkpoint. */
  const idNames: string[] = [];
  function nameId(name: string): number {
    let id = spellings.get(name);
    if (id === undefined) {
      const lower = name.toLowerCase();
      id = lowerIds.get(lower);
      if (id === undefined) {
        id = lowerIds.size;
        lowerIds.set(lower, id);
        idNames.push(name);
      }
      if (spellings.size >= MAX_SPELLINGS) spellings.clear();
      spellings.set(name, id);
    }
    return id;
  }

  /** vendor id → feature id → state; `states` by index. */
  const features = new Map<number, Map<number, FeatureState>>();
  const states: FeatureState[] = [];
  /** Feature spelling → the state it last led to (checked against the vendor spelling, see stateOf). */
  const featureCache = new Map<string, FeatureState>();
  const userCache = new Map<string, UserSpelling>();

  const sessions = new Sessions();
  const pairs = new Pairs();

  // The retry rule, per (feature name, user) across vendors and hosts: who checked what out in this
  // instant (a denial after it is retried at once), and the denials still inside the window.
  const nowFeature: number[] = [];
  const nowUser: number[] = [];
  let nowCount = 0;
  /** "feature id user id" keys of this instant's check-outs, once there are too many to scan. */
  let nowKeys: Set<string> | null = null;
  // Per user id: how many of its denials are pending, and its denials in time order (settled ones are
  // dropped when none is left pending, or when they make up most of the list). A check-out looks only when
  // its user has a denial pending, which few have at a time.
  let userPending = new Int32Array(1024);
  const userDenials: (PendingDenial[] | undefined)[] = [];
  /** Denials still inside the window, in time order (each also sits in its user's list). */
  const pendingQueue = new Fifo<PendingDenial>();
  let pendingCount = 0;

  /** Users with a check-out so far (by id), for stats(). */
  let userSeen = new Uint8Array(1024);
  let userCount = 0;
  let openCount = 0;
  let userDayCount = 0;
  let seq = 0;

  // The instant being processed, and its number (instants counted from 1 as they come).
  let now = Number.NEGATIVE_INFINITY;
  let nowDay = 0;
  let instant = 0;
  /** Days before this one are sealed in every state (see sealDays). */
  let sealedBefore = Number.NEGATIVE_INFINITY;
  /** Emptied user sets of sealed days, for new days. */
  const spareSets: IntSet[] = [];
  const touched: FeatureState[] = [];
  let touchedCount = 0;
  /** Check-ins of this instant still looking for their check-out, by pair. */
  const waiting = new Map<number, Fifo<WaitingCheckin>>();

  let events = 0;
  let outOfOrder = 0;
  let firstAt: number | null = null;
  let finished = false;

  function diagnose(line: number, reason: string): void {
    onDiagnostic?.({ line, reason });
  }

  /** The state of (vendor, feature), created on first sight. */
  function stateOf(vendor: string, feature: string): FeatureState {
    const cached = featureCache.get(feature);
    if (cached !== undefined && cached.cacheVendor === vendor) return cached;
    const vendorId = nameId(vendor);
    const featureId = nameId(feature);
    let byFeature = features.get(vendorId);
    if (!byFeature) {
      byFeature = new Map();
      features.set(vendorId, byFeature);
    }
    let state = byFeature.get(featureId);
    if (!state) {
      state = {
        index: states.length,
        vendor,
        feature,
        vendorId,
        featureId,
        cacheVendor: vendor,
        level: 0,
        peak: 0,
        peakAt: Number.NaN,
        sessions: 0,
        seatMs: 0,
        trueDenials: 0,
        retriedDenials: 0,
        reasons: new Map(),
        queued: 0,
        dequeued: 0,
        unmatchedCheckins: 0,
        openAtEnd: 0,
        days: new Map(),
        openDays: [],
        lastDay: Number.NaN,
        lastDayUsers: null,
        endedBefore: 0,
        started: 0,
        endedSameInstant: 0,
        touched: false,
      };
      byFeature.set(featureId, state);
      states.push(state);
    }
    // Only the spelling pair just checked may lead from `feature` to this state.
    state.cacheVendor = vendor;
    if (featureCache.size >= MAX_SPELLINGS) featureCache.clear();
    featureCache.set(feature, state);
    return state;
  }

  // Caches picked by nameSlots (see there), one entry's fields side by side: per feature slot the feature
  // and vendor spellings it was last checked with and their state; per user/host slot the name and its id.
  const featureHints: (string | FeatureState | undefined)[] = [];
  const nameHints: (string | number | undefined)[] = [];

  function hintedState(vendor: string, feature: string, slot: number): FeatureState {
    if (slot < 0 || slot >= MAX_HINT_SLOT) return stateOf(vendor, feature);
    const at = slot * 3;
    if (at < featureHints.length) {
      if (featureHints[at] === feature && featureHints[at + 1] === vendor) return featureHints[at + 2] as FeatureState;
    } else {
      const length = Math.max(at + 3, featureHints.length * 2, 192);
      while (featureHints.length < length) featureHints.push(undefined);
    }
    const state = stateOf(vendor, feature);
    featureHints[at] = feature;
    featureHints[at + 1] = vendor;
    featureHints[at + 2] = state;
    return state;
  }

  function hintedName(name: string, slot: number): number {
    if (slot < 0 || slot >= MAX_HINT_SLOT) return nameId(name);
    const at = slot * 2;
    if (at < nameHints.length) {
      if (nameHints[at] === name) return nameHints[at + 1] as number;
    } else {
      const length = Math.max(at + 2, nameHints.length * 2, 512);
      while (nameHints.length < length) nameHints.push(undefined);
    }
    const id = nameId(name);
    nameHints[at] = name;
    nameHints[at + 1] = id;
    return id;
  }

  function userOf(user: string): UserSpelling {
    let spelling = userCache.get(user);
    if (spelling === undefined) {
      spelling = { id: nameId(user), host: null, hostId: NONE };
      if (userCache.size >= MAX_SPELLINGS) userCache.clear();
      userCache.set(user, spelling);
    }
    return spelling;
  }

  function hostId(spelling: UserSpelling, host: string): number {
    if (host === spelling.host) return spelling.hostId;
    const id = nameId(host);
    spelling.host = host;
    spelling.hostId = id;
    return id;
  }

  /** The pair of (state, user, host), added when new; it is dropped after this instant if it holds nothing. */
  function pairOf(state: FeatureState, userId: number, host: number): number {
    let pair = pairs.find(state.index, userId, host);
    if (pair === NONE) pair = pairs.add(state.index, userId, host, instant);
    else pairs.records[pair * P_FIELDS + P_SEEN_INSTANT] = instant;
    return pair;
  }

  function stateOfPair(pair: number): FeatureState {
    return states[pairs.records[pair * P_FIELDS + P_STATE] as number] as FeatureState;
  }

  function touch(state: FeatureState): void {
    if (!state.touched) {
      state.touched = true;
      touched[touchedCount++] = state;
    }
  }

  function addUserDays(state: FeatureState, userId: number, fromDay: number, toDay: number): void {
    if (fromDay === toDay && fromDay === state.lastDay) {
      if ((state.lastDayUsers as IntSet).add(userId)) userDayCount++;
      return;
    }
    for (let day = fromDay; day <= toDay; day++) {
      let dayUsers = state.days.get(day);
      if (dayUsers === undefined) {
        dayUsers = spareSets.pop() ?? new IntSet();
        state.days.set(day, dayUsers);
        state.openDays.push(day);
      } else if (typeof dayUsers === 'number') {
        continue; // sealed: this user was counted in when it was (see sealDays)
      }
      if (dayUsers.add(userId)) userDayCount++;
      state.lastDay = day;
      state.lastDayUsers = dayUsers;
    }
  }

  /**
   * Turns the user sets of days before yesterday (a clock set back over midnight may bring back the day
   * before) into counts. A check-out still open that started on or before such a day will count on it when
   * it closes, so its user is counted in now and closing it later skips sealed days. Keeps memory flat as a
   * log covers more days, whatever stays open; the sets are kept for reuse.
   */
  function sealDays(): void {
    const limit = nowDay - 1;
    if (limit <= sealedBefore) return;
    const records = pairs.records;
    for (const pair of pairs.all()) {
      const at = pair * P_FIELDS;
      const state = states[records[at + P_STATE] as number] as FeatureState;
      for (let slot = records[at + P_HEAD] as number; slot !== NONE; slot = sessions.ints[slot * 4 + S_NEXT] as number) {
        const startDay = Math.max(sessions.ints[slot * 4 + S_START_DAY] as number, sealedBefore);
        if (startDay < limit) addUserDays(state, records[at + P_USER] as number, startDay, limit - 1);
      }
    }
    sealedBefore = limit;
    for (const state of states) {
      if (state.openDays.length === 0) continue;
      const keep: number[] = [];
      for (const day of state.openDays) {
        const users = state.days.get(day);
        if (day < limit && users instanceof IntSet) {
          state.days.set(day, users.size);
          if (spareSets.length < MAX_SPARE_SETS) {
            users.clear();
            spareSets.push(users);
          }
        } else {
          keep.push(day);
        }
      }
      state.openDays = keep;
      if (state.lastDay < limit) {
        state.lastDay = Number.NaN;
        state.lastDayUsers = null;
      }
    }
  }

  /** Ends the session in `slot` at `end` and frees the slot; concurrency changes apply when the instant ends. */
  function close(slot: number, end: number, closedBy: SessionEnd, endLine?: number, endReason?: string): void {
    const pair = sessions.ints[slot * 4 + S_PAIR] as number;
    const state = stateOfPair(pair);
    const start = sessions.times[slot * 4 + S_START] as number;
    const seats = sessions.times[slot * 4 + S_SEATS] as number;
    state.seatMs += seats * (end - start);
    // Half-open [start, end): a session ending exactly at midnight did not use the next day.
    const startDay = sessions.ints[slot * 4 + S_START_DAY] as number;
    const endDay = end > start ? zone.localDay(end - 1) : startDay;
    const counted = pair * P_FIELDS + P_COUNTED_DAY;
    if (startDay !== endDay || pairs.records[counted] !== startDay) {
      addUserDays(state, pairs.records[pair * P_FIELDS + P_USER] as number, startDay, endDay);
      pairs.records[counted] = endDay;
    }
    if (closedBy !== 'end-of-input') {
      if (start < end) state.endedBefore += seats;
      else state.endedSameInstant += seats;
      touch(state);
    }
    openCount--;
    if (onSession) onSession(sessionOut(slot, end, closedBy, endLine, endReason));
    sessions.release(slot);
  }

  function sessionOut(slot: number, end: number, closedBy: SessionEnd, endLine?: number, endReason?: string): UsageSession {
    const out: UsageSession = {
      vendor: sessions.names[slot * 4 + S_VENDOR] as string,
      feature: sessions.names[slot * 4 + S_FEATURE] as string,
      user: sessions.names[slot * 4 + S_USER] as string,
      host: sessions.names[slot * 4 + S_HOST] as string,
      start: sessions.times[slot * 4 + S_START] as number,
      end,
      seats: sessions.times[slot * 4 + S_SEATS] as number,
      closedBy,
      ordinal: sessions.ints[slot * 4 + S_ORDINAL] as number,
      startLine: sessions.times[slot * 4 + S_LINE] as number,
    };
    if (endLine !== undefined) out.endLine = endLine;
    if (endReason !== undefined) out.endReason = endReason;
    return out;
  }

  function settle(denial: PendingDenial, retried: boolean): void {
    if (!onDenial) return;
    const out: UsageDenial = {
      vendor: denial.vendor,
      feature: denial.feature,
      user: denial.user,
      host: denial.host,
      at: denial.at,
      line: denial.line,
      ordinal: denial.ordinal,
      retried,
    };
    if (denial.reason !== undefined) out.reason = denial.reason;
    onDenial(out);
  }

  /** Applies the current instant's changes to each touched feature (ends of older sessions, starts, then peak) and drops idle pairs. */
  function endInstant(): void {
    if (waiting.size > 0) {
      for (const list of waiting.values()) for (const checkin of list) unmatched(checkin);
      waiting.clear();
    }
    for (let i = 0; i < touchedCount; i++) {
      const state = touched[i] as FeatureState;
      state.level += state.started - state.endedBefore;
      if (state.level > state.peak) {
        state.peak = state.level;
        state.peakAt = now;
      }
      state.level -= state.endedSameInstant;
      state.started = 0;
      state.endedBefore = 0;
      state.endedSameInstant = 0;
      state.touched = false;
    }
    touchedCount = 0;
    nowCount = 0;
    nowKeys = null;
  }

  function unmatched(checkin: WaitingCheckin): void {
    stateOf(checkin.vendor, checkin.feature).unmatchedCheckins++;
    diagnose(checkin.line, `check-in without a check-out: ${checkin.feature} by ${checkin.user} on ${checkin.host}`);
  }

  /** Settles denials whose window ended before `at`: nothing retried them, so they are true denials. */
  function expireDenials(at: number): void {
    for (let denial = pendingQueue.peek(); denial && denial.at + retryWindowMs < at; denial = pendingQueue.peek()) {
      pendingQueue.shift();
      if (!denial.resolved) {
        denial.resolved = true;
        denial.state.trueDenials++;
        settled(denial.userId);
        settle(denial, false);
      }
    }
  }

  /** A new open check-out of `pair` (appended to its chain unless `chain` is false). */
  function open(pair: number, vendor: string, feature: string, user: string, host: string, start: number, startDay: number, seats: number, line: number, ordinal: number, chain: boolean): number {
    const slot = sessions.alloc();
    sessions.times[slot * 4 + S_START] = start;
    sessions.ints[slot * 4 + S_START_DAY] = startDay;
    sessions.times[slot * 4 + S_SEATS] = seats;
    sessions.times[slot * 4 + S_LINE] = line;
    sessions.times[slot * 4 + S_SEQ] = seq++;
    sessions.ints[slot * 4 + S_ORDINAL] = ordinal;
    sessions.ints[slot * 4 + S_PAIR] = pair;
    sessions.ints[slot * 4 + S_NEXT] = NONE;
    sessions.names[slot * 4 + S_VENDOR] = vendor;
    sessions.names[slot * 4 + S_FEATURE] = feature;
    sessions.names[slot * 4 + S_USER] = user;
    sessions.names[slot * 4 + S_HOST] = host;
    openCount++;
    const records = pairs.records;
    const at = pair * P_FIELDS;
    const userId = records[at + P_USER] as number;
    if (userId >= userSeen.length) {
      const wider = new Uint8Array(Math.max(userId + 1, userSeen.length * 2));
      wider.set(userSeen);
      userSeen = wider;
    }
    if (userSeen[userId] === 0) {
      userSeen[userId] = 1;
      userCount++;
    }
    if (chain) {
      const tail = records[at + P_TAIL] as number;
      if (tail === NONE) records[at + P_HEAD] = slot;
      else sessions.ints[tail * 4 + S_NEXT] = slot;
      records[at + P_TAIL] = slot;
    }
    return slot;
  }

  /** Notes that `userId` checked out `featureId` in this instant. */
  function checkedOut(featureId: number, userId: number): void {
    nowFeature[nowCount] = featureId;
    nowUser[nowCount] = userId;
    nowCount++;
    if (nowKeys !== null) nowKeys.add(`${featureId} ${userId}`);
    else if (nowCount > SCAN_LIMIT) {
      nowKeys = new Set();
      for (let i = 0; i < nowCount; i++) nowKeys.add(`${nowFeature[i] as number} ${nowUser[i] as number}`);
    }
  }

  function checkedOutNow(featureId: number, userId: number): boolean {
    if (nowKeys !== null) return nowKeys.has(`${featureId} ${userId}`);
    for (let i = 0; i < nowCount; i++) if (nowFeature[i] === featureId && nowUser[i] === userId) return true;
    return false;
  }

  function checkout(event: UsageEvent, state: FeatureState, userId: number, pair: number): void {
    let seats = event.seats;
    if (!Number.isFinite(seats) || seats <= 0) {
      diagnose(event.line, `check-out with ${String(event.seats)} seats counted as 1`);
      seats = 1;
    }
    const records = pairs.records;
    const at = pair * P_FIELDS;
    let ordinal = 0;
    if (records[at + P_CHECKOUT_INSTANT] === instant) ordinal = (records[at + P_CHECKOUT_ORDINAL] as number) + 1;
    records[at + P_CHECKOUT_INSTANT] = instant;
    records[at + P_CHECKOUT_ORDINAL] = ordinal;
    state.sessions++;
    state.started += seats;
    touch(state);

    checkedOut(state.featureId, userId);
    if (pendingCount > 0 && userId < userPending.length && (userPending[userId] as number) > 0) {
      // This check-out retries the user's pending denials of the same feature name, oldest first.
      const list = userDenials[userId] as PendingDenial[];
      const featureId = state.featureId;
      for (let i = 0; i < list.length; i++) {
        const denial = list[i] as PendingDenial;
        if (denial.resolved || denial.featureId !== featureId) continue;
        denial.resolved = true;
        denial.state.retriedDenials++;
        settled(userId);
        settle(denial, true);
      }
    }

    // A check-in of this instant that arrived first pairs with this check-out (order within an instant is loose).
    if (waiting.size > 0) {
      const early = waiting.get(pair);
      const first = early?.shift();
      if (early && first) {
        if (early.size === 0) waiting.delete(pair);
        const slot = open(pair, event.vendor, event.feature, event.user, event.host, now, nowDay, seats, event.line, ordinal, false);
        close(slot, now, 'checkin', first.line, first.reason);
        return;
      }
    }
    open(pair, event.vendor, event.feature, event.user, event.host, now, nowDay, seats, event.line, ordinal, true);
  }

  function checkin(event: UsageEvent, pair: number): void {
    const records = pairs.records;
    const at = pair * P_FIELDS;
    const head = records[at + P_HEAD] as number;
    if (head !== NONE) {
      const next = sessions.ints[head * 4 + S_NEXT] as number;
      records[at + P_HEAD] = next;
      if (next === NONE) records[at + P_TAIL] = NONE;
      close(head, now, 'checkin', event.line, event.reason);
      return;
    }
    let early = waiting.get(pair);
    if (!early) {
      early = new Fifo();
      waiting.set(pair, early);
    }
    early.push({ vendor: event.vendor, feature: event.feature, user: event.user, host: event.host, line: event.line, reason: event.reason });
  }

  /** Open check-outs (slots) of the pairs that `take` accepts, oldest first; with `remove`, their chains are emptied. */
  function openSlots(take: (pair: number) => boolean, remove: boolean): number[] {
    const slots: number[] = [];
    const records = pairs.records;
    for (const pair of pairs.all()) {
      const at = pair * P_FIELDS;
      let slot = records[at + P_HEAD] as number;
      if (slot === NONE || !take(pair)) continue;
      for (; slot !== NONE; slot = sessions.ints[slot * 4 + S_NEXT] as number) slots.push(slot);
      if (remove) {
        records[at + P_HEAD] = NONE;
        records[at + P_TAIL] = NONE;
      }
    }
    return slots.sort((a, b) => (sessions.times[a * 4 + S_SEQ] as number) - (sessions.times[b * 4 + S_SEQ] as number));
  }

  /** Closes every open check-out of the vendor (all vendors for an empty vendor name: the license manager itself). */
  function restart(event: UsageEvent, vendorId: number | null): void {
    const ofVendor = (pair: number) => vendorId === null || stateOfPair(pair).vendorId === vendorId;
    // Check-ins still waiting for a check-out of this vendor will not find one after its restart.
    for (const [pair, list] of waiting) {
      if (ofVendor(pair)) {
        for (const checkin of list) unmatched(checkin);
        waiting.delete(pair);
      }
    }
    for (const slot of openSlots(ofVendor, true)) close(slot, now, 'restart', event.line);
  }

  /** Reason text → code (parsers hand over the same few reasons again and again). */
  const reasonCodes = new Map<string, string>();

  function denied(event: UsageEvent, state: FeatureState, userId: number, pair: number): void {
    let code: string | undefined;
    if (event.reason === undefined) code = UNKNOWN_REASON;
    else {
      code = reasonCodes.get(event.reason);
      if (code === undefined) {
        code = denialReasonCode(event.reason);
        if (reasonCodes.size >= MAX_SPELLINGS) reasonCodes.clear();
        reasonCodes.set(event.reason, code);
      }
    }
    const reasonKey = state.reasons.has(code) || state.reasons.size < MAX_REASONS_PER_FEATURE ? code : OTHER_REASON;
    state.reasons.set(reasonKey, (state.reasons.get(reasonKey) ?? 0) + 1);

    const records = pairs.records;
    const at = pair * P_FIELDS;
    let ordinal = 0;
    if (records[at + P_DENIAL_INSTANT] === instant) ordinal = (records[at + P_DENIAL_ORDINAL] as number) + 1;
    records[at + P_DENIAL_INSTANT] = instant;
    records[at + P_DENIAL_ORDINAL] = ordinal;
    const denial: PendingDenial = {
      at: now,
      featureId: state.featureId,
      userId,
      state,
      resolved: false,
      vendor: event.vendor,
      feature: event.feature,
      user: event.user,
      host: event.host,
      line: event.line,
      ordinal,
      reason: event.reason,
    };
    if (checkedOutNow(state.featureId, userId)) {
      state.retriedDenials++;
      denial.resolved = true;
      settle(denial, true);
      return;
    }
    queueDenial(denial);
  }

  function queueDenial(denial: PendingDenial): void {
    pendingQueue.push(denial);
    pendingCount++;
    const userId = denial.userId;
    if (userId >= userPending.length) userPending = widen(userPending, new Int32Array(Math.max(userId + 1, userPending.length * 2)));
    (userPending[userId] as number)++;
    while (userDenials.length <= userId) userDenials.push(undefined);
    let list = userDenials[userId];
    if (list === undefined) {
      list = [];
      userDenials[userId] = list;
    }
    list.push(denial);
  }

  /** One of the user's pending denials was settled: forget its settled denials when none is left pending. */
  function settled(userId: number): void {
    pendingCount--;
    const left = (userPending[userId] as number) - 1;
    userPending[userId] = left;
    const list = userDenials[userId] as PendingDenial[];
    if (left === 0) list.length = 0;
    else if (list.length > 2 * left + 16) {
      let kept = 0;
      for (const denial of list) if (!denial.resolved) list[kept++] = denial;
      list.length = kept;
    }
  }

  /** Moves on to instant `at` (later than the current one). */
  function advance(at: number): void {
    endInstant();
    now = at;
    instant++;
    const day = zone.localDay(at);
    if (day !== nowDay) {
      nowDay = day;
      sealDays();
    }
    firstAt ??= at;
    expireDenials(at);
  }

  function push(event: UsageEvent): void {
    if (finished) throw new Error('the analyser has finished; create a new one for more events');
    events++;
    const at = event.at;
    if (at !== now) {
      if (!Number.isFinite(at)) {
        diagnose(event.line, 'event without a valid time ignored');
        return;
      }
      if (at > now) advance(at);
      else {
        outOfOrder++;
        diagnose(event.line, `event earlier than the one before it, taken at ${zone.formatIso(now)}`);
      }
    }

    const kind = event.kind;
    if (kind === 'restart') {
      restart(event, event.vendor === '' ? null : nameId(event.vendor));
      return;
    }
    const hint = nameSlots;
    const state = hintedState(event.vendor, event.feature, hint.feature);
    if (kind === 'checkout' || kind === 'checkin' || kind === 'denied') {
      let userId: number;
      let host: number;
      if (hint.user >= 0) {
        userId = hintedName(event.user, hint.user);
        host = hintedName(event.host, hint.host);
      } else {
        const user = userOf(event.user);
        userId = user.id;
        host = hostId(user, event.host);
      }
      const pair = pairOf(state, userId, host);
      if (kind === 'checkout') checkout(event, state, userId, pair);
      else if (kind === 'checkin') checkin(event, pair);
      else denied(event, state, userId, pair);
    } else if (kind === 'queued') {
      state.queued++;
    } else if (kind === 'dequeued') {
      state.dequeued++;
    } else {
      diagnose(event.line, `unknown event kind ${String((event as { kind: unknown }).kind)} ignored`);
    }
  }

  function finish(): AnalysisResult {
    if (finished) throw new Error('the analyser has already finished');
    endInstant();
    finished = true;
    expireDenials(Number.POSITIVE_INFINITY);

    for (const slot of openSlots(() => true, true)) {
      stateOfPair(sessions.ints[slot * 4 + S_PAIR] as number).openAtEnd++;
      close(slot, now, 'end-of-input');
    }

    const all = [...states].sort((a, b) => compareNames(a.vendor, b.vendor) || compareNames(a.feature, b.feature));
    return {
      timeZone: zone.timeZone,
      events,
      firstEventAt: firstAt,
      lastEventAt: firstAt === null ? null : now,
      features: all.map((state) => featureUsage(state)),
      outOfOrderEvents: outOfOrder,
    };
  }

  function featureUsage(state: FeatureState): FeatureUsage {
    const dailyUsers: Record<string, number> = {};
    for (const day of [...state.days.keys()].sort((a, b) => a - b)) {
      const users = state.days.get(day);
      dailyUsers[dayKey(day)] = typeof users === 'number' ? users : (users?.size ?? 0);
    }
    const denialReasons: Record<string, number> = {};
    for (const [code, count] of [...state.reasons].sort((a, b) => b[1] - a[1] || compareNames(a[0], b[0]))) {
      denialReasons[code] = count;
    }
    return {
      feature: state.feature,
      vendor: state.vendor,
      peak: state.peak,
      peakAt: state.peak > 0 ? zone.formatIso(state.peakAt) : null,
      sessions: state.sessions,
      seatHours: roundTo(state.seatMs / HOUR_MS, 2),
      denials: state.trueDenials,
      retriedDenials: state.retriedDenials,
      openAtEnd: state.openAtEnd,
      dailyUsers,
      denialReasons,
      queued: state.queued,
      dequeued: state.dequeued,
      unmatchedCheckins: state.unmatchedCheckins,
    };
  }

  function stats(): AnalyserStats {
    return {
      openCheckouts: openCount,
      pendingDenials: pendingCount,
      features: states.length,
      users: userCount,
      userDays: userDayCount,
      daySets: states.reduce((sum, state) => sum + state.openDays.length, 0),
    };
  }

  function openSessions(): UsageSession[] {
    return openSlots(() => true, false).map((slot) => sessionOut(slot, now, 'open'));
  }

  /** The names of a pair with a count, for a checkpoint. */
  function pairCount(pair: number, count: number): AnalyserCheckpointCount {
    const state = stateOfPair(pair);
    const at = pair * P_FIELDS;
    return {
      vendor: state.vendor,
      feature: state.feature,
      user: idNames[pairs.records[at + P_USER] as number] as string,
      host: idNames[pairs.records[at + P_HOST] as number] as string,
      count,
    };
  }

  function checkpoint(): AnalyserCheckpoint {
    if (finished) throw new Error('the analyser has finished; there is nothing to resume');
    const levels: AnalyserCheckpoint['levels'] = [];
    for (const state of states) {
      const { level, started, endedBefore, endedSameInstant } = state;
      if (level !== 0 || started !== 0 || endedBefore !== 0 || endedSameInstant !== 0) {
        levels.push({ vendor: state.vendor, feature: state.feature, level, started, endedBefore, endedSameInstant });
      }
    }
    const waitingOut: AnalyserCheckpoint['waiting'] = [];
    for (const list of waiting.values()) {
      for (const { vendor, feature, user, host, line, reason } of list) {
        waitingOut.push(reason === undefined ? { vendor, feature, user, host, line } : { vendor, feature, user, host, line, reason });
      }
    }
    const checkoutCounts: AnalyserCheckpointCount[] = [];
    const denialCounts: AnalyserCheckpointCount[] = [];
    const records = pairs.records;
    for (const pair of pairs.all()) {
      const at = pair * P_FIELDS;
      if (records[at + P_CHECKOUT_INSTANT] === instant) checkoutCounts.push(pairCount(pair, (records[at + P_CHECKOUT_ORDINAL] as number) + 1));
      if (records[at + P_DENIAL_INSTANT] === instant) denialCounts.push(pairCount(pair, (records[at + P_DENIAL_ORDINAL] as number) + 1));
    }
    const checkedOut: AnalyserCheckpoint['checkedOutNow'] = [];
    const seen = new Set<string>();
    for (let i = 0; i < nowCount; i++) {
      const key = `${nowFeature[i] as number} ${nowUser[i] as number}`;
      if (seen.has(key)) continue;
      seen.add(key);
      checkedOut.push({ feature: idNames[nowFeature[i] as number] as string, user: idNames[nowUser[i] as number] as string });
    }
    const pendingDenials: AnalyserCheckpoint['pendingDenials'] = [];
    for (const denial of pendingQueue) {
      if (denial.resolved) continue;
      const { vendor, feature, user, host, at, line, ordinal, reason } = denial;
      pendingDenials.push(reason === undefined ? { vendor, feature, user, host, at, line, ordinal } : { vendor, feature, user, host, at, line, ordinal, reason });
    }
    return {
      version: 1,
      now: Number.isFinite(now) ? now : null,
      open: openSlots(() => true, false).map((slot) => ({
        vendor: sessions.names[slot * 4 + S_VENDOR] as string,
        feature: sessions.names[slot * 4 + S_FEATURE] as string,
        user: sessions.names[slot * 4 + S_USER] as string,
        host: sessions.names[slot * 4 + S_HOST] as string,
        start: sessions.times[slot * 4 + S_START] as number,
        seats: sessions.times[slot * 4 + S_SEATS] as number,
        line: sessions.times[slot * 4 + S_LINE] as number,
        ordinal: sessions.ints[slot * 4 + S_ORDINAL] as number,
      })),
      levels,
      waiting: waitingOut,
      checkoutCounts,
      denialCounts,
      checkedOutNow: checkedOut,
      pendingDenials,
    };
  }

  /** The pair of names as a checkpoint gives them. */
  function pairOfNames(vendor: string, feature: string, user: string, host: string): number {
    return pairOf(stateOf(vendor, feature), nameId(user), nameId(host));
  }

  /** Takes up the state of a checkpoint (see UsageAnalyserOptions.resumeFrom). */
  function resume(from: AnalyserCheckpoint): void {
    if ((from as { version?: unknown }).version !== 1) {
      throw new RangeError(`unsupported analyser checkpoint version ${String((from as { version?: unknown }).version)}`);
    }
    if (from.now === null) return;
    now = from.now;
    nowDay = zone.localDay(now);
    instant = 1;
    for (const entry of from.levels) {
      const state = stateOf(entry.vendor, entry.feature);
      state.level = entry.level;
      state.started = entry.started;
      state.endedBefore = entry.endedBefore;
      state.endedSameInstant = entry.endedSameInstant;
      if (state.started !== 0 || state.endedBefore !== 0 || state.endedSameInstant !== 0) touch(state);
    }
    for (const x of from.open) {
      const pair = pairOfNames(x.vendor, x.feature, x.user, x.host);
      open(pair, x.vendor, x.feature, x.user, x.host, x.start, zone.localDay(x.start), x.seats, x.line, x.ordinal, true);
    }
    for (const x of from.waiting) {
      const pair = pairOfNames(x.vendor, x.feature, x.user, x.host);
      let list = waiting.get(pair);
      if (!list) {
        list = new Fifo();
        waiting.set(pair, list);
      }
      list.push({ vendor: x.vendor, feature: x.feature, user: x.user, host: x.host, line: x.line, reason: x.reason });
    }
    for (const x of from.checkoutCounts) {
      const at = pairOfNames(x.vendor, x.feature, x.user, x.host) * P_FIELDS;
      pairs.records[at + P_CHECKOUT_INSTANT] = instant;
      pairs.records[at + P_CHECKOUT_ORDINAL] = x.count - 1;
    }
    for (const x of from.denialCounts) {
      const at = pairOfNames(x.vendor, x.feature, x.user, x.host) * P_FIELDS;
      pairs.records[at + P_DENIAL_INSTANT] = instant;
      pairs.records[at + P_DENIAL_ORDINAL] = x.count - 1;
    }
    for (const x of from.checkedOutNow) checkedOut(nameId(x.feature), nameId(x.user));
    for (const x of from.pendingDenials) {
      queueDenial({
        at: x.at,
        featureId: nameId(x.feature),
        userId: nameId(x.user),
        state: stateOf(x.vendor, x.feature),
        resolved: false,
        vendor: x.vendor,
        feature: x.feature,
        user: x.user,
        host: x.host,
        line: x.line,
        ordinal: x.ordinal,
        reason: x.reason,
      });
    }
  }

  if (options.resumeFrom !== undefined) resume(options.resumeFrom);

  return { push, finish, stats, openSessions, checkpoint };
}


/**
 * A queue with O(1) amortised shift, whatever its length (Array.prototype.shift copies long arrays). A shifted
 * item is let go at once, so that nothing lingers for the garbage collector to promote.
 */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) this.clear();
    else if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Case-insensitive first, then exact, so the order is stable and independent of the locale. */
function compareNames(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
