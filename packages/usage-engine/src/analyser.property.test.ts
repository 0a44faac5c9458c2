/**
 * Random valid event streams from a seeded generator that keeps its own simple model of what must come
 * out; the analyser's sessions and aggregates are checked against that model and against brute force.
 */
import { describe, expect, it } from 'vitest';
import {
  createUsageAnalyser,
  nameSlots,
  type AnalyserCheckpoint,
  type FeatureUsage,
  type UsageAnalyser,
  type UsageAnalyserOptions,
  type UsageDenial,
  type UsageSession,
} from './analyser.ts';
import { createSeededRandom } from './seeded-random.ts';
import type { Diagnostic, UsageEvent } from './types.ts';

const TIME_ZONE = 'Europe/Madrid';
const RETRY_WINDOW_MS = 120_000;

const VENDORS: Record<string, string[]> = { MLM: ['MATLAB', 'Simulink'], ansyslmd: ['cfd_base', 'struct'] };
const USERS = ['alice', 'bob', 'Chloé', 'd.evans', 'erin smith', 'frank'];
const HOSTS = ['pc1', 'pc2', 'LAB-03'];
/**
 * Gaps between events: many equal instants, seconds, the retry window's edge, hours over nights and the DST
 * change, and NEXT_HOUR (to the next whole hour, so that sessions end exactly at local midnight).
 */
const NEXT_HOUR = -1;
const GAPS_MS = [0, 0, 0, 0, 1_000, 1_000, 5_000, 60_000, 120_000, 121_000, 600_000, 3_600_000, 5 * 3_600_000, NEXT_HOUR];

interface Expected {
  vendor: string;
  feature: string;
  seats: number;
  end: number;
  closedBy: UsageSession['closedBy'];
}

interface Generated {
  events: UsageEvent[];
  /** By check-out line. */
  sessions: Map<number, Expected>;
  /** Per "vendor/feature": stray check-ins. */
  strays: Map<string, number>;
}

