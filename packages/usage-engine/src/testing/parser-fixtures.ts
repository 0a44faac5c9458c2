/**
 * What the parser tests share about fixtures: the sample files under fixtures/<format>/ and the
 * `.expected.json` beside each, running a parser over them, and instants written as ISO strings so that an
 * expected file can be read and checked by eye. Test support only: nothing in the engine imports it.
 *
 * Two kinds of fixture suite:
 * - event fixtures (FlexLM debug, RLM debug, RLM report logs): NAME.log gives exactly the events and
 *   diagnostics of NAME.expected.json, whole, cut into random chunks and read as text;
 * - recorded fixtures (lmstat, rlmstat, lmxendutil output, CSV): NAME.txt gives what NAME.expected.json
 *   records, beside the `description` and `options` it was made with.
 * UPDATE_FIXTURES=1 rewrites the expected files from what the parser now says (not for hand-laid-out ones).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLineSplitter } from '../lines.ts';
import { createSeededRandom } from '../seeded-random.ts';
import type { Diagnostic, FeatureSnapshot, LineParser, ParseSink, UsageEvent } from '../types.ts';

const FIXTURES_ROOT = join(import.meta.dirname, '..', '..', 'fixtures');

/** How every parser is made: options and a sink in, a streaming line parser out. */
export type ParserFactory<Options> = (options: Options, sink: ParseSink) => LineParser;

/** A usage event as expected files write it: `at` as ISO-8601, no `reason` key when there is none. */
export type PlainEvent = Omit<UsageEvent, 'at'> & { at: string };

/** What an event parser gave: plain events to compare, the events themselves, and the splitter's line count. */
export interface ParsedEvents {
  events: PlainEvent[];
  diagnostics: Diagnostic[];
  raw: UsageEvent[];
  lineCount: number;
}

/** An event fixture's expected file. */
export interface ExpectedEvents<Options> {
  description?: string;
  options: Options;
  events: PlainEvent[];
  diagnostics: Diagnostic[];
}

/** The path of a file in fixtures/<format>/. */
export function fixturePath(format: string, file: string): string {
  return join(FIXTURES_ROOT, format, file);
}

/** The names of the files in fixtures/<format>/ that end with `extension` (e.g. '.log'), extension kept. */
export function fixtureFiles(format: string, extension: string): string[] {
  return readdirSync(join(FIXTURES_ROOT, format)).filter((file) => file.endsWith(extension));
}

/** The names of the fixtures in fixtures/<format>/ whose files end with `extension`, extension dropped. */
export function fixtureNames(format: string, extension: string): string[] {
  return fixtureFiles(format, extension).map((file) => file.slice(0, -extension.length));
}

/** The content of every fixture of a format with that extension, decoded as `encoding`. */
export function fixtureTexts(format: string, extension: string, encoding: 'utf8' | 'latin1'): string[] {
  return fixtureFiles(format, extension).map((file) => readFileSync(fixturePath(format, file), encoding));
}

/** The parsed NAME.expected.json of fixtures/<format>/. */
export function readExpected<T>(format: string, name: string): T {
  return JSON.parse(readFileSync(fixturePath(format, `${name}.expected.json`), 'utf8')) as T;
}

/** Under UPDATE_FIXTURES=1, writes `content` as NAME.expected.json and returns true (the test then checks nothing). */
export function updateExpected(format: string, name: string, content: object): boolean {
  if (process.env.UPDATE_FIXTURES !== '1') return false;
  writeFileSync(fixturePath(format, `${name}.expected.json`), `${JSON.stringify(content, null, 2)}\n`);
  return true;
}

/** An instant (epoch ms) as an ISO-8601 string, undefined kept. */
export function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** An event as expected files write it. */
export function plainEvent(event: UsageEvent): PlainEvent {
  const { reason, ...rest } = event;
  return { ...rest, at: new Date(event.at).toISOString(), ...(reason !== undefined ? { reason } : {}) };
}

/** The two ways event parser tests feed a parser, bound to its factory. */
export function eventParserRunner<Options>(create: ParserFactory<Options>) {
  return {
    /** Parses `input` through the line splitter: bytes whole or in `chunkSizes()`-sized pieces, or text. */
    parse(input: Uint8Array | string, options: Options, chunkSizes?: () => number): ParsedEvents {
      const events: UsageEvent[] = [];
      const diagnostics: Diagnostic[] = [];
      const parser = create(options, { event: (e) => events.push(e), diagnostic: (d) => diagnostics.push(d) });
      const splitter = createLineSplitter(parser, { diagnostic: (d) => diagnostics.push(d) });
      if (typeof input === 'string' || chunkSizes === undefined) {
        splitter.push(input);
      } else {
        for (let i = 0; i < input.length; ) {
          const size = chunkSizes();
          splitter.push(input.subarray(i, i + size));
          i += size;
        }
      }
      splitter.end();
      parser.end();
      return { events: events.map(plainEvent), diagnostics, raw: events, lineCount: splitter.lineCount };
    },
    /** Gives the lines of `text` one by one (the LineParser interface, no splitter). */
    parseLines(text: string, options: Options): { events: PlainEvent[]; diagnostics: Diagnostic[] } {
      const events: UsageEvent[] = [];
      const diagnostics: Diagnostic[] = [];
      const parser = create(options, { event: (e) => events.push(e), diagnostic: (d) => diagnostics.push(d) });
      text.split('\n').forEach((line, i) => parser.line(line, i + 1));
      parser.end();
      return { events: events.map(plainEvent), diagnostics };
    },
  };
}

