/**
 * One uPlot time chart: drawn on a canvas at its container's width (followed with a ResizeObserver, so
 * it fits a phone), coloured from the page's CSS variables, zoomed by dragging across it. Charts with the
 * same sync key share the cursor; the x window is owned by the parent, so zooming one zooms them all and
 * "Reset zoom" is a plain state change. uPlot touches styles only through the CSSOM, which the CSP allows.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { readChartColors, useColorScheme, type ChartColors } from './chart-colors.ts';
import { visibleRange } from './concurrency.ts';

/** A window of the time axis, in epoch seconds. */
export interface XWindow {
  min: number;
  max: number;
}

/** The parts of uPlot options a chart defines for itself, given the colours in force. */
export type ChartParts = Pick<uPlot.Options, 'series' | 'axes' | 'scales' | 'hooks'>;

interface TimeChartProps {
  /** What the chart shows, for screen readers (the chart is an image to them; the data is in text too). */
  label: string;
  data: uPlot.AlignedData;
  /** Series, axes, y scales and hooks; keep it stable (useCallback), or the chart is built again. */
  parts: (colors: ChartColors) => ChartParts;
  height: number;
  syncKey: string;
  view: XWindow;
  onZoom: (view: XWindow) => void;
}

/** Seconds of difference under which two windows count as the same (uPlot rounds through pixels). */
const SAME = 0.5;
const sameWindow = (a: XWindow, b: { min?: number | null; max?: number | null }) =>
  b.min != null && b.max != null && Math.abs(a.min - b.min) < SAME && Math.abs(a.max - b.max) < SAME;

const widthOf = (element: HTMLElement) => Math.max(240, Math.floor(element.clientWidth));

/** A time chart; see the module comment. */
export function TimeChart({ label, data, parts, height, syncKey, view, onZoom }: TimeChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The hooks read the latest props without the chart being built again for them.
  const latest = useRef({ view, onZoom });
  latest.current = { view, onZoom };
  const scheme = useColorScheme();

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const own = parts(readChartColors(element));
    const options: uPlot.Options = {
      ...own,
      width: widthOf(element),
      height,
      scales: { ...own.scales, x: { time: true, min: latest.current.view.min, max: latest.current.view.max } },
      cursor: {
        sync: { key: syncKey },
        drag: { x: true, y: false, setScale: true },
        // Every series here is a step function: the legend shows the value in force at the cursor (the
        // last point at or before it), not the nearest point's.
        dataIdx: (chart, _series, closest, x) => {
          const inForce = visibleRange(chart.data[0], x, x)[1];
          return inForce >= 0 ? inForce : closest;
        },
      },
      hooks: {
        ...own.hooks,
        setScale: [
          ...(own.hooks?.setScale ?? []),
          (chart, key) => {
            if (key !== 'x') return;
            const { min, max } = chart.scales.x!;
            // Windows set from props come back here too; only a drag is news to the parent.
            if (min == null || max == null || sameWindow(latest.current.view, { min, max })) return;
            latest.current.onZoom({ min, max });
          },
        ],
      },
    };
    const chart = new uPlot(options, data, element);
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      const width = widthOf(element);
      if (width !== chart.width) chart.setSize({ width, height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [data, parts, height, syncKey, scheme]);

  useEffect(() => {
    const chart = plot.current;
    if (chart && !sameWindow(view, chart.scales.x!)) chart.setScale('x', { min: view.min, max: view.max });
  }, [view.min, view.max]);

  return <div ref={holder} className="time-chart" role="img" aria-label={label} />;
}
