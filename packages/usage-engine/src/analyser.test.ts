import { describe, expect, it } from 'vitest';
import {
  createUsageAnalyser,
  denialReasonCode,
  toAnalyzeFeature,
  type AnalysisResult,
  type FeatureUsage,
  type UsageAnalyserOptions,
  type UsageDenial,
  type UsageSession,
} from './analyser.ts';
import type { Diagnostic, UsageEvent, UsageEventKind } from './types.ts';

const T0 = Date.parse('2022-06-09T08:00:00Z'); // 10:00 in Madrid
const s = (seconds: number) => T0 + seconds * 1000;

let nextLine = 1;
/** An event at `at` (epoch ms); vendor MLM, feature MATLAB, user alice on pc1, one seat unless said. */
function ev(kind: UsageEventKind, at: number, fields: Partial<UsageEvent> = {}): UsageEvent {
  const restart = kind === 'restart';
  return {
    kind,
    at,
    line: nextLine++,
    vendor: 'MLM',
    feature: restart ? '' : 'MATLAB',
    user: restart ? '' : 'alice',
    host: restart ? '' : 'pc1',
    seats: 1,
    ...fields,
  };
}

interface Run {
  result: AnalysisResult;
  sessions: UsageSession[];
  denials: UsageDenial[];
  diagnostics: Diagnostic[];
  feature(name: string, vendor?: string): FeatureUsage;
}

function run(events: UsageEvent[], options: Partial<UsageAnalyserOptions> = {}): Run {
  const sessions: UsageSession[] = [];
  const denials: UsageDenial[] = [];
  const diagnostics: Diagnostic[] = [];
  const analyser = createUsageAnalyser({
    timeZone: 'Europe/Madrid',
    onSession: (session) => sessions.push(session),
    onDenial: (denial) => denials.push(denial),
    onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    ...options,
  });
  for (const event of events) analyser.push(event);
  const result = analyser.finish();
  return {
    result,
    sessions,
    denials,
    diagnostics,
    feature(name, vendor = 'MLM') {
      const found = result.features.find((f) => f.feature === name && f.vendor === vendor);
      if (!found) throw new Error(`no feature ${vendor}/${name}`);
      return found;
    },
  };
}

describe('pairing check-outs with check-ins', () => {
  it('makes a session with seat-hours, peak, peak time in the server offset and daily users', () => {
    const { feature, sessions } = run([ev('checkout', s(0)), ev('checkin', s(5400), { reason: 'INACTIVE' })]);
    expect(sessions).toEqual([
      {
        vendor: 'MLM',
        feature: 'MATLAB',
        user: 'alice',
        host: 'pc1',
        start: s(0),
        end: s(5400),
        seats: 1,
        closedBy: 'checkin',
        ordinal: 0,
        startLine: expect.any(Number),
        endLine: expect.any(Number),
        endReason: 'INACTIVE',
      },
    ]);
    expect(toAnalyzeFeature(feature('MATLAB'))).toEqual({
      feature: 'MATLAB',
      vendor: 'MLM',
      peak: 1,
      peakAt: '2022-06-09T10:00:00+02:00',
      sessions: 1,
      seatHours: 1.5,
      denials: 0,
      retriedDenials: 0,
      openAtEnd: 0,
      dailyUsers: { '2022-06-09': 1 },
    });
  });

  it('pairs identical check-outs of the same second in arrival order (FIFO)', () => {
    const first = ev('checkout', s(0), { seats: 2 });
    const second = ev('checkout', s(0), { seats: 1 });
    const { sessions, feature } = run([first, second, ev('checkin', s(60)), ev('checkin', s(120))]);
    expect(sessions.map((x) => [x.startLine, x.seats, x.end])).toEqual([
      [first.line, 2, s(60)],
      [second.line, 1, s(120)],
    ]);
    expect(feature('MATLAB').peak).toBe(3);
    expect(feature('MATLAB').seatHours).toBe(Number(((2 * 60 + 1 * 120) / 3600).toFixed(2)));
  });

  it('takes seats from the check-out ("(N licenses)"), not from the check-in', () => {
    const { sessions, feature } = run([ev('checkout', s(0), { seats: 4 }), ev('checkin', s(3600), { seats: 1 })]);
    expect(sessions[0]?.seats).toBe(4);
    expect(feature('MATLAB').peak).toBe(4);
    expect(feature('MATLAB').seatHours).toBe(4);
  });

  it('matches user, host and feature case-insensitively and keeps the names as first logged', () => {
    const { sessions, result } = run([
      ev('checkout', s(0), { user: 'Jörg.Müller', host: 'WS-01', feature: 'Simulink' }),
      ev('checkin', s(60), { user: 'jörg.müller', host: 'ws-01', feature: 'SIMULINK' }),
    ]);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ user: 'Jörg.Müller', host: 'WS-01', closedBy: 'checkin' });
    expect(result.features.map((f) => f.feature)).toEqual(['Simulink']);
    expect(result.features[0]?.unmatchedCheckins).toBe(0);
  });

  it('does not pair across hosts: the same user on two machines holds two seats', () => {
    const { feature, sessions } = run([
      ev('checkout', s(0), { host: 'pc1' }),
      ev('checkout', s(0), { host: 'pc2' }),
      ev('checkin', s(60), { host: 'pc2' }),
    ]);
    expect(sessions.map((x) => [x.host, x.closedBy])).toEqual([
      ['pc2', 'checkin'],
      ['pc1', 'end-of-input'],
    ]);
    expect(feature('MATLAB')).toMatchObject({ peak: 2, openAtEnd: 1 });
  });

  it('pairs a check-in that arrives before its check-out within the same instant', () => {
    const { sessions, feature, diagnostics } = run([ev('checkin', s(0)), ev('checkout', s(0)), ev('checkout', s(10))]);
    expect(sessions.map((x) => [x.start, x.end, x.closedBy])).toEqual([
      [s(0), s(0), 'checkin'],
      [s(10), s(10), 'end-of-input'],
    ]);
    expect(feature('MATLAB').unmatchedCheckins).toBe(0);
    expect(diagnostics).toEqual([]);
  });
});

