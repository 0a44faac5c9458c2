/**
 * The usage maths: a streaming analyser that turns UsageEvents into sessions (check-out paired with
 * check-in), peak concurrency, seat-hours, true and retried denials and distinct users per local day.
 *
 * What must stay true:
 * - Memory is proportional to open check-outs + features + (users × days) + (feature names × users, for the
 *   retry rule) + denials still inside the retry window, never to the number of events. Closed sessions
 *   leave through `onSession` and are not kept.
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
 */
import { createTimeZoneView, dayKey } from './analyser-time.ts';
import type { Diagnostic, UsageEvent } from './types.ts';

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
export interface CheckpointSession {
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
export interface CheckpointCount {
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
  open: CheckpointSession[];
  /**
   * Per feature: seats in use after the last completed instant, and the changes of the current instant not
   * yet applied (seats taken, seats of older sessions given back, seats of sessions of this instant alone).
   */
  levels: { vendor: string; feature: string; level: number; started: number; endedBefore: number; endedSameInstant: number }[];
  /** Check-ins of the current instant still waiting for their check-out, in arrival order. */
  waiting: { vendor: string; feature: string; user: string; host: string; line: number; reason?: string }[];
  /** Check-outs and denials seen so far in the current instant per key (for ordinals). */
  checkoutCounts: CheckpointCount[];
  denialCounts: CheckpointCount[];
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
/** Beyond this many distinct spellings the name cache starts again (adversarial input with random names). */
const MAX_SPELLINGS = 200_000;

interface FeatureState {
  vendor: string;
  feature: string;
  vendorId: number;
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
  /** Local day number → user ids. */
  days: Map<number, Set<number>>;
  /** Open check-outs by openKey(user id, host id): the oldest of each FIFO chain. */
  open: Map<number, OpenCheckout>;
  /** Seats that changed in the current instant, applied when it ends: ends of older sessions first. */
  endedBefore: number;
  started: number;
  /** Sessions that started and ended in the current instant: counted in its peak, then released. */
  endedSameInstant: number;
  touched: boolean;
}

interface OpenCheckout {
  seq: number;
  state: FeatureState;
  vendor: string;
  feature: string;
  user: string;
  userId: number;
  host: string;
  start: number;
  startDay: number;
  seats: number;
  line: number;
  ordinal: number;
  /** The next check-out with the same key (FIFO chain). */
  next: OpenCheckout | null;
  /** On the chain's first link only: its last link (null while the chain is this link alone). */
  tail: OpenCheckout | null;
}

/** A check-in that found no open check-out yet; it may still pair with a check-out of the same instant. */
interface WaitingCheckin {
  state: FeatureState;
  vendor: string;
  feature: string;
  user: string;
  host: string;
  line: number;
  reason: string | undefined;
}

/** What the retry rule needs per (feature name, user), across vendors and hosts. */
interface RetryState {
  lastCheckoutAt: number;
  /** Its denials still inside the window, oldest first. */
  pending: Fifo<PendingDenial>;
}

interface PendingDenial {
  at: number;
  retry: RetryState;
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

/** Check-outs or denials of the current instant with one key, for ordinals. */
interface InstantCount {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  count: number;
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
  // over fresh strings, so looking the spelling up once beats lower-casing and concatenating keys per event.
  const spellings = new Map<string, number>();
  const lowerIds = new Map<string, number>();
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

  /** vendor id → feature id → state. */
  const features = new Map<number, Map<number, FeatureState>>();
  let featureCount = 0;
  /** feature id → user id → retry state. */
  const retries = new Map<number, Map<number, RetryState>>();
  /** Id → a spelling of it (the first seen), to name retry states in a checkpoint. */
  const idNames: string[] = [];
  const users = new Set<number>();
  let openCount = 0;
  let userDayCount = 0;
  let seq = 0;

  /** Denials still inside the window, in time order (each also sits in its RetryState). */
  const pendingQueue = new Fifo<PendingDenial>();
  let pendingCount = 0;

  // The instant being processed.
  let now = Number.NEGATIVE_INFINITY;
  let nowDay = 0;
  const touched: FeatureState[] = [];
  /** Check-ins of this instant still looking for their check-out, by "vendor feature user host" ids. */
  const waiting = new Map<string, Fifo<WaitingCheckin>>();
  /** Check-outs and denials of this instant so far, by the same keys (ordinals). */
  const checkoutCounts = new Map<string, InstantCount>();
  const denialCounts = new Map<string, InstantCount>();

