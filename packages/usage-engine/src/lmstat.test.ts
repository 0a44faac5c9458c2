import { describe, expect, it } from 'vitest';
import {
  createLmstatParser,
  localPartsAt,
  splitWho,
  toUtcMillis,
  type LmstatFeatureSnapshot,
  type LmstatParseOptions,
  type LmstatServerStatus,
  type LmstatVendorStatus,
} from './lmstat.ts';
import { expectSaneSnapshots, mutatedTexts, randomBlocks } from './testing/hostile-input.ts';
import { describeRecordedFixtures, fixtureTexts, iso, readableSnapshots } from './testing/parser-fixtures.ts';
import type { Diagnostic, FeatureSnapshot } from './types.ts';

interface Result {
  servers: LmstatServerStatus[];
  vendors: LmstatVendorStatus[];
  snapshots: FeatureSnapshot[];
  diagnostics: Diagnostic[];
}

function parse(text: string, options: LmstatParseOptions): Result {
  const result: Result = { servers: [], vendors: [], snapshots: [], diagnostics: [] };
  const parser = createLmstatParser(
    { ...options, onServer: (s) => result.servers.push(s), onVendor: (v) => result.vendors.push(v) },
    { snapshot: (s) => result.snapshots.push(s), diagnostic: (d) => result.diagnostics.push(d) },
  );
  text.split('\n').forEach((line, i) => parser.line(line, i + 1));
  parser.end();
  return result;
}

describeRecordedFixtures<LmstatParseOptions>({
  title: 'lmstat fixtures',
  format: 'lmstat',
  extension: '.txt',
  atLeast: 5,
  record: (content, options) => readableSnapshots(parse(content.toString('utf8'), options)),
});

describe('splitWho: user, host and display from the words before (vVERSION)', () => {
  const cases: [string, { user: string; host: string; display?: string }][] = [
    ['jdoe ws-17 ws-17:0', { user: 'jdoe', host: 'ws-17', display: 'ws-17:0' }],
    ['jdoe ws-17 /dev/tty', { user: 'jdoe', host: 'ws-17', display: '/dev/tty' }],
    ['jdoe ws-17', { user: 'jdoe', host: 'ws-17' }],
    ['jdoe', { user: 'jdoe', host: '' }],
    ['j.doe ws-17.corp.example ws-17.corp.example', { user: 'j.doe', host: 'ws-17.corp.example', display: 'ws-17.corp.example' }],
    // A space in the user name: the display equals, or is an X display of, the word before it.
    ['Jane Roe LAPTOP-JR7 LAPTOP-JR7', { user: 'Jane Roe', host: 'LAPTOP-JR7', display: 'LAPTOP-JR7' }],
    ['Jane Roe laptop-jr7 LAPTOP-JR7', { user: 'Jane Roe', host: 'laptop-jr7', display: 'LAPTOP-JR7' }],
    ['Jane Q Roe ws-17 ws-17:0.0', { user: 'Jane Q Roe', host: 'ws-17', display: 'ws-17:0.0' }],
    ['Jane Roe ws-17 :0', { user: 'Jane Roe', host: 'ws-17', display: ':0' }],
    ['Jane Roe ws-17 /dev/pts/4', { user: 'Jane Roe', host: 'ws-17', display: '/dev/pts/4' }],
    ['José Müller pc-3 pc-3', { user: 'José Müller', host: 'pc-3', display: 'pc-3' }],
    ['山田 太郎 ws-5 ws-5', { user: '山田 太郎', host: 'ws-5', display: 'ws-5' }],
    // Words after a clear display belong to it (vendors append ids or products).
    ['lwong host-01 host-01:0.0 lc80a2801_1', { user: 'lwong', host: 'host-01', display: 'host-01:0.0 lc80a2801_1' }],
    ['usr p-c94 /dev/tty feature=test', { user: 'usr', host: 'p-c94', display: '/dev/tty feature=test' }],
    // A colon alone does not make a display: MSCONE:ADAMS_View is a product after the display.
    ['okane ER0037 SESOR045 MSCONE:ADAMS_View', { user: 'okane', host: 'ER0037', display: 'SESOR045 MSCONE:ADAMS_View' }],
    // A display that starts with the host (host + display number run together).
    ['cdiaz CADWS0087375 CADWS00873750.0', { user: 'cdiaz', host: 'CADWS0087375', display: 'CADWS00873750.0' }],
    ['Ann Lee CADWS0087375 CADWS00873750.0', { user: 'Ann Lee', host: 'CADWS0087375', display: 'CADWS00873750.0' }],
    // No evidence either way: read as user host display.
    ['USER1 SERVER60036 SERVER078011', { user: 'USER1', host: 'SERVER60036', display: 'SERVER078011' }],
    ['Jane Roe ws-17', { user: 'Jane', host: 'Roe', display: 'ws-17' }],
  ];
  for (const [who, expected] of cases) {
    it(`reads ${JSON.stringify(who)}`, () => expect(splitWho(who.split(' '))).toEqual(expected));
  }
});

