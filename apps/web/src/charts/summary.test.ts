import type { AnalyticsSummary, FeatureSummary } from '@seatwise/protocol';
import { describe, expect, it } from 'vitest';
import { featureSummary, hasUsage, serverZones, singleZone, zonesTitle } from './summary.ts';

const row = (featureId: string, figures: Partial<FeatureSummary> = {}): FeatureSummary => ({
  featureId,
  vendor: 'MLM',
  name: 'MATLAB',
  seatsOwned: null,
  peak: 0,
  peakAt: null,
  averageInUse: 0,
  maxDailyUsers: 0,
  averageDailyUsers: 0,
  seatHours: 0,
  denials: 0,
  retriedDenials: 0,
  utilisation: null,
  unusedSeats: null,
  ...figures,
});
const summary = (features: FeatureSummary[]): AnalyticsSummary => ({ from: '2026-01-01', to: '2026-01-31', licenseServerId: null, days: 31, features });
const none = { initialInUse: 0, t: [] };

describe('featureSummary and hasUsage', () => {
  it('picks the feature\'s own row', () => {
    expect(featureSummary(summary([row('a'), row('b', { peak: 2 })]), 'b')).toMatchObject({ featureId: 'b', peak: 2 });
    expect(featureSummary(summary([row('a')]), 'b')).toBeUndefined();
  });

  it('counts seats held, seat time or denials of either kind as use', () => {
    expect(hasUsage(row('a'), none)).toBe(false);
    expect(hasUsage(undefined, none)).toBe(false);
    expect(hasUsage(row('a', { retriedDenials: 1 }), none)).toBe(true);
    expect(hasUsage(row('a', { seatHours: 0.5 }), none)).toBe(true);
    // Held across the whole range, so no change inside it: still use.
    expect(hasUsage(undefined, { initialInUse: 2, t: [] })).toBe(true);
  });
});

describe('zones', () => {
  const servers = [
    { id: 'mad', timeZone: 'Europe/Madrid' },
    { id: 'nyc', timeZone: 'America/New_York' },
    { id: 'bcn', timeZone: 'Europe/Madrid' },
  ];

  it('are the chosen server\'s, or every server\'s once', () => {
    expect(serverZones(servers, 'nyc')).toEqual(['America/New_York']);
    expect(serverZones(servers, null)).toEqual(['America/New_York', 'Europe/Madrid']);
    expect(singleZone(serverZones(servers, 'mad'))).toBe('Europe/Madrid');
    expect(singleZone(serverZones(servers, null))).toBeNull();
    expect(serverZones([], null)).toEqual([]);
  });

  it('read an instant in each zone for the hover text', () => {
    const title = zonesTitle('2026-01-30T09:00:00.000Z', ['America/New_York', 'Europe/Madrid'])!;
    expect(title.split('\n')).toHaveLength(2);
    expect(title).toMatch(/04:00.*America\/New_York/);
    expect(title).toMatch(/10:00.*Europe\/Madrid/);
    expect(zonesTitle('2026-01-30T09:00:00.000Z', [])).toBeUndefined();
  });
});
