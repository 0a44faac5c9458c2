import { describe, expect, it } from 'vitest';
import { wallClock, zonedMidnight, zoneOffset } from './zone.ts';

const sec = (iso: string) => Date.parse(iso) / 1000;

describe('wallClock', () => {
  it('reads weekday (Monday 0), date and hour in the zone, midnight as hour 0', () => {
    // 2026-03-28T23:30Z is Sunday 00:30 in Madrid (winter time, UTC+1).
    expect(wallClock(Date.parse('2026-03-28T23:30:00Z'), 'Europe/Madrid')).toEqual({ year: 2026, month: 3, day: 29, hour: 0, minute: 30, weekday: 6 });
    expect(wallClock(Date.parse('2026-03-30T12:00:00Z'), 'UTC')).toMatchObject({ weekday: 0, hour: 12 });
  });
});

describe('zoneOffset', () => {
  it('is the zone\'s lead on UTC, summer time and half hours included', () => {
    expect(zoneOffset(Date.parse('2026-01-15T12:00:00Z'), 'Europe/Madrid')).toBe(3_600_000);
    expect(zoneOffset(Date.parse('2026-07-15T12:00:00Z'), 'Europe/Madrid')).toBe(7_200_000);
    expect(zoneOffset(Date.parse('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(zoneOffset(Date.parse('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3_600_000);
  });
});

describe('zonedMidnight', () => {
  it('is the local midnight of the day', () => {
    expect(zonedMidnight('2026-01-30', 'Europe/Madrid')).toBe(sec('2026-01-29T23:00:00Z'));
    expect(zonedMidnight('2026-01-30', 'America/New_York')).toBe(sec('2026-01-30T05:00:00Z'));
    expect(zonedMidnight('2026-01-30', 'UTC')).toBe(sec('2026-01-30T00:00:00Z'));
  });

  it('takes the offset in force at midnight on days the clocks change later', () => {
    // Spring forward at 01:00Z and fall back at 01:00Z: both days still begin in the old offset.
    expect(zonedMidnight('2026-03-29', 'Europe/Madrid')).toBe(sec('2026-03-28T23:00:00Z'));
    expect(zonedMidnight('2026-03-30', 'Europe/Madrid')).toBe(sec('2026-03-29T22:00:00Z'));
    expect(zonedMidnight('2026-10-25', 'Europe/Madrid')).toBe(sec('2026-10-24T22:00:00Z'));
    expect(zonedMidnight('2026-10-26', 'Europe/Madrid')).toBe(sec('2026-10-25T23:00:00Z'));
  });

  it('starts a day whose midnight is skipped at the first instant after the gap', () => {
    // Santiago moves from 00:00 to 01:00 on 2026-09-06 (UTC−4 to UTC−3): the day begins at 04:00Z.
    expect(zonedMidnight('2026-09-06', 'America/Santiago')).toBe(sec('2026-09-06T04:00:00Z'));
  });
});
