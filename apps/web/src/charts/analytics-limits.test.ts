import * as protocol from '@seatwise/protocol';
import { describe, expect, it } from 'vitest';
import * as limits from './analytics-limits.ts';

describe("the browser's copy of the analytics limits", () => {
  it('equals the protocol\'s constants', () => {
    expect(limits.ANALYTICS_BUCKETS).toEqual(protocol.ANALYTICS_BUCKETS);
    expect(limits.MAX_ANALYTICS_RANGE_DAYS).toBe(protocol.MAX_ANALYTICS_RANGE_DAYS);
    expect(limits.MAX_TIMELINE_POINTS).toBe(protocol.MAX_TIMELINE_POINTS);
    expect(limits.MAX_PEOPLE_PAGE).toBe(protocol.MAX_PEOPLE_PAGE);
    expect(limits.MAX_CONCURRENCY_POINTS).toBe(protocol.MAX_CONCURRENCY_POINTS);
  });

  it('counts days and allows timelines exactly as the protocol does, up to the longest range', () => {
    const from = '2024-01-01';
    for (let days = 0; days <= protocol.MAX_ANALYTICS_RANGE_DAYS; days += days < 430 ? 1 : 37) {
      const to = new Date(Date.parse(`${from}T00:00:00Z`) + (days - 1) * 86_400_000).toISOString().slice(0, 10);
      expect(limits.daysInRange(from, to)).toBe(protocol.daysInRange(from, to));
      for (const bucket of protocol.ANALYTICS_BUCKETS) {
        const expected = protocol.timelinePoints(from, to, bucket) <= protocol.MAX_TIMELINE_POINTS;
        expect(limits.timelineAllowed(from, to, bucket), `${days} days by ${bucket}`).toBe(expected);
      }
    }
  });
});