describe('check-ins without a check-out', () => {
  it('are counted as anomalies with a diagnostic, never as negative usage', () => {
    const stray = ev('checkin', s(0), { user: 'bob' });
    const { feature, diagnostics } = run([stray, ev('checkout', s(10)), ev('checkin', s(20)), ev('checkin', s(30))]);
    const usage = feature('MATLAB');
    expect(usage.unmatchedCheckins).toBe(2);
    expect(usage.peak).toBe(1);
    expect(usage.sessions).toBe(1);
    expect(usage.seatHours).toBe(Number((10 / 3600).toFixed(2)));
    expect(diagnostics[0]).toEqual({ line: stray.line, reason: 'check-in without a check-out: MATLAB by bob on pc1' });
    expect(diagnostics).toHaveLength(2);
  });

  it('a stray check-in before a check-out of the same instant pairs with it rather than the later one', () => {
    // Order within one instant is loose, so a check-in waiting in the instant pairs with the first check-out.
    const { feature } = run([ev('checkin', s(0)), ev('checkout', s(0)), ev('checkout', s(0)), ev('checkin', s(60))]);
    expect(feature('MATLAB')).toMatchObject({ sessions: 2, unmatchedCheckins: 0, peak: 2, openAtEnd: 0 });
  });
});

describe('restarts', () => {
  it('close every open check-out of that vendor only, at the restart time', () => {
    const { sessions, result, feature } = run([
      ev('checkout', s(0), { user: 'alice' }),
      ev('checkout', s(10), { user: 'bob', seats: 2 }),
      ev('checkout', s(20), { vendor: 'ansyslmd', feature: 'cfd_base', user: 'carol' }),
      ev('restart', s(3600), { vendor: 'MLM' }),
      ev('checkin', s(3700), { user: 'alice' }), // its session was already closed by the restart
      ev('checkout', s(3800), { user: 'dave' }),
      ev('denied', s(7200), { feature: 'Other' }),
    ]);
    expect(sessions.map((x) => [x.user, x.end, x.closedBy])).toEqual([
      ['alice', s(3600), 'restart'],
      ['bob', s(3600), 'restart'],
      ['carol', s(7200), 'end-of-input'],
      ['dave', s(7200), 'end-of-input'],
    ]);
    expect(feature('MATLAB')).toMatchObject({ peak: 3, sessions: 3, openAtEnd: 1, unmatchedCheckins: 1 });
    expect(feature('cfd_base', 'ansyslmd')).toMatchObject({ peak: 1, openAtEnd: 1 });
    expect(result.lastEventAt).toBe(s(7200));
  });

  it('match the vendor case-insensitively; a restart without a vendor (the license manager) closes all', () => {
    const { sessions } = run([
      ev('checkout', s(0), { vendor: 'MLM' }),
      ev('checkout', s(0), { vendor: 'ansyslmd', feature: 'cfd_base' }),
      ev('restart', s(60), { vendor: 'mlm' }),
      ev('checkout', s(70), { vendor: 'MLM' }),
      ev('restart', s(120), { vendor: '' }),
    ]);
    expect(sessions.map((x) => [x.vendor, x.start, x.end, x.closedBy])).toEqual([
      ['MLM', s(0), s(60), 'restart'],
      ['ansyslmd', s(0), s(120), 'restart'],
      ['MLM', s(70), s(120), 'restart'],
    ]);
  });

  it('free the seats in the instant of the restart: check-outs right after it do not count double', () => {
    const { feature } = run([
      ev('checkout', s(0), { user: 'alice' }),
      ev('checkout', s(0), { user: 'bob' }),
      ev('restart', s(60)),
      ev('checkout', s(60), { user: 'alice' }),
      ev('checkout', s(60), { user: 'bob' }),
    ]);
    expect(feature('MATLAB')).toMatchObject({ peak: 2, peakAt: '2022-06-09T10:00:00+02:00', sessions: 4, openAtEnd: 2 });
  });
});

