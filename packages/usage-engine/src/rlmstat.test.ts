import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './lines.ts';
import { createRlmstatParser, type RlmstatFeatureSnapshot, type RlmstatParseOptions, type RlmstatServerStatus, type RlmstatVendorStatus } from './rlmstat.ts';
import { createSeededRandom } from './seeded-random.ts';
import { adversarialLines, expectSaneSnapshots, mutateSlices, mutatedTexts, oneOf, randomBlocks, timedParse } from './testing/hostile-input.ts';
import { describeRecordedFixtures, fixtureTexts, iso, readableSnapshots } from './testing/parser-fixtures.ts';
import type { Diagnostic } from './types.ts';

interface Result {
  servers: RlmstatServerStatus[];
  vendors: RlmstatVendorStatus[];
  snapshots: RlmstatFeatureSnapshot[];
  diagnostics: Diagnostic[];
}

function parse(input: string | Uint8Array, options: RlmstatParseOptions): Result {
  const result: Result = { servers: [], vendors: [], snapshots: [], diagnostics: [] };
  const parser = createRlmstatParser(
    { ...options, onServer: (s) => result.servers.push(s), onVendor: (v) => result.vendors.push(v) },
    { snapshot: (s) => result.snapshots.push(s as RlmstatFeatureSnapshot), diagnostic: (d) => result.diagnostics.push(d) },
  );
  const splitter = createLineSplitter(parser, { diagnostic: (d) => result.diagnostics.push(d) });
  splitter.push(input);
  splitter.end();
  parser.end();
  return result;
}

describeRecordedFixtures<RlmstatParseOptions>({
  title: 'rlmstat fixtures',
  format: 'rlmstat',
  extension: '.txt',
  atLeast: 5,
  record: (content, options) => readableSnapshots(parse(content, options)),
});

const HEAD = ['rlmutil v15.2', 'rlm status on srv (port 5053), up 1d 00:00:00'];
const POOL = ['demo license pool status on srv (port 6000)', 'sim v1.0, pool: 1', '\tcount: 10, # reservations: 1, inuse: 3, exp: permanent', 'sim v2.0, pool: 2', '\tcount: 5, # reservations: 0, inuse: 1, exp: permanent'];
const USAGE = ['demo license usage status on srv (port 6000)', 'sim v1.0: ana@ws1 2/0 at 06/09 08:00  (handle: 41)', 'sim v2.0: bo@ws2 1/0 at 06/08 23:30  (handle: 42)'];

