/**
 * Small random inputs from a seeded generator, rolled up and compared with a brute-force reference that
 * evaluates every bucket at every instant where anything can change, with local midnights found by asking
 * Intl directly (not through the zone clock the roll-up uses).
 */
import { describe, expect, it } from 'vitest';
import {
  rollupUsage,
  type DayRollup,
  type HourRollup,
  type PersonDayRollup,
  type RollupDenial,
  type RollupResult,
  type RollupSession,
  type RollupWindow,
} from './rollup.ts';
import { createSeededRandom } from './seeded-random.ts';

const SECOND = 1000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const ZONES = ['Europe/Madrid', 'America/New_York', 'UTC', 'Asia/Kolkata'];
const USERS = ['ana', 'bob', 'chloe', 'dan'];
/** Days around both zones' daylight-saving changes, and an ordinary one. */
const SCENARIOS = ['2024-03-10', '2024-03-31', '2024-10-27', '2024-11-03', '2024-06-12'];

const formats = new Map<string, Intl.DateTimeFormat>();
/** YYYY-MM-DD of `at` in `timeZone`, straight from Intl. */
function localDate(at: number, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(timeZone, format);
  }
  return format.format(at);
}

const dayStartCache = new Map<string, number>();
/** The first instant whose local date in `timeZone` is `day` or later, by bisection over milliseconds. */
function dayStart(day: string, timeZone: string): number {
  const key = `${timeZone} ${day}`;
  const cached = dayStartCache.get(key);
  if (cached !== undefined) return cached;
  let low = Date.parse(`${day}T00:00:00Z`) - 16 * HOUR; // local date before `day`
  let high = low + 32 * HOUR; // local date `day` or later
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (localDate(mid, timeZone) >= day) high = mid;
    else low = mid;
  }
  dayStartCache.set(key, high);
  return high;
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

function held(s: RollupSession, t: number): boolean {
  return s.start === s.end ? t === s.start : s.start <= t && t < s.end;
}

function overlap(s: RollupSession, from: number, to: number): number {
  return Math.max(0, Math.min(s.end, to) - Math.max(s.start, from));
}

/** The brute-force reference. */
function reference(sessions: RollupSession[], denials: RollupDenial[], window: RollupWindow): RollupResult {
  const instants = new Set<number>();
  for (const s of sessions) {
    instants.add(s.start);
    instants.add(s.end);
  }

  const hours: HourRollup[] = [];
  for (let hour = window.hoursFrom; hour < window.hoursTo; hour += HOUR) {
    const candidates = [hour, ...[...instants].filter((t) => t > hour && t < hour + HOUR)].sort((a, b) => a - b);
    let peak = 0;
    let peakAt: number | null = null;
    for (const t of candidates) {
      const level = sessions.reduce((sum, s) => sum + (held(s, t) ? s.seats : 0), 0);
      if (level > peak) {
        peak = level;
        peakAt = t;
      }
    }
    const inHour = denials.filter((d) => d.at >= hour && d.at < hour + HOUR);
    hours.push({
      hour,
      peak,
      peakAt,
      seatMs: sessions.reduce((sum, s) => sum + s.seats * overlap(s, hour, hour + HOUR), 0),
      denials: inHour.length,
      retriedDenials: inHour.filter((d) => d.retried).length,
    });
  }

  const days: DayRollup[] = [];
  const personDays: PersonDayRollup[] = [];
  for (let day = window.daysFrom; day <= window.daysTo; day = addDays(day, 1)) {
    const from = (zone: string) => dayStart(day, zone);
    const to = (zone: string) => dayStart(addDays(day, 1), zone);
    const inDay = (s: RollupSession, t: number) => held(s, t) && t >= from(s.timeZone) && t < to(s.timeZone);
    const candidates = new Set(instants);
    for (const zone of ZONES) {
      candidates.add(from(zone));
      candidates.add(to(zone));
    }
    let peak = 0;
    let peakAt: number | null = null;
    for (const t of [...candidates].sort((a, b) => a - b)) {
      const level = sessions.reduce((sum, s) => sum + (inDay(s, t) ? s.seats : 0), 0);
      if (level > peak) {
        peak = level;
        peakAt = t;
      }
    }
    const touches = (s: RollupSession) => (s.start === s.end ? inDay(s, s.start) : overlap(s, from(s.timeZone), to(s.timeZone)) > 0);
    const users = [...new Set(sessions.filter(touches).map((s) => s.userId))].sort();
    for (const userId of users) {
      const mine = sessions.filter((s) => s.userId === userId && touches(s));
      personDays.push({
        userId,
        day,
        seatMs: mine.reduce((sum, s) => sum + s.seats * overlap(s, from(s.timeZone), to(s.timeZone)), 0),
        sessions: mine.filter((s) => localDate(s.start, s.timeZone) === day).length,
        idleCheckins: mine.filter((s) => s.idle && localDate(s.end > s.start ? s.end - 1 : s.start, s.timeZone) === day).length,
        lastUsedAt: Math.max(...mine.map((s) => Math.min(s.end, to(s.timeZone)))),
      });
    }
    const dayDenials = denials.filter((d) => localDate(d.at, d.timeZone) === day);
    days.push({
      day,
      users: users.length,
      peak,
      peakAt,
      seatMs: sessions.reduce((sum, s) => sum + s.seats * overlap(s, from(s.timeZone), to(s.timeZone)), 0),
      denials: dayDenials.length,
      retriedDenials: dayDenials.filter((d) => d.retried).length,
    });
  }
  return { hours, days, personDays };
}

