/**
 * The two time panels of the feature page on one time axis: seats in use (exact, from the concurrency
 * steps) with seats owned and the peaks marked, and below it true and retried denials per bucket. Drag
 * across either to zoom both; "Reset zoom" returns to the whole range (keyboard users choose the range
 * with the date fields above). What is in view is also said in words, and every bucket is in a table.
 */
import { useCallback, useMemo, useState } from 'react';
import { Notice } from '../components/Notice.tsx';
import { formatCount, formatDateTime, formatSeats } from '../format.ts';
import { MAX_CONCURRENCY_POINTS, type FeatureConcurrency, type FeatureTimeline } from '@seatwise/protocol';
import { BucketTable } from './BucketTable.tsx';
import { denialData, formatBucket, timelineEnd } from './buckets.ts';
import { concurrencyParts, denialParts } from './chart-parts.ts';
import { findPeaks, stepData, visibleRange } from './concurrency.ts';
import { BUCKET_LABELS } from './range.ts';
import { zonesTitle } from './summary.ts';
import { TimeChart, type XWindow } from './TimeChart.tsx';

interface UsageChartsProps {
  steps: FeatureConcurrency;
  timeline: FeatureTimeline;
  /** The zone local-day buckets are placed in. */
  zone: string;
  /** The license-server zones instants are read in on hover. */
  zones: readonly string[];
  /** The range in words ("1 Mar 2026 to 31 Mar 2026"). */
  range: string;
}

const isoOf = (seconds: number) => new Date(seconds * 1000).toISOString();

/** See the module comment. */
export function UsageCharts({ steps, timeline, zone, zones, range }: UsageChartsProps) {
  const seatsOwned = steps.feature.seatsOwned;
  const line = useMemo(() => stepData(steps, seatsOwned), [steps, seatsOwned]);
  const lineData = useMemo(() => (line.owned ? [line.x, line.inUse, line.owned] : [line.x, line.inUse]), [line]);
  const denials = useMemo(
    () => denialData(timeline.bucket, timeline.points, zone, timelineEnd(timeline.bucket, timeline.to, zone)),
    [timeline, zone],
  );
  const denialChartData = useMemo(() => [denials.x, denials.total, denials.denials], [denials]);
  const lineParts = useMemo(() => concurrencyParts(line.owned !== null), [line]);
  const denialsParts = useMemo(
    () => denialParts(denials.retried, timeline.points.map((point) => formatBucket(timeline.bucket, point.start))),
    [denials, timeline],
  );

  const whole = useMemo<XWindow>(
    () => ({ min: Math.min(steps.start, denials.x[0] ?? steps.start), max: Math.max(steps.until, denials.x[denials.x.length - 1] ?? steps.until, steps.start + 1) }),
    [steps, denials],
  );
  const [zoom, setZoom] = useState<XWindow | null>(null);
  const view = zoom ?? whole;
  const onZoom = useCallback((next: XWindow) => setZoom((current) => (current && current.min === next.min && current.max === next.max ? current : next)), []);
  const [showTable, setShowTable] = useState(false);

  const [first, last] = visibleRange(line.x, view.min, view.max);
  const peaks = findPeaks(line.inUse, first, last, 1);
  const peakAt = peaks.indices.length > 0 ? isoOf(Math.max(line.x[peaks.indices[0]!]!, view.min)) : null;
  const trueTotal = timeline.points.reduce((sum, point) => sum + point.denials, 0);
  const retriedTotal = timeline.points.reduce((sum, point) => sum + point.retriedDenials, 0);
  const bucketWord = BUCKET_LABELS[timeline.bucket].toLowerCase();

  const lineLabel =
    `Seats in use over time, ${range}: at most ${formatSeats(findPeaks(line.inUse, 0, line.x.length - 1, 1).level)} at once` +
    (seatsOwned === null ? '.' : ` of ${formatSeats(seatsOwned)} owned (dashed line).`) +
    ' Peaks are marked with triangles. The figures are in the summary and in the table.';
  const denialLabel = `True and retried denials per ${bucketWord}, ${range}: ${formatCount(trueTotal, 'true denial')} and ${formatCount(retriedTotal, 'retried denial')} in all.`;

  return (
    <section className="card feature-section" aria-labelledby="usage-charts-heading">
      <div className="section-heading feature-section-heading">
        <h2 id="usage-charts-heading">Seats in use and denials</h2>
        <div className="feature-actions">
          <button
            type="button"
            className="button button-secondary button-small"
            aria-disabled={zoom === null || undefined}
            onClick={() => zoom !== null && setZoom(null)}
          >
            Reset zoom
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            aria-expanded={showTable}
            aria-controls="usage-bucket-table"
            onClick={() => setShowTable((shown) => !shown)}
          >
            {showTable ? 'Hide table' : 'Show as table'}
          </button>
        </div>
      </div>
      <p className="muted feature-hint">
        Drag across a chart to zoom in; both panels follow. To choose the stretch of time with the keyboard, use the From and To dates above.
      </p>
      {steps.truncated ? (
        <Notice tone="info">
          This range holds more than {formatCount(MAX_CONCURRENCY_POINTS, 'change')} in seats in use, more than are drawn at once: the line stops at{' '}
          {formatDateTime(isoOf(steps.until))}. Choose a shorter range to see the rest; the denials, the table and the summary cover the whole range.
        </Notice>
      ) : null}
      <p className="feature-window" role="status">
        {zoom === null ? 'Showing the whole range' : `Zoomed to ${formatDateTime(isoOf(view.min))} – ${formatDateTime(isoOf(view.max))}`}
        {peakAt ? (
          <>
            {'. Most in use in view: '}
            {formatSeats(peaks.level)}, first at <time dateTime={peakAt} title={zonesTitle(peakAt, zones)}>{formatDateTime(peakAt)}</time>
            {peaks.count > 1 ? ` (reached ${formatCount(peaks.count, 'time')})` : ''}.
          </>
        ) : (
          '. No seats in use in view.'
        )}
      </p>
      <TimeChart label={lineLabel} data={lineData} parts={lineParts} height={260} syncKey="feature-usage" view={view} onZoom={onZoom} />
      <h3 className="feature-panel-heading">Denials per {bucketWord}</h3>
      <TimeChart label={denialLabel} data={denialChartData} parts={denialsParts} height={150} syncKey="feature-usage" view={view} onZoom={onZoom} />
      <div id="usage-bucket-table">
        {showTable ? <BucketTable bucket={timeline.bucket} points={timeline.points} zones={zones} range={range} /> : null}
      </div>
    </section>
  );
}