describe('rlmstat parsing', () => {
  it('takes the time from Recent Statistics (init time + elapsed), in the server time zone', () => {
    const text = [...HEAD, 'Todays Statistics (10:00:00), init time: Thu Jun  9 00:00:00 2022', 'Recent Statistics (00:15:00), init time: Thu Jun  9 09:45:00 2022', ...POOL, ...USAGE].join('\n');
    const { snapshots, diagnostics } = parse(text, { timeZone: 'Europe/Madrid' });
    expect(diagnostics).toEqual([]);
    expect(snapshots.map((s) => iso(s.at))).toEqual(['2022-06-09T08:00:00.000Z']);
  });

  it('prefers takenAt, and uses fallbackTakenAt only when the output has no statistics', () => {
    const withStats = [...HEAD, 'Recent Statistics (00:15:00), init time: Thu Jun  9 09:45:00 2022', ...POOL].join('\n');
    const takenAt = Date.UTC(2022, 5, 9, 12);
    expect(parse(withStats, { timeZone: 'UTC', takenAt }).snapshots[0]?.at).toBe(takenAt);
    expect(parse(withStats, { timeZone: 'UTC', fallbackTakenAt: takenAt }).snapshots[0]?.at).toBe(Date.UTC(2022, 5, 9, 10));
    expect(parse([...HEAD, ...POOL].join('\n'), { timeZone: 'UTC', fallbackTakenAt: takenAt }).snapshots[0]?.at).toBe(takenAt);
  });

  it('reports once that it cannot time snapshots, and emits none', () => {
    const { snapshots, diagnostics } = parse([...HEAD, ...POOL, ...USAGE, 'other license pool status on srv (port 6001)', 'x v1', 'count: 1, # reservations: 0, inuse: 0, exp: permanent'].join('\n'), { timeZone: 'UTC' });
    expect(snapshots).toEqual([]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.reason).toMatch(/snapshot time unknown/);
  });

  it('adds up the pools of one product, and gives user starts the snapshot year', () => {
    const { snapshots } = parse([...HEAD, ...POOL, ...USAGE].join('\n'), { timeZone: 'UTC', takenAt: Date.UTC(2022, 5, 9, 10) });
    expect(snapshots).toHaveLength(1);
    const sim = snapshots[0] as RlmstatFeatureSnapshot;
    expect([sim.vendor, sim.feature, sim.issued, sim.inUse, sim.reserved, sim.server]).toEqual(['demo', 'sim', 15, 4, 1, 'srv:6000']);
    expect(sim.users.map((u) => [u.user, u.host, u.version, u.seats, u.handle, iso(u.startedAt)])).toEqual([
      ['ana', 'ws1', '1.0', 2, '41', '2022-06-09T08:00:00.000Z'],
      ['bo', 'ws2', '2.0', 1, '42', '2022-06-08T23:30:00.000Z'],
    ]);
  });

  it('puts a start more than a day after the snapshot in the year before', () => {
    const { snapshots } = parse([...HEAD, ...POOL, 'demo license usage status on srv (port 6000)', 'sim v1.0: ana@ws1 1/0 at 12/31 23:00  (handle: 41)'].join('\n'), {
      timeZone: 'UTC',
      takenAt: Date.UTC(2023, 0, 2, 9),
    });
    expect(iso(snapshots[0]?.users[0]?.startedAt)).toBe('2022-12-31T23:00:00.000Z');
  });

  it('reads the ISV servers table as vendor status, and emits nothing for an ISV that is down', () => {
    const { vendors, snapshots } = parse([...HEAD, '--------- ISV servers ----------', '   Name           Port Running Restarts', 'demo   6000   Yes   0', 'other  6001   No    4'].join('\n'), {
      timeZone: 'UTC',
      takenAt: 0,
    });
    expect(vendors.map((v) => [v.vendor, v.port, v.status, v.restarts])).toEqual([
      ['demo', 6000, 'up', 0],
      ['other', 6001, 'down', 4],
    ]);
    expect(snapshots).toEqual([]);
  });

  it('keeps going past lines it cannot use, naming them', () => {
    const { snapshots, diagnostics } = parse(
      [
        ...HEAD,
        ...POOL,
        'count: 9, # reservations: 0, inuse: 0, exp: permanent',
        ...USAGE,
        'sim v1.0: ana@ws1 1/0 at 02/30 08:00  (handle: 43)',
        'sim v1.0: @ws1 1/0 at 06/09 08:00  (handle: 44)',
        'sim v1.0: ana@ws1 0/0 at 06/09 08:00  (handle: 45)',
        'Error connecting to "rlm" server: Communications error with license server (-17)',
        'a line rlmstat never prints',
      ].join('\n'),
      { timeZone: 'UTC', takenAt: Date.UTC(2022, 5, 9, 10) },
    );
    expect(snapshots[0]?.users.map((u) => [u.user, iso(u.startedAt)])).toEqual([
      ['ana', '2022-06-09T08:00:00.000Z'],
      ['bo', '2022-06-08T23:30:00.000Z'],
      ['ana', undefined],
    ]);
    expect(diagnostics).toEqual([
      { line: 8, reason: '"count:" line outside a pool' },
      { line: 12, reason: 'check-out start is not a valid date' },
      { line: 13, reason: 'user line without a user name' },
      { line: 14, reason: 'implausible license count 0' },
      { line: 15, reason: 'rlmstat could not get the status: Error connecting to "rlm" server: Communications error with license server (-17)' },
      { line: 16, reason: 'unrecognised line' },
    ]);
  });

  it('reads a BOM, CRLF line ends, tab indentation and trailing blanks', () => {
    const text = `\uFEFF${[...HEAD, ...POOL, ...USAGE].map((l) => `\t${l}  \t`).join('\r\n')}\r\n`;
    const { snapshots, diagnostics } = parse(new TextEncoder().encode(text), { timeZone: 'UTC', takenAt: 0 });
    expect(diagnostics).toEqual([]);
    expect(snapshots[0]?.users.map((u) => [u.user, u.host, u.handle])).toEqual([
      ['ana', 'ws1', '41'],
      ['bo', 'ws2', '42'],
    ]);
  });

  it('refuses an unknown time zone at creation, and lines too long to be rlmstat output', () => {
    expect(() => createRlmstatParser({ timeZone: 'Mars/Olympus_Mons' }, { diagnostic: () => {} })).toThrow(RangeError);
    const { diagnostics } = parse(`${'x@'.repeat(3000)} 1/0 at 06/09 08:00`, { timeZone: 'UTC' });
    expect(diagnostics).toEqual([{ line: 1, reason: 'line longer than 4096 characters' }]);
  });
});

describe('rlmstat fuzz', () => {
  const real = fixtureTexts('rlmstat', '.txt', 'utf8').flatMap((text) => text.split('\n'));
  const pieces = ['(', ')', '/', ':', ',', ' ', '\t', '@', ' at ', ' v', 'count: ', 'pool status on ', 'usage status on ', '\u0000', '\uFFFD', 'é', '9999999999999', '\r'];

  it('never throws on mutated real lines (seeded)', () => {
    mutatedTexts({ seed: 20220609, count: 300, realLines: real, pieces }).forEach((text, round) => {
      expectSaneSnapshots(parse(text, { timeZone: 'Europe/Madrid', ...(round % 3 === 0 ? { takenAt: 1_654_776_180_000 } : {}) }));
    });
  });

  it('never throws on random bytes (seeded)', () => {
    for (const bytes of randomBlocks(7, 100)) expectSaneSnapshots(parse(bytes, { timeZone: 'UTC', fallbackTakenAt: 0 }));
  });

  it('gets through 5 MB of adversarial input (it stays linear: no timing asserted)', () => {
    const next = createSeededRandom(11);
    const adversarial = [`a v1: ${'@'.repeat(4000)} 1/0 at 06/09 08:00`, `a v1: ${' 1/'.repeat(1300)}`, `${'x v'.repeat(1300)}`, `count: ${'1'.repeat(4000)}`, `Recent Statistics (${'1'.repeat(4000)}`];
    const first = ['rlm status on s (port 1)', 'Recent Statistics (00:10:00), init time: Thu Jun  9 09:45:00 2022', 'v license usage status on s (port 2)'];
    let n = 0;
    const lines = adversarialLines(() => {
      const pick = next();
      if (pick < 0.02) return oneOf(adversarial, next);
      if (pick < 0.5) return `p${n % 50} v1.0: u${n++}@h 1/0 at 06/09 08:00  (handle: ${n.toString(16)})`;
      return mutateSlices(oneOf(real, next), next, pieces);
    }, first);
    expectSaneSnapshots(timedParse('rlmstat output', () => parse(lines.join('\n'), { timeZone: 'Europe/Madrid' }), () => lines.length));
  });
});
