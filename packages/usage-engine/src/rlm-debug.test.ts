import { describe, expect, it } from 'vitest';
import { createRlmDebugParser, MAX_UNDATED_RLM_DEBUG_EVENTS } from './rlm-debug.ts';
import { createSeededRandom } from './seeded-random.ts';
import { adversarialLines, expectSaneEvents, fuzzEventParser, mutateChars, oneOf, realLogLines, timedParse } from './testing/hostile-input.ts';
import { describeEventFixtures, eventParserRunner } from './testing/parser-fixtures.ts';
import type { ParseOptions } from './types.ts';

const { parse, parseLines } = eventParserRunner(createRlmDebugParser);

const DATED: ParseOptions = { timeZone: 'UTC', startDate: '2022-06-09' };

describeEventFixtures({
  title: 'RLM debug log fixtures',
  format: 'rlm-debug',
  atLeast: 5,
  coverageTest: 'has a fixture for each behaviour',
  fixtureTest: (name) => `parses ${name}.log into exactly the expected events and diagnostics`,
  parse,
  rewritable: true,
});

describe('createRlmDebugParser: events', () => {
  it('reads OUT, IN with its why, and DENIED with the reason from the next line', () => {
    const { events, diagnostics } = parseLines(
      [
        '06/09 10:00 (demo) OUT: analytics v2.09 by cecil@win2008 ',
        '06/09 10:01 (demo) OUT: analytics v2.09 by LOCAL SERVICE@DESKTOP-4KQ2 ISV_Def text (3 licenses)',
        '06/09 10:02 (demo) DENIED: (2) analytics v2.1 to terra@ubuntu ',
        '06/09 10:02 (demo)         All licenses in use',
        '06/09 10:03 (demo) IN: (timed out) analytics v2.09 by cecil@win2008 ',
        '06/09 10:04 (demo) DENIED: (1) analytics v2.1 to terra@ubuntu ',
        '06/09 10:05 (demo) IN: analytics v2.09 by LOCAL SERVICE@DESKTOP-4KQ2 ISV_Def text (3 licenses)',
      ].join('\n'),
      DATED,
    );
    expect(diagnostics).toEqual([]);
    expect(events.map((e) => [e.kind, e.at, e.feature, e.user, e.host, e.seats, e.reason])).toEqual([
      ['checkout', '2022-06-09T10:00:00.000Z', 'analytics', 'cecil', 'win2008', 1, undefined],
      ['checkout', '2022-06-09T10:01:00.000Z', 'analytics', 'LOCAL SERVICE', 'DESKTOP-4KQ2', 3, undefined],
      ['denied', '2022-06-09T10:02:00.000Z', 'analytics', 'terra', 'ubuntu', 2, 'All licenses in use'],
      ['checkin', '2022-06-09T10:03:00.000Z', 'analytics', 'cecil', 'win2008', 1, 'timed out'],
      ['denied', '2022-06-09T10:04:00.000Z', 'analytics', 'terra', 'ubuntu', 1, undefined],
      ['checkin', '2022-06-09T10:05:00.000Z', 'analytics', 'LOCAL SERVICE', 'DESKTOP-4KQ2', 3, undefined],
    ]);
  });

  it('emits a restart when an ISV starts or is asked to shut down, never for the rlm server itself', () => {
    const { events } = parseLines(
      [
        '06/09 08:00 (rlm) License server started on srv',
        '06/09 08:00 (demo) Server started on srv (hostid: 6fc049e3e83d) for:',
        '06/09 09:00 (rlm) Shutdown request by admin@srv',
        '06/09 09:00 (demo) Shutdown request by admin@srv',
      ].join('\n'),
      DATED,
    );
    expect(events.map((e) => [e.kind, e.vendor, e.at, e.seats])).toEqual([
      ['restart', 'demo', '2022-06-09T08:00:00.000Z', 0],
      ['restart', 'demo', '2022-06-09T09:00:00.000Z', 0],
    ]);
  });
});