describe('lmstat parsing', () => {
  const header = 'Flexible License Manager status on Mon 1/2/2023 9:15';
  const block = [
    'Users of MATLAB:  (Total of 3 licenses issued;  Total of 2 licenses in use)',
    '  "MATLAB" v43, vendor: MLM',
    '    jdoe ws-17 ws-17:0 (v43) (licsrv/27000 101), start Fri 12/30 16:00',
    '    jdoe ws-17 ws-17:0 (v43) (licsrv/27000 102), start Mon 1/2 9:16',
  ];

  it('puts a start without a year in the snapshot year, or the year before when it would be later', () => {
    const { snapshots } = parse([header, ...block].join('\n'), { timeZone: 'UTC' });
    const users = snapshots[0]?.users ?? [];
    expect(iso(users[0]?.startedAt)).toBe('2022-12-30T16:00:00.000Z');
    // A minute after the header is clock skew, not last year.
    expect(iso(users[1]?.startedAt)).toBe('2023-01-02T09:16:00.000Z');
  });

  it('reads the header time in the server time zone', () => {
    const { snapshots } = parse([header, ...block].join('\n'), { timeZone: 'America/New_York' });
    expect(iso(snapshots[0]?.at)).toBe('2023-01-02T14:15:00.000Z');
    expect(iso(snapshots[0]?.users[0]?.startedAt)).toBe('2022-12-30T21:00:00.000Z');
  });

  it('takes the snapshot time from takenAt when given, and the year from it when there is no header', () => {
    const takenAt = Date.UTC(2023, 0, 2, 9, 15);
    const { snapshots, diagnostics } = parse(block.join('\n'), { timeZone: 'UTC', takenAt });
    expect(diagnostics).toEqual([]);
    expect(snapshots[0]?.at).toBe(takenAt);
    expect(iso(snapshots[0]?.users[0]?.startedAt)).toBe('2022-12-30T16:00:00.000Z');
  });

  it('reports, once, that it cannot time snapshots without a header or takenAt', () => {
    const text = [...block, ...block].join('\n');
    const { snapshots, diagnostics } = parse(text, { timeZone: 'UTC' });
    expect(snapshots).toEqual([]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.reason).toMatch(/snapshot time unknown/);
  });

  it('counts seats, linger, queued requests and reservations', () => {
    const text = [
      header,
      'Users of abaqus:  (Total of 50 licenses issued;  Total of 21 licenses in use)',
      '\t8 RESERVATIONs for GROUP SOLVERS (licsrv/27000)',
      '        1 RESERVATION for HOST node7 (licsrv/27000)',
      '    asmith node7 /dev/tty (v62.2) (licsrv/27000 7086), start Mon 1/2 8:44, 16 licenses',
      '    cdiaz PC12 PC12 (v62.2) (licsrv/27000 7087), start Mon 1/2 8:59, 5 licenses  (linger: 885098 / 1340160), PID: 2924',
      '    bchen node9 /dev/tty (v62.2) (licsrv/27000 7088) queued for 4 licenses',
      '    bchen node9 /dev/tty 0.0 (v62.2) (licsrv/27000 7089) queued for 1 license',
    ].join('\n');
    const snapshot = parse(text, { timeZone: 'UTC' }).snapshots[0] as LmstatFeatureSnapshot;
    expect(snapshot.reserved).toBe(9);
    expect(snapshot.queued).toBe(5);
    expect(snapshot.users.map((u) => [u.user, u.seats, u.linger])).toEqual([
      ['asmith', 16, undefined],
      ['cdiaz', 5, 885098],
    ]);
  });

  it('keeps going past lines it cannot use, naming them', () => {
    const text = [
      header,
      ...block,
      '    jdoe ws-17 ws-17:0 (v43) (licsrv/27000 103), start Mon 13/45 9:16',
      '    (v43) (licsrv/27000 104), start Mon 1/2 9:16',
      'some text that lmstat never prints',
      'Users of Simulink:  (Total of 1 license issued;  Total of 0 licenses in use)',
    ].join('\n');
    const { snapshots, diagnostics } = parse(text, { timeZone: 'UTC' });
    expect(snapshots.map((s) => [s.feature, s.users.length])).toEqual([
      ['MATLAB', 3],
      ['Simulink', 0],
    ]);
    expect(diagnostics).toEqual([
      { line: 6, reason: 'check-out start is not a valid date' },
      { line: 7, reason: 'user line without a user name' },
      { line: 8, reason: 'unrecognised line' },
    ]);
  });

  it('ignores a shell prompt and the command echoed before the output', () => {
    const text = ['$ lmutil lmstat -a -c 27000@licsrv', 'me@box:~$ lmutil lmstat -a', header, ...block].join('\n');
    const { snapshots, diagnostics } = parse(text, { timeZone: 'UTC' });
    expect(diagnostics).toEqual([]);
    expect(snapshots).toHaveLength(1);
  });

  it('refuses an unknown time zone at creation', () => {
    expect(() => createLmstatParser({ timeZone: 'Mars/Olympus_Mons' }, { diagnostic: () => {} })).toThrow(RangeError);
  });

  it('refuses lines too long to be lmstat output, in one step', () => {
    const huge = `    ${'x ('.repeat(400_000)}(v1) (a/1 1), start Mon 1/2 9:16`;
    const { diagnostics } = parse([header, ...block, huge].join('\n'), { timeZone: 'UTC' });
    expect(diagnostics).toEqual([{ line: 6, reason: 'line longer than 4096 characters' }]);
  });
});

