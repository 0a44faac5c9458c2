import type { FeatureSummary } from '@seatwise/protocol';
import { describe, expect, it } from 'vitest';
import { closestToOwned, leastUsed, mostDenied, previousPeriod, totalsOf, trend } from './rankings.ts';

let counter = 0;
function feature(name: string, fields: Partial<FeatureSummary>): FeatureSummary {
  counter++;
  const seatsOwned = fields.seatsOwned ?? null;
  const peak = fields.peak ?? 0;
  const averageInUse = fields.averageInUse ?? 0;
  return {
    featureId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    vendor: 'vendor',
    name,
    seatsOwned,
    peak,
    peakAt: peak > 0 ? '2025-03-01T10:00:00Z' : null,
    averageInUse,
    maxDailyUsers: 0,
    averageDailyUsers: 0,
    seatHours: fields.seatHours ?? 0,
    denials: fields.denials ?? 0,
    retriedDenials: fields.retriedDenials ?? 0,
    utilisation: seatsOwned ? { peak: peak / seatsOwned, average: averageInUse / seatsOwned } : null,
    unusedSeats: seatsOwned === null ? null : Math.max(0, seatsOwned - peak),
    ...fields,
  };
}

const features = [
  feature('full', { seatsOwned: 10, peak: 10, averageInUse: 6, seatHours: 500, denials: 4, retriedDenials: 2 }),
  feature('busy', { seatsOwned: 10, peak: 9, averageInUse: 5, seatHours: 400, retriedDenials: 7 }),
  feature('idle', { seatsOwned: 20, peak: 2, averageInUse: 0.5, seatHours: 20 }),
  feature('unused', { seatsOwned: 5 }),
  feature('unowned', { peak: 3, averageInUse: 1, seatHours: 40, denials: 9 }),
];

describe('overview rankings', () => {
  it('puts the features nearest their owned seats first, leaving out those without seats owned or use', () => {
    expect(closestToOwned(features).map((f) => f.name)).toEqual(['full', 'busy', 'idle']);
  });
  it('orders denials by true denials, then retried, and leaves out features that denied nobody', () => {
    expect(mostDenied(features).map((f) => f.name)).toEqual(['unowned', 'full', 'busy']);
  });
  it('lists cancellation candidates by seats never used at once', () => {
    expect(leastUsed(features).map((f) => f.name)).toEqual(['idle', 'unused', 'busy']);
  });
  it('cuts each list to its length', () => {
    expect(mostDenied(features, 1)).toHaveLength(1);
  });
  it('adds up a period', () => {
    expect(totalsOf(features)).toEqual({
      features: 5,
      seatsOwned: 45,
      unusedSeats: 18 + 5 + 1,
      seatHours: 960,
      denials: 13,
      retriedDenials: 9,
      withoutSeatsOwned: 1,
    });
    expect(totalsOf([])).toMatchObject({ features: 0, seatsOwned: 0 });
  });
});

describe('trends', () => {
  it('compares with the period before, and says nothing against zero', () => {
    expect(trend(150, 100).change).toBeCloseTo(0.5);
    expect(trend(50, 100).change).toBeCloseTo(-0.5);
    expect(trend(5, 0).change).toBeNull();
  });
  it('takes the period of the same length just before', () => {
    expect(previousPeriod({ from: '2025-03-01', to: '2025-03-30' })).toEqual({ from: '2025-01-30', to: '2025-02-28' });
    expect(previousPeriod({ from: '2025-01-01', to: '2025-01-01' })).toEqual({ from: '2024-12-31', to: '2024-12-31' });
  });
});