/** An event parser's fixture suite (see the module comment). */
export interface EventFixtureSuite<Options> {
  /** The describe block's title. */
  title: string;
  /** The folder under fixtures/. */
  format: string;
  /** The fewest fixtures the format may have. */
  atLeast: number;
  /** The title of the test that there are enough fixtures, each with its expected file. */
  coverageTest: string;
  /** The title of the test of fixture NAME.log. */
  fixtureTest: (name: string) => string;
  parse: ReturnType<typeof eventParserRunner<Options>>['parse'];
  /** False when the expected files are laid out by hand, so that UPDATE_FIXTURES=1 must not rewrite them. */
  rewritable: boolean;
  /** Fixtures whose bytes are not UTF-8 (decoding them as UTF-8 changes what they say); default none. */
  notUtf8?: (name: string) => boolean;
  /** Checks particular to one parser, after the shared ones. */
  alsoCheck?: (fixture: { name: string; bytes: Buffer; expected: ExpectedEvents<Options> }) => void;
}

/**
 * Registers an event parser's fixture tests: each NAME.log gives exactly the events and diagnostics of its
 * expected file, and the same events when cut into chunks anywhere (inside lines, CRLF pairs and UTF-8
 * sequences) or given as UTF-8 text.
 */
export function describeEventFixtures<Options>(suite: EventFixtureSuite<Options>): void {
  describe(suite.title, () => {
    const names = fixtureNames(suite.format, '.log');

    it(suite.coverageTest, () => {
      expect(names.length).toBeGreaterThanOrEqual(suite.atLeast);
      const files = readdirSync(join(FIXTURES_ROOT, suite.format));
      for (const name of names) expect(files).toContain(`${name}.expected.json`);
    });

    for (const name of names) {
      it(suite.fixtureTest(name), () => {
        const bytes = readFileSync(fixturePath(suite.format, `${name}.log`));
        const expected = readExpected<ExpectedEvents<Options>>(suite.format, name);
        const whole = suite.parse(bytes, expected.options);
        const recorded = { description: expected.description, options: expected.options, events: whole.events, diagnostics: whole.diagnostics };
        if (suite.rewritable && updateExpected(suite.format, name, recorded)) return;
        expect(whole.events).toEqual(expected.events);
        expect(whole.diagnostics).toEqual(expected.diagnostics);
        const next = createSeededRandom(name.length);
        expect(suite.parse(bytes, expected.options, () => 1 + Math.floor(next() * 97)).events).toEqual(expected.events);
        if (!suite.notUtf8?.(name)) expect(suite.parse(bytes.toString('utf8'), expected.options).events).toEqual(expected.events);
        suite.alsoCheck?.({ name, bytes, expected });
      });
    }
  });
}

/** A recorded-fixture suite (see the module comment). */
export interface RecordedFixtureSuite<Options> {
  /** The describe block's title. */
  title: string;
  /** The folder under fixtures/. */
  format: string;
  /** The fixtures' file ending, e.g. '.txt'. */
  extension: string;
  /** The fewest fixtures the format may have. */
  atLeast: number;
  /** What the parser makes of one fixture's content, as the expected file records it (instants as ISO strings). */
  record: (content: Buffer, options: Options) => Record<string, unknown>;
  /** Checks particular to one parser, after the shared one. */
  alsoCheck?: (fixture: { content: Buffer; options: Options }) => void;
}

/** Registers a parser's recorded-fixture tests: each fixture gives what its expected file records. */
export function describeRecordedFixtures<Options>(suite: RecordedFixtureSuite<Options>): void {
  describe(suite.title, () => {
    const names = fixtureFiles(suite.format, suite.extension);
    it('has fixtures', () => expect(names.length).toBeGreaterThanOrEqual(suite.atLeast));
    for (const name of names) {
      it(`parses ${name} as recorded in its expected file`, () => {
        const base = name.slice(0, -suite.extension.length);
        const { description, options, ...recorded } = readExpected<{ description: string; options: Options } & Record<string, unknown>>(suite.format, base);
        const content = readFileSync(fixturePath(suite.format, name));
        const actual = suite.record(content, options);
        if (updateExpected(suite.format, base, { description, options, ...actual })) return;
        expect(actual).toEqual(recorded);
        suite.alsoCheck?.({ content, options });
      });
    }
  });
}

/** The instants a snapshot user line may carry (lmxendutil adds login and borrow times). */
const USER_INSTANTS = ['startedAt', 'loginAt', 'borrowedUntil'] as const;

/** A status parser's result with snapshot and user instants as ISO strings, as expected files record them. */
export function readableSnapshots(result: { snapshots: readonly FeatureSnapshot[] }): Record<string, unknown> {
  const readableUser = (user: object): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...user };
    for (const key of USER_INSTANTS) if (typeof out[key] === 'number') out[key] = new Date(out[key]).toISOString();
    return out;
  };
  return { ...result, snapshots: result.snapshots.map((s) => ({ ...s, at: new Date(s.at).toISOString(), users: s.users.map(readableUser) })) };
}
