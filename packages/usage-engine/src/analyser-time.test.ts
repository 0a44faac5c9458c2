import { describe, expect, it } from 'vitest';
import { createTimeZoneView, dayKey, formatIsoWithOffset } from './analyser-time.ts';

const at = (iso: string) => Date.parse(iso);

describe('formatIsoWithOffset', () => {
  it('writes local time with the offset of that instant', () => {
    expect(formatIsoWithOffset(at('2022-06-09T12:03:21Z'), 'Europe/Madrid')).toBe('2022-06-09T14:03:21+02:00');
    expect(formatIsoWithOffset(at('2022-01-09T12:03:21Z'), 'Europe/Madrid')).toBe('2022-01-09T13:03:21+01:00');
    expect(formatIsoWithOffset(at('2022-06-09T12:03:21Z'), 'UTC')).toBe('2022-06-09T12:03:21+00:00');
    expect(formatIsoWithOffset(at('2022-06-09T12:03:21Z'), 'America/New_York')).toBe('2022-06-09T08:03:21-04:00');
    expect(formatIsoWithOffset(at('2022-06-09T12:03:21Z'), 'Asia/Kolkata')).toBe('2022-06-09T17:33:21+05:30');
    expect(formatIsoWithOffset(at('2022-01-09T12:03:21Z'), 'America/St_Johns')).toBe('2022-01-09T08:33:21-03:30');
    expect(formatIsoWithOffset(at('2022-06-09T12:03:21Z'), 'Asia/Kathmandu')).toBe('2022-06-09T17:48:21+05:45');
  });

  it('keeps milliseconds only when there are some', () => {
    expect(formatIsoWithOffset(at('2022-06-09T12:03:21.250Z'), 'Europe/Madrid')).toBe('2022-06-09T14:03:21.250+02:00');
  });

  it('tells the two passes of the repeated autumn hour apart by their offset', () => {
    expect(formatIsoWithOffset(at('2022-10-30T00:30:00Z'), 'Europe/Madrid')).toBe('2022-10-30T02:30:00+02:00');
    expect(formatIsoWithOffset(at('2022-10-30T01:30:00Z'), 'Europe/Madrid')).toBe('2022-10-30T02:30:00+01:00');
  });
});

describe('createTimeZoneView', () => {
  it('switches offset at the exact second of a transition', () => {
    const madrid = createTimeZoneView('Europe/Madrid');
    // Autumn 2022: 03:00 CEST (01:00 UTC) becomes 02:00 CET.
    expect(madrid.offsetMs(at('2022-10-30T00:59:59.999Z'))).toBe(7_200_000);
    expect(madrid.offsetMs(at('2022-10-30T01:00:00Z'))).toBe(3_600_000);
    // Spring 2022: 02:00 CET (01:00 UTC) becomes 03:00 CEST.
    expect(madrid.offsetMs(at('2022-03-27T00:59:59Z'))).toBe(3_600_000);
    expect(madrid.offsetMs(at('2022-03-27T01:00:00Z'))).toBe(7_200_000);
  });

  it('finds a half-hour transition inside a UTC hour (Lord Howe Island)', () => {
    const lordHowe = createTimeZoneView('Australia/Lord_Howe');
    // 2022-04-03 02:00 local (+11:00) goes back to 01:30 (+10:30): 2022-04-02T15:00Z.
    expect(lordHowe.offsetMs(at('2022-04-02T14:59:59Z'))).toBe(11 * 3_600_000);
    expect(lordHowe.offsetMs(at('2022-04-02T15:00:00Z'))).toBe(10.5 * 3_600_000);
    expect(lordHowe.formatIso(at('2022-04-02T15:10:00Z'))).toBe('2022-04-03T01:40:00+10:30');
  });

  it('gives the local calendar day, whatever order instants are asked in', () => {
    const madrid = createTimeZoneView('Europe/Madrid');
    const days = [
      '2022-10-29T21:59:59Z', // 23:59:59 CEST on the 29th
      '2022-10-29T22:00:00Z', // 00:00 CEST on the 30th
      '2022-10-30T22:59:59Z', // 23:59:59 CET on the 30th
      '2022-10-30T23:00:00Z', // 00:00 CET on the 31st
      '2021-01-01T00:00:00Z',
    ].map((iso) => dayKey(madrid.localDay(at(iso))));
    expect(days).toEqual(['2022-10-29', '2022-10-30', '2022-10-30', '2022-10-31', '2021-01-01']);
  });

  it('agrees with Intl on every hour of a year', () => {
    const zone = 'America/New_York';
    const view = createTimeZoneView(zone);
    const intl = new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    const start = at('2023-01-01T00:17:00Z');
    for (let i = 0; i < 366 * 24; i++) {
      const instant = start + i * 3_600_000;
      const expected = intl.format(instant).replace(' ', 'T');
      expect(view.formatIso(instant).slice(0, 19)).toBe(expected);
    }
  });

  it('refuses a time zone Intl does not know', () => {
    expect(() => createTimeZoneView('Europe/Atlantis')).toThrow(RangeError);
  });
});