function generate(seed: number, count: number): Generated {
  const random = createSeededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const scrambleCase = (text: string) =>
    [...text].map((c) => (random() < 0.3 ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('');

  const events: UsageEvent[] = [];
  const sessions = new Map<number, Expected>();
  const strays = new Map<string, number>();
  const open = new Map<string, { line: number; vendor: string; feature: string; user: string; host: string }[]>();
  let at = Date.parse('2022-10-28T06:00:00Z');
  let line = 0;
  let lastCheckout = '';

  for (let i = 0; i < count; i++) {
    const gap = pick(GAPS_MS);
    at = gap === NEXT_HOUR ? (Math.floor(at / 3_600_000) + 1) * 3_600_000 : at + gap;
    line++;
    const roll = random();
    const vendor = pick(Object.keys(VENDORS));
    const feature = pick(VENDORS[vendor] ?? []);
    const base = { at, line, vendor, feature, user: pick(USERS), host: pick(HOSTS), seats: 1 };
    const openKeys = [...open.keys()];
    if (roll < 0.4) {
      const seats = random() < 0.2 ? 1 + Math.floor(random() * 4) : 1;
      events.push({ ...base, kind: 'checkout', seats });
      sessions.set(line, { vendor, feature, seats, end: Number.NaN, closedBy: 'end-of-input' });
      const key = [vendor, feature, base.user, base.host].join('|').toLowerCase();
      const list = open.get(key) ?? [];
      list.push({ line, vendor, feature, user: base.user, host: base.host });
      open.set(key, list);
      lastCheckout = key;
    } else if (roll < 0.75 && openKeys.length > 0) {
      // Now and then the check-out just made, so sessions of one instant occur.
      const key = random() < 0.25 && open.has(lastCheckout) ? lastCheckout : pick(openKeys);
      const list = open.get(key) ?? [];
      const oldest = list.shift();
      if (list.length === 0) open.delete(key);
      if (!oldest) throw new Error('empty open list');
      events.push({
        ...base,
        kind: 'checkin',
        vendor: oldest.vendor,
        feature: scrambleCase(oldest.feature),
        user: scrambleCase(oldest.user),
        host: scrambleCase(oldest.host),
      });
      const expected = sessions.get(oldest.line);
      if (expected) Object.assign(expected, { end: at, closedBy: 'checkin' });
    } else if (roll < 0.78) {
      // A user who never checks anything out: always an anomaly.
      events.push({ ...base, kind: 'checkin', user: 'ghost' });
      strays.set(`${vendor}/${feature}`, (strays.get(`${vendor}/${feature}`) ?? 0) + 1);
    } else if (roll < 0.8) {
      events.push({ ...base, kind: 'restart', feature: '', user: '', host: '' });
      for (const [key, list] of open) {
        if (!key.startsWith(`${vendor.toLowerCase()}|`)) continue;
        for (const entry of list) {
          const expected = sessions.get(entry.line);
          if (expected) Object.assign(expected, { end: at, closedBy: 'restart' });
        }
        open.delete(key);
      }
    } else if (roll < 0.95) {
      events.push({ ...base, kind: 'denied', reason: pick(['(-4,342)', '(-9,57)', undefined]) });
    } else {
      events.push({ ...base, kind: random() < 0.5 ? 'queued' : 'dequeued' });
    }
  }
  for (const expected of sessions.values()) if (expected.closedBy === 'end-of-input') expected.end = at;
  return { events, sessions, strays };
}

/** Seats in use at instant t: sessions with start ≤ t < end, and those that started and ended at t. */
function inUseAt(sessions: UsageSession[], t: number): number {
  let seats = 0;
  for (const x of sessions) {
    if ((x.start <= t && t < x.end) || (x.start === t && x.end === t)) seats += x.seats;
  }
  return seats;
}

const localDate = new Intl.DateTimeFormat('sv-SE', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Local dates a session covers, by stepping through it an hour at a time (independent of the analyser's maths). */
function datesCovered(x: UsageSession): string[] {
  const last = x.end > x.start ? x.end - 1 : x.start;
  const dates = new Set<string>();
  for (let t = x.start; t < last; t += 3_600_000) dates.add(localDate.format(t));
  dates.add(localDate.format(last));
  return [...dates];
}

/** Lower-cased "vendor feature user host" of an event or session, as pairing compares them. */
const keyOf = (x: { vendor: string; feature: string; user: string; host: string }) =>
  [x.vendor, x.feature, x.user, x.host].map((name) => name.toLowerCase()).join('\u0000');

function check(seed: number, count: number): void {
  const { events, sessions: expected, strays } = generate(seed, count);
  const sessions: UsageSession[] = [];
  const denials: UsageDenial[] = [];
  const analyser = createUsageAnalyser({ timeZone: TIME_ZONE, onSession: (x) => sessions.push(x), onDenial: (x) => denials.push(x) });
  for (const event of events) analyser.push(event);
  const result = analyser.finish();

  // Ordinals: the number of earlier events of the same kind, key and instant.
  const ordinal = (event: UsageEvent) =>
    events.filter((e) => e.line < event.line && e.kind === event.kind && e.at === event.at && keyOf(e) === keyOf(event)).length;
  const byLine = new Map(events.map((e) => [e.line, e]));
  for (const x of sessions) expect(x.ordinal).toBe(ordinal(byLine.get(x.startLine) as UsageEvent));
  // Every denial is reported once, with its outcome.
  const denied = events.filter((e) => e.kind === 'denied');
  expect(denials.map((d) => d.line).sort((a, b) => a - b)).toEqual(denied.map((e) => e.line));
  for (const d of denials) {
    const event = byLine.get(d.line) as UsageEvent;
    expect(d.ordinal).toBe(ordinal(event));
    const retried = events.some(
      (e) =>
        e.kind === 'checkout' &&
        e.feature.toLowerCase() === event.feature.toLowerCase() &&
        e.user.toLowerCase() === event.user.toLowerCase() &&
        e.at >= event.at &&
        e.at <= event.at + RETRY_WINDOW_MS,
    );
    expect(d.retried).toBe(retried);
  }
  const byName = new Map<string, FeatureUsage>(result.features.map((f) => [`${f.vendor}/${f.feature}`, f]));

  // Every check-out gives exactly one session, paired as the model paired it.
  expect(sessions).toHaveLength(expected.size);
  for (const x of sessions) {
    expect(x.end).toBeGreaterThanOrEqual(x.start);
    expect({ seats: x.seats, end: x.end, closedBy: x.closedBy }).toEqual({
      seats: expected.get(x.startLine)?.seats,
      end: expected.get(x.startLine)?.end,
      closedBy: expected.get(x.startLine)?.closedBy,
    });
  }

  const random = createSeededRandom(seed ^ 0x5eed);
  const first = events[0]?.at ?? 0;
  const last = events.at(-1)?.at ?? 0;
  for (const [name, usage] of byName) {
    const own = sessions.filter((x) => `${x.vendor}/${x.feature}` === name);
    expect(usage.sessions).toBe(own.length);
    expect(usage.openAtEnd).toBe(own.filter((x) => x.closedBy === 'end-of-input').length);
    expect(usage.unmatchedCheckins).toBe(strays.get(name) ?? 0);

    // Seat-hours are the sum over the sessions.
    const seatMs = own.reduce((sum, x) => sum + x.seats * (x.end - x.start), 0);
    expect(usage.seatHours).toBe(Math.round((seatMs / 3_600_000) * 100) / 100);

    // Peak: the largest brute-force count over every instant where something starts, first reached at peakAt.
    const instants = [...new Set(own.map((x) => x.start))].sort((a, b) => a - b);
    let peak = 0;
    let peakAt: number | null = null;
    for (const t of instants) {
      const seats = inUseAt(own, t);
      expect(seats).toBeGreaterThanOrEqual(0);
      if (seats > peak) [peak, peakAt] = [seats, t];
    }
    expect(usage.peak).toBe(peak);
    expect(usage.peakAt === null ? null : Date.parse(usage.peakAt)).toBe(peakAt);
    // … and no sampled instant sees more.
    for (let i = 0; i < 200; i++) {
      expect(inUseAt(own, first + Math.floor(random() * (last - first + 1)))).toBeLessThanOrEqual(usage.peak);
    }

    // Distinct users per local day.
    const days = new Map<string, Set<string>>();
    for (const x of own) {
      for (const date of datesCovered(x)) {
        const users = days.get(date) ?? new Set<string>();
        users.add(x.user.toLowerCase());
        days.set(date, users);
      }
    }
    expect(usage.dailyUsers).toEqual(
      Object.fromEntries([...days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, users]) => [date, users.size])),
    );

    // Denials: retried when the same user checked out the same feature (any vendor or host) within the window.
    let retried = 0;
    let denials = 0;
    for (const d of events) {
      if (d.kind !== 'denied' || `${d.vendor}/${d.feature}` !== name) continue;
      const retry = events.some(
        (e) =>
          e.kind === 'checkout' &&
          e.feature.toLowerCase() === d.feature.toLowerCase() &&
          e.user.toLowerCase() === d.user.toLowerCase() &&
          e.at >= d.at &&
          e.at <= d.at + RETRY_WINDOW_MS,
      );
      if (retry) retried++;
      else denials++;
    }
    expect([usage.denials, usage.retriedDenials]).toEqual([denials, retried]);
    expect(Object.values(usage.denialReasons).reduce((a, b) => a + b, 0)).toBe(denials + retried);
  }
  expect(analyser.stats()).toMatchObject({ openCheckouts: 0, pendingDenials: 0 });
}

describe('random valid event streams (seeded)', () => {
  for (const seed of [1, 2, 3, 42, 1234, 99_991, 20_221_030, 7, 8, 9]) {
    it(`seed ${seed}: pairing, peaks, seat-hours, daily users and denials agree with the model`, () => {
      check(seed, 1_500);
    });
  }
});

interface Outputs {
  sessions: UsageSession[];
  denials: UsageDenial[];
  diagnostics: Diagnostic[];
  open: UsageSession[][];
}

/** Pushes `events`, stopping after each index in `stops` to checkpoint, round-trip through JSON and resume. */
function runWithStops(events: UsageEvent[], stops: Set<number>, resume: boolean): Outputs {
  const out: Outputs = { sessions: [], denials: [], diagnostics: [], open: [] };
  const options: UsageAnalyserOptions = {
    timeZone: TIME_ZONE,
    onSession: (x) => out.sessions.push(x),
    onDenial: (x) => out.denials.push(x),
    onDiagnostic: (x) => out.diagnostics.push(x),
  };
  let analyser: UsageAnalyser = createUsageAnalyser(options);
  events.forEach((event, i) => {
    analyser.push(event);
    if (!stops.has(i)) return;
    out.open.push(analyser.openSessions());
    if (resume) {
      const checkpoint = JSON.parse(JSON.stringify(analyser.checkpoint())) as AnalyserCheckpoint;
      analyser = createUsageAnalyser({ ...options, resumeFrom: checkpoint });
    }
  });
  analyser.finish();
  return out;
}

describe('checkpoint and resume (seeded streams)', () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`seed ${seed}: resuming at random points, and after every event, gives the same sessions, denials and diagnostics`, () => {
      const { events } = generate(seed, 1_500);
      const next = createSeededRandom(seed ^ 0xc0ffee);
      const some = new Set(events.map((_, i) => i).filter(() => next() < 0.05));
      expect(runWithStops(events, some, true)).toEqual(runWithStops(events, some, false));
      const every = new Set(events.map((_, i) => i));
      expect(runWithStops(events, every, true)).toEqual(runWithStops(events, every, false));
    });
  }
});

