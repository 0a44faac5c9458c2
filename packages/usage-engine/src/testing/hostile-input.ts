/**
 * Hostile input for the parser tests: random bytes, real fixture lines with random edits, and 5 MB of
 * adversarial text. A parser fed any of it must neither throw nor hang nor slow down more than linearly, and
 * what it gives must still make sense. Everything comes from seeded generators, so a failing case can be
 * replayed. Test support only: nothing in the engine imports it.
 */
import { expect } from 'vitest';
import { createLineSplitter } from '../lines.ts';
import { createSeededRandom } from '../seeded-random.ts';
import type { Diagnostic, FeatureSnapshot, UsageEvent } from '../types.ts';
import { fixtureTexts, type ParserFactory } from './parser-fixtures.ts';

/** How much adversarial text the linearity tests feed a parser. */
const ADVERSARIAL_BYTES = 5_000_000;

/** One of `items`, drawn with `next`. */
export function oneOf<T>(items: readonly T[], next: () => number): T {
  return items[Math.floor(next() * items.length)] as T;
}

/** `length` random bytes drawn with `next`. */
export function randomBytes(length: number, next: () => number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(next() * 256));
}

/** `count` blocks of `size` random bytes from the generator seeded with `seed`. */
export function randomBlocks(seed: number, count: number, size = 4096): Uint8Array[] {
  const next = createSeededRandom(seed);
  return Array.from({ length: count }, () => randomBytes(size, next));
}

/** The non-empty lines of every .log fixture of a format, read as Latin-1 (so that any byte survives). */
export function realLogLines(format: string): string[] {
  return fixtureTexts(format, '.log', 'latin1')
    .flatMap((text) => text.split(/\r?\n/))
    .filter((line) => line.length > 0);
}

/** `line` with one to four character edits: deletions, insertions from `alphabet`, copied runs, replacements. */
export function mutateChars(line: string, next: () => number, alphabet: string): string {
  const chars = [...line];
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (chars.length + 1));
    const op = next();
    if (op < 0.3) chars.splice(at, 1);
    else if (op < 0.6) chars.splice(at, 0, alphabet[Math.floor(next() * alphabet.length)] as string);
    else if (op < 0.8) chars.splice(at, 0, ...chars.slice(Math.floor(next() * chars.length)).slice(0, 8));
    else chars[at] = alphabet[Math.floor(next() * alphabet.length)] as string;
  }
  return chars.join('');
}

/** `line` with one to four cuts: runs deleted, one of `pieces` inserted, the tail dropped or repeated, a number changed. */
export function mutateSlices(line: string, next: () => number, pieces: readonly string[]): string {
  const pick = (n: number): number => Math.floor(next() * n);
  let out = line;
  for (let k = 0, n = 1 + pick(4); k < n; k++) {
    const at = pick(out.length + 1);
    switch (pick(5)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + 1 + pick(8));
        break;
      case 1:
        out = out.slice(0, at) + (pieces[pick(pieces.length)] ?? '') + out.slice(at);
        break;
      case 2:
        out = out.slice(0, at);
        break;
      case 3:
        out = out.slice(0, at) + out.slice(pick(out.length));
        break;
      default:
        out = out.replace(/\d+/, String(pick(100_000)));
    }
  }
  return out;
}

/** Every event has a real instant, a sane seat count, a line that exists and string names. */
export function expectSaneEvents(events: readonly UsageEvent[], lineCount: number): void {
  for (const e of events) {
    expect(Number.isFinite(e.at)).toBe(true);
    expect(Number.isInteger(e.seats) && e.seats >= 0 && e.seats <= 1_000_000).toBe(true);
    expect(e.line >= 1 && e.line <= lineCount).toBe(true);
    expect(typeof e.vendor === 'string' && typeof e.user === 'string' && typeof e.host === 'string').toBe(true);
  }
}

