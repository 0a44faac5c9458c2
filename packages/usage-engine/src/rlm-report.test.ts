import { describe, expect, it } from 'vitest';
import { createRlmReportParser, MAX_UNDATED_RLM_EVENTS, rlmDenialReason, splitFields, type RlmReportParseOptions } from './rlm-report.ts';
import { createSeededRandom } from './seeded-random.ts';
import { adversarialLines, expectSaneEvents, fuzzEventParser, mutateChars, oneOf, realLogLines, timedParse } from './testing/hostile-input.ts';
import { describeEventFixtures, eventParserRunner } from './testing/parser-fixtures.ts';

const { parse, parseLines } = eventParserRunner(createRlmReportParser);

const UTC: RlmReportParseOptions = { timeZone: 'UTC' };
const HEADER = ['RLM Report Log Format 0, version 12.2, authenticated', 'ISV: demo, RLM version 12.2 BL2', 'Logfile format Copyright (C) 2006-2017 Reprise Software, Inc.', '', 'START srv 06/09/2022 08:00:00'];

describeEventFixtures({
  title: 'RLM report log fixtures',
  format: 'rlm-report',
  atLeast: 6,
  coverageTest: 'has a fixture for each layout and behaviour',
  fixtureTest: (name) => `parses ${name}.log into exactly the expected events and diagnostics`,
  parse,
  rewritable: true,
});

describe('splitFields', () => {
  it('splits on blanks and keeps quoted fields whole, empty quotes included', () => {
    const fields: string[] = [];
    const quoted: boolean[] = [];
    splitFields('OUT a 1.0 u h "ISV Def  stuff" 1\t""  "x', fields, quoted);
    expect(fields).toEqual(['OUT', 'a', '1.0', 'u', 'h', 'ISV Def  stuff', '1', '', 'x']);
    expect(quoted).toEqual([false, false, false, false, false, true, false, true, true]);
  });
});