describe('check-outs still open at the end', () => {
  it('are reported as open and run until the last event of the input', () => {
    const { feature, sessions } = run([
      ev('checkout', s(0), { seats: 2 }),
      ev('checkout', s(0), { feature: 'Short', user: 'bob' }),
      ev('checkin', s(60), { feature: 'Short', user: 'bob' }),
      ev('queued', s(7200), { feature: 'Other' }),
    ]);
    expect(sessions.at(-1)).toMatchObject({ start: s(0), end: s(7200), seats: 2, closedBy: 'end-of-input' });
    expect(sessions.at(-1)?.endLine).toBeUndefined();
    expect(toAnalyzeFeature(feature('MATLAB'))).toMatchObject({ sessions: 1, openAtEnd: 1, seatHours: 4, peak: 2 });
    expect(feature('Other')).toMatchObject({ queued: 1, sessions: 0, peak: 0, peakAt: null, dailyUsers: {} });
  });
});

describe('denials', () => {
  it('retried when the same user checks out the feature within the window, on any host or server', () => {
    const { feature } = run([
      ev('denied', s(0), { reason: 'Licensed number of users already reached. (-4,342:10054 "")' }),
      ev('denied', s(30), { reason: '(-4,342)' }),
      ev('checkout', s(90), { user: 'ALICE', host: 'other-host', vendor: 'mlm' }),
    ]);
    expect(feature('MATLAB')).toMatchObject({ denials: 0, retriedDenials: 2, denialReasons: { '-4': 2 } });
  });

  it('true when another user checks out, when the check-out comes after the window, or never', () => {
    const { feature } = run([
      ev('denied', s(0), { user: 'alice' }),
      ev('checkout', s(10), { user: 'bob' }),
      ev('denied', s(100), { user: 'carol' }),
      ev('checkout', s(221), { user: 'carol' }), // 121 s later
      ev('denied', s(300), { user: 'dave', reason: 'UNSUPPORTED' }),
      ev('denied', s(400), { user: 'erin', feature: 'matlab' }),
      ev('checkout', s(520), { user: 'erin', feature: 'MATLAB' }), // exactly 120 s later: within
    ]);
    expect(feature('MATLAB')).toMatchObject({
      denials: 3,
      retriedDenials: 1,
      denialReasons: { unknown: 3, UNSUPPORTED: 1 },
    });
  });

  it('retried when the check-out of the same instant was logged before the denial', () => {
    const { feature } = run([ev('checkout', s(0)), ev('denied', s(0))]);
    expect(feature('MATLAB')).toMatchObject({ denials: 0, retriedDenials: 1 });
  });

  it('a check-out of another feature does not retry a denial', () => {
    const { feature } = run([ev('denied', s(0)), ev('checkout', s(10), { feature: 'Simulink' })]);
    expect(feature('MATLAB')).toMatchObject({ denials: 1, retriedDenials: 0 });
  });

  it('use the window from the options', () => {
    const events = () => [ev('denied', s(0)), ev('checkout', s(30))];
    expect(run(events(), { retryWindowSeconds: 10 }).feature('MATLAB')).toMatchObject({ denials: 1, retriedDenials: 0 });
    expect(run(events(), { retryWindowSeconds: 60 }).feature('MATLAB')).toMatchObject({ denials: 0, retriedDenials: 1 });
  });

  it('reason codes are read from the text', () => {
    expect(denialReasonCode('Licensed number of users already reached. (-4,342:10054 "")')).toBe('-4');
    expect(denialReasonCode('(-4,342)')).toBe('-4');
    expect(denialReasonCode('  -22 ')).toBe('-22');
    expect(denialReasonCode('(-97)')).toBe('-97');
    expect(denialReasonCode('No such feature exists. (-5,414)')).toBe('-5');
    expect(denialReasonCode('')).toBe('unknown');
    expect(denialReasonCode(undefined)).toBe('unknown');
    expect(denialReasonCode('x'.repeat(100))).toHaveLength(60);
  });

  it('keep a bounded number of distinct reasons per feature', () => {
    const events = Array.from({ length: 80 }, (_, i) => ev('denied', s(i * 1000), { reason: `odd reason ${i}` }));
    const reasons = run(events).feature('MATLAB').denialReasons;
    expect(Object.keys(reasons)).toHaveLength(51);
    expect(reasons.other).toBe(30);
  });
});