describe('name-slot hints from parsers (nameSlots)', () => {
  it('change nothing when they are wrong, stale or shared between names', () => {
    for (const seed of [5, 6, 7]) {
      const { events } = generate(seed, 1_500);
      const run = (hint: (event: UsageEvent, i: number) => [number, number, number] | null) => {
        const sessions: UsageSession[] = [];
        const denials: UsageDenial[] = [];
        const diagnostics: Diagnostic[] = [];
        const analyser = createUsageAnalyser({
          timeZone: TIME_ZONE,
          onSession: (x) => sessions.push(x),
          onDenial: (x) => denials.push(x),
          onDiagnostic: (x) => diagnostics.push(x),
        });
        events.forEach((event, i) => {
          const slots = hint(event, i);
          if (slots) [nameSlots.feature, nameSlots.user, nameSlots.host] = slots;
          analyser.push(event);
          nameSlots.feature = nameSlots.user = nameSlots.host = -1;
        });
        return { sessions, denials, diagnostics, result: analyser.finish() };
      };
      const plain = run(() => null);
      const next = createSeededRandom(seed);
      // A few slots for many names (collisions), huge and negative slots, and the same slot for user and host.
      const slot = () => [Math.floor(next() * 4), 1 << 30, -5, Math.floor(next() * 10_000)][Math.floor(next() * 4)] as number;
      expect(run(() => [slot(), slot(), slot()])).toEqual(plain);
      expect(run(() => [0, 0, 0])).toEqual(plain);
    }
  });
});