  let events = 0;
  let outOfOrder = 0;
  let firstAt: number | null = null;
  let finished = false;

  function diagnose(line: number, reason: string): void {
    onDiagnostic?.({ line, reason });
  }

  function featureState(vendor: string, feature: string, vendorId: number, featureId: number): FeatureState {
    let byFeature = features.get(vendorId);
    if (!byFeature) {
      byFeature = new Map();
      features.set(vendorId, byFeature);
    }
    let state = byFeature.get(featureId);
    if (!state) {
      state = {
        vendor,
        feature,
        vendorId,
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
        open: new Map(),
        endedBefore: 0,
        started: 0,
        endedSameInstant: 0,
        touched: false,
      };
      byFeature.set(featureId, state);
      featureCount++;
    }
    return state;
  }

  function retryState(featureId: number, userId: number): RetryState {
    let byUser = retries.get(featureId);
    if (!byUser) {
      byUser = new Map();
      retries.set(featureId, byUser);
    }
    let retry = byUser.get(userId);
    if (!retry) {
      retry = { lastCheckoutAt: Number.NEGATIVE_INFINITY, pending: new Fifo() };
      byUser.set(userId, retry);
    }
    return retry;
  }

  function touch(state: FeatureState): void {
    if (!state.touched) {
      state.touched = true;
      touched.push(state);
    }
  }

  function addUserDays(state: FeatureState, userId: number, fromDay: number, toDay: number): void {
    for (let day = fromDay; day <= toDay; day++) {
      let dayUsers = state.days.get(day);
      if (!dayUsers) {
        dayUsers = new Set();
        state.days.set(day, dayUsers);
      }
      const before = dayUsers.size;
      dayUsers.add(userId);
      userDayCount += dayUsers.size - before;
    }
  }

  /** Ends a session at `end`; concurrency changes are applied when the current instant ends. */
  function close(
    session: OpenCheckout,
    end: number,
    closedBy: SessionEnd,
    endLine?: number,
    endReason?: string,
  ): void {
    const state = session.state;
    state.seatMs += session.seats * (end - session.start);
    // Half-open [start, end): a session ending exactly at midnight did not use the next day.
    const endDay = end > session.start ? zone.localDay(end - 1) : session.startDay;
    addUserDays(state, session.userId, session.startDay, endDay);
    if (closedBy !== 'end-of-input') {
      if (session.start < end) state.endedBefore += session.seats;
      else state.endedSameInstant += session.seats;
      touch(state);
    }
    openCount--;
    if (onSession) onSession(sessionOut(session, end, closedBy, endLine, endReason));
  }

