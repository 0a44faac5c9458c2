import type { AnalyticsBucket, TimelinePoint } from '@seatwise/protocol';
import { formatCount, formatDateTime, formatHours, formatPercent, formatSeats } from '../format.ts';
import { formatBucket } from './buckets.ts';
import { BUCKET_LABELS } from './range.ts';
import { zonesTitle } from './summary.ts';

/** The time panels as text: one row per bucket with every figure the charts draw. */
export function BucketTable({ bucket, points, zones, range }: { bucket: AnalyticsBucket; points: readonly TimelinePoint[]; zones: readonly string[]; range: string }) {
  const perDay = bucket !== 'hour';
  return (
    <div className="table-scroll">
      <table className="table bucket-table">
        <caption>
          Usage per {BUCKET_LABELS[bucket].toLowerCase()}, {range}
        </caption>
        <thead>
          <tr>
            <th scope="col">{BUCKET_LABELS[bucket]}</th>
            <th scope="col">Peak</th>
            <th scope="col">Average in use</th>
            <th scope="col">Seat-hours</th>
            <th scope="col">Utilisation (average / peak)</th>
            {perDay ? <th scope="col">Most users in a day</th> : null}
            <th scope="col">True denials</th>
            <th scope="col">Retried denials</th>
          </tr>
        </thead>
        <tbody>
          {points.map((point) => (
            <tr key={point.start}>
              <th scope="row" data-label={BUCKET_LABELS[bucket]}>
                {formatBucket(bucket, point.start)}
              </th>
              <td data-label="Peak">
                {formatSeats(point.peak)}
                {point.peakAt ? (
                  <span className="muted bucket-peak-at" title={zonesTitle(point.peakAt, zones)}>
                    {' '}
                    at {formatDateTime(point.peakAt)}
                  </span>
                ) : null}
              </td>
              <td data-label="Average in use">{formatSeats(point.averageInUse)}</td>
              <td data-label="Seat-hours">{formatHours(point.seatHours)}</td>
              <td data-label="Utilisation">
                {point.utilisation ? `${formatPercent(point.utilisation.average)} / ${formatPercent(point.utilisation.peak)}` : '—'}
              </td>
              {perDay ? <td data-label="Most users in a day">{formatCount(point.users ?? 0, 'person', 'people')}</td> : null}
              <td data-label="True denials">{formatCount(point.denials, 'denial')}</td>
              <td data-label="Retried denials">{formatCount(point.retriedDenials, 'denial')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
