import { describe, expect, it } from 'vitest';
import { createFlexlmDebugParser, MAX_UNDATED_EVENTS } from './flexlm-debug.ts';
import { createSeededRandom } from './seeded-random.ts';
import { adversarialLines, expectSaneEvents, fuzzEventParser, mutateChars, oneOf, realLogLines, timedParse } from './testing/hostile-input.ts';
import { describeEventFixtures, eventParserRunner } from './testing/parser-fixtures.ts';
import type { Diagnostic, ParseOptions, UsageEvent } from './types.ts';

const { parse, parseLines } = eventParserRunner(createFlexlmDebugParser);

const MADRID: ParseOptions = { timeZone: 'Europe/Madrid' };

describeEventFixtures({
  title: 'FlexLM debug log fixtures',
  format: 'flexlm-debug',
  atLeast: 12,
  coverageTest: 'has a fixture for each behaviour the parser promises',
  fixtureTest: (name) => `IN-02 parses ${name}.log into exactly the expected events and diagnostics`,
  parse,
  // The expected files keep one event a line, by hand.
  rewritable: false,
  // This one holds Latin-1 names, as Windows servers write them.
  notUtf8: (name) => name.startsWith('crlf-bom'),
  // Decoded as Latin-1, every byte is a character: the same number of events must come out.
  alsoCheck: ({ bytes, expected }) => expect(parse(new TextDecoder('latin1').decode(bytes), expected.options).events.length).toBe(expected.events.length),
});