describe('concurrency at one instant', () => {
  it('applies check-ins before check-outs: a seat freed and taken in the same second counts once', () => {
    const { feature } = run([
      ev('checkout', s(0), { user: 'alice' }),
      // Logged check-out first, check-in second, in the same second.
      ev('checkout', s(60), { user: 'bob' }),
      ev('checkin', s(60), { user: 'alice' }),
      ev('checkin', s(120), { user: 'bob' }),
    ]);
    expect(feature('MATLAB')).toMatchObject({ peak: 1, peakAt: '2022-06-09T10:00:00+02:00' });
  });

  it('counts a session that starts and ends in one instant during that instant', () => {
    const { feature } = run([
      ev('checkout', s(0), { user: 'alice' }),
      ev('checkout', s(60), { user: 'bob' }),
      ev('checkin', s(60), { user: 'bob' }),
      ev('checkin', s(120), { user: 'alice' }),
    ]);
    expect(feature('MATLAB')).toMatchObject({ peak: 2, peakAt: '2022-06-09T10:01:00+02:00', sessions: 2 });
  });

  it('reports the first time the peak was reached', () => {
    const { feature } = run([
      ev('checkout', s(0), { user: 'a', seats: 3 }),
      ev('checkin', s(10), { user: 'a' }),
      ev('checkout', s(20), { user: 'b', seats: 3 }),
    ]);
    expect(feature('MATLAB')).toMatchObject({ peak: 3, peakAt: '2022-06-09T10:00:00+02:00' });
  });
});

describe('local days', () => {
  it('count distinct users per local date across the repeated autumn hour', () => {
    const at = (iso: string) => Date.parse(iso);
    const minute = (user: string, iso: string) => [
      ev('checkout', at(iso), { user }),
      ev('checkin', at(iso) + 60_000, { user }),
    ];
    const { feature } = run(
      [
        ['u1', '2022-10-29T21:30:00Z'], // 23:30 CEST, Oct 29
        ['u2', '2022-10-29T22:30:00Z'], // 00:30 CEST, Oct 30
        ['u3', '2022-10-30T00:30:00Z'], // 02:30 CEST, Oct 30 (first pass)
        ['U3', '2022-10-30T01:30:00Z'], // 02:30 CET, Oct 30 (second pass): same user, counted once
        ['u4', '2022-10-30T01:30:00Z'], // 02:30 CET, Oct 30
        ['u5', '2022-10-30T22:30:00Z'], // 23:30 CET, Oct 30
        ['u6', '2022-10-30T23:30:00Z'], // 00:30 CET, Oct 31
      ].flatMap(([user, iso]) => minute(user as string, iso as string)),
    );
    expect(feature('MATLAB').dailyUsers).toEqual({ '2022-10-29': 1, '2022-10-30': 4, '2022-10-31': 1 });
  });

  it('neither create nor lose usage over daylight-saving jumps', () => {
    const at = (iso: string) => Date.parse(iso);
    const { feature, sessions } = run([
      // 02:00 CEST to 03:00 CET: two real hours, across the repeated hour.
      ev('checkout', at('2022-10-30T00:00:00Z'), { user: 'autumn' }),
      ev('checkin', at('2022-10-30T02:00:00Z'), { user: 'autumn' }),
      // 01:30 CET to 03:30 CEST: one real hour, across the skipped hour.
      ev('checkout', at('2023-03-26T00:30:00Z'), { user: 'spring' }),
      ev('checkin', at('2023-03-26T01:30:00Z'), { user: 'spring' }),
    ]);
    expect(sessions.map((x) => (x.end - x.start) / 3_600_000)).toEqual([2, 1]);
    expect(feature('MATLAB')).toMatchObject({ seatHours: 3, peakAt: '2022-10-30T02:00:00+02:00' });
  });

  it('a session over midnight counts on both days; one ending exactly at midnight only on the first', () => {
    const at = (iso: string) => Date.parse(iso);
    const { feature } = run([
      ev('checkout', at('2022-06-09T20:00:00Z'), { user: 'night' }), // 22:00 local
      ev('checkout', at('2022-06-09T21:00:00Z'), { user: 'late' }), // 23:00 local
      ev('checkin', at('2022-06-09T22:00:00Z'), { user: 'late' }), // 00:00 local, June 10
      ev('checkin', at('2022-06-11T07:00:00Z'), { user: 'night' }), // 09:00 local, June 11
    ]);
    expect(feature('MATLAB').dailyUsers).toEqual({ '2022-06-09': 2, '2022-06-10': 1, '2022-06-11': 1 });
  });
});

