import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './lines.ts';
import { createRlmstatParser, type RlmstatFeatureSnapshot, type RlmstatParseOptions, type RlmstatServerStatus, type RlmstatVendorStatus } from './rlmstat.ts';
import type { Diagnostic } from './types.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'rlmstat');

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

/** Instants as ISO strings, so that expected files can be read and checked by eye. */
function readable(result: Result): unknown {
  return {
    ...result,
    snapshots: result.snapshots.map((s) => ({
      ...s,
      at: new Date(s.at).toISOString(),
      users: s.users.map((u) => (u.startedAt === undefined ? u : { ...u, startedAt: new Date(u.startedAt).toISOString() })),
    })),
  };
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('rlmstat fixtures', () => {
  const names = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'));
  it('has fixtures', () => expect(names.length).toBeGreaterThanOrEqual(5));
  for (const name of names) {
    it(`parses ${name} as recorded in its expected file`, () => {
      const expectedPath = join(FIXTURES, name.replace(/\.txt$/, '.expected.json'));
      const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as { description: string; options: RlmstatParseOptions } & Record<string, unknown>;
      const actual = readable(parse(readFileSync(join(FIXTURES, name)), expected.options)) as Record<string, unknown>;
      if (process.env.UPDATE_FIXTURES === '1') {
        writeFileSync(expectedPath, `${JSON.stringify({ description: expected.description, options: expected.options, ...actual }, null, 2)}\n`);
        return;
      }
      expect(actual).toEqual({ servers: expected.servers, vendors: expected.vendors, snapshots: expected.snapshots, diagnostics: expected.diagnostics });
    });
  }
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

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(line: string, random: () => number): string {
  const pick = (n: number): number => Math.floor(random() * n);
  const pieces = ['(', ')', '/', ':', ',', ' ', '\t', '@', ' at ', ' v', 'count: ', 'pool status on ', 'usage status on ', '\u0000', '\uFFFD', 'é', '9999999999999', '\r'];
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

describe('rlmstat fuzz', () => {
  const real = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.txt'))
    .flatMap((f) => readFileSync(join(FIXTURES, f), 'utf8').split('\n'));

  function check(result: Result): void {
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

  it('never throws on mutated real lines (seeded)', () => {
    const random = rng(20220609);
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 60 }, () => {
        const line = real[Math.floor(random() * real.length)] ?? '';
        return random() < 0.7 ? mutate(line, random) : line;
      });
      check(parse(lines.join('\n'), { timeZone: 'Europe/Madrid', ...(round % 3 === 0 ? { takenAt: 1_654_776_180_000 } : {}) }));
    }
  });

  it('never throws on random bytes (seeded)', () => {
    const random = rng(7);
    for (let round = 0; round < 100; round++) {
      check(parse(Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256)), { timeZone: 'UTC', fallbackTakenAt: 0 }));
    }
  });

  it('gets through 5 MB of adversarial input (it stays linear: no timing asserted)', () => {
    const random = rng(11);
    const pieces = [`a v1: ${'@'.repeat(4000)} 1/0 at 06/09 08:00`, `a v1: ${' 1/'.repeat(1300)}`, `${'x v'.repeat(1300)}`, `count: ${'1'.repeat(4000)}`, `Recent Statistics (${'1'.repeat(4000)}`];
    const lines: string[] = ['rlm status on s (port 1)', 'Recent Statistics (00:10:00), init time: Thu Jun  9 09:45:00 2022', 'v license usage status on s (port 2)'];
    let size = 0;
    let n = 0;
    while (size < 5_000_000) {
      const pick = random();
      const line = pick < 0.02 ? (pieces[Math.floor(random() * pieces.length)] as string) : pick < 0.5 ? `p${n % 50} v1.0: u${n++}@h 1/0 at 06/09 08:00  (handle: ${n.toString(16)})` : mutate(real[Math.floor(random() * real.length)] ?? '', random);
      lines.push(line);
      size += line.length + 1;
    }
    const started = Date.now();
    const result = parse(lines.join('\n'), { timeZone: 'Europe/Madrid' });
    const seconds = (Date.now() - started) / 1000;
    check(result);
    console.log(`5 MB adversarial rlmstat output: ${lines.length} lines in ${seconds.toFixed(2)} s`);
  });
});
