import { describe, expect, it } from 'vitest';
import { findPeaks, stepData, visibleRange } from './concurrency.ts';

const steps = (t: number[], inUse: number[], initialInUse = 0, start = 1000, until = 2000) => ({ start, until, initialInUse, t, inUse });

describe('stepData', () => {
  it('draws the level from the start, both corners of each change, and the last level again at the end', () => {
    const data = stepData(steps([1100, 1500], [3, 1], 2), 4);
    expect(Array.from(data.x)).toEqual([1000, 1100, 1100, 1500, 1500, 2000]);
    expect(Array.from(data.inUse)).toEqual([2, 2, 3, 3, 1, 1]);
    expect(Array.from(data.owned!)).toEqual([4, 4, 4, 4, 4, 4]);
  });

  it('holds an unchanged level over the whole range, and leaves seats owned out when not entered', () => {
    const data = stepData(steps([], [], 5), null);
    expect(Array.from(data.x)).toEqual([1000, 2000]);
    expect(Array.from(data.inUse)).toEqual([5, 5]);
    expect(data.owned).toBeNull();
  });

  it('gives one point for a range with no time in it (a range still to come)', () => {
    const data = stepData(steps([], [], 0, 1000, 1000), 2);
    expect(Array.from(data.x)).toEqual([1000]);
    expect(Array.from(data.inUse)).toEqual([0]);
  });

  it('lets a change at the very start replace the initial level', () => {
    const data = stepData(steps([1000, 1200], [4, 0], 1), null);
    expect(Array.from(data.x)).toEqual([1000, 1200, 1200, 2000]);
    expect(Array.from(data.inUse)).toEqual([4, 4, 0, 0]);
  });

  it('stops at the last change when the answer ends there', () => {
    const data = stepData(steps([1500], [2], 0, 1000, 1500), null);
    expect(Array.from(data.x)).toEqual([1000, 1500, 1500]);
    expect(Array.from(data.inUse)).toEqual([0, 0, 2]);
  });

  it('stays typed and linear for a year of changes every minute', () => {
    const minutes = 525_600;
    const start = Date.parse('2025-01-01T00:00:00Z') / 1000;
    const t = Array.from({ length: minutes }, (_, index) => start + (index + 1) * 60);
    const inUse = Array.from({ length: minutes }, (_, index) => (index * 7919) % 41);
    const began = performance.now();
    const data = stepData({ start, until: start + (minutes + 1) * 60, initialInUse: 0, t, inUse }, 40);
    const peaks = findPeaks(data.inUse, 0, data.x.length - 1);
    const inView = visibleRange(data.x, start + 86_400 * 100, start + 86_400 * 101);
    const took = performance.now() - began;
    expect(data.x).toBeInstanceOf(Float64Array);
    expect(data.inUse).toBeInstanceOf(Float64Array);
    expect(data.owned).toBeInstanceOf(Float64Array);
    expect(data.x.length).toBe(1 + minutes * 2 + 1);
    expect(data.x[data.x.length - 1]).toBe(start + (minutes + 1) * 60);
    // Ascending throughout (uPlot needs sorted x).
    let sorted = true;
    for (let index = 1; index < data.x.length; index++) if (data.x[index]! < data.x[index - 1]!) sorted = false;
    expect(sorted).toBe(true);
    expect(peaks.level).toBe(40);
    // 40 never follows 40 in the input, so every 40 is a stretch of its own; the corners add none.
    expect(peaks.count).toBe(inUse.filter((seats) => seats === 40).length);
    // One day of minutes in view: both corners of 1440 changes, plus the step in force at its start.
    expect(inView[1] - inView[0]).toBe(1440 * 2);
    // One pass each and a binary search: a quadratic shaping of half a million points would take hours.
    expect(took).toBeLessThan(1000);
  });
});

describe('findPeaks', () => {
  it('finds the highest level and where each stretch at it begins', () => {
    expect(findPeaks([1, 3, 3, 2, 3, 1], 0, 5)).toEqual({ level: 3, indices: [1, 4], count: 2 });
  });

  it('looks only inside the window, counting a stretch begun before it from its edge', () => {
    expect(findPeaks([1, 3, 3, 2, 3, 1], 2, 3)).toEqual({ level: 3, indices: [2], count: 1 });
    expect(findPeaks([1, 3, 3, 2, 3, 1], -5, 99)).toEqual({ level: 3, indices: [1, 4], count: 2 });
  });

  it('marks nothing when nothing was held, or in no data at all', () => {
    expect(findPeaks([0, 0, 0], 0, 2)).toEqual({ level: 0, indices: [], count: 0 });
    expect(findPeaks([], 0, 0)).toEqual({ level: 0, indices: [], count: 0 });
    expect(findPeaks([2], 0, 0)).toEqual({ level: 2, indices: [0], count: 1 });
  });

  it('marks at most `limit` stretches but counts them all', () => {
    expect(findPeaks([5, 0, 5, 0, 5, 0, 5], 0, 6, 2)).toEqual({ level: 5, indices: [0, 2], count: 4 });
  });
});

describe('visibleRange', () => {
  const x = [10, 20, 30, 40];

  it('starts at the step in force at the window\'s start and ends at the last point inside it', () => {
    expect(visibleRange(x, 25, 35)).toEqual([1, 2]);
    expect(visibleRange(x, 20, 40)).toEqual([1, 3]);
    expect(visibleRange(x, 0, 100)).toEqual([0, 3]);
  });

  it('gives an empty span (last < first) before the data, and the last step after it', () => {
    expect(visibleRange(x, 0, 5)).toEqual([0, -1]);
    expect(visibleRange(x, 50, 60)).toEqual([3, 3]);
    expect(visibleRange([], 0, 1)).toEqual([0, -1]);
  });
});
