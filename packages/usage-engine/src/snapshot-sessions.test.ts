import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLmxParser } from './lmx.ts';
import { createRlmstatParser } from './rlmstat.ts';
import { createSeededRandom } from './seeded-random.ts';
import { createSnapshotSessionTracker, type SnapshotSession, type SnapshotSessionCheckpoint, type TrackedSnapshot } from './snapshot-sessions.ts';
import { fixturePath } from './testing/parser-fixtures.ts';
import type { FeatureSnapshot, SnapshotUser } from './types.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 28, 9, 0);

function snap(at: number, users: SnapshotUser[], extra: Partial<TrackedSnapshot> = {}): TrackedSnapshot {
  return { at, vendor: 'MLM', feature: 'MATLAB', issued: 10, inUse: users.reduce((n, u) => n + u.seats, 0), users, ...extra };
}

const u = (user: string, startedAt?: number, seats = 1, host = 'ws1'): SnapshotUser => (startedAt === undefined ? { user, host, seats } : { user, host, seats, startedAt });

/** Sessions without vendor/feature, for short expectations. */
const brief = (sessions: SnapshotSession[]) => sessions.map((s) => [s.user, s.start, s.end, s.seats, s.ordinal, s.closedBy]);

describe('createSnapshotSessionTracker', () => {
  it('opens a session at first sight, keeps it while listed and closes it at the last time it was seen', () => {
    const tracker = createSnapshotSessionTracker();
    expect(brief(tracker.push(snap(T0, [u('ana', T0 - 5 * MIN), u('bo')])))).toEqual([
      ['ana', T0 - 5 * MIN, null, 1, 0, null],
      ['bo', T0, null, 1, 0, null],
    ]);
    expect(tracker.push(snap(T0 + 5 * MIN, [u('ana', T0 - 5 * MIN), u('bo')]))).toEqual([]);
    expect(brief(tracker.push(snap(T0 + 10 * MIN, [u('bo')])))).toEqual([['ana', T0 - 5 * MIN, T0 + 5 * MIN, 1, 0, 'snapshot']]);
    expect(brief(tracker.push(snap(T0 + 15 * MIN, [])))).toEqual([['bo', T0, T0 + 10 * MIN, 1, 0, 'snapshot']]);
    expect(tracker.size).toBe(0);
  });

  it('closes nothing for a server that is down, a feature missing from a poll, or a count without user lines', () => {
    const tracker = createSnapshotSessionTracker();
    tracker.push(snap(T0, [u('ana', T0)]));
    expect(tracker.push(snap(T0 + MIN, [], { serverDown: true, inUse: 0 }))).toEqual([]);
    expect(tracker.push({ ...snap(T0 + 2 * MIN, [u('zed', T0)]), feature: 'Simulink' }).map((s) => s.user)).toEqual(['zed']);
    expect(tracker.push(snap(T0 + 3 * MIN, [], { inUse: 1 }))).toEqual([]);
    expect(tracker.size).toBe(2);
    // The outage did not count as seen: the end is the last poll that listed the user.
    expect(brief(tracker.push(snap(T0 + 4 * MIN, [])))).toEqual([['ana', T0, T0, 1, 0, 'snapshot']]);
  });

  it('ignores snapshots not later than the feature\u2019s last one', () => {
    const tracker = createSnapshotSessionTracker();
    tracker.push(snap(T0 + 5 * MIN, [u('ana', T0)]));
    expect(tracker.push(snap(T0, []))).toEqual([]);
    expect(tracker.push(snap(T0 + 5 * MIN, []))).toEqual([]);
    expect(tracker.size).toBe(1);
  });

  it('tells identical user lines apart by ordinal, and keeps them when a poll prints them in another order', () => {
    const tracker = createSnapshotSessionTracker();
    const start = T0 - 30 * MIN;
    const opened = tracker.push(snap(T0, [u('ana', start, 29), u('ana', start, 37), u('ana', start, 29)]));
    expect(brief(opened)).toEqual([
      ['ana', start, null, 29, 0, null],
      ['ana', start, null, 37, 1, null],
      ['ana', start, null, 29, 2, null],
    ]);
    expect(tracker.push(snap(T0 + MIN, [u('ana', start, 37), u('ana', start, 29), u('ana', start, 29)]))).toEqual([]);
    // One 29-seat line gone: the higher ordinal of the two closes, the 37-seat one stays.
    expect(brief(tracker.push(snap(T0 + 2 * MIN, [u('ana', start, 29), u('ana', start, 37)])))).toEqual([['ana', start, T0 + MIN, 29, 2, 'snapshot']]);
    // A new identical line takes the smallest ordinal not held by an open session.
    expect(brief(tracker.push(snap(T0 + 3 * MIN, [u('ana', start, 29), u('ana', start, 37), u('ana', start, 5)])))).toEqual([['ana', start, null, 5, 2, null]]);
  });

  it('keeps users, hosts and starts apart, and features and vendors apart', () => {
    const tracker = createSnapshotSessionTracker();
    const opened = tracker.push([
      snap(T0, [u('ana', T0), u('ana', T0, 1, 'ws2'), u('ana', T0 - MIN)]),
      { ...snap(T0, [u('ana', T0)]), vendor: 'OTHER' },
    ]);
    expect(opened.map((s) => [s.vendor, s.host, s.start, s.ordinal])).toEqual([
      ['MLM', 'ws1', T0, 0],
      ['MLM', 'ws2', T0, 0],
      ['MLM', 'ws1', T0 - MIN, 0],
      ['OTHER', 'ws1', T0, 0],
    ]);
  });

  it('takes the snapshots of one feature at one instant in one push as one poll', () => {
    const tracker = createSnapshotSessionTracker();
    tracker.push(snap(T0, [u('ana', T0), u('bo', T0)]));
    // Two servers (or pools) report the feature at the same poll: neither user is absent.
    expect(tracker.push([snap(T0 + MIN, [u('ana', T0)]), snap(T0 + MIN, [u('bo', T0)])])).toEqual([]);
    expect(tracker.size).toBe(2);
  });

  it('resumes from a checkpoint that went through JSON, and refuses a malformed one', () => {
    const first = createSnapshotSessionTracker();
    first.push(snap(T0, [u('ana', T0 - MIN), u('ana', T0 - MIN), u('bo')]));
    first.push(snap(T0 + MIN, [u('ana', T0 - MIN), u('ana', T0 - MIN), u('bo')]));
    const saved = JSON.parse(JSON.stringify(first.checkpoint())) as SnapshotSessionCheckpoint;
    const second = createSnapshotSessionTracker({ resumeFrom: saved });
    expect(second.size).toBe(3);
    expect(second.openSessions()).toEqual(first.openSessions());
    expect(second.push(snap(T0, []))).toEqual([]); // stale: the checkpoint kept the feature's last time
    expect(brief(second.push(snap(T0 + 2 * MIN, [u('ana', T0 - MIN)])))).toEqual([
      ['ana', T0 - MIN, T0 + MIN, 1, 1, 'snapshot'],
      ['bo', T0, T0 + MIN, 1, 0, 'snapshot'],
    ]);
    expect(() => createSnapshotSessionTracker({ resumeFrom: { version: 2 } as unknown as SnapshotSessionCheckpoint })).toThrow(TypeError);
    expect(() => createSnapshotSessionTracker({ resumeFrom: { version: 1, features: [], open: [{ user: 'x' }] } as unknown as SnapshotSessionCheckpoint })).toThrow(TypeError);
  });

  it('holds memory for open sessions only, however many polls go by', () => {
    const tracker = createSnapshotSessionTracker();
    for (let poll = 0; poll < 2000; poll++) {
      const users = Array.from({ length: 20 }, (_, i) => u(`user${(poll + i) % 500}`, T0 + (poll + i) * MIN));
      tracker.push(snap(T0 + poll * MIN, users));
      expect(tracker.size).toBe(20);
    }
    const cp = tracker.checkpoint();
    expect(cp.open).toHaveLength(20);
    expect(cp.features).toHaveLength(1);
  });
});