describe('the result', () => {
  it('sorts features by vendor then feature and gives exactly the analyze JSON fields', () => {
    const { result } = run([
      ev('checkout', s(0), { vendor: 'MLM', feature: 'Simulink' }),
      ev('checkout', s(0), { vendor: 'ansyslmd', feature: 'cfd_base' }),
      ev('checkout', s(0), { vendor: 'MLM', feature: 'MATLAB' }),
      ev('checkout', s(0), { vendor: 'MLM', feature: 'image_toolbox' }),
    ]);
    expect(result.features.map((f) => `${f.vendor}/${f.feature}`)).toEqual([
      'ansyslmd/cfd_base',
      'MLM/image_toolbox',
      'MLM/MATLAB',
      'MLM/Simulink',
    ]);
    const first = result.features[0];
    if (!first) throw new Error('no features');
    expect(Object.keys(toAnalyzeFeature(first))).toEqual([
      'feature',
      'vendor',
      'peak',
      'peakAt',
      'sessions',
      'seatHours',
      'denials',
      'retriedDenials',
      'openAtEnd',
      'dailyUsers',
    ]);
    expect(result).toMatchObject({ timeZone: 'Europe/Madrid', events: 4, firstEventAt: s(0), lastEventAt: s(0) });
  });

  it('rounds seat-hours to two decimals', () => {
    const { feature } = run([ev('checkout', s(0), { seats: 3 }), ev('checkin', s(1001))]);
    expect(feature('MATLAB').seatHours).toBe(0.83);
  });

  it('is empty for no events', () => {
    const analyser = createUsageAnalyser({ timeZone: 'UTC' });
    expect(analyser.finish()).toEqual({
      timeZone: 'UTC',
      events: 0,
      firstEventAt: null,
      lastEventAt: null,
      features: [],
      outOfOrderEvents: 0,
    });
  });
});

