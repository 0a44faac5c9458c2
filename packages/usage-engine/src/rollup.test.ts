import { describe, expect, it } from 'vitest';
import {
  rollupUsage,
  type DayRollup,
  type HourRollup,
  type PersonDayRollup,
  type RollupDenial,
  type RollupSession,
  type RollupWindow,
} from './rollup.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

/** A one-seat, non-idle session of alice in UTC unless said otherwise. */
function session(start: string, end: string, fields: Partial<RollupSession> = {}): RollupSession {
  return { start: at(start), end: at(end), seats: 1, userId: 'alice', timeZone: 'UTC', idle: false, ...fields };
}

function window(hoursFrom: string, hoursTo: string, daysFrom: string, daysTo = daysFrom): RollupWindow {
  return { hoursFrom: at(hoursFrom), hoursTo: at(hoursTo), daysFrom, daysTo };
}

function hourAt(hours: HourRollup[], iso: string): HourRollup {
  const hour = hours.find((h) => h.hour === at(iso));
  if (!hour) throw new Error(`no hour ${iso}`);
  return hour;
}

function dayOf(days: DayRollup[], day: string): DayRollup {
  const found = days.find((d) => d.day === day);
  if (!found) throw new Error(`no day ${day}`);
  return found;
}

const sum = (rows: { seatMs: number }[]) => rows.reduce((total, row) => total + row.seatMs, 0);

