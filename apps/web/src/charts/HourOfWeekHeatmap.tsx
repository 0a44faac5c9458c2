/**
 * The hour-of-week heatmap: seven rows (Monday first) of 24 hours, each cell as dark as its average seats
 * in use, read on one clock (the license server's when there is one). To screen readers the grid is an
 * image with a description; "Show as table" gives every cell as text.
 */
import { useMemo, useState } from 'react';
import type { TimelinePoint } from '@seatwise/protocol';
import { formatSeats } from '../format.ts';
import { busiestCell, heatLevel, hourOfWeek, hourSpan, WEEKDAY_NAMES, type HeatCell } from './heatmap.ts';

interface HeatmapProps {
  hours: readonly TimelinePoint[];
  zone: string;
  /** Words for the zone ("the license server's time zone, Europe/Madrid"). */
  zoneWords: string;
  range: string;
}

const cellWords = (cell: HeatCell) =>
  cell.samples === 0 ? 'no hours in the range' : `${formatSeats(Math.round(cell.average * 10) / 10)} on average, at most ${formatSeats(cell.peak)}`;

/** See the module comment. */
export function HourOfWeekHeatmap({ hours, zone, zoneWords, range }: HeatmapProps) {
  const cells = useMemo(() => hourOfWeek(hours, zone), [hours, zone]);
  const busiest = busiestCell(cells);
  const highest = busiest?.average ?? 0;
  const [showTable, setShowTable] = useState(false);
  const label = busiest
    ? `Hour-of-week heatmap, ${range}, in ${zoneWords}: average seats in use by weekday and hour. Busiest: ${WEEKDAY_NAMES[busiest.weekday]} ${hourSpan(busiest.hour)}, ${cellWords(busiest)}.`
    : `Hour-of-week heatmap, ${range}: no seats were in use.`;

  return (
    <section className="card feature-section" aria-labelledby="heatmap-heading">
      <div className="section-heading feature-section-heading">
        <h2 id="heatmap-heading">Busiest hours of the week</h2>
        <div className="feature-actions">
          <button
            type="button"
            className="button button-secondary button-small"
            aria-expanded={showTable}
            aria-controls="heatmap-table"
            onClick={() => setShowTable((shown) => !shown)}
          >
            {showTable ? 'Hide table' : 'Show as table'}
          </button>
        </div>
      </div>
      <p className="muted feature-hint">Average seats in use by weekday and hour, in {zoneWords}. Darker is busier; hover a cell for its figures.</p>
      <div className="heatmap" role="img" aria-label={label}>
        <span className="heatmap-corner" />
        {cells[0]!.map((cell) => (
          <span key={cell.hour} className="heatmap-hour">
            {cell.hour % 3 === 0 ? String(cell.hour).padStart(2, '0') : ''}
          </span>
        ))}
        {cells.map((row, weekday) => [
          <span key={`day-${weekday}`} className="heatmap-day">
            {WEEKDAY_NAMES[weekday]!.slice(0, 3)}
          </span>,
          ...row.map((cell) => (
            <span
              key={`${weekday}-${cell.hour}`}
              className={`heatmap-cell heat-${heatLevel(cell.average, highest)}`}
              title={`${WEEKDAY_NAMES[weekday]} ${hourSpan(cell.hour)}: ${cellWords(cell)}`}
            />
          )),
        ])}
      </div>
      <p className="heatmap-scale muted" aria-hidden="true">
        <span>None</span>
        {[1, 2, 3, 4, 5, 6].map((level) => (
          <span key={level} className={`heatmap-cell heat-${level}`} />
        ))}
        <span>Busiest</span>
      </p>
      <div id="heatmap-table">
        {showTable ? (
          <div className="table-scroll">
            <table className="table heatmap-table">
              <caption>
                Average seats in use by weekday and hour, {range}, in {zoneWords}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Hour</th>
                  {WEEKDAY_NAMES.map((name) => (
                    <th key={name} scope="col">
                      {name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {cells[0]!.map((_, hour) => (
                  <tr key={hour}>
                    <th scope="row" data-label="Hour">
                      {hourSpan(hour)}
                    </th>
                    {cells.map((row, weekday) => (
                      <td key={weekday} data-label={WEEKDAY_NAMES[weekday]}>
                        {row[hour]!.samples === 0 ? '—' : formatSeats(Math.round(row[hour]!.average * 10) / 10)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </section>
  );
}
