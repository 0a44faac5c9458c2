/**
 * The seats-in-use step function (from the concurrency endpoint) shaped for uPlot, and its peaks. A year
 * of minute-level changes is half a million points, so everything here is one pass over typed arrays or
 * a binary search.
 */
import type { FeatureConcurrency } from '@seatwise/protocol';

/**
 * The step function as uPlot draws it: x in epoch seconds, then seats in use, then seats owned (if
 * entered). Every change is two points at the same instant, the old level and the new one, so a plain
 * line draws the steps; uPlot then draws at most a few segments per pixel column however many points
 * there are (its stepped path draws every one), which keeps a year of minute-level changes smooth.
 */
export interface StepData {
  x: Float64Array;
  inUse: Float64Array;
  /** Seats owned at every x (a flat line), or null when not entered. */
  owned: Float64Array | null;
}

type Steps = Pick<FeatureConcurrency, 'start' | 'until' | 't' | 'inUse' | 'initialInUse'>;

/**
 * Points for the step line over [start, until]: the level at the start, the corner of every change, and
 * the last level again at `until` so the final step reaches the end of what is known. A change at the
 * very start replaces the initial level rather than standing beside it.
 */
export function stepData(steps: Steps, seatsOwned: number | null): StepData {
  const changes = steps.t.length;
  const lead = changes > 0 && steps.t[0] === steps.start ? 0 : 1;
  const lastX = changes > 0 ? steps.t[changes - 1]! : steps.start;
  const tail = steps.until > lastX ? 1 : 0;
  const length = lead + changes * 2 - (lead ? 0 : 1) + tail;
  const x = new Float64Array(length);
  const inUse = new Float64Array(length);
  let at = 0;
  let level = steps.initialInUse;
  if (lead) {
    x[0] = steps.start;
    inUse[0] = level;
    at = 1;
  }
  for (let index = 0; index < changes; index++) {
    const when = steps.t[index]!;
    if (at > 0) {
      x[at] = when;
      inUse[at++] = level;
    }
    level = steps.inUse[index]!;
    x[at] = when;
    inUse[at++] = level;
  }
  if (tail) {
    x[at] = steps.until;
    inUse[at] = level;
  }
  return { x, inUse, owned: seatsOwned === null ? null : new Float64Array(length).fill(seatsOwned) };
}

export interface Peaks {
  /** The highest level in the window; 0 when nothing was held. */
  level: number;
  /** Where each stretch at that level begins (indices into the data), at most `limit` of them. */
  indices: number[];
  /** How many stretches reach the level (may be more than `indices` holds). */
  count: number;
}

/**
 * The peaks of a step series within indices [first, last]: the highest level, and the start of every
 * stretch at it (a stretch that began before `first` counts from `first`). Nothing is a peak when the
 * highest level is 0.
 */
export function findPeaks(values: ArrayLike<number>, first: number, last: number, limit = 50): Peaks {
  const from = Math.max(0, first);
  const to = Math.min(values.length - 1, last);
  let level = 0;
  for (let index = from; index <= to; index++) if (values[index]! > level) level = values[index]!;
  const indices: number[] = [];
  let count = 0;
  if (level > 0) {
    for (let index = from; index <= to; index++) {
      if (values[index] === level && (index === from || values[index - 1] !== level)) {
        count++;
        if (indices.length < limit) indices.push(index);
      }
    }
  }
  return { level, indices, count };
}

/**
 * The indices of the points that matter for the window [min, max] of a step series sorted by x: from the
 * step in force at `min` (the last point at or before it) to the last point at or before `max`. Binary
 * searches, so zooming a year of points stays instant.
 */
export function visibleRange(x: ArrayLike<number>, min: number, max: number): [first: number, last: number] {
  /** The last index whose x is at or before `value`, or -1. */
  const lastAtOrBefore = (value: number) => {
    let low = 0;
    let high = x.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (x[middle]! <= value) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  };
  return [Math.max(0, lastAtOrBefore(min)), lastAtOrBefore(max)];
}