describe('rollupUsage: hours', () => {
  it('emits every hour of the window, zeros included', () => {
    const { hours, days, personDays } = rollupUsage([], [], window('2024-01-15T00:00:00Z', '2024-01-15T03:00:00Z', '2024-01-15'));
    expect(hours).toEqual([0, 1, 2].map((i) => ({ hour: at('2024-01-15T00:00:00Z') + i * HOUR, peak: 0, peakAt: null, seatMs: 0, denials: 0, retriedDenials: 0 })));
    expect(days).toEqual([{ day: '2024-01-15', users: 0, peak: 0, peakAt: null, seatMs: 0, denials: 0, retriedDenials: 0 }]);
    expect(personDays).toEqual([]);
  });

  it('carries the level held into each following hour, with peakAt at the hour start', () => {
    const { hours } = rollupUsage(
      [session('2024-01-15T09:30:00Z', '2024-01-15T11:15:00Z', { seats: 2 })],
      [],
      window('2024-01-15T09:00:00Z', '2024-01-15T13:00:00Z', '2024-01-15'),
    );
    expect(hours.map((h) => [h.peak, h.peakAt, h.seatMs])).toEqual([
      [2, at('2024-01-15T09:30:00Z'), 2 * 30 * MIN],
      [2, at('2024-01-15T10:00:00Z'), 2 * HOUR],
      [2, at('2024-01-15T11:00:00Z'), 2 * 15 * MIN],
      [0, null, 0],
    ]);
  });

  it('frees a seat before taking it in the same instant: a check-in and a check-out at 11:00 count once', () => {
    const { hours } = rollupUsage(
      [session('2024-01-15T10:00:00Z', '2024-01-15T11:00:00Z'), session('2024-01-15T11:00:00Z', '2024-01-15T12:00:00Z', { userId: 'bob' })],
      [],
      window('2024-01-15T10:00:00Z', '2024-01-15T12:00:00Z', '2024-01-15'),
    );
    expect(hours.map((h) => [h.peak, h.peakAt, h.seatMs])).toEqual([
      [1, at('2024-01-15T10:00:00Z'), HOUR],
      [1, at('2024-01-15T11:00:00Z'), HOUR],
    ]);
  });

  it('counts a session ending exactly at the hour start in the hour before only', () => {
    const { hours } = rollupUsage(
      [session('2024-01-15T10:20:00Z', '2024-01-15T11:00:00Z')],
      [],
      window('2024-01-15T10:00:00Z', '2024-01-15T12:00:00Z', '2024-01-15'),
    );
    expect(hours.map((h) => [h.peak, h.peakAt, h.seatMs])).toEqual([
      [1, at('2024-01-15T10:20:00Z'), 40 * MIN],
      [0, null, 0],
    ]);
  });

  it('counts a zero-length session towards the peak at its instant, with no seat time', () => {
    const { hours, days, personDays } = rollupUsage(
      [
        session('2024-01-15T10:00:00Z', '2024-01-15T11:00:00Z'),
        session('2024-01-15T10:30:00Z', '2024-01-15T10:30:00Z', { seats: 3, userId: 'bob', idle: true }),
      ],
      [],
      window('2024-01-15T10:00:00Z', '2024-01-15T11:00:00Z', '2024-01-15'),
    );
    expect(hours[0]).toMatchObject({ peak: 4, peakAt: at('2024-01-15T10:30:00Z'), seatMs: HOUR });
    expect(days[0]).toMatchObject({ users: 2, peak: 4, peakAt: at('2024-01-15T10:30:00Z'), seatMs: HOUR });
    expect(personDays).toEqual([
      { userId: 'alice', day: '2024-01-15', seatMs: HOUR, sessions: 1, idleCheckins: 0, lastUsedAt: at('2024-01-15T11:00:00Z') },
      { userId: 'bob', day: '2024-01-15', seatMs: 0, sessions: 1, idleCheckins: 1, lastUsedAt: at('2024-01-15T10:30:00Z') },
    ]);
  });

  it('releases a zero-length session right after its instant, and after the seats freed at that instant', () => {
    const { hours } = rollupUsage(
      [
        session('2024-01-15T10:00:00Z', '2024-01-15T10:30:00Z', { seats: 2 }),
        session('2024-01-15T10:30:00Z', '2024-01-15T10:30:00Z', { userId: 'bob' }),
        session('2024-01-15T10:30:00Z', '2024-01-15T10:40:00Z', { userId: 'chloe' }),
        session('2024-01-15T10:30:01Z', '2024-01-15T10:50:00Z', { userId: 'dan' }),
      ],
      [],
      window('2024-01-15T10:00:00Z', '2024-01-15T11:00:00Z', '2024-01-15'),
    );
    // 10:00 → 2; 10:30 → 0 + 1 + 1 = 2 (not 4); 10:30:01 → chloe + dan = 2.
    expect(hours[0]).toMatchObject({ peak: 2, peakAt: at('2024-01-15T10:00:00Z') });
  });

  it('counts a zero-length session at the hour start in that hour', () => {
    const { hours } = rollupUsage(
      [session('2024-01-15T11:00:00Z', '2024-01-15T11:00:00Z', { seats: 5 })],
      [],
      window('2024-01-15T10:00:00Z', '2024-01-15T12:00:00Z', '2024-01-15'),
    );
    expect(hours.map((h) => [h.peak, h.peakAt])).toEqual([
      [0, null],
      [5, at('2024-01-15T11:00:00Z')],
    ]);
  });

  it('finds the peak of overlapping sessions with several seats at its first instant', () => {
    const { hours } = rollupUsage(
      [
        session('2024-01-15T10:05:00Z', '2024-01-15T10:50:00Z', { seats: 2 }),
        session('2024-01-15T10:10:00Z', '2024-01-15T10:20:00Z', { seats: 3, userId: 'bob' }),
        session('2024-01-15T10:30:00Z', '2024-01-15T10:40:00Z', { seats: 3, userId: 'chloe' }),
      ],
      [],
      window('2024-01-15T10:00:00Z', '2024-01-15T11:00:00Z', '2024-01-15'),
    );
    expect(hours[0]).toEqual({
      hour: at('2024-01-15T10:00:00Z'),
      peak: 5,
      peakAt: at('2024-01-15T10:10:00Z'),
      seatMs: 2 * 45 * MIN + 3 * 10 * MIN + 3 * 10 * MIN,
      denials: 0,
      retriedDenials: 0,
    });
  });
});