describe('createRlmReportParser: records', () => {
  it('reads std OUT, IN, DENY, QUE and DEQUE with seats, check-in codes and denial reasons', () => {
    const { events, diagnostics } = parseLines(
      [
        ...HEADER,
        'OUT simulator 2.12 1 terra ubuntu "" 4 4 0 81 81 c79e "" "" "" 06/09 08:01:00',
        'DENY simulator 2.1 cecil win "" 1 -22 1 06/09 08:02',
        'QUE simulator 2.1 cecil win "" 1 a1 "" "" "" 06/09 08:03:00',
        'DEQUE 6 simulator 2.1 cecil win "" 1 a1 06/09 08:04:00',
        'IN 4 simulator 2.12 terra ubuntu "" 4 0 0 81 06/09 08:05:00',
      ].join('\n'),
      UTC,
    );
    expect(diagnostics).toEqual([]);
    expect(events.map((e) => [e.kind, e.at, e.feature, e.user, e.host, e.seats, e.reason])).toEqual([
      ['restart', '2022-06-09T08:00:00.000Z', '', '', '', 0, undefined],
      ['checkout', '2022-06-09T08:01:00.000Z', 'simulator', 'terra', 'ubuntu', 4, undefined],
      ['denied', '2022-06-09T08:02:00.000Z', 'simulator', 'cecil', 'win', 1, 'All licenses in use (-22)'],
      ['queued', '2022-06-09T08:03:00.000Z', 'simulator', 'cecil', 'win', 1, undefined],
      ['dequeued', '2022-06-09T08:04:00.000Z', 'simulator', 'cecil', 'win', 1, '6'],
      ['checkin', '2022-06-09T08:05:00.000Z', 'simulator', 'terra', 'ubuntu', 4, '4'],
    ]);
    expect(events.every((e) => e.vendor === 'demo')).toBe(true);
  });

  it('pairs small-layout check-ins and dequeues with their check-out or queue entry by handle', () => {
    const { events, diagnostics } = parseLines(
      [...HEADER, 'OUT nuke 1.0 ana ws1 "" 2 4d 4d 08:10', 'QUE nuke 1.0 bo ws2 "" 1 4e 08:11', 'DEQUE 6 1 4e 08:12', 'IN 1 2 4d 08:20', 'IN 1 1 ff 08:21'].join('\n'),
      UTC,
    );
    expect(events.slice(1).map((e) => [e.kind, e.at, e.feature, e.user, e.seats, e.reason])).toEqual([
      ['checkout', '2022-06-09T08:10:00.000Z', 'nuke', 'ana', 2, undefined],
      ['queued', '2022-06-09T08:11:00.000Z', 'nuke', 'bo', 1, undefined],
      ['dequeued', '2022-06-09T08:12:00.000Z', 'nuke', 'bo', 1, '6'],
      ['checkin', '2022-06-09T08:20:00.000Z', 'nuke', 'ana', 2, '1'],
    ]);
    expect(diagnostics).toEqual([{ line: 10, reason: 'IN record for handle ff with no check-out seen (the small layout names no product)' }]);
  });

  it('takes the check-out named by the handle when a std check-in names someone else', () => {
    const { events } = parseLines([...HEADER, 'OUT d 3.0 1 cecil redhat "" 1 1 0 c1 c1 c823 "" "" "" 06/09 09:00:00', 'IN 1 d 3.0 terra ubuntu "" 1 0 0 c1 06/09 10:00:00'].join('\n'), UTC);
    expect(events.at(-1)).toMatchObject({ kind: 'checkin', user: 'cecil', host: 'redhat' });
  });

  it('counts a shared license once: check-out at its first member, check-in when the last leaves', () => {
    const { events } = parseLines(
      [
        ...HEADER,
        'OUT n 1.0 3 u1 pc1 "" 1 1 0 36a5 36a5 2b10 "" "" "" 06/09 09:00:00',
        'OUT n 1.0 3 u1 pc1 "" 1 1 0 2803 36a5 2b44 "" "" "" 06/09 09:00:05',
        'IN 1 n 1.0 u1 pc1 "" 1 1 0 36a5 06/09 09:30:00',
        'IN 1 n 1.0 u1 pc1 "" 1 0 0 2803 06/09 09:45:00',
      ].join('\n'),
      UTC,
    );
    expect(events.slice(1).map((e) => [e.kind, e.at])).toEqual([
      ['checkout', '2022-06-09T09:00:00.000Z'],
      ['checkin', '2022-06-09T09:45:00.000Z'],
    ]);
  });

  it('turns INUSE records for unseen handles into check-outs and ignores those already open', () => {
    const { events } = parseLines(
      [
        'SWITCH from old.log',
        ...HEADER,
        'INUSE a 1.0 1 ana ws1 "" 3 41 1a14 06/09 08:00:00',
        'OUT b 1.0 1 bo ws2 "" 1 1 0 51 51 1a15 "" "" "" 06/09 08:10:00',
        'INUSE b 1.0 1 bo ws2 "" 1 51 51 1a15 06/09 09:00:00',
        'INUSE a 1.0 1 ana ws1 "" 3 41 1a14 06/09 09:00:00',
      ].join('\n'),
      UTC,
    );
    // No restart: SWITCH from says the server went on running.
    expect(events.map((e) => [e.kind, e.feature, e.seats, e.line])).toEqual([
      ['checkout', 'a', 3, 7],
      ['checkout', 'b', 1, 8],
    ]);
  });

  it('emits a restart at SHUTDOWN and at each START, which forgets every open handle', () => {
    const { events, diagnostics } = parseLines(
      [...HEADER, 'OUT a 1.0 ana ws1 "" 1 4d 4d 08:10', 'SHUTDOWN admin srv 06/09 09:00:00', 'START srv 06/09/2022 09:05', 'IN 1 1 4d 09:10'].join('\n'),
      UTC,
    );
    expect(events.map((e) => [e.kind, e.at])).toEqual([
      ['restart', '2022-06-09T08:00:00.000Z'],
      ['checkout', '2022-06-09T08:10:00.000Z'],
      ['restart', '2022-06-09T09:00:00.000Z'],
      ['restart', '2022-06-09T09:05:00.000Z'],
    ]);
    expect(diagnostics.map((d) => d.line)).toEqual([9]);
  });

  it('reads the detailed layout: fractions of a second and quoted fields with blanks after the time', () => {
    const { events } = parseLines(
      [...HEADER, 'OUT t 2024 1 k ws "" 16 64 0 1f3 1f3 3a2c "p" "" "" 06/09 09:15:02.4312 "x64_w4 10.0" "C:\\Program Files\\x.exe" 0 0 10.20.4.17'].join('\n'),
      UTC,
    );
    expect(events.at(-1)).toMatchObject({ kind: 'checkout', at: '2022-06-09T09:15:02.431Z', seats: 16 });
  });

  it('says when a denial was not the client\u2019s last attempt, and names unknown status values', () => {
    expect(rlmDenialReason('-22')).toBe('All licenses in use (-22)');
    expect(rlmDenialReason('-57')).toBe('RLM status (-57)');
    const { events } = parseLines([...HEADER, 'DENY a 1.0 u h "" 1 -22 0 06/09 08:30'].join('\n'), UTC);
    expect(events.at(-1)?.reason).toBe('All licenses in use (-22); not the last attempt (the client tries elsewhere)');
  });

  it('takes the vendor from options until the log names its ISV', () => {
    const { events } = parseLines(['06/09/2022 08:00', 'OUT a 1.0 u h "" 1 4d 4d 08:10'].join('\n'), { timeZone: 'UTC', vendor: 'acme' });
    expect(events.map((e) => e.vendor)).toEqual(['acme']);
  });
});

