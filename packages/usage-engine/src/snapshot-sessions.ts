/**
 * Sessions from consecutive status snapshots (periodic polls of lmstat, rlmstat or lmxendutil), for servers
 * whose logs cannot be read.
 *
 * What must stay true:
 * - A user line (vendor, feature, user, host, start, seats) first seen opens a session: its start is the line's
 *   own start time when the status gives one, else the time of the snapshot. It stays open while later
 *   snapshots of the same feature list it, and is closed — end = the last snapshot time it was seen, closedBy
 *   'snapshot' — by the first later snapshot of that feature that does not.
 * - No data is not absence: a snapshot of a server that is down (`serverDown`), a snapshot that counts seats in
 *   use but lists no users (printed without user lines), and a feature that is simply missing from a poll close
 *   nothing. Snapshots not later than the feature's last one are stale and ignored.
 * - Identical user lines (same user, host and start) are told apart by an ordinal 0, 1, 2 … in order of
 *   appearance when first seen; with `start` it keys the session the same way at every poll. A later poll
 *   matches lines to open sessions with the same seats first, so lines printed in another order keep their
 *   sessions.
 * - Snapshots of one (vendor, feature) at one instant within one push are one poll (several servers or
 *   pools): their user lines are taken together.
 * - Memory is proportional to open sessions (plus one time per feature seen), and the open set goes out as a
 *   JSON-serialisable checkpoint that a new tracker resumes from (the on-prem agent restarts).
 */
import type { FeatureSnapshot, SnapshotUser } from './types.ts';

/** A session seen through snapshots; `end` and `closedBy` are null while it is open. */
export interface SnapshotSession {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  /** Epoch ms: the user line's own start when given, else the first snapshot that listed it. */
  start: number;
  /** Epoch ms of the last snapshot that listed it; null while open. */
  end: number | null;
  seats: number;
  /** Among open sessions with the same vendor, feature, user, host and start: its place, from 0. */
  ordinal: number;
  closedBy: 'snapshot' | null;
}

/** A snapshot as the tracker takes it: a FeatureSnapshot, marked when its server could not be reached. */
export interface TrackedSnapshot extends FeatureSnapshot {
  /** The status command could not reach the server: this snapshot says nothing about who holds a seat. */
  serverDown?: boolean;
}

/** One open session in a checkpoint. */
export interface CheckpointSession {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  start: number;
  /** False when `start` is the first snapshot time (the status printed no start). */
  startKnown: boolean;
  seats: number;
  ordinal: number;
  lastSeen: number;
}

/** The tracker's state: open sessions and each feature's last snapshot time. Survives a JSON round trip. */
export interface SnapshotSessionCheckpoint {
  version: 1;
  features: { vendor: string; feature: string; lastAt: number }[];
  open: CheckpointSession[];
}

export interface SnapshotSessionTrackerOptions {
  /** State saved by `checkpoint()` (possibly by another process). */
  resumeFrom?: SnapshotSessionCheckpoint;
}

export interface SnapshotSessionTracker {
  /**
   * Takes one poll (all snapshots of one status output) or a single snapshot; returns, per feature, the
   * sessions it closed (oldest start first), then those it opened (end null) in the order of their lines.
   */
  push(snapshots: TrackedSnapshot | readonly TrackedSnapshot[]): SnapshotSession[];
  /** The open sessions, oldest feature first; changes nothing. */
  openSessions(): SnapshotSession[];
  /** The state to resume from; a JSON round trip keeps it whole. */
  checkpoint(): SnapshotSessionCheckpoint;
  /** Number of open sessions. */
  readonly size: number;
}

interface Open {
  user: string;
  host: string;
  start: number;
  startKnown: boolean;
  seats: number;
  ordinal: number;
  lastSeen: number;
}

interface FeatureState {
  vendor: string;
  feature: string;
  lastAt: number;
  /** Open sessions by identity (user, host, start or "unknown start"). */
  open: Map<string, Open[]>;
}

const SEP = '\u0000';

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function identity(user: string, host: string, start: number | undefined): string {
  return `${user}${SEP}${host}${SEP}${start === undefined ? '?' : String(start)}`;
}

