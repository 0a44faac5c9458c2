import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './lines.ts';
import { createLmxParser, type LmxFeatureSnapshot, type LmxParseOptions, type LmxServerStatus } from './lmx.ts';
import { createSeededRandom } from './seeded-random.ts';
import { adversarialLines, expectSaneSnapshots, mutateSlices, mutatedTexts, oneOf, randomBlocks, timedParse } from './testing/hostile-input.ts';
import { describeRecordedFixtures, fixtureTexts, iso, readableSnapshots } from './testing/parser-fixtures.ts';
import type { Diagnostic } from './types.ts';

interface Result {
  servers: LmxServerStatus[];
  snapshots: LmxFeatureSnapshot[];
  diagnostics: Diagnostic[];
}

function parse(input: string | Uint8Array, options: LmxParseOptions): Result {
  const result: Result = { servers: [], snapshots: [], diagnostics: [] };
  const parser = createLmxParser({ ...options, onServer: (s) => result.servers.push(s) }, { snapshot: (s) => result.snapshots.push(s as LmxFeatureSnapshot), diagnostic: (d) => result.diagnostics.push(d) });
  const splitter = createLineSplitter(parser, { diagnostic: (d) => result.diagnostics.push(d) });
  splitter.push(input);
  splitter.end();
  parser.end();
  return result;
}

const TAKEN = Date.UTC(2022, 1, 18, 10);

describeRecordedFixtures<LmxParseOptions>({
  title: 'LM-X fixtures',
  format: 'lmx',
  extension: '.txt',
  atLeast: 4,
  record: (content, options) => readableSnapshots(parse(content, options)),
});

const SERVER = ['LM-X End-user Utility v4.9.3', 'LM-X License Server on 6200@licsrv:', 'Server version: v4.9.3 Uptime: 1 day(s) 0 hour(s) 0 min(s) 0 sec(s)'];
const BLOCK = [
  '----------------------------------------',
  'Feature: HyperWorks Version: 21.0 Vendor: ALTAIR',
  'Start date: 2022-02-17 Expire date: 2023-01-31',
  'Key type: EXCLUSIVE License sharing: CUSTOM VIRTUAL',
  '3 of 10 license(s) used:',
  '2 license(s) used by ana@ws1 [10.0.0.1]',
  '    Login time: 2022-02-18 09:26   Checkout time: 2022-02-18 09:29',
  '1 license(s) used by bo@ws2',
  '    Login time: 2022-02-18 08:00',
];