describe('input it cannot take as it is', () => {
  it('takes an event earlier than the current instant at the current instant, with a diagnostic', () => {
    const late = ev('checkin', s(50));
    const { sessions, result, diagnostics } = run([ev('checkout', s(0)), ev('denied', s(100), { user: 'x' }), late]);
    expect(sessions[0]).toMatchObject({ end: s(100), closedBy: 'checkin' });
    expect(result.outOfOrderEvents).toBe(1);
    expect(diagnostics).toEqual([
      { line: late.line, reason: 'event earlier than the one before it, taken at 2022-06-09T10:01:40+02:00' },
    ]);
  });

  it('ignores an event without a valid time and counts bad seat numbers as one seat', () => {
    const { sessions, diagnostics, result } = run([
      ev('checkout', Number.NaN),
      ev('checkout', s(0), { seats: 0 }),
      ev('checkout', s(0), { seats: Number.NaN, user: 'bob' }),
    ]);
    expect(sessions.map((x) => x.seats)).toEqual([1, 1]);
    expect(diagnostics.map((d) => d.reason)).toEqual([
      'event without a valid time ignored',
      'check-out with 0 seats counted as 1',
      'check-out with NaN seats counted as 1',
    ]);
    expect(result.events).toBe(3);
  });

  it('refuses bad options and pushes after finish', () => {
    expect(() => createUsageAnalyser({ timeZone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => createUsageAnalyser({ timeZone: 'UTC', retryWindowSeconds: -1 })).toThrow(RangeError);
    expect(() => createUsageAnalyser({ timeZone: 'UTC', retryWindowSeconds: Number.NaN })).toThrow(RangeError);
    const analyser = createUsageAnalyser({ timeZone: 'UTC' });
    analyser.finish();
    expect(() => analyser.push(ev('checkout', s(0)))).toThrow(/finished/);
    expect(() => analyser.finish()).toThrow(/finished/);
  });
});

describe('bursts', () => {
  it('handle many denials of one user in the window and many waiting check-ins in one instant', () => {
    const n = 100_000;
    const events: UsageEvent[] = [];
    for (let i = 0; i < n; i++) events.push(ev('denied', s(Math.floor(i / 1000)), { reason: '(-4,342)' }));
    for (let i = 0; i < n; i++) events.push(ev('checkin', s(1000), { user: 'bob' }));
    for (let i = 0; i < n; i++) events.push(ev('checkout', s(1000), { user: 'bob' }));
    events.push(ev('checkout', s(1000)));
    let sessions = 0;
    const analyser = createUsageAnalyser({ timeZone: 'UTC', onSession: () => sessions++ });
    for (const event of events) analyser.push(event);
    const usage = analyser.finish().features[0];
    // Denials from second 0 to 99; alice's check-out at 1000 s retries none of them.
    expect(usage).toMatchObject({ denials: n, retriedDenials: 0, unmatchedCheckins: 0, sessions: n + 1, openAtEnd: 1 });
    expect(sessions).toBe(n + 1);
  });
});

describe('memory follows state, not input length', () => {
  it('holds users × days × features entries and nothing per event', () => {
    const users = 400;
    const days = 45;
    const analyser = createUsageAnalyser({ timeZone: 'Europe/Madrid' });
    const dayStart = Date.parse('2022-01-03T07:00:00Z');
    let line = 0;
    let events = 0;
    const push = (event: Omit<UsageEvent, 'line'>) => {
      analyser.push({ ...event, line: ++line });
      events++;
    };
    let maxOpen = 0;
    let maxPending = 0;
    for (let day = 0; day < days; day++) {
      const base = dayStart + day * 86_400_000;
      for (let u = 0; u < users; u++) {
        const user = `user${u}`;
        const at = base + u * 60_000;
        for (const feature of ['MATLAB', 'Simulink']) {
          push({ kind: 'checkout', at, vendor: 'MLM', feature, user, host: `pc${u}`, seats: 1 });
        }
        if (u % 50 === 0) push({ kind: 'denied', at, vendor: 'MLM', feature: 'Stateflow', user, host: 'x', seats: 1 });
      }
      for (let u = 0; u < users; u++) {
        const at = base + 8 * 3_600_000 + u * 60_000;
        for (const feature of ['MATLAB', 'Simulink']) {
          push({ kind: 'checkin', at, vendor: 'MLM', feature, user: `user${u}`, host: `pc${u}`, seats: 1 });
        }
      }
      maxOpen = Math.max(maxOpen, analyser.stats().openCheckouts);
      maxPending = Math.max(maxPending, analyser.stats().pendingDenials);
    }
    const stats = analyser.stats();
    expect(stats).toMatchObject({ openCheckouts: 0, pendingDenials: 0, features: 3, users, userDays: users * days * 2 });
    expect(stats.daySets).toBeLessThanOrEqual(3 * 3);
    expect(maxOpen).toBe(0);
    // Only denials inside the two-minute window are held, never all of a day's.
    expect(maxPending).toBeLessThanOrEqual(1);
    const result = analyser.finish();
    expect(result.events).toBe(events);
    const matlab = result.features.find((f) => f.feature === 'MATLAB');
    expect(Object.keys(matlab?.dailyUsers ?? {})).toHaveLength(days);
    expect(new Set(Object.values(matlab?.dailyUsers ?? {}))).toEqual(new Set([users]));
    expect(matlab?.peak).toBe(users);
  });

  it('keeps only recent days as user sets, even while a check-out stays open for weeks', () => {
    const analyser = createUsageAnalyser({ timeZone: 'Europe/Madrid' });
    const day0 = Date.parse('2022-01-03T08:00:00Z');
    let line = 0;
    // A session left open from the first morning (its check-in never logged), and one that ends on day 9.
    analyser.push({ kind: 'checkout', at: day0, line: ++line, vendor: 'MLM', feature: 'MATLAB', user: 'stale', host: 'pc0', seats: 1 });
    analyser.push({ kind: 'checkout', at: day0, line: ++line, vendor: 'MLM', feature: 'MATLAB', user: 'long', host: 'pc0', seats: 1 });
    let maxSets = 0;
    for (let day = 0; day < 40; day++) {
      const at = day0 + day * 86_400_000 + 3_600_000;
      if (day === 9) analyser.push({ kind: 'checkin', at, line: ++line, vendor: 'MLM', feature: 'MATLAB', user: 'long', host: 'pc0', seats: 1 });
      for (const user of ['a', 'b']) {
        analyser.push({ kind: 'checkout', at, line: ++line, vendor: 'MLM', feature: 'MATLAB', user, host: 'pc1', seats: 1 });
        analyser.push({ kind: 'checkin', at: at + 60_000, line: ++line, vendor: 'MLM', feature: 'MATLAB', user, host: 'pc1', seats: 1 });
      }
      maxSets = Math.max(maxSets, analyser.stats().daySets);
    }
    expect(maxSets).toBeLessThanOrEqual(3);
    const daily = analyser.finish().features[0]?.dailyUsers ?? {};
    const counts = Object.values(daily);
    expect(counts).toHaveLength(40);
    // stale + a + b every day; long as well up to its check-in on day 9 (the tenth day).
    expect(counts).toEqual(counts.map((_, i) => (i <= 9 ? 4 : 3)));
  });

  it('keeps the same state however many sessions pass through', () => {
    const analyser = createUsageAnalyser({ timeZone: 'UTC' });
    const at0 = Date.parse('2022-06-09T00:00:00Z');
    const sizes: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const user = `u${i % 7}`;
      const at = at0 + Math.floor(i / 2) * 100;
      analyser.push({ kind: 'checkout', at, line: 2 * i, vendor: 'v', feature: 'f', user, host: 'h', seats: 1 });
      analyser.push({ kind: 'checkin', at: at + 50, line: 2 * i + 1, vendor: 'v', feature: 'f', user, host: 'h', seats: 1 });
      if (i % 50_000 === 49_999) sizes.push(JSON.stringify(analyser.stats()));
    }
    const steady = JSON.stringify({ openCheckouts: 0, pendingDenials: 0, features: 1, users: 7, userDays: 7, daySets: 1 });
    expect(sizes).toEqual([steady, steady, steady, steady]);
    expect(analyser.finish().features[0]?.sessions).toBe(200_000);
  });
});

describe('keys that stay the same on re-ingest', () => {
  it('numbers identical check-outs of one instant in log order, case-insensitively, from 0', () => {
    const { sessions } = run([
      ev('checkout', s(0)),
      ev('checkout', s(0), { user: 'ALICE', host: 'PC1', feature: 'matlab', vendor: 'mlm' }),
      ev('checkout', s(0), { host: 'pc2' }),
      ev('checkin', s(0)),
      ev('checkout', s(0)),
      ev('checkout', s(1)),
      ev('checkout', s(1), { user: 'bob' }),
    ]);
    const byLine = [...sessions].sort((a, b) => a.startLine - b.startLine);
    expect(byLine.map((x) => [x.user, x.host, x.start, x.ordinal])).toEqual([
      ['alice', 'pc1', s(0), 0],
      ['ALICE', 'PC1', s(0), 1],
      ['alice', 'pc2', s(0), 0],
      // The first one closed in the same instant: numbering goes on all the same.
      ['alice', 'pc1', s(0), 2],
      ['alice', 'pc1', s(1), 0],
      ['bob', 'pc1', s(1), 0],
    ]);
  });

  it('gives the same sessions and ordinals when the same lines are read again', () => {
    const events = () => {
      nextLine = 100;
      return [ev('checkout', s(0)), ev('checkout', s(0)), ev('checkin', s(30)), ev('denied', s(30)), ev('denied', s(30))];
    };
    const first = run(events());
    const second = run(events());
    expect(second.sessions).toEqual(first.sessions);
    expect(second.denials).toEqual(first.denials);
  });
});

describe('denials as they settle (onDenial)', () => {
  it('reports each denial once: retried at the retry, true when the window has passed or at finish', () => {
    const calls: [string, UsageDenial][] = [];
    const analyser = createUsageAnalyser({
      timeZone: 'Europe/Madrid',
      onDenial: (denial) => calls.push(['denial', denial]),
      onSession: () => calls.push(['session', {} as UsageDenial]),
    });
    const d1 = ev('denied', s(0), { reason: '(-4,342)' });
    const d2 = ev('denied', s(0), { user: 'ALICE' });
    const d3 = ev('denied', s(10), { user: 'bob', host: 'pc9' });
    for (const e of [d1, d2, d3]) analyser.push(e);
    expect(calls).toEqual([]);
    analyser.push(ev('checkout', s(60))); // retries alice's two
    expect(calls.map(([, d]) => [d.line, d.retried, d.ordinal])).toEqual([
      [d1.line, true, 0],
      [d2.line, true, 1],
    ]);
    expect(calls[0]?.[1]).toEqual({ vendor: 'MLM', feature: 'MATLAB', user: 'alice', host: 'pc1', at: s(0), line: d1.line, ordinal: 0, reason: '(-4,342)', retried: true });
    expect(calls[1]?.[1]).not.toHaveProperty('reason');
    analyser.push(ev('checkin', s(131))); // bob's window (120 s) has passed
    expect(calls.slice(2).map(([kind, d]) => [kind, d.user, d.host, d.retried])).toEqual([
      ['denial', 'bob', 'pc9', false],
      ['session', undefined, undefined, undefined],
    ]);
    const d4 = ev('denied', s(200), { user: 'carol' });
    analyser.push(d4);
    analyser.finish();
    expect(calls.at(-1)?.[1]).toMatchObject({ line: d4.line, retried: false });
    expect(calls.filter(([k]) => k === 'denial')).toHaveLength(4);
  });

  it('a denial after a check-out of the same instant is reported as retried at once', () => {
    const { denials, feature } = run([ev('checkout', s(0)), ev('denied', s(0))]);
    expect(denials.map((d) => d.retried)).toEqual([true]);
    expect(feature('MATLAB')).toMatchObject({ denials: 0, retriedDenials: 1 });
  });
});

describe('open sessions now (openSessions)', () => {
  it('lists the open check-outs, oldest first, ending now, without closing them', () => {
    const sessions: UsageSession[] = [];
    const analyser = createUsageAnalyser({ timeZone: 'Europe/Madrid', onSession: (x) => sessions.push(x) });
    expect(analyser.openSessions()).toEqual([]);
    analyser.push(ev('checkout', s(0), { user: 'bob' }));
    analyser.push(ev('checkout', s(0), { user: 'carol', seats: 3 }));
    analyser.push(ev('checkout', s(10)));
    analyser.push(ev('checkin', s(20), { user: 'carol' }));
    const open = analyser.openSessions();
    expect(open.map((x) => [x.user, x.start, x.end, x.closedBy, x.ordinal])).toEqual([
      ['bob', s(0), s(20), 'open', 0],
      ['alice', s(10), s(20), 'open', 0],
    ]);
    expect(open[0]).not.toHaveProperty('endLine');
    expect(sessions.map((x) => x.user)).toEqual(['carol']);
    // Asking changes nothing.
    expect(analyser.openSessions()).toEqual(open);
    const result = analyser.finish();
    expect(sessions.map((x) => [x.user, x.closedBy])).toEqual([
      ['carol', 'checkin'],
      ['bob', 'end-of-input'],
      ['alice', 'end-of-input'],
    ]);
    expect(result.features[0]).toMatchObject({ sessions: 3, openAtEnd: 2, peak: 5 });
  });
});

describe('checkpoints', () => {
  it('are plain JSON with a version, and refuse another version', () => {
    const analyser = createUsageAnalyser({ timeZone: 'Europe/Madrid' });
    analyser.push(ev('checkout', s(0)));
    analyser.push(ev('denied', s(0), { user: 'bob' }));
    const checkpoint = analyser.checkpoint();
    expect(checkpoint.version).toBe(1);
    expect(JSON.parse(JSON.stringify(checkpoint))).toEqual(checkpoint);
    expect(() => createUsageAnalyser({ timeZone: 'UTC', resumeFrom: { ...checkpoint, version: 2 as 1 } })).toThrow(RangeError);
  });

  it('carry open check-outs, waiting check-ins, ordinals and pending denials into a new analyser', () => {
    const sessions: UsageSession[] = [];
    const denials: UsageDenial[] = [];
    const diagnostics: Diagnostic[] = [];
    const options = {
      timeZone: 'Europe/Madrid',
      onSession: (x: UsageSession) => sessions.push(x),
      onDenial: (d: UsageDenial) => denials.push(d),
      onDiagnostic: (d: Diagnostic) => diagnostics.push(d),
    };
    const first = createUsageAnalyser(options);
    first.push(ev('checkout', s(0), { seats: 2 }));
    first.push(ev('denied', s(5), { user: 'bob' }));
    first.push(ev('checkout', s(10), { user: 'carol' }));
    first.push(ev('checkin', s(10), { user: 'dave' })); // waits for a check-out of this instant
    first.push(ev('denied', s(10), { user: 'erin' }));
    const checkpoint = JSON.parse(JSON.stringify(first.checkpoint())) as ReturnType<typeof first.checkpoint>;

    const second = createUsageAnalyser({ ...options, resumeFrom: checkpoint });
    expect(second.openSessions().map((x) => [x.user, x.ordinal, x.end])).toEqual([
      ['alice', 0, s(10)],
      ['carol', 0, s(10)],
    ]);
    second.push(ev('checkout', s(10), { user: 'dave' })); // pairs with the waiting check-in
    second.push(ev('checkout', s(10), { user: 'carol' })); // ordinal 1
    second.push(ev('denied', s(10), { user: 'erin' })); // ordinal 1
    second.push(ev('checkout', s(60), { user: 'bob' })); // retries bob's denial from before the checkpoint
    second.push(ev('checkin', s(3600)));
    const result = second.finish();
    expect(sessions.map((x) => [x.user, x.start, x.end, x.closedBy, x.ordinal])).toEqual([
      ['dave', s(10), s(10), 'checkin', 0],
      ['alice', s(0), s(3600), 'checkin', 0],
      ['carol', s(10), s(3600), 'end-of-input', 0],
      ['carol', s(10), s(3600), 'end-of-input', 1],
      ['bob', s(60), s(3600), 'end-of-input', 0],
    ]);
    expect(denials.map((d) => [d.user, d.ordinal, d.retried])).toEqual([
      ['bob', 0, true],
      ['erin', 0, false],
      ['erin', 1, false],
    ]);
    expect(diagnostics).toEqual([]);
    // Totals start again, but the seats held before the checkpoint still count towards the peak.
    expect(result.features[0]).toMatchObject({ sessions: 3, peak: 5, unmatchedCheckins: 0 });
  });
});
