import type { TimelinePoint } from '@seatwise/protocol';
import { describe, expect, it } from 'vitest';
import { bucketStart, denialData, formatBucket, nextDay, timelineEnd } from './buckets.ts';

const sec = (iso: string) => Date.parse(iso) / 1000;
const point = (start: string, denials: number, retriedDenials: number): TimelinePoint => ({
  start,
  days: 1,
  peak: 0,
  peakAt: null,
  averageInUse: 0,
  users: 0,
  averageDailyUsers: 0,
  seatHours: 0,
  denials,
  retriedDenials,
  utilisation: null,
});

describe('placing buckets on the time axis', () => {
  it('puts hours at their instant and dates at midnight in the zone', () => {
    expect(bucketStart('hour', '2026-01-30T09:00:00.000Z', 'Europe/Madrid')).toBe(sec('2026-01-30T09:00:00Z'));
    expect(bucketStart('day', '2026-01-30', 'Europe/Madrid')).toBe(sec('2026-01-29T23:00:00Z'));
    expect(bucketStart('month', '2026-07-01', 'America/New_York')).toBe(sec('2026-07-01T04:00:00Z'));
  });

  it('ends a timeline after its last day: UTC for hours, the zone\'s midnight otherwise', () => {
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(timelineEnd('hour', '2026-01-31', 'Europe/Madrid')).toBe(sec('2026-02-01T00:00:00Z'));
    expect(timelineEnd('week', '2026-01-31', 'Europe/Madrid')).toBe(sec('2026-01-31T23:00:00Z'));
  });
});

describe('denialData', () => {
  it('stacks retried denials on true ones, bucket by bucket, closed at the end', () => {
    const data = denialData('day', [point('2026-01-30', 2, 1), point('2026-01-31', 0, 3)], 'UTC', sec('2026-02-01T00:00:00Z'));
    expect(Array.from(data.x)).toEqual([sec('2026-01-30T00:00:00Z'), sec('2026-01-31T00:00:00Z'), sec('2026-02-01T00:00:00Z')]);
    expect(Array.from(data.denials)).toEqual([2, 0, 0]);
    expect(Array.from(data.total)).toEqual([3, 3, 0]);
    expect(Array.from(data.retried)).toEqual([1, 3, 0]);
  });

  it('has only the closing point without buckets', () => {
    const data = denialData('hour', [], 'UTC', 5000);
    expect(Array.from(data.x)).toEqual([5000]);
    expect(Array.from(data.total)).toEqual([0]);
  });
});

describe('formatBucket', () => {
  it('names dates as the calendar says, whatever the viewer\'s zone', () => {
    const day = formatBucket('day', '2026-01-01');
    expect(day).toContain('2026');
    expect(day).not.toContain('2025');
    expect(formatBucket('week', '2026-01-26')).toMatch(/^Week of .*26/);
    expect(formatBucket('month', '2026-02-01')).not.toContain('January');
  });
});
