import { describe, expect, it } from 'vitest';
import { createZoneClock, isValidTimeZone, localMs, sharedZoneClock } from './local-time.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('createZoneClock', () => {
  it('rejects a zone the runtime does not know', () => {
    expect(() => createZoneClock('Mars/Olympus_Mons')).toThrow(RangeError);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('Europe/Madrid')).toBe(true);
  });

  it('converts ordinary wall times with the offset of the day', () => {
    const madrid = createZoneClock('Europe/Madrid');
    expect(iso(madrid.toUtc(localMs(2022, 1, 15, 9, 30)))).toBe('2022-01-15T08:30:00.000Z');
    expect(iso(madrid.toUtc(localMs(2022, 7, 15, 9, 30)))).toBe('2022-07-15T07:30:00.000Z');
    expect(iso(createZoneClock('Asia/Kolkata').toUtc(localMs(2025, 9, 1, 12, 34, 29)))).toBe('2025-09-01T07:04:29.000Z');
    expect(iso(createZoneClock('UTC').toUtc(localMs(2000, 2, 29, 23, 59, 59)))).toBe('2000-02-29T23:59:59.000Z');
    expect(madrid.offsetAt(Date.UTC(2022, 6, 15))).toBe(2 * 3_600_000);
  });

  it('moves a wall time skipped by the spring jump forward by the jump', () => {
    const madrid = createZoneClock('Europe/Madrid');
    expect(iso(madrid.toUtc(localMs(2022, 3, 27, 1, 59, 59)))).toBe('2022-03-27T00:59:59.000Z');
    expect(iso(madrid.toUtc(localMs(2022, 3, 27, 2, 30)))).toBe('2022-03-27T01:30:00.000Z'); // read as 03:30 CEST
    expect(iso(madrid.toUtc(localMs(2022, 3, 27, 3, 0)))).toBe('2022-03-27T01:00:00.000Z');
    expect(madrid.isRepeated(localMs(2022, 3, 27, 2, 30))).toBe(false);
    expect(madrid.uniformOffset(localMs(2022, 3, 27, 2, 30))).toBeNaN();
  });

  it('gives both readings of the repeated autumn hour', () => {
    const madrid = createZoneClock('Europe/Madrid');
    const local = localMs(2022, 10, 30, 2, 30);
    expect(madrid.isRepeated(local)).toBe(true);
    expect(madrid.uniformOffset(local)).toBeNaN();
    expect(iso(madrid.toUtc(local))).toBe('2022-10-30T00:30:00.000Z');
    expect(iso(madrid.toUtc(local, true))).toBe('2022-10-30T01:30:00.000Z');
    expect(madrid.isRepeated(localMs(2022, 10, 30, 3, 30))).toBe(false);

    const newYork = createZoneClock('America/New_York');
    expect(iso(newYork.toUtc(localMs(2021, 11, 7, 1, 30)))).toBe('2021-11-07T05:30:00.000Z');
    expect(iso(newYork.toUtc(localMs(2021, 11, 7, 1, 30), true))).toBe('2021-11-07T06:30:00.000Z');
  });

  it('handles transitions that are not on the hour (Lord Howe Island shifts by 30 minutes)', () => {
    const lordHowe = createZoneClock('Australia/Lord_Howe');
    // Spring: 02:00 +10:30 becomes 02:30 +11.
    expect(iso(lordHowe.toUtc(localMs(2022, 10, 2, 1, 59)))).toBe('2022-10-01T15:29:00.000Z');
    expect(iso(lordHowe.toUtc(localMs(2022, 10, 2, 2, 15)))).toBe('2022-10-01T15:45:00.000Z');
    expect(iso(lordHowe.toUtc(localMs(2022, 10, 2, 2, 45)))).toBe('2022-10-01T15:45:00.000Z');
    // Autumn: 02:00 +11 becomes 01:30 +10:30, so 01:30–01:59 happens twice.
    expect(lordHowe.isRepeated(localMs(2022, 4, 3, 1, 15))).toBe(false);
    expect(lordHowe.isRepeated(localMs(2022, 4, 3, 1, 45))).toBe(true);
    expect(iso(lordHowe.toUtc(localMs(2022, 4, 3, 1, 45), true))).toBe('2022-04-02T15:15:00.000Z');
  });

  it('answers for any year at a bounded cost (one table per year)', () => {
    const clock = createZoneClock('Europe/Madrid');
    for (let year = 1980; year < 2200; year++) {
      expect(Number.isFinite(clock.toUtc(localMs(year, 6, 1, 12)))).toBe(true);
    }
    expect(clock.offsetAt(Number.NaN)).toBeNaN();
  });

  it('shares one clock per zone, refusing an unknown zone as createZoneClock does', () => {
    const madrid = sharedZoneClock('Europe/Madrid');
    expect(sharedZoneClock('Europe/Madrid')).toBe(madrid);
    expect(sharedZoneClock('Asia/Kolkata')).not.toBe(madrid);
    expect(madrid.offsetAt(Date.UTC(2022, 6, 15))).toBe(createZoneClock('Europe/Madrid').offsetAt(Date.UTC(2022, 6, 15)));
    expect(() => sharedZoneClock('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
