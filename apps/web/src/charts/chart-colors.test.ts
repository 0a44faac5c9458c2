import { describe, expect, it } from 'vitest';
import { withAlpha } from './chart-colors.ts';

describe('withAlpha', () => {
  it('adds an alpha byte to hex colours', () => {
    expect(withAlpha('#3730a3', 0.2)).toBe('#3730a333');
    expect(withAlpha(' #abc ', 1)).toBe('#aabbccff');
    expect(withAlpha('#3730a3', 0)).toBe('#3730a300');
  });

  it('leaves other notations as they are', () => {
    expect(withAlpha('rgb(1 2 3)', 0.5)).toBe('rgb(1 2 3)');
    expect(withAlpha('#3730a3cc', 0.5)).toBe('#3730a3cc');
  });
});
