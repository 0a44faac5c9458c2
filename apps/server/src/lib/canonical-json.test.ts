import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

/** What a jsonb column gives back for a value: its JSON, parsed again (key order aside). */
const jsonRoundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('canonicalJson', () => {
  it('gives the same text whatever the order of the keys', () => {
    expect(canonicalJson({ b: 1, a: 2, c: 3 })).toBe('{"a":2,"b":1,"c":3}');
    expect(canonicalJson({ c: 3, a: 2, b: 1 })).toBe(canonicalJson({ a: 2, b: 1, c: 3 }));
  });

  it('sorts the keys of nested objects, also inside arrays, and keeps array order', () => {
    const one = { z: { y: 1, x: [{ b: 2, a: 1 }, 3] }, a: [3, 2, 1] };
    const two = { a: [3, 2, 1], z: { x: [{ a: 1, b: 2 }, 3], y: 1 } };
    expect(canonicalJson(one)).toBe('{"a":[3,2,1],"z":{"x":[{"a":1,"b":2},3],"y":1}}');
    expect(canonicalJson(two)).toBe(canonicalJson(one));
    expect(canonicalJson([1, 2, 3])).not.toBe(canonicalJson([3, 2, 1]));
  });

  it('sorts keys by code unit, the same on every machine and locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, é: 4, '10': 5, '9': 6 })).toBe('{"10":5,"9":6,"B":2,"a":3,"b":1,"é":4}');
  });

  it('drops undefined members and writes undefined array items as null, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson({ a: { b: undefined } })).toBe('{"a":{}}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('writes scalars as JSON does', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson('a "quoted" \\ line\n')).toBe('"a \\"quoted\\" \\\\ line\\n"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(Number.NaN)).toBe('null');
  });

  it('gives the same text for a value and for its JSON round trip (what the database returns)', () => {
    const values: unknown[] = [
      { at: new Date('2026-03-01T12:00:00.000Z'), nested: { when: new Date(0) } },
      { list: [new Date(0), undefined, () => 1], fn: () => 1, skipped: undefined },
      { custom: { toJSON: () => ({ b: 2, a: 1 }) } },
      { big: 1e21, small: 1e-7, negativeZero: -0, precise: 0.1 + 0.2 },
      { text: 'emoji 😀, accents é, quotes "', empty: {}, none: [] },
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(canonicalJson(jsonRoundTrip(value)));
  });

  it('writes a Date as its ISO text, like JSON.stringify', () => {
    expect(canonicalJson({ at: new Date('2026-03-01T12:00:00.000Z') })).toBe('{"at":"2026-03-01T12:00:00.000Z"}');
  });
});