describe('createFlexlmDebugParser: events', () => {
  const head = ' 9:00:00 (lmgrd) TIMESTAMP 6/9/2022\n';

  it('reads OUT, IN, DENIED, UNSUPPORTED, QUEUED and DEQUEUED with seats and reasons', () => {
    const { events, diagnostics } = parse(
      head +
        [
          '14:03:21 (MLM) OUT: "MATLAB" jdoe@ws-17',
          '14:03:22 (MLM) OUT: "Parallel_Server" jdoe@ws-17  (16 licenses)',
          '14:03:23 (MLM) IN: "MATLAB" jdoe@ws-17  (INACTIVE)',
          '14:03:24 (MLM) IN: "Parallel_Server" jdoe@ws-17  (16 licenses) (SHUTDOWN)',
          '14:03:25 (MLM) DENIED: "Simulink" jdoe@ws-17  (Licensed number of users already reached. (-4,342))',
          '14:03:26 (MLM) UNSUPPORTED: "Beta" (PORT_AT_HOST_PLUS   ) jdoe@ws-17  (No such feature exists. (-5,346))',
          '14:03:27 (MLM) QUEUED: "Simulink" jdoe@ws-17  (Licensed number of users already reached. (-4,342))',
          '14:03:28 (MLM) DEQUEUED: "Simulink" jdoe@ws-17',
          '14:03:29 (MLM) OUT: "Simulink" jdoe@ws-17  (1 license)',
        ].join('\n'),
      MADRID,
    );
    expect(diagnostics).toEqual([]);
    expect(events.map((e) => [e.kind, e.at, e.feature, e.seats, e.reason])).toEqual([
      ['checkout', '2022-06-09T12:03:21.000Z', 'MATLAB', 1, undefined],
      ['checkout', '2022-06-09T12:03:22.000Z', 'Parallel_Server', 16, undefined],
      ['checkin', '2022-06-09T12:03:23.000Z', 'MATLAB', 1, 'INACTIVE'],
      ['checkin', '2022-06-09T12:03:24.000Z', 'Parallel_Server', 16, 'SHUTDOWN'],
      ['denied', '2022-06-09T12:03:25.000Z', 'Simulink', 1, 'Licensed number of users already reached. (-4,342)'],
      ['denied', '2022-06-09T12:03:26.000Z', 'Beta', 1, 'No such feature exists. (-5,346)'],
      ['queued', '2022-06-09T12:03:27.000Z', 'Simulink', 1, 'Licensed number of users already reached. (-4,342)'],
      ['dequeued', '2022-06-09T12:03:28.000Z', 'Simulink', 1, undefined],
      ['checkout', '2022-06-09T12:03:29.000Z', 'Simulink', 1, undefined],
    ]);
    expect(events.every((e) => e.vendor === 'MLM' && e.user === 'jdoe' && e.host === 'ws-17')).toBe(true);
  });

  it('reads user names with dots, spaces, @ and letters outside ASCII, keeping their case', () => {
    const { events } = parse(
      head +
        [
          '10:00:00 (MLM) OUT: "MATLAB" ana.maria.lopez@pc-07.campus.example.org  ',
          '10:00:01 (MLM) OUT: "MATLAB" LOCAL SERVICE@DESKTOP-4KQ2ZP1  (INACTIVE)',
          '10:00:02 (MLM) OUT: "MATLAB" Zoë Ødegård@pc-08',
          '10:00:03 (MLM) OUT: "MATLAB" jane@corp.example@pc-09',
          '10:00:04 (MLM) OUT: "MATLAB" JDoe@WS-17',
          '10:00:05 (MLM) OUT: MATLAB batch@node-1',
          '10:00:06 (MLM) IN: "MATLAB" nohost  (2 licenses)',
          '10:00:07 (MLM) OUT: "My Feature" u@h',
          '10:00:08 (demo) OUT: "f1" @BLR-LT-104276 (2 licenses) ^^^ 1.0 ADas 127.0.0.1 29865 0x12CE 2 10 - 11 19 6/9/2022 10:00:08 0 ^^^',
        ].join('\n'),
      MADRID,
    );
    expect(events.map((e) => [e.feature, e.user, e.host, e.seats])).toEqual([
      ['MATLAB', 'ana.maria.lopez', 'pc-07.campus.example.org', 1],
      ['MATLAB', 'LOCAL SERVICE', 'DESKTOP-4KQ2ZP1', 1],
      ['MATLAB', 'Zoë Ødegård', 'pc-08', 1],
      ['MATLAB', 'jane@corp.example', 'pc-09', 1],
      ['MATLAB', 'JDoe', 'WS-17', 1],
      ['MATLAB', 'batch', 'node-1', 1],
      ['MATLAB', 'nohost', '', 2],
      ['My Feature', 'u', 'h', 1],
      ['f1', 'ADas', 'BLR-LT-104276', 2],
    ]);
  });

  it('shares one string per name between events', () => {
    const { raw } = parse(head + '10:00:00 (MLM) OUT: "MATLAB" someone.with.a.long.name@a-rather-long-host.example.org\n10:05:00 (MLM) IN: "MATLAB" someone.with.a.long.name@a-rather-long-host.example.org', MADRID);
    expect(raw[0]?.user).toBe(raw[1]?.user);
    expect(raw[0]?.host).toBe(raw[1]?.host);
  });

  it('accepts tabs, trailing blanks, case differences in keywords and a CR left on a line', () => {
    const { events, diagnostics } = parseLines(
      head + ['10:00:00 (MLM)\tout:\t"MATLAB"\tjdoe@ws-17\t\t', '10:00:01 (MLM) In: "MATLAB" jdoe@ws-17   (inactive)\r', '10:00:02 (MLM) denied: "MATLAB" jdoe@ws-17  (x)'].join('\n'),
      MADRID,
    );
    expect(diagnostics).toEqual([]);
    expect(events.map((e) => [e.kind, e.user, e.host, e.reason])).toEqual([
      ['checkout', 'jdoe', 'ws-17', undefined],
      ['checkin', 'jdoe', 'ws-17', 'inactive'],
      ['denied', 'jdoe', 'ws-17', 'x'],
    ]);
  });

  it('takes a seat count or a reason from the next line when a "[…]" ends the event line', () => {
    const { events } = parse(
      head + ['14:46:39 (telelogic) DENIED: DOORS kl@kl-laptop  [telelogic]', '(Licensed number of users already reached. (-4,342:10054 ))', '14:46:39 (telelogic) OUT: TLSTOK-token kl@kl-laptop  [DOORS]', '(3 licenses)', '14:50:00 (telelogic) OUT: DOORS kl@kl-laptop  [DOORS]', '14:50:01 (telelogic) IN: DOORS kl@kl-laptop  [DOORS]', '(@telelogic-INFO@) not a continuation'].join('\n'),
      MADRID,
    );
    expect(events.map((e) => [e.kind, e.feature, e.seats, e.reason])).toEqual([
      ['denied', 'DOORS', 1, 'Licensed number of users already reached. (-4,342:10054 )'],
      ['checkout', 'TLSTOK-token', 3, undefined],
      ['checkout', 'DOORS', 1, undefined],
      ['checkin', 'DOORS', 1, undefined],
    ]);
  });

  it('emits one restart per vendor daemon start, whoever logs it', () => {
    const { events } = parse(
      head +
        [
          ' 9:00:01 (lmgrd) Started MLM (internet tcp_port 42249 pid 10861)',
          ' 9:00:02 (MLM) Server started on lic-srv01 for:\tMATLAB',
          '10:00:00 (lmgrd) REStarted MLM (internet tcp_port 42249 pid 11233)',
          '10:00:01 (MLM) Server started on lic-srv01 for:\tMATLAB',
          '11:00:00 (ansyslmd) Server started on lic-srv01 for:\tcfd_base',
          '11:00:01 (lmgrd) Starting vendor daemons ... ',
          '11:00:02 (MLM) Started something else',
        ].join('\n'),
      MADRID,
    );
    expect(events.map((e) => [e.kind, e.vendor, e.at, e.line])).toEqual([
      ['restart', 'MLM', '2022-06-09T07:00:01.000Z', 2],
      ['restart', 'MLM', '2022-06-09T08:00:00.000Z', 4],
      ['restart', 'ansyslmd', '2022-06-09T09:00:00.000Z', 6],
    ]);
    expect(events.every((e) => e.seats === 0 && e.feature === '' && e.user === '')).toBe(true);
  });
});