describe('toUtcMillis', () => {
  it('converts wall-clock time in a zone, before and after daylight saving', () => {
    expect(iso(toUtcMillis({ year: 2022, month: 1, day: 15, hour: 12 }, 'Europe/Madrid'))).toBe('2022-01-15T11:00:00.000Z');
    expect(iso(toUtcMillis({ year: 2022, month: 7, day: 15, hour: 12 }, 'Europe/Madrid'))).toBe('2022-07-15T10:00:00.000Z');
    expect(iso(toUtcMillis({ year: 2022, month: 7, day: 15, hour: 12 }, 'Asia/Kolkata'))).toBe('2022-07-15T06:30:00.000Z');
  });

  it('reads a time skipped by the spring jump with the offset before it', () => {
    // Europe/Madrid, 27 March 2022: 02:00 became 03:00.
    expect(iso(toUtcMillis({ year: 2022, month: 3, day: 27, hour: 2, minute: 30 }, 'Europe/Madrid'))).toBe('2022-03-27T01:30:00.000Z');
    expect(iso(toUtcMillis({ year: 2022, month: 3, day: 27, hour: 3, minute: 0 }, 'Europe/Madrid'))).toBe('2022-03-27T01:00:00.000Z');
  });

  it('takes the first of the two instants of the repeated autumn hour', () => {
    // America/New_York, 6 November 2022: 02:00 went back to 01:00.
    expect(iso(toUtcMillis({ year: 2022, month: 11, day: 6, hour: 1, minute: 30 }, 'America/New_York'))).toBe('2022-11-06T05:30:00.000Z');
    expect(iso(toUtcMillis({ year: 2022, month: 11, day: 6, hour: 2, minute: 30 }, 'America/New_York'))).toBe('2022-11-06T07:30:00.000Z');
  });

  it('handles a half-hour daylight-saving zone', () => {
    // Australia/Lord_Howe, 2 October 2022: 02:00 became 02:30.
    expect(iso(toUtcMillis({ year: 2022, month: 10, day: 2, hour: 2, minute: 45 }, 'Australia/Lord_Howe'))).toBe('2022-10-01T15:45:00.000Z');
    expect(iso(toUtcMillis({ year: 2022, month: 10, day: 2, hour: 1, minute: 45 }, 'Australia/Lord_Howe'))).toBe('2022-10-01T15:15:00.000Z');
  });

  it('round-trips with localPartsAt', () => {
    const at = Date.UTC(2024, 1, 29, 23, 59, 30);
    const parts = localPartsAt(at, 'Pacific/Auckland');
    expect(toUtcMillis(parts, 'Pacific/Auckland')).toBe(at);
  });
});

describe('lmstat fuzz', () => {
  const real = fixtureTexts('lmstat', '.txt', 'utf8').flatMap((text) => text.split('\n'));
  const pieces = ['(', ')', '/', ':', ',', ' ', '\t', '"', 'start ', '(v', 'licenses', 'Users of ', '\u0000', '\uFFFD', 'é', '9999999999999999', '-1', '\r'];

  it('never throws on mutated real lines (seeded)', () => {
    mutatedTexts({ seed: 20220609, count: 200, realLines: real, pieces }).forEach((text, round) => {
      expectSaneSnapshots(parse(text, { timeZone: 'Europe/Madrid', ...(round % 3 === 0 ? { takenAt: 1_654_776_180_000 } : {}) }));
    });
  });

  it('never throws on random bytes (seeded)', () => {
    for (const bytes of randomBlocks(7, 100)) expectSaneSnapshots(parse(new TextDecoder('utf-8').decode(bytes), { timeZone: 'UTC' }));
  });
});