interface Case {
  sessions: RollupSession[];
  denials: RollupDenial[];
  window: RollupWindow;
}

function generate(seed: number): Case {
  const random = createSeededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (n: number) => Math.floor(random() * n);
  const scenario = pick(SCENARIOS);
  const base = Date.parse(`${scenario}T00:00:00Z`);
  const zones = random() < 0.5 ? [pick(ZONES)] : ZONES.filter(() => random() < 0.6);
  if (zones.length === 0) zones.push('Europe/Madrid');

  // Instants that coincide on purpose: local midnights, UTC hours, and earlier starts and ends.
  const pool: number[] = [];
  for (const zone of ZONES) for (let d = -1; d <= 2; d++) pool.push(dayStart(addDays(scenario, d), zone));
  const instant = (): number => {
    const roll = random();
    if (roll < 0.3) return pick(pool);
    if (roll < 0.5) return base - DAY + int(96) * HOUR;
    if (roll < 0.8) return base - DAY + int(4 * 24 * 4) * 15 * MIN;
    return base - DAY + int(4 * DAY / SECOND) * SECOND;
  };
  const durations = [0, 0, SECOND, 15 * MIN, HOUR, 3 * HOUR, 9 * HOUR, DAY, 2 * DAY];

  const sessions: RollupSession[] = [];
  const count = 1 + int(25);
  for (let i = 0; i < count; i++) {
    const start = instant();
    const roll = random();
    const end = roll < 0.25 ? start : roll < 0.45 ? Math.max(start, pick(pool)) : start + pick(durations) + (random() < 0.3 ? int(3600) * SECOND : 0);
    sessions.push({ start, end, seats: random() < 0.7 ? 1 : 2 + int(3), userId: pick(USERS), timeZone: pick(zones), idle: random() < 0.3 });
    pool.push(start, end);
  }
  const denials: RollupDenial[] = [];
  for (let i = int(6); i > 0; i--) denials.push({ at: instant(), retried: random() < 0.5, timeZone: pick(zones) });

  const hoursFrom = base + (int(48) - 30) * HOUR;
  const daysFrom = addDays(scenario, int(3) - 1);
  return {
    sessions,
    denials,
    window: { hoursFrom, hoursTo: hoursFrom + int(60) * HOUR, daysFrom, daysTo: addDays(daysFrom, int(3)) },
  };
}

describe('rollupUsage against brute force', () => {
  it('the reference finds local midnights where Intl says the date changes', () => {
    for (const zone of ZONES) {
      for (const day of SCENARIOS) {
        const start = dayStart(day, zone);
        expect(localDate(start, zone)).toBe(day);
        expect(localDate(start - 1, zone)).toBe(addDays(day, -1));
      }
    }
  });

  it.each(Array.from({ length: 300 }, (_, i) => i + 1))('seed %i: peaks, seat time, users, person-days and denials agree', (seed) => {
    const { sessions, denials, window } = generate(seed);
    const expected = reference(sessions, denials, window);
    expect(rollupUsage(sessions, denials, window)).toEqual(expected);
    // Order does not matter for an array, and a stream in start order gives the same rows.
    const sorted = [...sessions].sort((a, b) => a.start - b.start);
    expect(rollupUsage([...sessions].reverse(), denials, window)).toEqual(expected);
    expect(rollupUsage(sorted.values(), denials, window)).toEqual(expected);
  });

  it('day rows over a range hold exactly the seat time of the sessions inside it, whatever the zones', () => {
    for (let seed = 1000; seed < 1040; seed++) {
      const { sessions } = generate(seed);
      const window: RollupWindow = {
        hoursFrom: Date.parse('2024-01-01T00:00:00Z'),
        hoursTo: Date.parse('2025-01-01T00:00:00Z'),
        daysFrom: '2024-01-01',
        daysTo: '2024-12-31',
      };
      const total = sessions.reduce((sum, s) => sum + s.seats * (s.end - s.start), 0);
      const result = rollupUsage(sessions, [], window);
      const sumOf = (rows: { seatMs: number }[]) => rows.reduce((sum, row) => sum + row.seatMs, 0);
      expect(sumOf(result.hours)).toBe(total);
      expect(sumOf(result.days)).toBe(total);
      expect(sumOf(result.personDays)).toBe(total);
      expect(result.personDays.reduce((sum, p) => sum + p.sessions, 0)).toBe(sessions.length);
      expect(result.personDays.reduce((sum, p) => sum + p.idleCheckins, 0)).toBe(sessions.filter((s) => s.idle).length);
    }
  });
});