describe('createFlexlmDebugParser: dates', () => {
  it('dates lines from the banner, TIMESTAMP, the system date, SLOG headers, per-line dates or the start date', () => {
    const first = (text: string, options: ParseOptions = MADRID) => parse(`${text}\n10:00:00 (MLM) OUT: "MATLAB" u@h`, options).events.at(-1)?.at;
    expect(first('10:00:00 (lmgrd) FlexNet Licensing (v11.16.2.0 build 253165 x64_lsb) started on host (linux) (6/9/2022)')).toBe('2022-06-09T08:00:00.000Z');
    expect(first('10:00:00 (lmgrd) FLEXnet Licensing (v10.8.0 build 18869) started on MACHINE (IBM PC) (7/30/2012)')).toBe('2012-07-30T08:00:00.000Z');
    expect(first('10:00:00 (lmgrd) TIMESTAMP 6/9/2022')).toBe('2022-06-09T08:00:00.000Z');
    expect(first("10:00:00 (lmgrd) Server's System Date and Time: Thu Jun 09 2022 10:00:00 CEST")).toBe('2022-06-09T08:00:00.000Z');
    expect(first('10:00:00 (lmgrd) (@lmgrd-SLOG@) Start-Date: Thu Jun 09 2022 10:00:00 Romance Daylight Time')).toBe('2022-06-09T08:00:00.000Z');
    expect(first('10:00:00 (MLM) (@MLM-SLOG@) Time: Thu Jun 09 2022 10:00:00 Romance Daylight Time')).toBe('2022-06-09T08:00:00.000Z');
    expect(first('2022/06/09 10:00:00 (MLM) EXTERNAL FILTERS are OFF')).toBe('2022-06-09T08:00:00.000Z');
    expect(first('6/9/2022 10:00:00 (MLM) EXTERNAL FILTERS are OFF')).toBe('2022-06-09T08:00:00.000Z');
    expect(first('', { timeZone: 'Europe/Madrid', startDate: '2022-06-09' })).toBe('2022-06-09T08:00:00.000Z');
  });

  it('never takes a date from SLOG "ms at" or "attempted at" lines', () => {
    const { events } = parse(
      [
        '10:00:00 (lmgrd) TIMESTAMP 6/9/2022',
        '12:00:00 (MLM) (@MLM-SLOG@) 00000016 ms at Mon Jan 01 2018 12:55:31 Romance Standard Time,#8,(5520K),(u,h,1152)',
        '12:00:00 (MLM) (@MLM-SLOG@) 00000000 ms at  9:55:54(1/1/2018),#8,(2728K),(u,h,232)',
        '12:00:00 (MLM) (@MLM-SLOG@) Peak active connections #23 attempted at Mon Jan 01 2018 16:00:30 Romance Standard Time',
        '12:00:01 (MLM) OUT: "MATLAB" u@h',
      ].join('\n'),
      MADRID,
    );
    expect(events.map((e) => e.at)).toEqual(['2022-06-09T10:00:01.000Z']);
  });

  it('holds lines until the first date, across midnight, and sends them in order', () => {
    const { events, diagnostics } = parse(
      ['22:10:00 (MLM) OUT: "MATLAB" a@h', '23:50:00 (MLM) OUT: "MATLAB" b@h', ' 0:20:00 (MLM) IN: "MATLAB" a@h', ' 0:31:48 (lmgrd) TIMESTAMP 6/10/2022', ' 1:00:00 (MLM) IN: "MATLAB" b@h'].join('\n'),
      MADRID,
    );
    expect(diagnostics).toEqual([]);
    expect(events.map((e) => [e.line, e.at])).toEqual([
      [1, '2022-06-09T20:10:00.000Z'],
      [2, '2022-06-09T21:50:00.000Z'],
      [3, '2022-06-09T22:20:00.000Z'],
      [5, '2022-06-09T23:00:00.000Z'],
    ]);
  });

  it('reports and drops events when no date ever comes', () => {
    const { events, diagnostics } = parse('10:00:00 (MLM) OUT: "MATLAB" a@h\n10:00:05 (MLM) EXTERNAL FILTERS are OFF\n11:00:00 (MLM) IN: "MATLAB" a@h', MADRID);
    expect(events).toEqual([]);
    expect(diagnostics).toEqual([
      { line: 1, reason: 'no date for this line: the log gives none and no start date was set' },
      { line: 3, reason: 'no date for this line: the log gives none and no start date was set' },
    ]);
  });

  it(`keeps at most ${MAX_UNDATED_EVENTS} events waiting for a date`, () => {
    const lines = Array.from({ length: MAX_UNDATED_EVENTS + 2 }, () => '10:00:00 (MLM) OUT: "MATLAB" a@h');
    lines.push('10:00:01 (lmgrd) TIMESTAMP 6/9/2022');
    const { events, diagnostics } = parse(lines.join('\n'), MADRID);
    expect(events).toHaveLength(MAX_UNDATED_EVENTS);
    expect(diagnostics.map((d) => d.line)).toEqual([MAX_UNDATED_EVENTS + 1, MAX_UNDATED_EVENTS + 2]);
  });

  it('treats a clock going back by more than an hour as a new day, and smaller steps as out-of-order lines', () => {
    const { events } = parse(
      [
        '10:00:00 (lmgrd) TIMESTAMP 6/9/2022',
        '23:59:00 (MLM) OUT: "MATLAB" a@h',
        '23:58:40 (MLM) OUT: "MATLAB" b@h', // twenty seconds late: same day
        '23:10:00 (MLM) OUT: "MATLAB" c@h', // 49 minutes back: still the same day
        ' 0:00:05 (MLM) IN: "MATLAB" a@h', // next day
        '23:59:58 (MLM) IN: "MATLAB" b@h', // a late line from before midnight
        ' 0:00:10 (MLM) IN: "MATLAB" c@h',
        ' 8:00:00 (MLM) OUT: "MATLAB" d@h',
        ' 7:30:00 (MLM) IN: "MATLAB" d@h', // 30 minutes back: same day
        ' 6:00:00 (MLM) OUT: "MATLAB" e@h', // two hours back: the next day
      ].join('\n'),
      MADRID,
    );
    expect(events.map((e) => e.at)).toEqual([
      '2022-06-09T21:59:00.000Z',
      '2022-06-09T21:58:40.000Z',
      '2022-06-09T21:10:00.000Z',
      '2022-06-09T22:00:05.000Z',
      '2022-06-09T21:59:58.000Z',
      '2022-06-09T22:00:10.000Z',
      '2022-06-10T06:00:00.000Z',
      '2022-06-10T05:30:00.000Z',
      '2022-06-11T04:00:00.000Z',
    ]);
  });

  it('reads the old mm/dd hh:mm layout, taking the year from what is known', () => {
    const { events } = parse(['12/31 23:58 (demo) OUT: "f" a@h', ' 1/ 1 00:10 (demo) IN: "f" a@h'].join('\n'), { timeZone: 'UTC', startDate: '1999-12-31' });
    expect(events.map((e) => e.at)).toEqual(['1999-12-31T23:58:00.000Z', '2000-01-01T00:10:00.000Z']);
    // Without a year yet, the lines wait for one.
    const later = parse(['12/31 23:58 (demo) OUT: "f" a@h', ' 1/ 2 09:00 (lmgrd) TIMESTAMP 1/2/2000'].join('\n'), { timeZone: 'UTC' });
    expect(later.events.map((e) => e.at)).toEqual(['1999-12-31T23:58:00.000Z']);
  });

  it('rejects an unknown time zone or a malformed start date', () => {
    expect(() => createFlexlmDebugParser({ timeZone: 'Nowhere/Town' }, { diagnostic: () => {} })).toThrow(RangeError);
    expect(() => createFlexlmDebugParser({ timeZone: 'UTC', startDate: '2022-13-01' }, { diagnostic: () => {} })).toThrow(RangeError);
    expect(() => createFlexlmDebugParser({ timeZone: 'UTC', startDate: '9/6/2022' }, { diagnostic: () => {} })).toThrow(RangeError);
  });
});

