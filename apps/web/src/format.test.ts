import { describe, expect, it } from 'vitest';
import { daysBefore, formatBytes, formatCount, formatHours, formatPercent, formatSeats, inZone } from './format.ts';

describe('units', () => {
  it('names seats, hours and percentages', () => {
    expect(formatSeats(1)).toBe('1 seat');
    expect(formatSeats(12)).toBe('12 seats');
    expect(formatSeats(3.45)).toBe('3.5 seats');
    expect(formatHours(0.25)).toBe('0.3 h');
    expect(formatHours(1234.4)).toMatch(/^1.?234 h$/);
    expect(formatPercent(0.873)).toBe('87 %');
    expect(formatPercent(null)).toBe('—');
    expect(formatCount(1, 'person', 'people')).toBe('1 person');
    expect(formatCount(2, 'denial')).toBe('2 denials');
  });
  it('reads byte counts in powers of 1000', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(3_400_000)).toBe('3.4 MB');
    expect(formatBytes(2_000_000_000)).toBe('2 GB');
  });
});

describe('dates', () => {
  it('shows an instant in a named zone', () => {
    expect(inZone('2025-03-12T14:05:00Z', 'Asia/Tokyo')).toContain('(Asia/Tokyo)');
    expect(inZone('2025-03-12T14:05:00Z', 'Asia/Tokyo')).toMatch(/23:05|11:05\sPM/);
  });
  it('steps back whole days across month ends', () => {
    expect(daysBefore('2025-03-01', 1)).toBe('2025-02-28');
    expect(daysBefore('2025-01-10', 30)).toBe('2024-12-11');
  });
});
