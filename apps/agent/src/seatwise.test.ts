import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = path.join(root, 'packages/usage-engine/fixtures');
const run = promisify(execFile);
const work = mkdtempSync(path.join(tmpdir(), 'seatwise-analyze-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the real command, as `npx seatwise …` does. */
async function seatwise(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, 'bin/seatwise.mjs'), ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const FLEXLM_LOG = ` 8:00:01 (lmgrd) FlexNet Licensing (v11.16.2.0 build 242433 x64_lsb) started on licsrv (linux) (6/9/2022)
 8:00:02 (lmgrd) Started MLM (internet tcp_port 27001 pid 1234)
 8:00:05 (MLM) Server started on licsrv for:\tMATLAB Simulink
 9:00:00 (MLM) OUT: "MATLAB" ana.lima@ws-17
 9:30:00 (MLM) OUT: "MATLAB" bo.chen@ws-22  (2 licenses)
 9:45:00 (MLM) DENIED: "Simulink" bo.chen@ws-22  (Licensed number of users already reached. (-4,342))
 9:46:00 (MLM) OUT: "Simulink" bo.chen@ws-22
10:00:00 (MLM) IN: "MATLAB" ana.lima@ws-17
10:30:00 (MLM) IN: "MATLAB" bo.chen@ws-22  (2 licenses)
11:00:00 (MLM) this line is not an event
`;

describe('seatwise analyze', () => {
  it('reads a FlexLM debug log end to end: dates from the banner, seats, pairing, retried denials, open at the end', async () => {
    const file = path.join(work, 'lmgrd.log');
    writeFileSync(file, FLEXLM_LOG);
    const result = await seatwise('analyze', file, '--tz', 'Europe/Madrid', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      format: 'flexlm-debug',
      lines: 10,
      diagnostics: [],
      features: [
        { feature: 'MATLAB', vendor: 'MLM', peak: 3, peakAt: '2022-06-09T09:30:00+02:00', sessions: 2, seatHours: 3, denials: 0, retriedDenials: 0, openAtEnd: 0, dailyUsers: { '2022-06-09': 2 } },
        // Open from 09:46 until the last event of the file (10:30): 44 minutes.
        { feature: 'Simulink', vendor: 'MLM', peak: 1, peakAt: '2022-06-09T09:46:00+02:00', sessions: 1, seatHours: 0.73, denials: 0, retriedDenials: 1, openAtEnd: 1, dailyUsers: { '2022-06-09': 1 } },
      ],
    });
    const tables = await seatwise('analyze', file, '--tz', 'Europe/Madrid');
    expect(tables.stdout).toContain('peak            3 seats at 2022-06-09T09:30:00+02:00');
    expect(tables.stdout).toContain('0 true, 1 retried');
  });

  it('prints exactly one JSON object with the figures per feature for a status snapshot', async () => {
    const result = await seatwise('analyze', path.join(fixtures, 'lmstat/matlab-mlm.txt'), '--tz', 'Europe/Madrid', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(['format', 'lines', 'diagnostics', 'features']);
    expect(report.format).toBe('lmstat');
    const matlab = report.features.find((feature: { feature: string }) => feature.feature === 'MATLAB');
    expect(Object.keys(matlab)).toEqual(['feature', 'vendor', 'peak', 'peakAt', 'sessions', 'seatHours', 'denials', 'retriedDenials', 'openAtEnd', 'dailyUsers']);
    expect(matlab).toMatchObject({ vendor: 'MLM', peak: 5, peakAt: '2022-06-09T14:03:00+02:00' });
  });

  it('reads an RLM report log: restarts at shutdown and start, check-ins paired by handle, denials', async () => {
    const result = await seatwise('analyze', path.join(fixtures, 'rlm-report/demo-std-two-starts.log'), '--tz', 'America/New_York', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      format: 'rlm-report',
      lines: 63,
      diagnostics: [],
      features: [
        // 15:17:14 to the SHUTDOWN at 15:23:15, then 15:26:36 to 16:07:39.
        { feature: 'analytics', vendor: 'demo', peak: 1, peakAt: '2013-05-11T15:17:14-04:00', sessions: 2, seatHours: 0.78, denials: 0, retriedDenials: 0, openAtEnd: 0, dailyUsers: { '2013-05-11': 2 } },
        // Two check-outs from 15:25 and 15:28; the one checked in at 01:32:28 names another user, but its handle pairs it.
        { feature: 'datavis', vendor: 'demo', peak: 2, peakAt: '2013-05-11T15:28:06-04:00', sessions: 2, seatHours: 20.2, denials: 0, retriedDenials: 0, openAtEnd: 1, dailyUsers: { '2013-05-11': 1, '2013-05-12': 1 } },
        { feature: 'simulator', vendor: 'demo', peak: 1, peakAt: '2013-05-11T15:19:08-04:00', sessions: 1, seatHours: 0.05, denials: 1, retriedDenials: 0, openAtEnd: 0, dailyUsers: { '2013-05-11': 1 } },
      ],
    });
  });

  it('reads an RLM debug log once given the year', async () => {
    const file = path.join(fixtures, 'rlm-debug/demo-isv.log');
    const withDate = JSON.parse((await seatwise('analyze', file, '--tz', 'America/New_York', '--start-date', '2013-05-11', '--json')).stdout);
    expect(withDate.format).toBe('rlm-debug');
    expect(withDate.diagnostics).toEqual([]);
    expect(withDate.features.map((f: { feature: string; sessions: number; denials: number }) => [f.feature, f.sessions, f.denials])).toEqual([
      ['analytics', 2, 0],
      ['datavis', 2, 0],
      ['simulator', 1, 1],
    ]);
    // Without a year every event line is reported, none is guessed.
    const without = JSON.parse((await seatwise('analyze', file, '--tz', 'America/New_York', '--json')).stdout);
    expect(without.features).toEqual([]);
    expect(without.diagnostics[0]).toEqual({ line: 3, reason: 'no year for this line: the log gives none and no start date was set' });
  });

  it('reads LM-X output dated by the file time, peak being the licenses in use', async () => {
    const file = path.join(work, 'licstat.txt');
    copyFileSync(path.join(fixtures, 'lmx/altair-hyperworks.txt'), file);
    const savedAt = new Date('2022-02-18T10:00:00Z');
    utimesSync(file, savedAt, savedAt);
    const result = await seatwise('analyze', file, '--tz', 'Europe/Stockholm', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.format).toBe('lmx');
    expect(report.features.find((f: { feature: string }) => f.feature === 'GlobalZoneEU')).toEqual({
      feature: 'GlobalZoneEU',
      vendor: 'ALTAIR',
      peak: 40000,
      peakAt: '2022-02-18T11:00:00+01:00',
      sessions: 0,
      seatHours: 0,
      denials: 0,
      retriedDenials: 0,
      openAtEnd: 40000,
      dailyUsers: { '2022-02-18': 1 },
    });
  });

  it('reads rlmstat output dated by its own statistics lines, not the file time', async () => {
    const result = await seatwise('analyze', path.join(fixtures, 'rlmstat/foundry-nuke.txt'), '--tz', 'America/Los_Angeles', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.format).toBe('rlmstat');
    expect(report.features.find((f: { feature: string }) => f.feature === 'nuke_i')).toMatchObject({ vendor: 'foundry', peak: 4, peakAt: '2024-03-31T02:55:55-07:00', openAtEnd: 4 });
  });

  it('reports bad lines with their numbers and carries on', async () => {
    const result = await seatwise('analyze', path.join(fixtures, 'csv/checkouts-with-end.csv'), '--tz', 'Europe/Madrid', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.format).toBe('csv');
    expect(report.diagnostics.map((d: { line: number }) => d.line)).toEqual([6, 7, 8, 9, 10, 13]);
    expect(report.features.length).toBeGreaterThan(0);
  });

  it('refuses unknown or binary content and says what was expected', async () => {
    const binary = path.join(work, 'report.log');
    writeFileSync(binary, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    const result = await seatwise('analyze', binary);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not a license log Seatwise can read\./);
    expect(result.stderr).toMatch(/Expected one of: flexlm-debug \(.*\), lmstat \(.*\), rlm-report \(.*\), rlm-debug \(.*\), rlmstat \(.*\), lmx \(.*\), csv \(/);
    expect(result.stderr).toMatch(/It is not text: .*encrypted/);
    const prose = path.join(work, 'letter.txt');
    writeFileSync(prose, 'Dear license administrator,\nplease find attached the usage report.\n');
    expect((await seatwise('analyze', prose)).stderr).toMatch(/It is text, but no line has the shape of any of these formats\./);
    expect((await seatwise('analyze', path.join(work, 'missing.log'))).stderr).toMatch(/no such file/);
    expect((await seatwise('analyze', binary, '--start-date', '9/6/2022')).code).toBe(2);
  });
});
