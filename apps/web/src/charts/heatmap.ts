/**
 * The hour-of-week heatmap: a timeline's hours folded into 7 × 24 cells (Monday first) by the weekday and
 * hour a clock in the chosen zone showed when each hour began. Summer-time changes are handled by reading
 * every hour's own clock: the hour skipped in spring adds nothing that day, the hour repeated in autumn
 * adds two samples, and averages divide by the samples each cell really has.
 */
import type { TimelinePoint } from '@seatwise/protocol';
import { wallClock } from './zone.ts';

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

export interface HeatCell {
  /** Monday 0 … Sunday 6. */
  weekday: number;
  /** Local hour 0–23. */
  hour: number;
  /** Seats in use on average over the hours that fell in this cell. */
  average: number;
  /** The most seats held at once in any of them. */
  peak: number;
  /** How many hours of the range fell in this cell. */
  samples: number;
}

/** Folds hour points (UTC instants) into weekday × hour cells of `zone`: rows Monday … Sunday, columns 0–23. */
export function hourOfWeek(points: readonly Pick<TimelinePoint, 'start' | 'averageInUse' | 'peak'>[], zone: string): HeatCell[][] {
  const sums = Array.from({ length: 7 }, () => new Float64Array(24));
  const peaks = Array.from({ length: 7 }, () => new Float64Array(24));
  const samples = Array.from({ length: 7 }, () => new Uint32Array(24));
  for (const point of points) {
    const clock = wallClock(Date.parse(point.start), zone);
    if (clock.weekday < 0) continue;
    sums[clock.weekday]![clock.hour]! += point.averageInUse;
    samples[clock.weekday]![clock.hour]! += 1;
    if (point.peak > peaks[clock.weekday]![clock.hour]!) peaks[clock.weekday]![clock.hour] = point.peak;
  }
  return sums.map((row, weekday) =>
    Array.from(row, (sum, hour) => {
      const count = samples[weekday]![hour]!;
      return { weekday, hour, average: count > 0 ? sum / count : 0, peak: peaks[weekday]![hour]!, samples: count };
    }),
  );
}

/** The cell with the highest average (the earliest in the week on a tie); null when nothing was in use. */
export function busiestCell(cells: readonly (readonly HeatCell[])[]): HeatCell | null {
  let best: HeatCell | null = null;
  for (const row of cells) for (const cell of row) if (cell.average > 0 && (!best || cell.average > best.average)) best = cell;
  return best;
}

/** How dark a cell is drawn: 0 (nothing in use) to `levels` (the busiest cell), in proportion to the average. */
export function heatLevel(average: number, highest: number, levels = 6): number {
  if (average <= 0 || highest <= 0) return 0;
  return Math.max(1, Math.min(levels, Math.ceil((average / highest) * levels)));
}

/** "09:00–10:00" for an hour of the day. */
export function hourSpan(hour: number): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(hour)}:00–${pad((hour + 1) % 24)}:00`;
}