describe('createFlexlmDebugParser: daylight saving', () => {
  it('a session across the spring jump lasts its real length', () => {
    const { events } = parse(['20:00:00 (lmgrd) TIMESTAMP 3/26/2022', ' 1:50:00 (MLM) OUT: "MATLAB" a@h', ' 3:10:00 (MLM) IN: "MATLAB" a@h'].join('\n'), MADRID);
    const [out, back] = events.map((e) => Date.parse(e.at));
    expect(((back as number) - (out as number)) / 60_000).toBe(20);
  });

  it('the repeated autumn hour neither creates nor loses usage, and time never runs backwards', () => {
    const { events } = parse(
      [
        '20:00:00 (lmgrd) TIMESTAMP 10/29/2022',
        ' 2:10:00 (MLM) OUT: "MATLAB" a@h', // 02:10 CEST
        ' 2:50:00 (MLM) IN: "MATLAB" a@h', // 02:50 CEST
        ' 2:05:00 (MLM) OUT: "MATLAB" b@h', // the clocks went back: 02:05 CET
        ' 2:40:00 (MLM) IN: "MATLAB" b@h', // 02:40 CET
        ' 3:05:00 (MLM) OUT: "MATLAB" c@h',
      ].join('\n'),
      MADRID,
    );
    expect(events.map((e) => e.at)).toEqual(['2022-10-30T00:10:00.000Z', '2022-10-30T00:50:00.000Z', '2022-10-30T01:05:00.000Z', '2022-10-30T01:40:00.000Z', '2022-10-30T02:05:00.000Z']);
  });

  it('a line after the repeated hour that comes back into it reads the second time', () => {
    const { events } = parse(['20:00:00 (lmgrd) TIMESTAMP 10/29/2022', ' 2:50:00 (MLM) OUT: "MATLAB" a@h', ' 3:00:01 (MLM) OUT: "MATLAB" b@h', ' 2:59:59 (MLM) IN: "MATLAB" a@h'].join('\n'), MADRID);
    expect(events.map((e) => e.at)).toEqual(['2022-10-30T00:50:00.000Z', '2022-10-30T02:00:01.000Z', '2022-10-30T01:59:59.000Z']);
  });
});