describe('createRlmReportParser: dates', () => {
  it('rolls time-only records over midnight when the clock goes back by more than an hour', () => {
    const { events } = parseLines(['06/09/2022 23:40', 'OUT a 1.0 u h "" 1 4d 4d 23:50', 'IN 1 1 4d 00:10', 'OUT a 1.0 u h "" 1 4e 4e 23:59', 'IN 1 1 4e 23:20'].join('\n'), UTC);
    expect(events.map((e) => e.at)).toEqual(['2022-06-09T23:50:00.000Z', '2022-06-10T00:10:00.000Z', '2022-06-10T23:59:00.000Z', '2022-06-10T23:20:00.000Z']);
  });

  it('gives mm/dd records the year nearest the last date, across New Year', () => {
    const { events } = parseLines(['12/31/2021 23:40', 'OUT a 1.0 1 u h "" 1 1 0 41 41 1 "" "" "" 12/31 23:50:00', 'IN 1 a 1.0 u h "" 1 0 0 41 01/01 00:00:20'].join('\n'), UTC);
    expect(events.map((e) => e.at)).toEqual(['2021-12-31T23:50:00.000Z', '2022-01-01T00:00:20.000Z']);
  });

  it('holds records until the first date and sends them in order, or dates them from options.startDate', () => {
    const lines = ['OUT a 1.0 u h "" 1 4d 4d 22:10', 'DENY a 1.0 v h "" 1 -22 1 06/09 23:00', 'IN 1 1 4d 00:20', '06/10/2022 00:30', 'OUT a 1.0 u h "" 1 4e 4e 00:40'].join('\n');
    const held = parseLines(lines, UTC);
    expect(held.diagnostics).toEqual([]);
    expect(held.events.map((e) => [e.line, e.at])).toEqual([
      [1, '2022-06-09T22:10:00.000Z'],
      [2, '2022-06-09T23:00:00.000Z'],
      [3, '2022-06-10T00:20:00.000Z'],
      [5, '2022-06-10T00:40:00.000Z'],
    ]);
    const dated = parseLines(lines.split('\n').slice(0, 3).join('\n'), { timeZone: 'UTC', startDate: '2022-06-09' });
    expect(dated.events.map((e) => e.at)).toEqual(['2022-06-09T22:10:00.000Z', '2022-06-09T23:00:00.000Z', '2022-06-10T00:20:00.000Z']);
  });

  it('reports and drops records when no date ever comes', () => {
    const { events, diagnostics } = parseLines(['OUT a 1.0 u h "" 1 4d 4d 22:10', 'IN 1 1 4d 22:20'].join('\n'), UTC);
    expect(events).toEqual([]);
    expect(diagnostics).toEqual([
      { line: 1, reason: 'no date for this record: the log gives none and no start date was set' },
      { line: 2, reason: 'no date for this record: the log gives none and no start date was set' },
    ]);
  });

  it(`keeps at most ${MAX_UNDATED_RLM_EVENTS} records waiting for a date`, () => {
    const lines = Array.from({ length: MAX_UNDATED_RLM_EVENTS + 2 }, (_, i) => `OUT a 1.0 u h "" 1 ${i.toString(16)} ${i.toString(16)} 10:00`);
    lines.push('06/09/2022 10:01');
    const { events, diagnostics } = parseLines(lines.join('\n'), UTC);
    expect(events).toHaveLength(MAX_UNDATED_RLM_EVENTS);
    expect(diagnostics.map((d) => d.line)).toEqual([MAX_UNDATED_RLM_EVENTS + 1, MAX_UNDATED_RLM_EVENTS + 2]);
  });

  it('keeps UTC monotonic through the repeated autumn hour and counts the spring jump right', () => {
    const autumn = parseLines(
      ['11/03/2019 01:10', 'OUT a 1.0 u h "" 1 4d 4d 01:40', '11/03/2019 01:13', 'IN 1 1 4d 01:20'].join('\n'),
      { timeZone: 'America/Los_Angeles' },
    );
    expect(autumn.events.map((e) => e.at)).toEqual(['2019-11-03T08:40:00.000Z', '2019-11-03T09:20:00.000Z']);
    const spring = parseLines(['03/27/2022 01:30', 'OUT a 1.0 1 u h "" 1 1 0 41 41 1 "" "" "" 03/27 01:50:00', 'IN 1 a 1.0 u h "" 1 0 0 41 03/27 03:10:00'].join('\n'), {
      timeZone: 'Europe/Madrid',
    });
    const [out, back] = spring.events.map((e) => Date.parse(e.at));
    expect(((back as number) - (out as number)) / 60_000).toBe(20);
  });

  it('rejects an unknown time zone or a malformed start date', () => {
    expect(() => createRlmReportParser({ timeZone: 'Nowhere/Town' }, { diagnostic: () => {} })).toThrow(RangeError);
    expect(() => createRlmReportParser({ timeZone: 'UTC', startDate: '2022-02-30' }, { diagnostic: () => {} })).toThrow(RangeError);
  });
});