describe('createSnapshotSessionTracker with the status parsers', () => {
  function lmxPoll(text: string, takenAt: number): FeatureSnapshot[] {
    const out: FeatureSnapshot[] = [];
    const parser = createLmxParser({ timeZone: 'Europe/Stockholm', takenAt }, { snapshot: (s) => out.push(s), diagnostic: () => {} });
    text.split('\n').forEach((line, i) => parser.line(line, i + 1));
    parser.end();
    return out;
  }

  it('turns two LM-X polls into sessions: the holder gone from the second poll is closed at the first', () => {
    const text = readFileSync(fixturePath('lmx', 'altair-hyperworks.txt'), 'utf8');
    const tracker = createSnapshotSessionTracker();
    const first = tracker.push(lmxPoll(text, T0));
    expect(first.map((s) => [s.feature, s.user, s.seats, s.ordinal])).toEqual([
      ['GlobalZoneEU', 'j.virtanen', 15000, 0],
      ['GlobalZoneEU', 'j.virtanen', 25000, 0],
      ['HWFlux2D', 'j.virtanen', 15000, 0],
      ['HWFlux2D', 'j.virtanen', 15000, 0],
      ['HyperWorks', 's.aalto', 25000, 0],
    ]);
    const later = text.replace(/25000 of 1000000 license\(s\) used:[\s\S]*$/, '0 of 1000000 license(s) used\n');
    const closed = tracker.push(lmxPoll(later, T0 + 5 * MIN));
    expect(closed.map((s) => [s.feature, s.user, s.end, s.closedBy])).toEqual([['HyperWorks', 's.aalto', T0, 'snapshot']]);
  });

  it('reads rlmstat user lines with shared handles as separate sessions of one start', () => {
    const out: FeatureSnapshot[] = [];
    const parser = createRlmstatParser({ timeZone: 'America/Los_Angeles' }, { snapshot: (s) => out.push(s), diagnostic: () => {} });
    readFileSync(fixturePath('rlmstat', 'foundry-nuke.txt'), 'utf8')
      .split('\n')
      .forEach((line, i) => parser.line(line, i + 1));
    parser.end();
    const sessions = createSnapshotSessionTracker().push(out);
    expect(sessions.filter((s) => s.feature === 'nuke_i' && s.user === 'user1.lastname').map((s) => s.ordinal)).toEqual([0, 1]);
    expect(sessions).toHaveLength(12);
  });
});