describe('LM-X parsing', () => {
  it('reads totals, holders, addresses and times in the server time zone', () => {
    const { servers, snapshots, diagnostics } = parse([...SERVER, ...BLOCK].join('\n'), { timeZone: 'Europe/Stockholm', takenAt: TAKEN });
    expect(diagnostics).toEqual([]);
    expect(servers).toEqual([{ host: 'licsrv', port: 6200, status: 'up', version: '4.9.3', line: 3 }]);
    const s = snapshots[0] as LmxFeatureSnapshot;
    expect([s.at, s.vendor, s.feature, s.issued, s.inUse, s.server, s.versions]).toEqual([TAKEN, 'ALTAIR', 'HyperWorks', 10, 3, '6200@licsrv', ['21.0']]);
    expect(s.users.map((u) => [u.user, u.host, u.seats, u.ip, iso(u.startedAt), iso(u.loginAt)])).toEqual([
      ['ana', 'ws1', 2, '10.0.0.1', '2022-02-18T08:29:00.000Z', '2022-02-18T08:26:00.000Z'],
      // No checkout time: the login time is the start.
      ['bo', 'ws2', 1, undefined, '2022-02-18T07:00:00.000Z', '2022-02-18T07:00:00.000Z'],
    ]);
  });

  it('adds up the versions of one feature, keeps features of other vendors apart, and marks borrowed licenses', () => {
    const second = ['----', 'Feature: HyperWorks Version: 22.0 Vendor: ALTAIR', '1 of 5 license(s) used:', '1 license(s) used by cy@laptop [10.0.0.9]', 'Borrow expire time: 2022-02-25 17:00'];
    const other = ['----', 'Feature: HyperWorks Version: 1.0 Vendor: OTHER', '0 of 1 license(s) used'];
    const { snapshots } = parse([...SERVER, ...BLOCK, ...second, ...other].join('\n'), { timeZone: 'UTC', takenAt: TAKEN });
    expect(snapshots.map((s) => [s.vendor, s.feature, s.issued, s.inUse, s.users.length, s.versions])).toEqual([
      ['ALTAIR', 'HyperWorks', 15, 4, 3, ['21.0', '22.0']],
      ['OTHER', 'HyperWorks', 1, 0, 0, ['1.0']],
    ]);
    const borrowed = snapshots[0]?.users[2];
    expect([borrowed?.user, borrowed?.startedAt, iso(borrowed?.borrowedUntil)]).toEqual(['cy', undefined, '2022-02-25T17:00:00.000Z']);
  });

  it('dates snapshots with takenAt, else fallbackTakenAt, else reports once and sends none', () => {
    const text = [...SERVER, ...BLOCK].join('\n');
    expect(parse(text, { timeZone: 'UTC', fallbackTakenAt: 5 }).snapshots[0]?.at).toBe(5);
    expect(parse(text, { timeZone: 'UTC', takenAt: 7, fallbackTakenAt: 5 }).snapshots[0]?.at).toBe(7);
    const none = parse(`${text}\n${SERVER.slice(1).join('\n')}\n${BLOCK.join('\n')}`, { timeZone: 'UTC' });
    expect(none.snapshots).toEqual([]);
    expect(none.diagnostics.map((d) => d.reason)).toEqual(['snapshot time unknown: lmxendutil prints none and no takenAt was given']);
  });

  it('reports a server it cannot reach as down, and sends no snapshot for it', () => {
    const { servers, snapshots, diagnostics } = parse(['LM-X License Server on 6200@gone:', '', 'XF Error: Unable to connect to license server!'].join('\n'), { timeZone: 'UTC', takenAt: TAKEN });
    expect(servers).toEqual([{ host: 'gone', port: 6200, status: 'down', detail: 'XF Error: Unable to connect to license server!', line: 3 }]);
    expect(snapshots).toEqual([]);
    expect(diagnostics).toEqual([{ line: 3, reason: 'lmxendutil could not get the status: XF Error: Unable to connect to license server!' }]);
  });

  it('keeps going past lines it cannot use, naming them', () => {
    const { snapshots, diagnostics } = parse(
      [
        ...SERVER,
        '3 of 10 license(s) used:',
        '1 license(s) used by ana@ws1',
        ...BLOCK,
        '4 of 10 license(s) used',
        '0 license(s) used by x@y',
        '1 license(s) used by @ws9',
        '1 license(s) used by cy@ws3',
        'Login time: 2022-13-01 09:00',
        'something else entirely',
      ].join('\n'),
      { timeZone: 'UTC', takenAt: TAKEN },
    );
    expect(snapshots[0]?.users.map((u) => [u.user, u.startedAt])).toEqual([
      ['ana', Date.UTC(2022, 1, 18, 9, 29)],
      ['bo', Date.UTC(2022, 1, 18, 8)],
      ['cy', undefined],
    ]);
    expect(diagnostics).toEqual([
      { line: 4, reason: '"N of M license(s) used" line outside a feature block' },
      { line: 5, reason: 'holder line outside a feature block' },
      { line: 15, reason: 'a second "N of M license(s) used" line in one feature block' },
      { line: 16, reason: 'implausible license count 0' },
      { line: 17, reason: 'holder line without a user name' },
      { line: 19, reason: 'Login time is not a valid date' },
      { line: 20, reason: 'unrecognised line' },
    ]);
  });

  it('reads a BOM, CRLF line ends, tabs and trailing blanks', () => {
    const text = `\uFEFF${[...SERVER, ...BLOCK].map((l) => `${l.replace(/ /g, '\t')} \t`).join('\r\n')}\r\n`;
    const { snapshots, diagnostics } = parse(new TextEncoder().encode(text), { timeZone: 'UTC', takenAt: TAKEN });
    expect(diagnostics).toEqual([]);
    expect(snapshots[0]?.users.map((u) => [u.user, u.host, u.ip])).toEqual([
      ['ana', 'ws1', '10.0.0.1'],
      ['bo', 'ws2', undefined],
    ]);
  });

  it('refuses an unknown time zone at creation, and lines too long to be lmxendutil output', () => {
    expect(() => createLmxParser({ timeZone: 'Mars/Olympus_Mons' }, { diagnostic: () => {} })).toThrow(RangeError);
    expect(parse(`1 license(s) used by ${'x'.repeat(5000)}`, { timeZone: 'UTC' }).diagnostics).toEqual([{ line: 1, reason: 'line longer than 4096 characters' }]);
  });
});

describe('LM-X fuzz', () => {
  const real = fixtureTexts('lmx', '.txt', 'utf8').flatMap((text) => text.split(/\r?\n/));
  const pieces = ['[', ']', '@', ':', '-', ' ', '\t', ' of ', 'license(s) used by ', 'Feature: ', ' time: ', '\u0000', '\uFFFD', 'é', '99999999999999', '\r'];

  it('never throws on mutated real lines (seeded)', () => {
    mutatedTexts({ seed: 20220218, count: 300, realLines: real, pieces }).forEach((text, round) => {
      expectSaneSnapshots(parse(text, { timeZone: 'Europe/Stockholm', ...(round % 3 === 0 ? {} : { takenAt: TAKEN }) }));
    });
  });

  it('never throws on random bytes (seeded)', () => {
    for (const bytes of randomBlocks(3, 100)) expectSaneSnapshots(parse(bytes, { timeZone: 'UTC', takenAt: TAKEN }));
  });

  it('gets through 5 MB of adversarial input (it stays linear: no timing asserted)', () => {
    const next = createSeededRandom(13);
    const adversarial = [`1 license(s) used by ${' ['.repeat(2000)}`, `1 license(s) used by ${'a@'.repeat(2000)} [`, `Login time: ${'2022-02-18 09:26 '.repeat(230)}`, `Feature: ${'x '.repeat(2000)}`, `${'1 of '.repeat(800)}`];
    let n = 0;
    const lines = adversarialLines(() => {
      const pick = next();
      if (pick < 0.02) return oneOf(adversarial, next);
      if (pick < 0.5) return `1 license(s) used by u${n++}@h [10.0.0.1]`;
      return mutateSlices(oneOf(real, next), next, pieces);
    }, [...SERVER, 'Feature: F Version: 1 Vendor: V', '1000000 of 1000000 license(s) used:']);
    expectSaneSnapshots(timedParse('lmxendutil output', () => parse(lines.join('\n'), { timeZone: 'Europe/Stockholm', takenAt: TAKEN }), () => lines.length));
  });
});