describe('createRlmReportParser: bad lines and layout noise', () => {
  it('reports malformed records with line number and reason, and carries on', () => {
    const { events, diagnostics } = parseLines(
      [
        ...HEADER,
        'OUT a 1.0 1 u h "" 0 1 0 41 41 1 "" "" "" 06/09 08:01:00',
        'OUT a 1.0 1 u h "" 1 1 0 41 41 1 "" "" "" 13/45 08:01:00',
        'OUT a 1.0 1 u h ""',
        'IN x a 1.0 u h "" 1 0 0 41 06/09 08:02:00',
        'IN 1 2 3',
        'DENY a 1.0 u h "" 1 minus 1 06/09 08:03',
        'QUE a',
        'DEQUE 6 1 zz 08:04',
        'INUSE a',
        'START srv 6/9/22 8:00',
        'SHUTDOWN admin',
        'TIMEJUMP +5',
        '06/31/2022 08:05',
        'FOO 1 2 3',
        'OUT a 1.0 1 u h "" 1 1 0 42 42 1 "" "" "" 06/09 08:06:00',
      ].join('\n'),
      UTC,
    );
    expect(events.map((e) => e.kind)).toEqual(['restart', 'checkout']);
    expect(diagnostics).toEqual([
      { line: 6, reason: 'OUT record: license count "0" is not 1 to 1000000' },
      { line: 7, reason: 'OUT record with an invalid date' },
      { line: 8, reason: 'OUT record without a valid mm/dd hh:mm:ss or hh:mm time' },
      { line: 9, reason: 'IN record: reason "x" is not an RLM check-in code' },
      { line: 10, reason: 'IN record with 4 fields (expected 5 in the small layout, 13 in std)' },
      { line: 11, reason: 'DENY record: status "minus" is not a number' },
      { line: 12, reason: 'QUE record without a valid time' },
      { line: 13, reason: 'DEQUE record for handle zz with no queued request seen' },
      { line: 14, reason: 'INUSE record without a valid mm/dd hh:mm:ss time' },
      { line: 15, reason: 'START record without a valid mm/dd/yyyy hh:mm date' },
      { line: 16, reason: 'SHUTDOWN record without a valid mm/dd hh:mm:ss time' },
      { line: 17, reason: 'TIMEJUMP record without a valid mm/dd hh:mm:ss time' },
      { line: 18, reason: 'timestamp line with an impossible date' },
      { line: 19, reason: 'unrecognised line' },
    ]);
  });

  it('reads a BOM, CRLF line ends, tabs between fields and trailing blanks', () => {
    const text = `\uFEFF${HEADER.join('\r\n')}\r\nOUT\ta\t1.0\t1\tu\th\t""\t2\t1\t0\t41\t41\t1\t""\t""\t""\t06/09\t08:01:00  \t\r\nIN 1 a 1.0 u h "" 2 0 0 41 06/09 08:02:00\t \r\n`;
    const { events, diagnostics } = parse(new TextEncoder().encode(text), UTC);
    expect(diagnostics).toEqual([]);
    expect(events.map((e) => [e.kind, e.seats])).toEqual([
      ['restart', 0],
      ['checkout', 2],
      ['checkin', 2],
    ]);
  });

  it('skips header text and blank lines silently, and refuses lines too long to be records', () => {
    const { diagnostics } = parseLines(
      ['RLM Report Log Format 1, version 12.0, authenticated', 'REPROCESSED with rlmanon v12.0', 'ISV: x, RLM version 12.0 BL2', 'any header text at all', '', '   ', 'START s 06/09/2022 08:00', `OUT ${'x'.repeat(10_000)}`].join('\n'),
      UTC,
    );
    expect(diagnostics).toEqual([{ line: 8, reason: 'line longer than 8192 characters' }]);
  });
});