/** Creates a tracker; `resumeFrom` restores a checkpoint (a TypeError names what is wrong with a bad one). */
export function createSnapshotSessionTracker(options: SnapshotSessionTrackerOptions = {}): SnapshotSessionTracker {
  const features = new Map<string, FeatureState>();
  let size = 0;

  function state(vendor: string, feature: string): FeatureState {
    const key = `${vendor}${SEP}${feature}`;
    let found = features.get(key);
    if (found === undefined) {
      found = { vendor, feature, lastAt: Number.NEGATIVE_INFINITY, open: new Map() };
      features.set(key, found);
    }
    return found;
  }

  function session(f: FeatureState, o: Open, end: number | null): SnapshotSession {
    return {
      vendor: f.vendor,
      feature: f.feature,
      user: o.user,
      host: o.host,
      start: o.start,
      end,
      seats: o.seats,
      ordinal: o.ordinal,
      closedBy: end === null ? null : 'snapshot',
    };
  }

  if (options.resumeFrom !== undefined) restore(options.resumeFrom);

  function restore(cp: SnapshotSessionCheckpoint): void {
    if (cp === null || typeof cp !== 'object' || cp.version !== 1 || !Array.isArray(cp.features) || !Array.isArray(cp.open)) {
      throw new TypeError('resumeFrom is not a snapshot-session checkpoint (version 1)');
    }
    for (const f of cp.features) {
      if (typeof f?.vendor !== 'string' || typeof f.feature !== 'string' || !Number.isFinite(f.lastAt)) throw new TypeError('resumeFrom: a feature entry is malformed');
      state(f.vendor, f.feature).lastAt = f.lastAt;
    }
    for (const s of cp.open) {
      const ok =
        typeof s?.vendor === 'string' &&
        typeof s.feature === 'string' &&
        typeof s.user === 'string' &&
        typeof s.host === 'string' &&
        Number.isFinite(s.start) &&
        typeof s.startKnown === 'boolean' &&
        Number.isFinite(s.seats) &&
        Number.isInteger(s.ordinal) &&
        s.ordinal >= 0 &&
        Number.isFinite(s.lastSeen);
      if (!ok) throw new TypeError('resumeFrom: an open session is malformed');
      const f = state(s.vendor, s.feature);
      const key = identity(s.user, s.host, s.startKnown ? s.start : undefined);
      const list = f.open.get(key) ?? [];
      list.push({ user: s.user, host: s.host, start: s.start, startKnown: s.startKnown, seats: s.seats, ordinal: s.ordinal, lastSeen: s.lastSeen });
      list.sort((a, b) => a.ordinal - b.ordinal);
      f.open.set(key, list);
      size++;
    }
  }

  /** One poll of one feature: its user lines, in order, at `at`. Closed sessions go first, oldest first. */
  function poll(f: FeatureState, at: number, users: readonly SnapshotUser[], result: SnapshotSession[]): void {
    const out: SnapshotSession[] = [];
    const groups = new Map<string, SnapshotUser[]>();
    for (const u of users) {
      const start = u.startedAt !== undefined && Number.isFinite(u.startedAt) ? u.startedAt : undefined;
      const key = identity(u.user, u.host, start);
      const list = groups.get(key);
      if (list === undefined) groups.set(key, [u]);
      else list.push(u);
    }
    const opened: Open[] = [];
    // Sessions whose user lines are gone.
    for (const [key, sessions] of f.open) {
      if (groups.has(key)) continue;
      for (const o of sessions) out.push(session(f, o, o.lastSeen));
      size -= sessions.length;
      f.open.delete(key);
    }
    for (const [key, lines] of groups) {
      const sessions = f.open.get(key) ?? [];
      // Same seats first, lowest ordinal first; then whatever is left, in order. Buckets keep it linear.
      const matched = new Set<Open>();
      const bySeats = new Map<number, Open[]>();
      for (const o of sessions) {
        const bucket = bySeats.get(o.seats);
        if (bucket === undefined) bySeats.set(o.seats, [o]);
        else bucket.push(o);
      }
      const taken = new Map<number, number>();
      const pending: SnapshotUser[] = [];
      for (const line of lines) {
        const bucket = bySeats.get(line.seats);
        const i = taken.get(line.seats) ?? 0;
        if (bucket !== undefined && i < bucket.length) {
          matched.add(bucket[i] as Open);
          taken.set(line.seats, i + 1);
        } else {
          pending.push(line);
        }
      }
      const unmatched: SnapshotUser[] = [];
      let cursor = 0;
      for (const line of pending) {
        while (cursor < sessions.length && matched.has(sessions[cursor] as Open)) cursor++;
        if (cursor < sessions.length) matched.add(sessions[cursor++] as Open);
        else unmatched.push(line);
      }
      const kept: Open[] = [];
      for (const o of sessions) {
        if (matched.has(o)) {
          o.lastSeen = at;
          kept.push(o);
        } else {
          out.push(session(f, o, o.lastSeen));
          size--;
        }
      }
      const used = new Set(kept.map((o) => o.ordinal));
      const first = unmatched[0];
      if (first !== undefined) {
        // Lines of one group share their start. A session whose start is a snapshot time may meet one whose
        // line printed that same start: the ordinal keeps them apart downstream too.
        const known = first.startedAt !== undefined && Number.isFinite(first.startedAt);
        const start = known ? (first.startedAt as number) : at;
        const other = f.open.get(known ? identity(first.user, first.host, undefined) : identity(first.user, first.host, at));
        for (const o of other ?? []) if (o.start === start) used.add(o.ordinal);
      }
      let next = 0;
      for (const line of unmatched) {
        const known = line.startedAt !== undefined && Number.isFinite(line.startedAt);
        const start = known ? (line.startedAt as number) : at;
        while (used.has(next)) next++;
        used.add(next);
        const o: Open = {
          user: line.user,
          host: line.host,
          start,
          startKnown: known,
          seats: Number.isFinite(line.seats) && line.seats > 0 ? line.seats : 1,
          ordinal: next,
          lastSeen: at,
        };
        kept.push(o);
        opened.push(o);
        size++;
      }
      kept.sort((a, b) => a.ordinal - b.ordinal);
      if (kept.length === 0) f.open.delete(key);
      else f.open.set(key, kept);
    }
    out.sort((a, b) => a.start - b.start || compare(a.user, b.user) || compare(a.host, b.host) || a.ordinal - b.ordinal);
    result.push(...out);
    for (const o of opened) result.push(session(f, o, null));
  }

  return {
    push(input: TrackedSnapshot | readonly TrackedSnapshot[]): SnapshotSession[] {
      const list = (Array.isArray(input) ? input : [input]) as readonly TrackedSnapshot[];
      // One poll per (vendor, feature, instant): user lines of several servers or pools taken together.
      const polls = new Map<string, { vendor: string; feature: string; at: number; inUse: number; users: SnapshotUser[]; down: boolean }>();
      for (const s of list) {
        if (!Number.isFinite(s.at)) continue;
        const key = `${s.vendor}${SEP}${s.feature}${SEP}${s.at}`;
        const p = polls.get(key);
        if (p === undefined) polls.set(key, { vendor: s.vendor, feature: s.feature, at: s.at, inUse: s.inUse, users: [...s.users], down: s.serverDown === true });
        else {
          p.inUse += s.inUse;
          p.users.push(...s.users);
          p.down ||= s.serverDown === true;
        }
      }
      const out: SnapshotSession[] = [];
      for (const p of [...polls.values()].sort((a, b) => a.at - b.at)) {
        // A server that is down, or a count without its user lines, tells nothing about who holds a seat.
        if (p.down) continue;
        const f = state(p.vendor, p.feature);
        if (p.at <= f.lastAt) continue;
        f.lastAt = p.at;
        if (p.users.length === 0 && p.inUse > 0) continue;
        poll(f, p.at, p.users, out);
      }
      return out;
    },
    openSessions(): SnapshotSession[] {
      const out: SnapshotSession[] = [];
      for (const f of features.values()) for (const sessions of f.open.values()) for (const o of sessions) out.push(session(f, o, null));
      return out;
    },
    checkpoint(): SnapshotSessionCheckpoint {
      const cp: SnapshotSessionCheckpoint = { version: 1, features: [], open: [] };
      for (const f of features.values()) {
        if (f.lastAt !== Number.NEGATIVE_INFINITY) cp.features.push({ vendor: f.vendor, feature: f.feature, lastAt: f.lastAt });
        for (const sessions of f.open.values()) {
          for (const o of sessions) cp.open.push({ vendor: f.vendor, feature: f.feature, user: o.user, host: o.host, start: o.start, startKnown: o.startKnown, seats: o.seats, ordinal: o.ordinal, lastSeen: o.lastSeen });
        }
      }
      return cp;
    },
    get size(): number {
      return size;
    },
  };
}
