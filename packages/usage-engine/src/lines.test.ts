import { describe, expect, it } from 'vitest';
import { createLineSplitter, type LineTarget } from './lines.ts';
import type { Diagnostic } from './types.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs the splitter over `chunks`; returns [line number, text] pairs and the diagnostics. */
function split(chunks: (Uint8Array | string)[], options: { maxLineLength?: number; bytes?: boolean } = {}) {
  const lines: [number, string][] = [];
  const diagnostics: Diagnostic[] = [];
  const target: LineTarget = {
    line: (text, n) => lines.push([n, text]),
  };
  if (options.bytes) {
    target.lineBytes = (bytes, start, end, n) => lines.push([n, new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(start, end))]);
  }
  const splitter = createLineSplitter(target, { maxLineLength: options.maxLineLength, diagnostic: (d) => diagnostics.push(d) });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  expect(splitter.lineCount).toBe(lines.length);
  return { lines, diagnostics };
}

/** Every way of cutting `bytes` into two chunks, and into single bytes. */
function cuts(bytes: Uint8Array): Uint8Array[][] {
  const ways: Uint8Array[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) ways.push([bytes.slice(0, i), bytes.slice(i)]);
  ways.push(Array.from(bytes, (b) => Uint8Array.of(b)));
  return ways;
}

describe('createLineSplitter', () => {
  it('splits on LF, CRLF and lone CR, wherever the chunks are cut', () => {
    const text = 'one\ntwo\r\nthree\rfour\r\n\nsix';
    const expected = ['one', 'two', 'three', 'four', '', 'six'].map((t, i) => [i + 1, t]);
    for (const bytes of [false, true]) {
      for (const chunks of cuts(encode(text))) expect(split(chunks, { bytes }).lines).toEqual(expected);
    }
    for (let i = 1; i < text.length; i++) expect(split([text.slice(0, i), text.slice(i)]).lines).toEqual(expected);
  });

  it('drops a byte-order mark at the start only, even when it is cut', () => {
    const text = '\ufeff 9:14:47 (MLM) OUT\n\ufeffkept\n';
    const expected = [
      [1, ' 9:14:47 (MLM) OUT'],
      [2, '\ufeffkept'],
    ];
    for (const chunks of cuts(encode(text))) expect(split(chunks).lines).toEqual(expected);
    expect(split([text]).lines).toEqual(expected);
    expect(split([encode(text)], { bytes: true }).lines).toEqual(expected);
  });

  it('decodes UTF-8 cut between chunks, and reads a line that is not UTF-8 as Latin-1', () => {
    const text = 'José.Núñez@PC-12 ✓ 😀\nascii\n';
    for (const chunks of cuts(encode(text))) {
      expect(split(chunks).lines).toEqual([
        [1, 'José.Núñez@PC-12 ✓ 😀'],
        [2, 'ascii'],
      ]);
    }
    const latin1 = Uint8Array.from([...'jürgen\n'].map((c) => c.charCodeAt(0)));
    expect(split([latin1]).lines).toEqual([[1, 'jürgen']]);
    // A real U+FFFD in valid UTF-8 stays.
    expect(split([encode('a\ufffdb\n')]).lines).toEqual([[1, 'a\ufffdb']]);
  });

  it('cuts a line longer than the cap, reports it once and keeps counting lines', () => {
    const long = 'x'.repeat(50);
    for (const bytes of [false, true]) {
      for (const chunks of [[encode(`${long}\nshort\n`)], cuts(encode(`${long}\nshort\n`)).at(-1) as Uint8Array[]]) {
        const { lines, diagnostics } = split(chunks, { maxLineLength: 10, bytes });
        expect(lines).toEqual([
          [1, 'x'.repeat(10)],
          [2, 'short'],
        ]);
        expect(diagnostics).toEqual([{ line: 1, reason: 'line longer than 10 bytes; the rest was ignored' }]);
      }
    }
    const { lines, diagnostics } = split([`${long}\nshort`], { maxLineLength: 10 });
    expect(lines).toEqual([
      [1, 'x'.repeat(10)],
      [2, 'short'],
    ]);
    expect(diagnostics).toEqual([{ line: 1, reason: 'line longer than 10 characters; the rest was ignored' }]);
  });

  it('keeps memory bounded on a huge line without a break', () => {
    const chunk = new Uint8Array(1 << 20).fill(0x41);
    const lines: number[] = [];
    const splitter = createLineSplitter({ line: (text) => lines.push(text.length) }, { maxLineLength: 1000 });
    for (let i = 0; i < 8; i++) splitter.push(chunk);
    splitter.end();
    expect(lines).toEqual([1000]);
  });

  it('flushes a last line without a line break, and nothing for an empty input', () => {
    expect(split([encode('a\nb')]).lines).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(split([]).lines).toEqual([]);
    expect(split([encode('')]).lines).toEqual([]);
  });

  it('keeps no reference to a chunk: the caller may reuse its buffer', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter({ line: (text) => lines.push(text) });
    const buffer = new Uint8Array(8);
    for (const part of ['first li', 'ne\nsecon', 'd line\n']) {
      buffer.fill(0);
      buffer.set(encode(part));
      splitter.push(buffer.subarray(0, part.length));
    }
    buffer.fill(0x21);
    splitter.end();
    expect(lines).toEqual(['first line', 'second line']);
  });

  it('hands ranges to a byte target and the same lines to a text target', () => {
    const text = 'a\r\nbé\rc\n' + 'y'.repeat(20_000) + '\nz';
    const asText = split([encode(text)]).lines;
    const asBytes = split([encode(text)], { bytes: true }).lines;
    expect(asBytes).toEqual(asText);
    expect(asText.map(([, t]) => t.length)).toEqual([1, 2, 1, 20_000, 1]);
  });

  it('numbers on from firstLineNumber (a reader resuming partway through a file)', () => {
    for (const bytes of [false, true]) {
      const lines: number[] = [];
      const target: LineTarget = { line: (_, n) => lines.push(n) };
      if (bytes) target.lineBytes = (_b, _s, _e, n) => lines.push(n);
      const splitter = createLineSplitter(target, { firstLineNumber: 41 });
      splitter.push(encode('a\nb\r\nc'));
      splitter.end();
      expect(lines).toEqual([41, 42, 43]);
      expect(splitter.lineCount).toBe(3);
    }
    expect(() => createLineSplitter({ line: () => {} }, { firstLineNumber: 0 })).toThrow(RangeError);
  });
});
