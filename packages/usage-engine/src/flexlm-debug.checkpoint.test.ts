/**
 * Checkpoint and resume of the FlexLM parser and the analyser together, as a log follower that restarts
 * uses them: stopping after any line, carrying both checkpoints through JSON and going on with new
 * instances must give exactly the events, diagnostics, sessions and denials of a run that never stopped.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateFlexlmLog } from '../bench/generate-flexlm-log.ts';
import { createUsageAnalyser, type AnalyserCheckpoint, type UsageAnalyser, type UsageDenial, type UsageSession } from './analyser.ts';
import { createFlexlmDebugParser, type FlexlmDebugParser, type FlexlmParserCheckpoint } from './flexlm-debug.ts';
import { createLineSplitter } from './lines.ts';
import { createSeededRandom } from './seeded-random.ts';
import { fixtureNames, fixturePath, readExpected } from './testing/parser-fixtures.ts';
import type { Diagnostic, ParseOptions, UsageEvent } from './types.ts';

interface Output {
  events: UsageEvent[];
  diagnostics: Diagnostic[];
  sessions: UsageSession[];
  denials: UsageDenial[];
  /** What openSessions() said after each line where the run stopped (and after the same lines uninterrupted). */
  open: UsageSession[][];
}

/** The lines of a file as the line splitter gives them. */
function linesOf(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter({ line: (text) => lines.push(text) });
  splitter.push(bytes);
  splitter.end();
  return lines;
}

/**
 * Runs `lines` through parser and analyser; after each line index in `stops` (lines done so far), both are
 * checkpointed, the checkpoints go through JSON, and new instances take over.
 */
function run(lines: string[], options: ParseOptions, stops: Iterable<number>): Output {
  const out: Output = { events: [], diagnostics: [], sessions: [], denials: [], open: [] };
  const analyserOptions = {
    timeZone: options.timeZone,
    onSession: (x: UsageSession) => out.sessions.push(x),
    onDenial: (x: UsageDenial) => out.denials.push(x),
    onDiagnostic: (x: Diagnostic) => out.diagnostics.push(x),
  };
  let analyser: UsageAnalyser = createUsageAnalyser(analyserOptions);
  const sink = {
    event: (event: UsageEvent) => {
      out.events.push({ ...event });
      analyser.push(event);
    },
    diagnostic: (x: Diagnostic) => out.diagnostics.push(x),
  };
  let parser: FlexlmDebugParser = createFlexlmDebugParser(options, sink);
  const stopAt = new Set(stops);
  for (let i = 0; i < lines.length; i++) {
    parser.line(lines[i] as string, i + 1);
    if (stopAt.has(i + 1)) {
      out.open.push(analyser.openSessions());
      const saved = JSON.parse(JSON.stringify({ parser: parser.checkpoint(), analyser: analyser.checkpoint() })) as {
        parser: FlexlmParserCheckpoint;
        analyser: AnalyserCheckpoint;
      };
      parser = createFlexlmDebugParser(options, sink, saved.parser);
      analyser = createUsageAnalyser({ ...analyserOptions, resumeFrom: saved.analyser });
    }
  }
  parser.end();
  analyser.finish();
  return out;
}

/** The same run without stopping, asking openSessions() after the same lines. */
function reference(lines: string[], options: ParseOptions, stops: Iterable<number>): Output {
  const out: Output = { events: [], diagnostics: [], sessions: [], denials: [], open: [] };
  const analyser = createUsageAnalyser({
    timeZone: options.timeZone,
    onSession: (x) => out.sessions.push(x),
    onDenial: (x) => out.denials.push(x),
    onDiagnostic: (x) => out.diagnostics.push(x),
  });
  const parser = createFlexlmDebugParser(options, {
    event: (event) => {
      out.events.push({ ...event });
      analyser.push(event);
    },
    diagnostic: (x) => out.diagnostics.push(x),
  });
  const stopAt = new Set(stops);
  for (let i = 0; i < lines.length; i++) {
    parser.line(lines[i] as string, i + 1);
    if (stopAt.has(i + 1)) out.open.push(analyser.openSessions());
  }
  parser.end();
  analyser.finish();
  return out;
}

describe('checkpoint and resume of parser and analyser', () => {
  const names = fixtureNames('flexlm-debug', '.log');

  for (const name of names) {
    it(`${name}.log: stopping after any one line changes nothing, nor stopping after every line`, () => {
      const lines = linesOf(readFileSync(fixturePath('flexlm-debug', `${name}.log`)));
      const { options } = readExpected<{ options: ParseOptions }>('flexlm-debug', name);
      const every = lines.map((_, i) => i + 1);
      const whole = reference(lines, options, every);
      expect(whole.events.length + whole.diagnostics.length).toBeGreaterThan(0);
      for (let k = 0; k <= lines.length; k++) {
        const resumed = run(lines, options, [k]);
        expect({ ...resumed, open: [] }, `stopped after line ${k}`).toEqual({ ...whole, open: [] });
      }
      expect(run(lines, options, every)).toEqual(whole);
    });
  }

  it('generated logs (restarts, denials, SLOG blocks, midnights): stopping at many random lines changes nothing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-checkpoint-'));
    try {
      for (const seed of [1, 2, 3]) {
        const file = path.join(dir, `log-${seed}.log`);
        generateFlexlmLog(file, 400_000, seed);
        const lines = linesOf(readFileSync(file));
        const next = createSeededRandom(seed);
        const stops: number[] = [];
        for (let line = 1 + Math.floor(next() * 50); line < lines.length; line += 1 + Math.floor(next() * 120)) stops.push(line);
        const options = { timeZone: 'Europe/Madrid' };
        const whole = reference(lines, options, stops);
        expect(whole.sessions.length).toBeGreaterThan(1000);
        expect(whole.denials.length).toBeGreaterThan(10);
        const resumed = run(lines, options, stops);
        expect(resumed.open).toEqual(whole.open);
        expect(resumed).toEqual(whole);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('carries events waiting for a date and an event waiting for its continuation line', () => {
    const lines = [
      ' 9:00:00 (MLM) OUT: "MATLAB" alice@pc1  [x]',
      '   (2 licenses)',
      ' 9:00:05 (MLM) DENIED: "MATLAB" bob@pc2  [y]',
      '   (Licensed number of users already reached. (-4,342))',
      ' 9:01:00 (MLM) TIMESTAMP 6/9/2022',
      ' 9:30:00 (MLM) IN: "MATLAB" alice@pc1',
    ];
    const options = { timeZone: 'Europe/Madrid' };
    const whole = reference(lines, options, []);
    expect(whole.events.map((e) => [e.kind, e.seats, e.reason])).toEqual([
      ['checkout', 2, undefined],
      ['denied', 1, 'Licensed number of users already reached. (-4,342)'],
      ['checkin', 1, undefined],
    ]);
    for (const k of [1, 2, 3, 4]) {
      const parser = createFlexlmDebugParser(options, { diagnostic: () => {} });
      lines.slice(0, k).forEach((line, i) => parser.line(line, i + 1));
      const checkpoint = parser.checkpoint();
      expect(checkpoint.dateKnown).toBe(false);
      expect(checkpoint.undated.length + (checkpoint.held === null ? 0 : 1)).toBe(k <= 2 ? 1 : 2);
      expect(run(lines, options, [k])).toEqual(reference(lines, options, [k]));
    }
    const parser = createFlexlmDebugParser(options, { diagnostic: () => {} });
    expect(() => createFlexlmDebugParser(options, { diagnostic: () => {} }, { ...parser.checkpoint(), version: 9 as 1 })).toThrow(RangeError);
  });
});
