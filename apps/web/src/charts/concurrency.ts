/**
 * The seats-in-use step function (from the concurrency endpoint) shaped for uPlot, and its peaks. A year
 * of minute-level changes is half a million points, so everything here is one pass over typed arrays.
 */
import type { FeatureConcurrency } from '@seatwise/protocol';

/** The step function as uPlot draws it: x in epoch seconds, then seats in use, then seats owned (if entered). */
export interface StepData {
  x: Float64Array;
  inUse: Float64Array;
  /** Seats owned at every x (a flat line), or null when not entered. */
  owned: Float64Array | null;
}

type Steps = Pick<FeatureConcurrency, 'start' | 'until' | 't' | 'inUse' | 'initialInUse'>;

/**
 * Points for a stepped line over [start, until]: the level at the start, every change, and the last
 * level again at `until` so the final step is drawn to the end of what is known. A change at the very
 * start replaces the initial level rather than standing beside it at the same instant.
 */
export function stepData(steps: Steps, seatsOwned: number | null): StepData {
  const changes = steps.t.length;
  const startsWithChange = changes > 0 && steps.t[0] === steps.start;
  const lead = startsWithChange ? 0 : 1;
  const tail = steps.until > (changes > 0 ? steps.t[changes - 1]! : steps.start) ? 1 : 0;
  const length = lead + changes + tail;
  const x = new Float64Array(length);
  const inUse = new Float64Array(length);
  if (lead) {
    x[0] = steps.start;
    inUse[0] = steps.initialInUse;
  }
  for (let index = 0; index < changes; index++) {
    x[lead + index] = steps.t[index]!;
    inUse[lead + index] = steps.inUse[index]!;
  }
  if (tail) {
    x[length - 1] = steps.until;
    inUse[length - 1] = changes > 0 ? steps.inUse[changes - 1]! : steps.initialInUse;
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