describe('createRlmDebugParser: dates', () => {
  it('takes the year from the start date, or from a start-up line with a full date, and holds lines till then', () => {
    const lines = ['06/08 23:50 (demo) OUT: a v1 by u@h', '06/09 08:00 (demo) Server started on srv at Thu Jun 09 08:00:00 2022', '06/09 08:05 (demo) IN: a v1 by u@h'];
    const fromLine = parseLines(lines.join('\n'), { timeZone: 'UTC' });
    expect(fromLine.diagnostics).toEqual([]);
    expect(fromLine.events.map((e) => [e.line, e.at])).toEqual([
      [1, '2022-06-08T23:50:00.000Z'],
      [2, '2022-06-09T08:00:00.000Z'],
      [3, '2022-06-09T08:05:00.000Z'],
    ]);
    const slash = parseLines(['06/09 08:00 (rlm) License server started on srv (6/9/2022)', '06/09 08:05 (demo) OUT: a v1 by u@h'].join('\n'), { timeZone: 'UTC' });
    expect(slash.events.map((e) => e.at)).toEqual(['2022-06-09T08:05:00.000Z']);
    const fullEnvelope = parseLines(['06/09/2022 08:05 (demo) OUT: a v1 by u@h'].join('\n'), { timeZone: 'UTC' });
    expect(fullEnvelope.events.map((e) => e.at)).toEqual(['2022-06-09T08:05:00.000Z']);
  });

  it('runs December into January, and rolls time-only lines over midnight', () => {
    const { events } = parseLines(
      ['12/31 23:50 (demo) OUT: a v1 by u@h', '00:10 (demo) IN: a v1 by u@h', '01/01 09:00 (demo) OUT: a v1 by v@h', '08:30 (demo) IN: a v1 by v@h', '06:00 (demo) OUT: a v1 by w@h'].join('\n'),
      { timeZone: 'UTC', startDate: '2021-12-31' },
    );
    expect(events.map((e) => e.at)).toEqual(['2021-12-31T23:50:00.000Z', '2022-01-01T00:10:00.000Z', '2022-01-01T09:00:00.000Z', '2022-01-01T08:30:00.000Z', '2022-01-02T06:00:00.000Z']);
  });

  it('dates time-only lines seen before any month/day once the year is known', () => {
    const { events } = parseLines(['23:50 (demo) OUT: a v1 by u@h', '00:20 (demo) IN: a v1 by u@h', '06/10 00:30 (demo) Server started on srv, 6/10/2022'].join('\n'), { timeZone: 'UTC' });
    expect(events.map((e) => [e.kind, e.at])).toEqual([
      ['checkout', '2022-06-09T23:50:00.000Z'],
      ['checkin', '2022-06-10T00:20:00.000Z'],
      ['restart', '2022-06-10T00:30:00.000Z'],
    ]);
  });

  it('reports and drops events when no year ever comes', () => {
    const { events, diagnostics } = parseLines(['06/09 10:00 (demo) OUT: a v1 by u@h', '06/09 11:00 (demo) IN: a v1 by u@h'].join('\n'), { timeZone: 'UTC' });
    expect(events).toEqual([]);
    expect(diagnostics.map((d) => [d.line, d.reason])).toEqual([
      [1, 'no year for this line: the log gives none and no start date was set'],
      [2, 'no year for this line: the log gives none and no start date was set'],
    ]);
  });

  it(`keeps at most ${MAX_UNDATED_RLM_DEBUG_EVENTS} events waiting for a year`, () => {
    const lines = Array.from({ length: MAX_UNDATED_RLM_DEBUG_EVENTS + 2 }, () => '06/09 10:00 (demo) OUT: a v1 by u@h');
    lines.push('06/09 10:01 (demo) Server started on srv 6/9/2022');
    const { events, diagnostics } = parseLines(lines.join('\n'), { timeZone: 'UTC' });
    expect(events).toHaveLength(MAX_UNDATED_RLM_DEBUG_EVENTS + 1);
    expect(diagnostics.map((d) => d.line)).toEqual([MAX_UNDATED_RLM_DEBUG_EVENTS + 1, MAX_UNDATED_RLM_DEBUG_EVENTS + 2]);
  });

  it('keeps UTC monotonic through the repeated autumn hour', () => {
    const { events } = parseLines(['11/07 01:10 (demo) OUT: a v1 by u@h', '11/07 01:50 (demo) OUT: a v1 by v@h', '11/07 01:05 (demo) IN: a v1 by u@h', '11/07 01:30 (demo) IN: a v1 by v@h'].join('\n'), {
      timeZone: 'America/New_York',
      startDate: '2021-11-07',
    });
    expect(events.map((e) => e.at)).toEqual(['2021-11-07T05:10:00.000Z', '2021-11-07T05:50:00.000Z', '2021-11-07T06:05:00.000Z', '2021-11-07T06:30:00.000Z']);
  });

  it('rejects an unknown time zone or a malformed start date', () => {
    expect(() => createRlmDebugParser({ timeZone: 'Nowhere/Town' }, { diagnostic: () => {} })).toThrow(RangeError);
    expect(() => createRlmDebugParser({ timeZone: 'UTC', startDate: '9/6/2022' }, { diagnostic: () => {} })).toThrow(RangeError);
  });
});

