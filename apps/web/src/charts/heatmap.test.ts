import { describe, expect, it } from 'vitest';
import { busiestCell, heatLevel, hourOfWeek, hourSpan } from './heatmap.ts';

const hour = (start: string, averageInUse: number, peak = Math.ceil(averageInUse)) => ({ start, averageInUse, peak });

describe('hourOfWeek', () => {
  it('folds hours into weekday (Monday first) × hour cells, averaging over the hours each cell holds', () => {
    // 2026-03-02 and 2026-03-09 are Mondays.
    const cells = hourOfWeek([hour('2026-03-02T09:00:00Z', 2, 3), hour('2026-03-09T09:00:00Z', 4, 5), hour('2026-03-08T23:00:00Z', 1)], 'UTC');
    expect(cells).toHaveLength(7);
    expect(cells.every((row) => row.length === 24)).toBe(true);
    expect(cells[0]![9]).toEqual({ weekday: 0, hour: 9, average: 3, peak: 5, samples: 2 });
    expect(cells[6]![23]).toMatchObject({ average: 1, samples: 1 });
    expect(cells[2]![9]).toEqual({ weekday: 2, hour: 9, average: 0, peak: 0, samples: 0 });
  });

  it('reads each hour on the zone\'s clock: the hour skipped in spring gets nothing, the repeated one two samples', () => {
    const spring = hourOfWeek(
      ['2026-03-28T23:00:00Z', '2026-03-29T00:00:00Z', '2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z'].map((start, index) => hour(start, index + 1)),
      'Europe/Madrid',
    );
    const sunday = spring[6]!;
    expect(sunday.slice(0, 5).map((cell) => [cell.samples, cell.average])).toEqual([
      [1, 1],
      [1, 2],
      [0, 0],
      [1, 3],
      [1, 4],
    ]);
    // 00:00Z and 01:00Z are both 02:00 in Madrid on 2026-10-25 (summer time ends at 01:00Z).
    const autumn = hourOfWeek([hour('2026-10-25T00:00:00Z', 2), hour('2026-10-25T01:00:00Z', 4, 6)], 'Europe/Madrid');
    expect(autumn[6]![2]).toEqual({ weekday: 6, hour: 2, average: 3, peak: 6, samples: 2 });
    expect(autumn[6]![3]!.samples).toBe(0);
  });

  it('gives empty cells for no hours', () => {
    const cells = hourOfWeek([], 'UTC');
    expect(cells.flat().every((cell) => cell.samples === 0 && cell.average === 0)).toBe(true);
    expect(busiestCell(cells)).toBeNull();
  });
});

describe('busiestCell and heatLevel', () => {
  it('finds the highest average, the earliest in the week on a tie', () => {
    const cells = hourOfWeek([hour('2026-03-03T10:00:00Z', 3), hour('2026-03-05T14:00:00Z', 3), hour('2026-03-02T08:00:00Z', 1)], 'UTC');
    expect(busiestCell(cells)).toMatchObject({ weekday: 1, hour: 10, average: 3 });
  });

  it('scales to 1–6 with nothing at 0', () => {
    expect(heatLevel(0, 5)).toBe(0);
    expect(heatLevel(5, 5)).toBe(6);
    expect(heatLevel(0.01, 5)).toBe(1);
    expect(heatLevel(2.5, 5)).toBe(3);
    expect(heatLevel(1, 0)).toBe(0);
  });

  it('names an hour of the day', () => {
    expect(hourSpan(9)).toBe('09:00–10:00');
    expect(hourSpan(23)).toBe('23:00–00:00');
  });
});