  function sessionOut(session: OpenCheckout, end: number, closedBy: SessionEnd, endLine?: number, endReason?: string): UsageSession {
    const out: UsageSession = {
      vendor: session.vendor,
      feature: session.feature,
      user: session.user,
      host: session.host,
      start: session.start,
      end,
      seats: session.seats,
      closedBy,
      ordinal: session.ordinal,
      startLine: session.line,
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

  /** This event's place among those of the current instant with the same key (from 0). */
  function ordinalOf(counts: Map<string, InstantCount>, key: string, event: UsageEvent): number {
    const entry = counts.get(key);
    if (entry) return entry.count++;
    counts.set(key, { vendor: event.vendor, feature: event.feature, user: event.user, host: event.host, count: 1 });
    return 0;
  }

  /** Applies the current instant's changes to each touched feature: ends of older sessions, starts, then peak. */
  function endInstant(): void {
    if (waiting.size > 0) {
      for (const list of waiting.values()) for (const checkin of list) unmatched(checkin);
      waiting.clear();
    }
    for (const state of touched) {
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
    touched.length = 0;
  }

  function unmatched(checkin: WaitingCheckin): void {
    checkin.state.unmatchedCheckins++;
    diagnose(checkin.line, `check-in without a check-out: ${checkin.feature} by ${checkin.user} on ${checkin.host}`);
  }

  /** Settles denials whose window ended before `at`: nothing retried them, so they are true denials. */
  function expireDenials(at: number): void {
    for (let denial = pendingQueue.peek(); denial && denial.at + retryWindowMs < at; denial = pendingQueue.peek()) {
      pendingQueue.shift();
      if (!denial.resolved) {
        denial.resolved = true;
        denial.state.trueDenials++;
        pendingCount--;
        // A retry settles all of a user's pending denials at once, so an unresolved one leads its list.
        denial.retry.pending.shift();
        settle(denial, false);
      }
    }
  }

  function waitingKey(state: FeatureState, featureId: number, userId: number, hostId: number): string {
    return `${state.vendorId} ${featureId} ${userId} ${hostId}`;
  }

  function checkout(event: UsageEvent, state: FeatureState, featureId: number, userId: number, hostId: number): void {
    const seats = Number.isFinite(event.seats) && event.seats > 0 ? event.seats : 1;
    if (seats !== event.seats) diagnose(event.line, `check-out with ${String(event.seats)} seats counted as 1`);
    const ordinal = ordinalOf(checkoutCounts, waitingKey(state, featureId, userId, hostId), event);
    const session: OpenCheckout = {
      seq: seq++,
      state,
      vendor: event.vendor,
      feature: event.feature,
      user: event.user,
      userId,
      host: event.host,
      start: now,
      startDay: nowDay,
      seats,
      line: event.line,
      ordinal,
      next: null,
      tail: null,
    };
    openCount++;
    users.add(userId);
    state.sessions++;
    state.started += seats;
    touch(state);

    const retry = retryState(featureId, userId);
    retry.lastCheckoutAt = now;
    if (retry.pending.size > 0) {
      for (const denial of retry.pending) {
        denial.resolved = true;
        denial.state.retriedDenials++;
        pendingCount--;
        settle(denial, true);
      }
      retry.pending.clear();
    }

    // A check-in of this instant that arrived first pairs with this check-out (order within an instant is loose).
    if (waiting.size > 0) {
      const key = waitingKey(state, featureId, userId, hostId);
      const early = waiting.get(key);
      const first = early?.shift();
      if (early && first) {
        if (early.size === 0) waiting.delete(key);
        close(session, now, 'checkin', first.line, first.reason);
        return;
      }
    }
    const key = openKey(userId, hostId);
    const head = state.open.get(key);
    if (head) {
      (head.tail ?? head).next = session;
      head.tail = session;
    } else {
      state.open.set(key, session);
    }
  }

  function checkin(event: UsageEvent, state: FeatureState, featureId: number, userId: number, hostId: number): void {
    const key = openKey(userId, hostId);
    const head = state.open.get(key);
    if (head) {
      const next = head.next;
      if (next) {
        next.tail = head.tail;
        state.open.set(key, next);
      } else {
        state.open.delete(key);
      }
      close(head, now, 'checkin', event.line, event.reason);
      return;
    }
    const entry: WaitingCheckin = {
      state,
      vendor: event.vendor,
      feature: event.feature,
      user: event.user,
      host: event.host,
      line: event.line,
      reason: event.reason,
    };
    const wait = waitingKey(state, featureId, userId, hostId);
    let early = waiting.get(wait);
    if (!early) {
      early = new Fifo();
      waiting.set(wait, early);
    }
    early.push(entry);
  }

  /** Closes every open check-out of the vendor (all vendors for an empty vendor name: the license manager itself). */
  function restart(event: UsageEvent, vendorId: number | null): void {
    // Check-ins still waiting for a check-out of this vendor will not find one after its restart.
    for (const [key, list] of waiting) {
      const first = list.peek();
      if (first && (vendorId === null || first.state.vendorId === vendorId)) {
        for (const checkin of list) unmatched(checkin);
        waiting.delete(key);
      }
    }
    const closing: OpenCheckout[] = [];
    for (const [id, byFeature] of features) {
      if (vendorId !== null && id !== vendorId) continue;
      for (const state of byFeature.values()) takeOpen(state, closing);
    }
    closing.sort((a, b) => a.seq - b.seq);
    for (const session of closing) close(session, now, 'restart', event.line);
  }

  /** Moves every open check-out of `state` to `into`. */
  function takeOpen(state: FeatureState, into: OpenCheckout[]): void {
    for (const head of state.open.values()) {
      for (let link: OpenCheckout | null = head; link; link = link.next) into.push(link);
    }
    state.open.clear();
  }

  function denied(event: UsageEvent, state: FeatureState, featureId: number, userId: number, hostId: number): void {
    const code = denialReasonCode(event.reason);
    const reasonKey = state.reasons.has(code) || state.reasons.size < MAX_REASONS_PER_FEATURE ? code : OTHER_REASON;
    state.reasons.set(reasonKey, (state.reasons.get(reasonKey) ?? 0) + 1);

    const retry = retryState(featureId, userId);
    const denial: PendingDenial = {
      at: now,
      retry,
      state,
      resolved: false,
      vendor: event.vendor,
      feature: event.feature,
      user: event.user,
      host: event.host,
      line: event.line,
      ordinal: ordinalOf(denialCounts, waitingKey(state, featureId, userId, hostId), event),
      reason: event.reason,
    };
    if (retry.lastCheckoutAt === now) {
      state.retriedDenials++;
      denial.resolved = true;
      settle(denial, true);
      return;
    }
    pendingQueue.push(denial);
    pendingCount++;
    retry.pending.push(denial);
  }

  function push(event: UsageEvent): void {
    if (finished) throw new Error('the analyser has finished; create a new one for more events');
    events++;
    const at = event.at;
    if (!Number.isFinite(at)) {
      diagnose(event.line, 'event without a valid time ignored');
      return;
    }
    if (at > now) {
      endInstant();
      if (checkoutCounts.size > 0) checkoutCounts.clear();
      if (denialCounts.size > 0) denialCounts.clear();
      now = at;
      nowDay = zone.localDay(at);
      firstAt ??= at;
      expireDenials(at);
    } else if (at < now) {
      outOfOrder++;
      diagnose(event.line, `event earlier than the one before it, taken at ${zone.formatIso(now)}`);
    }

    const kind = event.kind;
    if (kind === 'restart') {
      restart(event, event.vendor === '' ? null : nameId(event.vendor));
      return;
    }
    const featureId = nameId(event.feature);
    const state = featureState(event.vendor, event.feature, nameId(event.vendor), featureId);
    const userId = nameId(event.user);
    switch (kind) {
      case 'checkout':
        checkout(event, state, featureId, userId, nameId(event.host));
        break;
      case 'checkin':
        checkin(event, state, featureId, userId, nameId(event.host));
        break;
      case 'denied':
        denied(event, state, featureId, userId, nameId(event.host));
        break;
      case 'queued':
        state.queued++;
        break;
      case 'dequeued':
        state.dequeued++;
        break;
      default:
        diagnose(event.line, `unknown event kind ${String((event as { kind: unknown }).kind)} ignored`);
    }
  }

  function finish(): AnalysisResult {
    if (finished) throw new Error('the analyser has already finished');
    endInstant();
    finished = true;
    expireDenials(Number.POSITIVE_INFINITY);

    const stillOpen: OpenCheckout[] = [];
    for (const byFeature of features.values()) for (const state of byFeature.values()) takeOpen(state, stillOpen);
    stillOpen.sort((a, b) => a.seq - b.seq);
    for (const session of stillOpen) {
      session.state.openAtEnd++;
      close(session, now, 'end-of-input');
    }

    const all: FeatureState[] = [];
    for (const byFeature of features.values()) all.push(...byFeature.values());
    all.sort((a, b) => compareNames(a.vendor, b.vendor) || compareNames(a.feature, b.feature));
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
      dailyUsers[dayKey(day)] = state.days.get(day)?.size ?? 0;
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
      features: featureCount,
      users: users.size,
      userDays: userDayCount,
    };
  }

  /** Every open check-out, oldest first, left open. */
  function collectOpen(): OpenCheckout[] {
    const all: OpenCheckout[] = [];
    for (const byFeature of features.values()) {
      for (const state of byFeature.values()) {
        for (const head of state.open.values()) for (let link: OpenCheckout | null = head; link; link = link.next) all.push(link);
      }
    }
    return all.sort((a, b) => a.seq - b.seq);
  }

  function openSessions(): UsageSession[] {
    return collectOpen().map((session) => sessionOut(session, now, 'open'));
  }

  function checkpoint(): AnalyserCheckpoint {
    if (finished) throw new Error('the analyser has finished; there is nothing to resume');
    const levels: AnalyserCheckpoint['levels'] = [];
    for (const byFeature of features.values()) {
      for (const state of byFeature.values()) {
        const { level, started, endedBefore, endedSameInstant } = state;
        if (level !== 0 || started !== 0 || endedBefore !== 0 || endedSameInstant !== 0) {
          levels.push({ vendor: state.vendor, feature: state.feature, level, started, endedBefore, endedSameInstant });
        }
      }
    }
    const waitingOut: AnalyserCheckpoint['waiting'] = [];
    for (const list of waiting.values()) {
      for (const entry of list) {
        const { vendor, feature, user, host, line, reason } = entry;
        waitingOut.push(reason === undefined ? { vendor, feature, user, host, line } : { vendor, feature, user, host, line, reason });
      }
    }
    const counts = (map: Map<string, InstantCount>): CheckpointCount[] =>
      [...map.values()].map(({ vendor, feature, user, host, count }) => ({ vendor, feature, user, host, count }));
    const checkedOutNow: AnalyserCheckpoint['checkedOutNow'] = [];
    for (const [featureId, byUser] of retries) {
      for (const [userId, retry] of byUser) {
        if (retry.lastCheckoutAt === now) checkedOutNow.push({ feature: idNames[featureId] as string, user: idNames[userId] as string });
      }
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
      open: collectOpen().map(({ vendor, feature, user, host, start, seats, line, ordinal }) => ({ vendor, feature, user, host, start, seats, line, ordinal })),
      levels,
      waiting: waitingOut,
      checkoutCounts: counts(checkoutCounts),
      denialCounts: counts(denialCounts),
      checkedOutNow,
      pendingDenials,
    };
  }

  /** Takes up the state of a checkpoint (see UsageAnalyserOptions.resumeFrom). */
  function resume(from: AnalyserCheckpoint): void {
    if ((from as { version?: unknown }).version !== 1) {
      throw new RangeError(`unsupported analyser checkpoint version ${String((from as { version?: unknown }).version)}`);
    }
    if (from.now === null) return;
    now = from.now;
    nowDay = zone.localDay(now);
    const stateOf = (vendor: string, feature: string) => featureState(vendor, feature, nameId(vendor), nameId(feature));
    for (const entry of from.levels) {
      const state = stateOf(entry.vendor, entry.feature);
      state.level = entry.level;
      state.started = entry.started;
      state.endedBefore = entry.endedBefore;
      state.endedSameInstant = entry.endedSameInstant;
      if (state.started !== 0 || state.endedBefore !== 0 || state.endedSameInstant !== 0) touch(state);
    }
    for (const entry of from.open) {
      const state = stateOf(entry.vendor, entry.feature);
      const userId = nameId(entry.user);
      const session: OpenCheckout = {
        seq: seq++,
        state,
        vendor: entry.vendor,
        feature: entry.feature,
        user: entry.user,
        userId,
        host: entry.host,
        start: entry.start,
        startDay: zone.localDay(entry.start),
        seats: entry.seats,
        line: entry.line,
        ordinal: entry.ordinal,
        next: null,
        tail: null,
      };
      openCount++;
      users.add(userId);
      const key = openKey(userId, nameId(entry.host));
      const head = state.open.get(key);
      if (head) {
        (head.tail ?? head).next = session;
        head.tail = session;
      } else {
        state.open.set(key, session);
      }
    }
    for (const entry of from.waiting) {
      const state = stateOf(entry.vendor, entry.feature);
      const key = waitingKey(state, nameId(entry.feature), nameId(entry.user), nameId(entry.host));
      let list = waiting.get(key);
      if (!list) {
        list = new Fifo();
        waiting.set(key, list);
      }
      list.push({ state, vendor: entry.vendor, feature: entry.feature, user: entry.user, host: entry.host, line: entry.line, reason: entry.reason });
    }
    const restoreCounts = (entries: CheckpointCount[], into: Map<string, InstantCount>) => {
      for (const { vendor, feature, user, host, count } of entries) {
        const state = stateOf(vendor, feature);
        into.set(waitingKey(state, nameId(feature), nameId(user), nameId(host)), { vendor, feature, user, host, count });
      }
    };
    restoreCounts(from.checkoutCounts, checkoutCounts);
    restoreCounts(from.denialCounts, denialCounts);
    for (const { feature, user } of from.checkedOutNow) retryState(nameId(feature), nameId(user)).lastCheckoutAt = now;
    for (const entry of from.pendingDenials) {
      const state = stateOf(entry.vendor, entry.feature);
      const retry = retryState(nameId(entry.feature), nameId(entry.user));
      const denial: PendingDenial = {
        at: entry.at,
        retry,
        state,
        resolved: false,
        vendor: entry.vendor,
        feature: entry.feature,
        user: entry.user,
        host: entry.host,
        line: entry.line,
        ordinal: entry.ordinal,
        reason: entry.reason,
      };
      pendingQueue.push(denial);
      retry.pending.push(denial);
      pendingCount++;
    }
  }

  if (options.resumeFrom !== undefined) resume(options.resumeFrom);

  return { push, finish, stats, openSessions, checkpoint };
}

/** A queue with O(1) amortised shift, whatever its length (Array.prototype.shift copies long arrays). */
class Fifo<T> {
  private items: T[] = [];
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

/** One number for a (user, host) pair: exact while there are fewer than 2^26 distinct names. */
function openKey(userId: number, hostId: number): number {
  return userId * 67_108_864 + hostId;
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