describe('createRlmDebugParser: bad lines and noise', () => {
  it('reports event lines it cannot use, with line number and reason, and carries on', () => {
    const { events, diagnostics } = parseLines(
      [
        '06/09 10:00 (demo) OUT: analytics by u@h',
        '06/09 10:00 (demo) OUT: analytics v1 by @h',
        '06/09 10:00 (demo) OUT: (open analytics v1 by u@h',
        '06/09 10:00 (demo) OUT: analytics v1 by u@h (0 licenses)',
        '06/09 10:00 (demo) DENIED: (x) analytics v1 to u@h',
        '24:00 (demo) IN: analytics v1 by u@h',
        '02/30 10:00 (demo) IN: analytics v1 by u@h',
        'IN: analytics v1 by u@h',
        '(demo) OUT: analytics v1 by u@h',
        '06/09 10:01 (demo) OUT: analytics v1 by u@h',
      ].join('\n'),
      DATED,
    );
    expect(events).toHaveLength(1);
    expect(diagnostics).toEqual([
      { line: 1, reason: 'OUT line without "product vVERSION by user@host"' },
      { line: 2, reason: 'OUT line without a user name' },
      { line: 3, reason: 'OUT line: unclosed parenthesis' },
      { line: 4, reason: 'OUT line: license count out of range' },
      { line: 5, reason: 'DENIED line: "(x)" is not a license count' },
      { line: 6, reason: 'IN line with an invalid time' },
      { line: 7, reason: 'IN line with an invalid date' },
      { line: 8, reason: 'IN line without a time' },
      { line: 9, reason: 'OUT line without a time' },
    ]);
  });

  it('stays silent on server chatter, banners and blank lines', () => {
    const { events, diagnostics } = parseLines(
      [
        '06/09 10:00 (rlm) RLM License Server Version 12.2BL2-p1',
        '',
        '\tCopyright (C) 2006-2017, Reprise Software, Inc. All rights reserved.',
        '06/09 10:00 (demo) License files:',
        '06/09 10:00 (demo)     /opt/rlm/license.lic',
        '06/09 10:00 (demo) \tsimulator analytics',
        '06/09 10:00 (demo) ==== Reread request by automatic@midnight ====',
        '06/09 10:00 (demo) WARNING: Duplicate datavis license',
      ].join('\n'),
      DATED,
    );
    expect(events).toEqual([]);
    expect(diagnostics).toEqual([]);
  });

  it('reads a BOM, CRLF line ends, tabs as separators and trailing blanks', () => {
    const text = '\uFEFF06/09 10:00\t(demo)\tOUT:\tanalytics\tv1\tby\tu@h \t\r\n06/09 10:05 (demo) IN: analytics v1 by u@h   \r\n';
    const { events, diagnostics } = parse(new TextEncoder().encode(text), DATED);
    expect(diagnostics).toEqual([]);
    expect(events.map((e) => [e.kind, e.user, e.host])).toEqual([
      ['checkout', 'u', 'h'],
      ['checkin', 'u', 'h'],
    ]);
  });

  it('refuses lines too long to be log lines', () => {
    const { diagnostics } = parseLines(`06/09 10:00 (demo) OUT: ${'x'.repeat(5000)}`, DATED);
    expect(diagnostics).toEqual([{ line: 1, reason: 'line longer than 4096 characters' }]);
  });
});

describe('createRlmDebugParser: hostile input', () => {
  const realLines = realLogLines('rlm-debug');
  const ALPHABET = '0123456789:/-() @v\t\r\u00e9\ufffd\u0000OUTINDENIEDby to';

  it('never throws on random bytes and mutated real lines (seeded)', () => {
    fuzzEventParser({
      create: createRlmDebugParser,
      options: (round) => (round % 2 === 0 ? { timeZone: 'Europe/Madrid' } : { timeZone: 'America/New_York', startDate: '2021-11-06' }),
      seed: 20_240_610,
      rounds: 2000,
      realLines,
      alphabet: ALPHABET,
    });
  });

  it('gets through 5 MB of adversarial input (it stays linear: no timing asserted)', () => {
    const pieces = [
      `06/09 10:00 (demo) OUT: ${'v1 by '.repeat(600)}`,
      `06/09 10:00 (demo) IN: ${'('.repeat(3000)}`,
      `06/09 10:00 (demo) OUT: a v1 by ${'@'.repeat(3500)}`,
      `${'1/'.repeat(1500)} 10:00 (x`,
      `${' '.repeat(3000)}x`,
      `06/09 10:00 (demo) Server started ${'Jan 1 '.repeat(600)}`,
      `06/09 10:00 (demo) DENIED: (1) a v1 to u@h\n${'06/09 10:00 (demo)            reason\n'.repeat(50)}`,
    ];
    const next = createSeededRandom(11);
    let n = 0;
    const lines = adversarialLines(() => {
      const pick = next();
      if (pick < 0.01) return oneOf(pieces, next);
      if (pick < 0.3) return `${String(1 + (n % 12)).padStart(2, '0')}/01 10:00 (demo) OUT: f v1 by u${n++}@h`;
      return mutateChars(oneOf(realLines, next), next, ALPHABET);
    });
    const options = { timeZone: 'Europe/Madrid', startDate: '2022-01-01' };
    const { raw, diagnostics, lineCount } = timedParse('RLM debug log', () => parse(new TextEncoder().encode(lines.join('\n')), options), (result) => result.lineCount);
    expectSaneEvents(raw, lineCount);
    expect(raw.length + diagnostics.length).toBeGreaterThan(0);
  });
});