describe('createFlexlmDebugParser: bad lines', () => {
  it('reports lines that look like events but are malformed, with line number and reason', () => {
    const { events, diagnostics } = parse(
      [
        '10:00:00 (lmgrd) TIMESTAMP 6/9/2022',
        '10:00:01 (MLM) OUT: "MATLAB jdoe@ws-17',
        '10:00:02 (MLM) OUT: ""  jdoe@ws-17',
        '10:00:03 (MLM) OUT: "MATLAB"',
        '10:00:04 (MLM) OUT: "MATLAB" @ws-17',
        '10:00:05 (MLM) OUT: "MATLAB" jdoe@ws-17  (0 licenses)',
        '25:00:06 (MLM) IN: "MATLAB" jdoe@ws-17',
        '2022/02/30 10:00:07 (MLM) IN: "MATLAB" jdoe@ws-17',
        '(MLM) OUT: "MATLAB" jdoe@ws-17',
        'IN: "MATLAB" jdoe@ws-17',
        '10:00:10 (lmgrd) TIMESTAMP 13/45/2022',
        '10:00:11 (MLM) OUT:',
      ].join('\n'),
      MADRID,
    );
    expect(events).toEqual([]);
    expect(diagnostics).toEqual([
      { line: 2, reason: 'OUT line: unterminated quoted feature name' },
      { line: 3, reason: 'OUT line: empty feature name' },
      { line: 4, reason: 'OUT line: no user@host' },
      { line: 5, reason: 'OUT line: no user name' },
      { line: 6, reason: 'OUT line: license count out of range' },
      { line: 7, reason: 'IN line with an invalid time' },
      { line: 8, reason: 'IN line with an invalid date' },
      { line: 9, reason: 'OUT line without a time' },
      { line: 10, reason: 'IN line without a time' },
      { line: 11, reason: 'TIMESTAMP line without a valid M/D/YYYY date' },
      { line: 12, reason: 'OUT line: no feature name' },
    ]);
  });

  it('stays silent on ordinary lmgrd chatter and text that is not a log line', () => {
    const { events, diagnostics } = parse(
      [
        '10:00:00 (lmgrd) TIMESTAMP 6/9/2022',
        '10:00:00 (lmgrd) -----------------------------------------------',
        '10:00:00 (lmgrd)   Please Note:',
        '10:00:00 (lmgrd) ',
        '10:00:00 (MLM) RESERVING 10 85730ACD_2012_0F/145D 7797 905A 1252  licenses for USER_GROUP GROUP01',
        '10:00:00 (MLM) EXPIRED: MATLAB_old',
        '10:00:00 (MLM) Acquired 200 licenses for Group CAMPUS (MSC Nastran Parallel)',
        '10:00:00 (MLM) Lost connection to lic-srv02',
        '10:00:00 (lmgrd) FLEXnet Licensing error:-1,359',
        '',
        '   ',
        '\t',
        'Shell# ./lmgrd -c ../license.dat',
        ' (@MSC-INFO@)    10:00:00 (MSC) C:\\MSC.Software\\LOG\\usage.ddu',
        'random words, an @ sign, (parentheses) and "quotes"',
      ].join('\n'),
      MADRID,
    );
    expect(events).toEqual([]);
    expect(diagnostics).toEqual([]);
  });
});

