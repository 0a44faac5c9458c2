import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(result.stderr).toMatch(/not a license log Seatwise can read\. Expected one of: flexlm-debug, lmstat/);
    expect((await seatwise('analyze', path.join(work, 'missing.log'))).stderr).toMatch(/no such file/);
    expect((await seatwise('analyze', binary, '--start-date', '9/6/2022')).code).toBe(2);
  });
});