describe('rollupUsage: days and people', () => {
  it('splits a session over local midnight in Madrid and carries its seats into the next day', () => {
    // 23:00–01:30 in Madrid (UTC+1 in January).
    const { days, personDays } = rollupUsage(
      [session('2024-01-15T22:00:00Z', '2024-01-16T00:30:00Z', { timeZone: 'Europe/Madrid', seats: 2, idle: true })],
      [],
      window('2024-01-15T00:00:00Z', '2024-01-15T00:00:00Z', '2024-01-15', '2024-01-16'),
    );
    expect(days).toEqual([
      { day: '2024-01-15', users: 1, peak: 2, peakAt: at('2024-01-15T22:00:00Z'), seatMs: 2 * HOUR, denials: 0, retriedDenials: 0 },
      { day: '2024-01-16', users: 1, peak: 2, peakAt: at('2024-01-15T23:00:00Z'), seatMs: 2 * 90 * MIN, denials: 0, retriedDenials: 0 },
    ]);
    expect(personDays).toEqual([
      { userId: 'alice', day: '2024-01-15', seatMs: 2 * HOUR, sessions: 1, idleCheckins: 0, lastUsedAt: at('2024-01-15T23:00:00Z') },
      { userId: 'alice', day: '2024-01-16', seatMs: 2 * 90 * MIN, sessions: 0, idleCheckins: 1, lastUsedAt: at('2024-01-16T00:30:00Z') },
    ]);
  });

  it('does not count a session ending exactly at local midnight in the next day; its idle check-in ends the day before', () => {
    const { days, personDays } = rollupUsage(
      [session('2024-01-15T22:00:00Z', '2024-01-15T23:00:00Z', { timeZone: 'Europe/Madrid', idle: true })],
      [],
      window('2024-01-15T00:00:00Z', '2024-01-15T00:00:00Z', '2024-01-15', '2024-01-16'),
    );
    expect(dayOf(days, '2024-01-16')).toMatchObject({ users: 0, peak: 0, peakAt: null, seatMs: 0 });
    expect(personDays).toEqual([
      { userId: 'alice', day: '2024-01-15', seatMs: HOUR, sessions: 1, idleCheckins: 1, lastUsedAt: at('2024-01-15T23:00:00Z') },
    ]);
  });

  it('counts distinct users per day and merges a person’s sessions', () => {
    const { days, personDays } = rollupUsage(
      [
        session('2024-01-15T08:00:00Z', '2024-01-15T09:00:00Z'),
        session('2024-01-15T08:30:00Z', '2024-01-15T10:00:00Z'),
        session('2024-01-15T12:00:00Z', '2024-01-15T12:00:00Z', { idle: true }),
        session('2024-01-15T13:00:00Z', '2024-01-15T14:00:00Z', { userId: 'bob', idle: true }),
      ],
      [],
      window('2024-01-15T00:00:00Z', '2024-01-15T00:00:00Z', '2024-01-15'),
    );
    expect(days[0]).toMatchObject({ users: 2, peak: 2, peakAt: at('2024-01-15T08:30:00Z'), seatMs: 3.5 * HOUR });
    expect(personDays).toEqual([
      { userId: 'alice', day: '2024-01-15', seatMs: 2.5 * HOUR, sessions: 3, idleCheckins: 1, lastUsedAt: at('2024-01-15T12:00:00Z') },
      { userId: 'bob', day: '2024-01-15', seatMs: HOUR, sessions: 1, idleCheckins: 1, lastUsedAt: at('2024-01-15T14:00:00Z') },
    ]);
  });

  it.each([
    ['Europe/Madrid', 'spring', '2024-03-31', '2024-03-30T23:00:00Z', '2024-03-31T22:00:00Z', 23],
    ['Europe/Madrid', 'autumn', '2024-10-27', '2024-10-26T22:00:00Z', '2024-10-27T23:00:00Z', 25],
    ['America/New_York', 'spring', '2024-03-10', '2024-03-10T05:00:00Z', '2024-03-11T04:00:00Z', 23],
    ['America/New_York', 'autumn', '2024-11-03', '2024-11-03T04:00:00Z', '2024-11-04T05:00:00Z', 25],
  ])('%s %s change (%s) is a day of its real length, neither losing nor making up usage', (timeZone, _season, day, dayStart, dayEnd, hoursLong) => {
    const before = at(dayStart) - 3 * HOUR;
    const after = at(dayEnd) + 2 * HOUR;
    const sessions: RollupSession[] = [
      // Held all day and beyond.
      { start: before, end: after, seats: 2, userId: 'alice', timeZone, idle: false },
      // Across the change itself (01:00–04:00 local in both zones' changes, give or take the jump).
      { start: at(dayStart) + HOUR, end: at(dayStart) + 4 * HOUR, seats: 1, userId: 'bob', timeZone, idle: true },
    ];
    const previous = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const { hours, days, personDays } = rollupUsage(sessions, [], {
      hoursFrom: before - (before % HOUR),
      hoursTo: after + HOUR - (after % HOUR),
      daysFrom: previous,
      daysTo: next,
    });
    const total = 2 * (after - before) + 3 * HOUR;
    expect(dayOf(days, day)).toEqual({
      day,
      users: 2,
      peak: 3,
      peakAt: at(dayStart) + HOUR,
      seatMs: 2 * hoursLong * HOUR + 3 * HOUR,
      denials: 0,
      retriedDenials: 0,
    });
    expect(dayOf(days, previous)).toMatchObject({ seatMs: 2 * 3 * HOUR, peak: 2, peakAt: before });
    expect(dayOf(days, next)).toMatchObject({ seatMs: 2 * 2 * HOUR, peak: 2, peakAt: at(dayEnd) });
    expect(sum(days)).toBe(total);
    expect(sum(hours)).toBe(total);
    expect(sum(personDays)).toBe(total);
    expect(personDays.find((p) => p.userId === 'alice' && p.day === day)).toEqual({
      userId: 'alice',
      day,
      seatMs: 2 * hoursLong * HOUR,
      sessions: 0,
      idleCheckins: 0,
      lastUsedAt: at(dayEnd),
    });
    expect(personDays.find((p) => p.userId === 'bob')).toMatchObject({ day, seatMs: 3 * HOUR, sessions: 1, idleCheckins: 1 });
  });

  it('puts each session in its own server’s local day when zones are mixed', () => {
    // 23:00Z on 15 January is 00:00 on the 16th in Madrid and 18:00 on the 15th in New York.
    const madrid = session('2024-01-15T23:00:00Z', '2024-01-16T01:00:00Z', { timeZone: 'Europe/Madrid', userId: 'ana' });
    const newYork = session('2024-01-15T22:00:00Z', '2024-01-16T00:00:00Z', { timeZone: 'America/New_York', userId: 'bob' });
    const { hours, days, personDays } = rollupUsage(
      [madrid, newYork],
      [],
      window('2024-01-15T22:00:00Z', '2024-01-16T01:00:00Z', '2024-01-15', '2024-01-16'),
    );
    // The hours see both at once…
    expect(hourAt(hours, '2024-01-15T23:00:00Z')).toMatchObject({ peak: 2, peakAt: at('2024-01-15T23:00:00Z'), seatMs: 2 * HOUR });
    // …each day only the sessions for which that instant is in that day on their own server's clock.
    expect(days).toEqual([
      { day: '2024-01-15', users: 1, peak: 1, peakAt: at('2024-01-15T22:00:00Z'), seatMs: 2 * HOUR, denials: 0, retriedDenials: 0 },
      { day: '2024-01-16', users: 1, peak: 1, peakAt: at('2024-01-15T23:00:00Z'), seatMs: 2 * HOUR, denials: 0, retriedDenials: 0 },
    ]);
    expect(personDays.map((p) => [p.userId, p.day])).toEqual([
      ['bob', '2024-01-15'],
      ['ana', '2024-01-16'],
    ]);
  });

  it('adds up concurrency across zones within one local day', () => {
    // 17:00–18:00 in Madrid and 11:00–12:00 in New York: the same hour, both on 15 January.
    const { days } = rollupUsage(
      [
        session('2024-01-15T16:00:00Z', '2024-01-15T17:00:00Z', { timeZone: 'Europe/Madrid' }),
        session('2024-01-15T16:30:00Z', '2024-01-15T17:00:00Z', { timeZone: 'America/New_York', seats: 2 }),
        // New York's day starts at 05:00Z carrying a Madrid-unrelated night session of its own.
        session('2024-01-15T04:00:00Z', '2024-01-15T06:00:00Z', { timeZone: 'America/New_York', userId: 'bob' }),
      ],
      [],
      window('2024-01-15T00:00:00Z', '2024-01-15T00:00:00Z', '2024-01-15'),
    );
    expect(days[0]).toEqual({
      day: '2024-01-15',
      users: 2,
      peak: 3,
      peakAt: at('2024-01-15T16:30:00Z'),
      seatMs: HOUR + 2 * 30 * MIN + HOUR,
      denials: 0,
      retriedDenials: 0,
    });
  });

  it('carries a session from before midnight in a second zone in at that zone’s midnight', () => {
    const { days } = rollupUsage(
      [session('2024-01-15T03:00:00Z', '2024-01-15T07:00:00Z', { timeZone: 'America/New_York', seats: 4 })],
      [],
      window('2024-01-15T00:00:00Z', '2024-01-15T00:00:00Z', '2024-01-15'),
    );
    expect(days[0]).toMatchObject({ peak: 4, peakAt: at('2024-01-15T05:00:00Z'), seatMs: 4 * 2 * HOUR, users: 1 });
  });

  it('counts one person with sessions on servers in two zones once per day', () => {
    const { days, personDays } = rollupUsage(
      [
        session('2024-01-15T10:00:00Z', '2024-01-15T11:00:00Z', { timeZone: 'Europe/Madrid' }),
        session('2024-01-15T15:00:00Z', '2024-01-15T16:00:00Z', { timeZone: 'America/New_York', idle: true }),
      ],
      [],
      window('2024-01-15T00:00:00Z', '2024-01-15T00:00:00Z', '2024-01-15'),
    );
    expect(days[0]).toMatchObject({ users: 1, peak: 1, seatMs: 2 * HOUR });
    expect(personDays).toEqual([
      { userId: 'alice', day: '2024-01-15', seatMs: 2 * HOUR, sessions: 2, idleCheckins: 1, lastUsedAt: at('2024-01-15T16:00:00Z') },
    ]);
  });
});