/** Every snapshot has a real instant and counts that are not negative; every diagnostic names a line. */
export function expectSaneSnapshots(result: { snapshots: readonly FeatureSnapshot[]; diagnostics: readonly Diagnostic[] }): void {
  for (const s of result.snapshots) {
    expect(Number.isFinite(s.at)).toBe(true);
    expect(s.issued).toBeGreaterThanOrEqual(0);
    expect(s.inUse).toBeGreaterThanOrEqual(0);
    for (const u of s.users) {
      expect(u.seats).toBeGreaterThanOrEqual(1);
      if (u.startedAt !== undefined) expect(Number.isFinite(u.startedAt)).toBe(true);
    }
  }
  for (const d of result.diagnostics) expect(d.line).toBeGreaterThanOrEqual(1);
}

/** An event parser fuzzed with chunks of random bytes and mutated real lines. */
export interface EventParserFuzz<Options> {
  create: ParserFactory<Options>;
  /** The options of each round. */
  options: (round: number) => Options;
  seed: number;
  rounds: number;
  /** Real lines to mutate (see realLogLines). */
  realLines: readonly string[];
  /** The characters mutateChars inserts: those the format's syntax turns on. */
  alphabet: string;
}

/**
 * Feeds a fresh parser, each round, one to twenty chunks through the line splitter (random bytes, or a
 * mutated real line ended by LF or a lone CR), and checks what comes out.
 */
export function fuzzEventParser<Options>(fuzz: EventParserFuzz<Options>): void {
  const next = createSeededRandom(fuzz.seed);
  for (let round = 0; round < fuzz.rounds; round++) {
    const events: UsageEvent[] = [];
    const parser = fuzz.create(fuzz.options(round), {
      event: (e) => events.push(e),
      diagnostic: (d) => expect(d.line).toBeGreaterThanOrEqual(1),
    });
    const splitter = createLineSplitter(parser);
    const count = 1 + Math.floor(next() * 20);
    for (let i = 0; i < count; i++) {
      if (next() < 0.3) {
        splitter.push(randomBytes(Math.floor(next() * 200), next));
      } else {
        splitter.push(new TextEncoder().encode(mutateChars(oneOf(fuzz.realLines, next), next, fuzz.alphabet) + (next() < 0.9 ? '\n' : '\r')));
      }
    }
    splitter.end();
    parser.end();
    expectSaneEvents(events, splitter.lineCount);
  }
}

/** What mutatedTexts draws from. */
export interface MutatedTexts {
  seed: number;
  count: number;
  /** Real lines (the fixtures' lines). */
  realLines: readonly string[];
  /** What mutateSlices inserts. */
  pieces: readonly string[];
}

/** `count` texts of sixty real lines each, seven in ten of them mutated by mutateSlices. */
export function mutatedTexts(texts: MutatedTexts): string[] {
  const next = createSeededRandom(texts.seed);
  return Array.from({ length: texts.count }, () =>
    Array.from({ length: 60 }, () => {
      const line = texts.realLines[Math.floor(next() * texts.realLines.length)] ?? '';
      return next() < 0.7 ? mutateSlices(line, next, texts.pieces) : line;
    }).join('\n'),
  );
}

/** `first`, then lines made by `line` until those add up to 5 MB with their line ends. */
export function adversarialLines(line: () => string, first: readonly string[] = []): string[] {
  const lines = [...first];
  for (let size = 0; size < ADVERSARIAL_BYTES; ) {
    const made = line();
    lines.push(made);
    size += made.length + 1;
  }
  return lines;
}

/**
 * Runs `parse` and prints how long it took: not an assertion on speed (the machine may be busy), but a
 * regression to quadratic work shows in the test log.
 */
export function timedParse<T>(what: string, parse: () => T, lineCount: (result: T) => number): T {
  const started = Date.now();
  const result = parse();
  const seconds = (Date.now() - started) / 1000;
  console.log(`5 MB adversarial ${what}: ${lineCount(result)} lines in ${seconds.toFixed(2)} s`);
  return result;
}
