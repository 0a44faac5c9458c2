import { describe, expect, it } from 'vitest';
import { daysInRange, MAX_ANALYTICS_RANGE_DAYS } from '@seatwise/protocol';
import { bucketAllowed, daysCovering, defaultBucket, isDate, presetRange, rangeProblems, readView, viewSearch, withRange } from './range.ts';

const TODAY = '2026-03-15';
const view = (query: string) => readView(new URLSearchParams(query), TODAY);

describe('presets', () => {
  it('end today and include it', () => {
    expect(presetRange('7d', TODAY)).toEqual({ from: '2026-03-09', to: TODAY });
    expect(presetRange('30d', TODAY)).toEqual({ from: '2026-02-14', to: TODAY });
    expect(presetRange('90d', TODAY)).toEqual({ from: '2025-12-16', to: TODAY });
    expect(presetRange('12m', TODAY)).toEqual({ from: '2025-03-16', to: TODAY });
  });
});

describe('buckets', () => {
  it('suit the range: hours for a week, days to a quarter, weeks to two years, then months', () => {
    expect(defaultBucket({ from: '2026-03-09', to: TODAY })).toBe('hour');
    expect(defaultBucket({ from: '2026-03-08', to: TODAY })).toBe('day');
    expect(defaultBucket(presetRange('90d', TODAY))).toBe('day');
    expect(defaultBucket(presetRange('12m', TODAY))).toBe('week');
    expect(defaultBucket({ from: '2023-03-16', to: TODAY })).toBe('month');
  });

  it('allow hours only up to the timeline\'s 10 000 points (416 days)', () => {
    expect(bucketAllowed(presetRange('12m', TODAY), 'hour')).toBe(true);
    expect(bucketAllowed({ from: '2025-01-01', to: '2026-02-20' }, 'hour')).toBe(true);
    expect(bucketAllowed({ from: '2025-01-01', to: '2026-02-21' }, 'hour')).toBe(false);
    expect(bucketAllowed({ from: '2023-03-16', to: TODAY }, 'day')).toBe(true);
  });
});

describe('rangeProblems', () => {
  it('names the field and says what to do', () => {
    expect(rangeProblems({ from: '2026-03-01', to: '2026-03-31' })).toEqual({});
    expect(rangeProblems({ from: '2026-02-30', to: '2026-03-31' })).toEqual({ from: 'From must be a date (YYYY-MM-DD).' });
    expect(rangeProblems({ from: '', to: 'soon' })).toEqual({ from: 'From must be a date (YYYY-MM-DD).', to: 'To must be a date (YYYY-MM-DD).' });
    expect(rangeProblems({ from: '2026-03-02', to: '2026-03-01' })).toEqual({ to: 'To must not be before From.' });
    expect(rangeProblems({ from: '2023-01-01', to: '2026-01-01' })).toEqual({ to: 'The range is 1097 days; choose at most 1096 days (3 years).' });
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2025-02-29')).toBe(false);
  });
});

describe('the view in the query string', () => {
  it('defaults to the last 30 days, all servers, the range\'s bucket', () => {
    expect(view('')).toEqual({ from: '2026-02-14', to: TODAY, preset: '30d', bucket: 'day', bucketChosen: false, serverId: null });
    expect(viewSearch(view('')).toString()).toBe('');
  });

  it('keeps a preset relative, chosen dates fixed, and a chosen bucket and server', () => {
    const week = view('period=7d&server=abc');
    expect(week).toMatchObject({ from: '2026-03-09', to: TODAY, preset: '7d', bucket: 'hour', bucketChosen: false, serverId: 'abc' });
    expect(viewSearch(week).toString()).toBe('period=7d&server=abc');
    const chosen = view('from=2026-01-01&to=2026-01-31&bucket=week');
    expect(chosen).toMatchObject({ from: '2026-01-01', to: '2026-01-31', preset: null, bucket: 'week', bucketChosen: true });
    expect(viewSearch(chosen).toString()).toBe('from=2026-01-01&to=2026-01-31&bucket=week');
  });

  it('falls back to the default for what it cannot use', () => {
    expect(view('from=2026-02-30&to=2026-03-01')).toMatchObject({ preset: '30d', from: '2026-02-14' });
    expect(view('from=2026-03-02&to=2026-03-01')).toMatchObject({ preset: '30d' });
    expect(view('period=5y')).toMatchObject({ preset: '30d' });
    // Hours for three years would be refused by the server: the range's own bucket instead.
    expect(view('from=2023-03-17&to=2026-03-15&bucket=hour')).toMatchObject({ bucket: 'month', bucketChosen: false });
    expect(view('bucket=minute')).toMatchObject({ bucket: 'day', bucketChosen: false });
  });

  it('keeps a chosen bucket across a range change only when the new range allows it', () => {
    const hours = view('period=7d&bucket=hour');
    expect(withRange(hours, presetRange('90d', TODAY), '90d')).toMatchObject({ preset: '90d', bucket: 'hour', bucketChosen: true });
    expect(withRange(hours, { from: '2024-01-01', to: TODAY }, null)).toMatchObject({ preset: null, bucket: 'month', bucketChosen: false });
    expect(withRange(view('period=7d'), presetRange('12m', TODAY), '12m')).toMatchObject({ bucket: 'week', bucketChosen: false });
  });
});

describe('daysCovering', () => {
  it('reads the days on the license server’s clock', () => {
    // 23:30 UTC on 31 March is already 1 April in Madrid (UTC+2 in summer).
    expect(daysCovering('2025-03-31T23:30:00Z', '2025-04-02T10:00:00Z', 'Europe/Madrid')).toEqual({ from: '2025-04-01', to: '2025-04-02' });
    expect(daysCovering('2025-03-31T23:30:00Z', '2025-04-02T10:00:00Z', 'UTC')).toEqual({ from: '2025-03-31', to: '2025-04-02' });
  });
  it('keeps the last days of a span longer than the analytics answer', () => {
    const range = daysCovering('2015-01-01T00:00:00Z', '2025-06-30T12:00:00Z', 'UTC');
    expect(range.to).toBe('2025-06-30');
    expect(daysInRange(range.from, range.to)).toBe(MAX_ANALYTICS_RANGE_DAYS);
  });
});