describe('rollupUsage: the window', () => {
  it('clips a session longer than the window to it', () => {
    const { hours, days, personDays } = rollupUsage(
      [session('2024-01-08T00:00:00Z', '2024-01-22T00:00:00Z', { seats: 3, timeZone: 'Europe/Madrid', idle: true })],
      [],
      window('2024-01-15T10:00:00Z', '2024-01-15T12:00:00Z', '2024-01-15'),
    );
    expect(hours.map((h) => [h.peak, h.peakAt, h.seatMs])).toEqual([
      [3, at('2024-01-15T10:00:00Z'), 3 * HOUR],
      [3, at('2024-01-15T11:00:00Z'), 3 * HOUR],
    ]);
    expect(days).toEqual([
      { day: '2024-01-15', users: 1, peak: 3, peakAt: at('2024-01-14T23:00:00Z'), seatMs: 3 * 24 * HOUR, denials: 0, retriedDenials: 0 },
    ]);
    expect(personDays).toEqual([
      { userId: 'alice', day: '2024-01-15', seatMs: 3 * 24 * HOUR, sessions: 0, idleCheckins: 0, lastUsedAt: at('2024-01-15T23:00:00Z') },
    ]);
  });

  it('ignores sessions and denials outside the window, whatever else the caller passes', () => {
    const inside = session('2024-01-15T10:15:00Z', '2024-01-15T10:45:00Z');
    const denialInside: RollupDenial = { at: at('2024-01-15T10:20:00Z'), retried: true, timeZone: 'UTC' };
    const outside = [
      session('2024-01-14T10:00:00Z', '2024-01-14T23:59:59Z', { seats: 9 }),
      session('2024-01-15T09:00:00Z', '2024-01-15T10:00:00Z', { seats: 9 }),
      session('2024-01-15T11:00:00Z', '2024-01-15T12:00:00Z', { seats: 9 }),
      session('2024-01-16T00:00:00Z', '2024-01-16T00:00:00Z', { seats: 9 }),
      session('2024-01-17T00:00:00Z', '2024-01-18T00:00:00Z', { seats: 9 }),
    ];
    const denialsOutside: RollupDenial[] = [
      { at: at('2024-01-15T11:00:00Z'), retried: false, timeZone: 'UTC' },
      { at: at('2024-01-16T00:00:00Z'), retried: false, timeZone: 'UTC' },
    ];
    const w = window('2024-01-15T10:00:00Z', '2024-01-15T11:00:00Z', '2024-01-15');
    const alone = rollupUsage([inside], [denialInside], w);
    expect(alone.hours).toEqual([{ hour: at('2024-01-15T10:00:00Z'), peak: 1, peakAt: at('2024-01-15T10:15:00Z'), seatMs: 30 * MIN, denials: 1, retriedDenials: 1 }]);

    const crowded = rollupUsage([...outside, inside], [...denialsOutside, denialInside], w);
    expect(crowded.hours).toEqual(alone.hours);
    // The day sees the sessions of that day (09:00–10:00 and 11:00–12:00), nothing of the 14th or 16th.
    expect(crowded.days[0]).toEqual({
      day: '2024-01-15',
      users: 1,
      peak: 9,
      peakAt: at('2024-01-15T09:00:00Z'),
      seatMs: 30 * MIN + 2 * 9 * HOUR,
      denials: 2,
      retriedDenials: 1,
    });
  });

  it('counts denials in the hour and in the local day of their own zone', () => {
    const denials: RollupDenial[] = [
      { at: at('2024-01-16T03:00:00Z'), retried: false, timeZone: 'America/New_York' }, // 22:00 on the 15th there
      { at: at('2024-01-16T03:30:00Z'), retried: true, timeZone: 'Europe/Madrid' }, // 04:30 on the 16th
      { at: at('2024-01-16T03:59:59.999Z'), retried: true, timeZone: 'UTC' },
      { at: at('2024-01-16T04:00:00Z'), retried: false, timeZone: 'UTC' },
    ];
    const { hours, days } = rollupUsage([], denials, window('2024-01-16T03:00:00Z', '2024-01-16T05:00:00Z', '2024-01-15', '2024-01-16'));
    expect(hours.map((h) => [h.denials, h.retriedDenials])).toEqual([
      [3, 2],
      [1, 0],
    ]);
    expect(days.map((d) => [d.day, d.denials, d.retriedDenials, d.peak])).toEqual([
      ['2024-01-15', 1, 0, 0],
      ['2024-01-16', 3, 2, 0],
    ]);
  });

  it('gives the same rows for an array in any order, and streams an iterable in start order', () => {
    const sessions = [
      session('2024-01-15T10:00:00Z', '2024-01-15T12:30:00Z', { seats: 2 }),
      session('2024-01-15T10:30:00Z', '2024-01-15T10:30:00Z', { userId: 'bob' }),
      session('2024-01-15T11:00:00Z', '2024-01-15T11:20:00Z', { userId: 'chloe', timeZone: 'Asia/Kolkata' }),
      session('2024-01-15T11:00:00Z', '2024-01-15T11:00:00Z', { userId: 'dan', timeZone: 'America/New_York' }),
      session('2024-01-15T12:30:00Z', '2024-01-15T18:00:00Z', { userId: 'bob', idle: true }),
    ];
    const w = window('2024-01-15T09:00:00Z', '2024-01-15T19:00:00Z', '2024-01-15');
    const sorted = rollupUsage(sessions, [], w);
    const reversed = [...sessions].reverse();
    expect(rollupUsage(reversed, [], w)).toEqual(sorted);
    expect(reversed[0]?.userId).toBe('bob'); // the caller's array is left as it was
    function* stream(): Generator<RollupSession> {
      yield* sessions;
    }
    expect(rollupUsage(stream(), [], w)).toEqual(sorted);
    function* unordered(): Generator<RollupSession> {
      yield* reversed;
    }
    expect(() => rollupUsage(unordered(), [], w)).toThrow(RangeError);
  });

  it('stops reading a stream once sessions start past the window', () => {
    let read = 0;
    function* stream(): Generator<RollupSession> {
      for (let day = 15; day < 31; day++) {
        read++;
        yield session(`2024-01-${day}T10:00:00Z`, `2024-01-${day}T11:00:00Z`);
      }
    }
    const { days } = rollupUsage(stream(), [], window('2024-01-15T00:00:00Z', '2024-01-15T00:00:00Z', '2024-01-15'));
    expect(days[0]?.seatMs).toBe(HOUR);
    expect(read).toBeLessThan(8);
  });

  it('refuses an invalid window, session or denial', () => {
    const w = window('2024-01-15T00:00:00Z', '2024-01-15T01:00:00Z', '2024-01-15');
    const ok = session('2024-01-15T00:10:00Z', '2024-01-15T00:20:00Z');
    expect(() => rollupUsage([], [], { ...w, hoursFrom: w.hoursFrom + 1 })).toThrow(RangeError);
    expect(() => rollupUsage([], [], { ...w, hoursTo: w.hoursFrom - HOUR })).toThrow(RangeError);
    expect(() => rollupUsage([], [], { ...w, daysFrom: '2024-02-30' })).toThrow(RangeError);
    expect(() => rollupUsage([], [], { ...w, daysTo: '2024-01-14' })).toThrow(RangeError);
    expect(() => rollupUsage([{ ...ok, end: ok.start - 1 }], [], w)).toThrow(RangeError);
    expect(() => rollupUsage([{ ...ok, seats: 0 }], [], w)).toThrow(RangeError);
    expect(() => rollupUsage([{ ...ok, seats: 1.5 }], [], w)).toThrow(RangeError);
    expect(() => rollupUsage([{ ...ok, start: Number.NaN }], [], w)).toThrow(RangeError);
    expect(() => rollupUsage([{ ...ok, timeZone: 'Mars/Olympus' }], [], w)).toThrow(RangeError);
    expect(() => rollupUsage([], [{ at: Number.NaN, retried: false, timeZone: 'UTC' }], w)).toThrow(RangeError);
    expect(() => rollupUsage([], [{ at: ok.start, retried: false, timeZone: 'Nowhere' }], w)).toThrow(RangeError);
  });
});

describe('rollupUsage: person-day invariants', () => {
  it('has a person-day row exactly for each of a day’s users', () => {
    const sessions: RollupSession[] = [];
    const users = ['ana', 'bob', 'chloe'];
    const zones = ['Europe/Madrid', 'America/New_York', 'UTC'];
    for (let i = 0; i < 60; i++) {
      const start = at('2024-03-30T00:00:00Z') + i * 97 * MIN;
      sessions.push({ start, end: start + (i % 4) * 3 * HOUR, seats: 1 + (i % 3), userId: users[i % 3] as string, timeZone: zones[i % 3] as string, idle: i % 5 === 0 });
    }
    const result: { days: DayRollup[]; personDays: PersonDayRollup[] } = rollupUsage(sessions, [], {
      hoursFrom: at('2024-03-30T00:00:00Z'),
      hoursTo: at('2024-04-03T00:00:00Z'),
      daysFrom: '2024-03-30',
      daysTo: '2024-04-02',
    });
    for (const day of result.days) {
      const rows = result.personDays.filter((p) => p.day === day.day);
      expect(rows.length).toBe(day.users);
      expect(sum(rows)).toBe(day.seatMs);
    }
  });
});
