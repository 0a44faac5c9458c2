/**
 * The uPlot parts of the two time panels: seats in use (a stepped line with seats owned and the peaks
 * marked) and denials (true and retried, stacked steps per bucket). Colours come in as arguments, so the
 * same parts serve the light and dark schemes.
 */
import uPlot from 'uplot';
import { formatCount, formatDateTime, formatSeats } from '../format.ts';
import { withAlpha, type ChartColors } from './chart-colors.ts';
import { findPeaks, visibleRange } from './concurrency.ts';
import type { ChartParts } from './TimeChart.tsx';

/** Tick steps for counts of seats and denials: whole numbers only. */
const WHOLE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];
/** How many peaks are marked at most (more would hide the line). */
const MARKED_PEAKS = 200;

// uPlot's path builders are always present in its build; the type marks them optional for custom builds.
const stepped = uPlot.paths.stepped!({ align: 1 });

function axes(colors: ChartColors, label: string): uPlot.Axis[] {
  const lines = { stroke: colors.grid, width: 1 };
  return [
    { stroke: colors.muted, grid: lines, ticks: lines },
    { stroke: colors.muted, grid: lines, ticks: lines, label, incrs: WHOLE_STEPS, size: 50 },
  ];
}

/** From 0 to a little above the highest value, never less than 1 (an empty chart still has an axis). */
const fromZero: uPlot.Range.Function = (_chart, _min, max) => [0, Math.max(1, Math.ceil((max ?? 0) * 1.1))];

const instant = (seconds: number | null) => (seconds == null ? '–' : formatDateTime(new Date(seconds * 1000).toISOString()));

/** Draws a small downward triangle over the start of every stretch at the highest level in view. */
function markPeaks(colors: ChartColors) {
  return (chart: uPlot) => {
    const xs = chart.data[0];
    const ys = chart.data[1] as ArrayLike<number> | undefined;
    const { min, max } = chart.scales.x!;
    if (!ys || xs.length === 0 || min == null || max == null) return;
    const [first, last] = visibleRange(xs, min, max);
    const peaks = findPeaks(ys, first, last, MARKED_PEAKS);
    if (peaks.indices.length === 0) return;
    const size = 5 * uPlot.pxRatio;
    const y = chart.valToPos(peaks.level, 'y', true);
    const { ctx, bbox } = chart;
    ctx.save();
    ctx.beginPath();
    ctx.rect(bbox.left, bbox.top - 3 * size, bbox.width, bbox.height + 3 * size);
    ctx.clip();
    ctx.fillStyle = colors.peak;
    for (const index of peaks.indices) {
      const x = chart.valToPos(Math.max(xs[index]!, min), 'x', true);
      ctx.beginPath();
      ctx.moveTo(x, y - size * 0.4);
      ctx.lineTo(x - size, y - size * 2.2);
      ctx.lineTo(x + size, y - size * 2.2);
      ctx.closePath();
      ctx.fill();
    }
    ctx.restore();
  };
}

/** Seats in use as steps (corner points from stepData), seats owned as a dashed line (when entered), the peaks in view marked. */
export function concurrencyParts(withOwned: boolean) {
  return (colors: ChartColors): ChartParts => ({
    series: [
      { value: (_chart, seconds) => instant(seconds) },
      {
        label: 'Seats in use',
        stroke: colors.line,
        fill: withAlpha(colors.line, 0.14),
        width: 1.5,
        // Straight lines between the corners stepData makes: drawn per pixel column, not per point.
        points: { show: false },
        value: (_chart, seats) => (seats == null ? '–' : formatSeats(seats)),
      },
      ...(withOwned
        ? [
            {
              label: 'Seats owned',
              stroke: colors.owned,
              dash: [6, 4],
              width: 1.5,
              points: { show: false },
              value: (_chart: uPlot, seats: number | null) => (seats == null ? '–' : formatSeats(seats)),
            },
          ]
        : []),
    ],
    axes: axes(colors, 'Seats'),
    scales: { y: { range: fromZero } },
    hooks: { draw: [markPeaks(colors)] },
  });
}

/**
 * Denials per bucket as stacked steps: the data are [x, true + retried, true]; the upper band is drawn
 * first and the true denials over it, and the legend shows the retried count itself and the bucket's name.
 */
export function denialParts(retried: ArrayLike<number>, bucketNames: readonly string[]) {
  return (colors: ChartColors): ChartParts => ({
    series: [
      { label: 'Period', value: (_chart, _seconds, _series, index) => (index == null ? '–' : (bucketNames[index] ?? '–')) },
      {
        label: 'Retried denials',
        stroke: colors.retried,
        fill: withAlpha(colors.retried, 0.3),
        width: 1,
        paths: stepped,
        points: { show: false },
        value: (_chart, _total, _series, index) => (index == null ? '–' : formatCount(retried[index] ?? 0, 'denial')),
      },
      {
        label: 'True denials',
        stroke: colors.denied,
        fill: withAlpha(colors.denied, 0.45),
        width: 1,
        paths: stepped,
        points: { show: false },
        value: (_chart, count) => (count == null ? '–' : formatCount(count, 'denial')),
      },
    ],
    axes: axes(colors, 'Denials'),
    scales: { y: { range: fromZero } },
  });
}