describe('createSnapshotSessionTracker: random polls (seeded)', () => {
  it('opens each session once, closes it at most once, and its checkpoint always resumes to the same state', () => {
    const random = createSeededRandom(42);
    let tracker = createSnapshotSessionTracker();
    const open = new Map<string, SnapshotSession>();
    const keyOf = (s: SnapshotSession) => [s.vendor, s.feature, s.user, s.host, s.start, s.ordinal].join('|');
    for (let poll = 0; poll < 500; poll++) {
      const at = T0 + poll * MIN + (random() < 0.05 ? -10 * MIN : 0);
      const snapshots: TrackedSnapshot[] = [];
      for (const feature of ['A', 'B']) {
        const users = Array.from({ length: Math.floor(random() * 6) }, () => u(`u${Math.floor(random() * 3)}`, random() < 0.8 ? T0 + Math.floor(random() * 4) * MIN : undefined, 1 + Math.floor(random() * 2)));
        snapshots.push({ ...snap(at, users, { serverDown: random() < 0.05 }), feature });
      }
      for (const s of tracker.push(random() < 0.5 ? snapshots : [...snapshots].reverse())) {
        const key = keyOf(s);
        if (s.end === null) {
          expect(open.has(key)).toBe(false);
          open.set(key, s);
        } else {
          expect(open.has(key)).toBe(true);
          open.delete(key);
          expect(s.closedBy).toBe('snapshot');
        }
      }
      expect(tracker.size).toBe(open.size);
      if (poll % 50 === 0) tracker = createSnapshotSessionTracker({ resumeFrom: JSON.parse(JSON.stringify(tracker.checkpoint())) as SnapshotSessionCheckpoint });
    }
    expect(new Set(tracker.openSessions().map(keyOf))).toEqual(new Set(open.keys()));
  });
});