describe('createRlmReportParser: hostile input', () => {
  const realLines = realLogLines('rlm-report');
  const ALPHABET = '0123456789:/-." \t\r\u00e9\ufffd\u0000OUTINDENYQUE';

  it('never throws on random bytes and mutated real lines (seeded)', () => {
    fuzzEventParser({
      create: createRlmReportParser,
      options: (round) => (round % 2 === 0 ? { timeZone: 'Europe/Madrid' } : { timeZone: 'America/New_York', startDate: '2021-11-06' }),
      seed: 20_240_609,
      rounds: 2000,
      realLines,
      alphabet: ALPHABET,
    });
  });

  it('gets through 5 MB of adversarial input (it stays linear: no timing asserted)', () => {
    const pieces = [
      `OUT ${'"'.repeat(8000)}`,
      `OUT a 1.0 1 u h ${'"" '.repeat(2500)}`,
      `OUT a 1.0 1 u h "" 1 1 0 41 41 1 ${'06/09 '.repeat(1300)}`,
      `${'1/'.repeat(4000)} 10:00`,
      `IN 1 1 ${'f'.repeat(7000)} 10:00`,
      `DENY ${'a '.repeat(4000)}`,
      `START s ${'9'.repeat(7000)}/1/2022 10:00`,
    ];
    const next = createSeededRandom(7);
    let handle = 0;
    const lines = adversarialLines(() => {
      const pick = next();
      if (pick < 0.01) return oneOf(pieces, next);
      // Dates all over the calendar, and handles that are never checked in (the handle table must stay bounded).
      if (pick < 0.3) return `${String(1 + (handle % 12)).padStart(2, '0')}/01/${1980 + (handle % 219)} 10:00`;
      if (pick < 0.5) return `OUT f 1.0 1 u${handle} h "" 1 1 0 ${(handle++).toString(16)} 0 1 "" "" "" 06/09 10:00:00`;
      return mutateChars(oneOf(realLines, next), next, ALPHABET);
    });
    const { raw, diagnostics, lineCount } = timedParse('RLM report log', () => parse(new TextEncoder().encode(lines.join('\n')), { timeZone: 'Europe/Madrid' }), (result) => result.lineCount);
    expectSaneEvents(raw, lineCount);
    expect(raw.length + diagnostics.length).toBeGreaterThan(0);
  });
});