describe('createFlexlmDebugParser: hostile input', () => {
  /** Real lines from the fixtures, to mutate. */
  const realLines = realLogLines('flexlm-debug');
  const ALPHABET = '0123456789:/-() "@[]^\t\r\u00e9\ufffd\u0000OUTINDENIED';
  const mutate = (line: string, next: () => number): string => mutateChars(line, next, ALPHABET);

  it('never throws on thousands of random byte strings and mutated real lines', () => {
    fuzzEventParser({
      create: createFlexlmDebugParser,
      options: (round) => (round % 2 === 0 ? MADRID : { timeZone: 'America/New_York', startDate: '2021-11-06' }),
      seed: 20_240_609,
      rounds: 3000,
      realLines,
      alphabet: ALPHABET,
    });
  });

  it('reads lines the same with the Latin-1 text for native searches as with bytes alone', () => {
    const tricky = [
      '10:00:00 (MLM) OUT: "MATLAB" a b@h  ',
      '10:00:00 (MLM) OUT: "MATLAB" a\tb@h',
      '10:00:00 (MLM) OUT: "MATLAB" jane@corp@host  (2 licenses)',
      '10:00:00 (MLM) OUT: "MATLAB" u@h\tx',
      '10:00:00 (MLM) IN: "MATLAB" u@h@  (INACTIVE)',
      '10:00:00 (MLM) OUT: "MATLAB" u@',
      '10:00:00 (MLM) OUT: "MATLAB"  u@h',
      '10:00:00 (MLM) OUT: "" u@h',
      '10:00:00 (MLM) OUT: "MATLAB" @h',
      '10:00:00 (MLM) UNSUPPORTED: "f" (PORT_AT_HOST_PLUS   ) u@h  (No such feature exists. (-5,414))',
      '10:00:00 (MLM) DENIED: "f" u@h [x]',
      '10:00:00 (MLM) OUT: "f" u@h ^^^ 1 v 2 3 ^^^',
      '10:00:00 (MLM) OUT: "f" u@h',
      '10:00:00 (MLM) OUT: "f" u@h ',
      '10:00:00 (MLM) OUT: "f u@h',
      '10:00:00 (MLM) OUT: "f" "u"@h',
      '10:00:00 (MLM) OUT: "f" u(x)@h  (3 licenses) (3 licenses)',
    ];
    const next = createSeededRandom(1_234_567);
    const lines = [...tricky, ...realLines];
    for (let i = 0; i < 4000; i++) lines.push(mutate(oneOf(realLines, next), next));
    const run = (withText: boolean) => {
      const events: UsageEvent[] = [];
      const diagnostics: Diagnostic[] = [];
      const parser = createFlexlmDebugParser({ timeZone: 'Europe/Madrid', startDate: '2022-06-09' }, { event: (e) => events.push({ ...e }), diagnostic: (d) => diagnostics.push(d) });
      lines.forEach((line, i) => {
        const bytes = new Uint8Array(Buffer.from(line, 'latin1'));
        // The text holds the bytes from byte 0 on, and more after the line (as a block does).
        if (withText) parser.lineBytes(bytes, 0, bytes.length, i + 1, `${line}\n10:00:00 (MLM) OUT: "x" y@z "@ \n`, 0);
        else parser.lineBytes(bytes, 0, bytes.length, i + 1);
      });
      parser.end();
      return { events, diagnostics };
    };
    const withText = run(true);
    expect(withText.events.length).toBeGreaterThan(500);
    expect(withText).toEqual(run(false));
  });

  it('gets through 5 MB of adversarial input (it stays linear: no timing asserted)', () => {
    const pieces = [
      '('.repeat(20_000),
      `10:00:00 (MLM) OUT: "${'"'.repeat(5000)}`,
      `10:00:00 (MLM) DENIED: "f" u@h  ${'('.repeat(30_000)}`,
      `10:00:00 (MLM) OUT: "f" ${'@'.repeat(30_000)}`,
      `10:00:00 (MLM) OUT: "f" u@h ${'[ '.repeat(10_000)}`,
      `10:00:00 (MLM) OUT: "f" u@h ${'^^^ '.repeat(10_000)}`,
      `${'1/1 '.repeat(10_000)}10:00:00 (x`,
      `${'12:00:00 '.repeat(5000)}(`,
      `10:00:00 (lmgrd) FlexNet Licensing ${'started on '.repeat(3000)}(`,
      `10:00:00 (lmgrd) TIMESTAMP ${'1/'.repeat(10_000)}`,
      `10:00:00 (MLM) OUT: "f" ${'a '.repeat(20_000)}@h`,
      `(${'x'.repeat(60)}) OUT:`,
      `${'9'.repeat(40_000)}:00:00 (MLM) OUT: "f" u@h`,
    ];
    const next = createSeededRandom(7);
    let day = 0;
    const lines = adversarialLines(() => {
      const pick = next();
      if (pick < 0.01) return oneOf(pieces, next);
      // Per-line dates all over the calendar: the zone clock must not do fresh work for each line.
      if (pick < 0.4) return `${1980 + (day++ % 219)}/${1 + (day % 12)}/${1 + (day % 28)} 10:00:00 (MLM) OUT: "f" u${day}@h${day}`;
      return mutate(oneOf(realLines, next), next);
    });
    const { raw, diagnostics, lineCount } = timedParse('input', () => parse(new TextEncoder().encode(lines.join('\n')), MADRID), (result) => result.lineCount);
    expectSaneEvents(raw, lineCount);
    expect(raw.length + diagnostics.length).toBeGreaterThan(0);
  });
});
