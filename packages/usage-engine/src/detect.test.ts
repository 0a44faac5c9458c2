import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECT_SAMPLE_CHARS, describeUndetected, detectFormat, FORMAT_DESCRIPTIONS } from './detect.ts';
import { USAGE_FORMATS } from './types.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

// Small samples in each format, after public captures and the vendors' documented layouts; names invented.
const SAMPLES = {
  flexlmDebug: [
    ' 9:49:40 (lmgrd) FlexNet Licensing (v11.14.1.3 build 212549 x64_lsb) started on licsrv (linux) (6/8/2017)',
    " 9:49:40 (lmgrd) Server's System Date and Time: Thu Jun 08 2017 09:49:40 EDT",
    ' 9:49:41 (lmgrd) TIMESTAMP 6/8/2017',
    '21:06:15 (ansyslmd) OUT: "hfsshpc" jdoe@node7.hpc.example  (20 licenses) ',
    '21:06:15 (ansyslmd) OUT: "hfss_solve" jdoe@node7.hpc.example  ',
    '16:42:19 (ansyslmd) IN: "hfss_solve" jdoe@node7.hpc.example  ',
    '18:48:22 (ABAQUSLM) DENIED: "abaqus" asmith@node353  (25 licenses) (Users are queued for this feature. (-24,332))',
  ].join('\n'),
  flexlmDatestamp: [
    '2022-06-09T08:01:02+02:00 (lmgrd) TIMESTAMP 6/9/2022',
    '2022-06-09T08:05:00+02:00 (MLM) OUT: "MATLAB" jdoe@ws-17',
    '2022-06-09T09:15:00+02:00 (MLM) IN: "MATLAB" jdoe@ws-17',
  ].join('\n'),
  flexlmOldLayout: ['6/9 14:03 (lmgrd) Starting vendor daemons ...', '6/9 14:05 (cadence) OUT: "Virtuoso" jdoe@ws-17', '6/9 15:00 (cadence) IN: "Virtuoso" jdoe@ws-17'].join('\n'),
  rlmDebug: [
    '05/11 15:16 (demo) Report log started on ./report.log',
    '05/11 15:16 (demo) Server started on buildsrv (hostid: 6fc049e3e83d) for:',
    '05/11 15:16 (demo) \tsimulator analytics ',
    '05/11 15:17 (demo) OUT: analytics v2.09 by cecil@ws-12 ',
    '05/11 15:20 (demo) DENIED: (1) simulator v2.1 to cecil@ws-12 ',
    '05/11 15:20 (demo)         All licenses in use',
    '05/11 15:22 (demo) IN: simulator v2.12 by terra@ws-19 ',
  ].join('\n'),
  rlmServerLog: [
    '09/21 18:44 (rlm) RLM License Server Version 8.0BL4',
    '09/21 18:44 (rlm) License server started on buildsrv',
    '09/21 18:44 (rlm) Server architecture: x64_w2',
    '09/21 18:44 (rlm) Web server starting on port 5054',
  ].join('\n'),
  rlmReport: [
    '',
    'RLM Report Log Format 0, version 10.0, authenticated',
    'ISV: demo, RLM version 10.0 BL2',
    'Logfile format Copyright (C) 2006-2013 Reprise Software, Inc.',
    '',
    'START buildsrv 05/11/2013 15:16:49',
    'PRODUCT simulator 3.12 1 1 0 1 "" "" "" "" "" "" 0 0 0 0 0 0 0 0 0',
    '05/11/2013 15:16',
    'OUT analytics 2.09 2 cecil ws-12 "" 1 1 0 41 41 1a14 "" "" "" 05/11 15:17:14',
    'IN 1 simulator 2.12 terra ws-19 "" 1 0 0 81 05/11 15:22:13',
  ].join('\n'),
  rlmReportHeadless: [
    'OUT analytics 2.09 2 cecil ws-12 "" 1 1 0 41 41 1a14 "" "" "" 05/11 15:17:14',
    'DENY simulator 2.1 cecil ws-12 "" 1 -22 1 05/11 15:20',
    '05/11/2013 15:54',
    'IN 1 analytics 3.03 terra ws-19 "" 1 0 0 81 05/11 16:07:39',
  ].join('\n'),
  rlmstat: [
    'Setting license file path to 5053@licsrv',
    'rlmutil v12.2',
    'Copyright (C) 2006-2017, Reprise Software, Inc. All rights reserved.',
    '',
    '    csci license pool status on licsrv (port 63133)',
    '',
    '    converge_super v3.0',
    '        count: 1000, # reservations: 0, inuse: 93, exp: 31-jan-2022',
    '        obsolete: 0, min_remove: 120, total checkouts: 169',
    '',
    '    csci license usage status on licsrv (port 63133)',
    '',
    '    converge_super v3.0: asmith@node7 29/0 at 11/01 09:01  (handle: 15a)',
  ].join('\n'),
  rlmReportSmall: [
    'RLM Report Log Format 1, version 12.4, authenticated',
    'ISV: foundry, RLM version 12.4 BL2',
    'START lic-srv01 11/02/2019 22:41',
    'OUT nuke_i 2019.1 a.moreau ws-014 "" 1 4d 4d 22:45',
    'IN 1 1 4d 23:58',
  ].join('\n'),
  rlmDebugComments: [
    '03/19 5:17 (demo) OUT: analytics v3.03 by j.mwangi@macpro ',
    '03/19 08:52 (demo) IN: (client exit) analytics v3.03 by j.mwangi@macpro ',
    '03/19 09:15 (demo) IN: (lmremove) datavis v3.1 by c.okafor@winxp ',
  ].join('\n'),
  rlmstatUsageOnly: ['rlmstat v14.2', 'demo license usage status on qa-build01 (port 27001)', 'floatserver v21.0: h.quist@qa-build01 1/0 at 05/20 13:41 (handle: 41)'].join('\n'),
  lmxNoServers: ['LM-X End-user Utility v3.32', 'Copyright (C) 2002-2010 X-Formation. All rights reserved.', 'LM-X license server(s):', 'There are no license server(s) available.'].join('\n'),
  lmx: [
    'LM-X End-user Utility v3.32',
    'Copyright (C) 2002-2010 X-Formation. All rights reserved.',
    '',
    '++++++++++++++++++++++++++++++++++++++++',
    'LM-X License Server on 6200@licsrv:',
    '',
    'Server version: v5.1 Uptime: 3 day(s) 12 hour(s) 0 min(s) 51 sec(s)',
    '----------------------------------------',
    'Feature: HyperWorks Version: 21.0 Vendor: ALTAIR',
    'Start date: 2022-02-17 Expire date: 2023-01-31',
    'Key type: EXCLUSIVE License sharing: CUSTOM VIRTUAL',
    '',
    '25000 of 1000000 license(s) used:',
    '',
    '25000 license(s) used by jdoe@ws-17 [10.0.0.17]',
    '        Login time: 2022-02-18 09:26   Checkout time: 2022-02-18 09:26',
  ].join('\n'),
};

describe('detectFormat', () => {
  it('knows each format from a small sample, with high confidence', () => {
    expect(detectFormat(SAMPLES.flexlmDebug)).toEqual({ format: 'flexlm-debug', confidence: 'high' });
    expect(detectFormat(SAMPLES.flexlmDatestamp)).toEqual({ format: 'flexlm-debug', confidence: 'high' });
    expect(detectFormat(SAMPLES.flexlmOldLayout)).toEqual({ format: 'flexlm-debug', confidence: 'high' });
    expect(detectFormat(SAMPLES.rlmDebug)).toEqual({ format: 'rlm-debug', confidence: 'high' });
    expect(detectFormat(SAMPLES.rlmServerLog)).toEqual({ format: 'rlm-debug', confidence: 'high' });
    expect(detectFormat(SAMPLES.rlmReport)).toEqual({ format: 'rlm-report', confidence: 'high' });
    expect(detectFormat(SAMPLES.rlmstat)).toEqual({ format: 'rlmstat', confidence: 'high' });
    expect(detectFormat(SAMPLES.lmx)).toEqual({ format: 'lmx', confidence: 'high' });
  });

  it('knows the RLM layouts, usage-only rlmstat and an LM-X output with no server, with high confidence', () => {
    expect(detectFormat(SAMPLES.rlmReportSmall)).toEqual({ format: 'rlm-report', confidence: 'high' });
    expect(detectFormat(SAMPLES.rlmDebugComments)).toEqual({ format: 'rlm-debug', confidence: 'high' });
    expect(detectFormat(SAMPLES.rlmstatUsageOnly)).toEqual({ format: 'rlmstat', confidence: 'high' });
    expect(detectFormat(SAMPLES.lmxNoServers)).toEqual({ format: 'lmx', confidence: 'high' });
  });

  it('knows every fixture of each of the seven formats, with high confidence', () => {
    const dirs = readdirSync(FIXTURES);
    for (const format of USAGE_FORMATS) {
      expect(dirs).toContain(format);
      for (const name of readdirSync(join(FIXTURES, format)).filter((f) => !f.endsWith('.json') && !f.endsWith('.md'))) {
        const detected = detectFormat(readFileSync(join(FIXTURES, format, name), 'utf8'));
        expect({ name, ...detected }).toMatchObject({ name, format });
        expect(detected?.confidence).toBe('high');
      }
    }
  });

  it('says low when it has only weak hints', () => {
    expect(detectFormat(SAMPLES.rlmReportHeadless)).toEqual({ format: 'rlm-report', confidence: 'low' });
    expect(detectFormat('Users of MATLAB:  (Total of 10 licenses issued;  Total of 3 licenses in use)')).toEqual({
      format: 'lmstat',
      confidence: 'low',
    });
    expect(detectFormat('14:03:11 (MLM) OUT: "MATLAB" jdoe@ws-17')).toEqual({ format: 'flexlm-debug', confidence: 'low' });
    expect(detectFormat('0 of 3 license(s) used')).toEqual({ format: 'lmx', confidence: 'low' });
  });

  it('says why it found nothing, for empty, binary and unknown text, and names every format', () => {
    expect(describeUndetected(' \n\n')).toMatch(/empty/);
    const encrypted = new TextDecoder().decode(Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expect(detectFormat(encrypted)).toBeNull();
    expect(describeUndetected(encrypted)).toMatch(/not text.*encrypted.*report log/s);
    expect(describeUndetected('name,age\nJane,41\n')).toMatch(/no line has the shape/);
    expect(Object.keys(FORMAT_DESCRIPTIONS).sort()).toEqual([...USAGE_FORMATS].sort());
  });

  it('returns null for text in no known format', () => {
    expect(detectFormat('')).toBeNull();
    expect(detectFormat(' \n\t\n')).toBeNull();
    expect(detectFormat('Dear license administrator,\nplease find attached the usage report.\n')).toBeNull();
    expect(detectFormat('{"features": [{"name": "MATLAB", "used": 3}]}')).toBeNull();
    expect(detectFormat('name,age\nJane,41\n')).toBeNull();
  });

  it('returns null for binary content: undecodable bytes, control characters or UTF-16', () => {
    // Undecodable bytes, as an encrypted report log decodes to; a recognisable line does not rescue it.
    const garbage = new TextDecoder().decode(Uint8Array.from({ length: 4096 }, (_, i) => 0x80 + ((i * 37) % 128)));
    expect(detectFormat(garbage)).toBeNull();
    expect(detectFormat(`${garbage}\n14:03:11 (MLM) OUT: "MATLAB" jdoe@ws-17\n`)).toBeNull();
    const controls = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(i % 8)).join('');
    expect(detectFormat(controls)).toBeNull();
    // UTF-16 read as UTF-8: every other character a NUL.
    const utf16 = [...SAMPLES.flexlmDebug].map((c) => `${c}\u0000`).join('');
    expect(detectFormat(utf16)).toBeNull();
  });

  it('still knows a log with a block of NULs left by a crash', () => {
    const crashed = `${SAMPLES.flexlmDebug}\n${'\u0000'.repeat(4096)}${SAMPLES.flexlmDebug}`;
    expect(detectFormat(crashed)).toEqual({ format: 'flexlm-debug', confidence: 'high' });
  });

  it('reads only the first 64 KiB and ignores a line cut at its end', () => {
    const line = '14:03:11 (MLM) OUT: "MATLAB" jdoe@ws-17\n';
    const big = line.repeat(Math.ceil((DETECT_SAMPLE_CHARS * 3) / line.length));
    expect(detectFormat(big)).toEqual({ format: 'flexlm-debug', confidence: 'high' });
    // What comes after the first 64 KiB does not count.
    expect(detectFormat(`${'\n'.repeat(DETECT_SAMPLE_CHARS)}${SAMPLES.lmx}`)).toBeNull();
  });

  it('never throws on random or mutated input, and answers only known formats (seeded)', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const sources = Object.values(SAMPLES).join('\n').split('\n');
    for (let round = 0; round < 300; round++) {
      let text: string;
      if (round % 2 === 0) {
        text = new TextDecoder().decode(Uint8Array.from({ length: 2048 }, () => Math.floor(random() * 256)));
      } else {
        text = Array.from({ length: 20 }, () => {
          const line = sources[Math.floor(random() * sources.length)] ?? '';
          const cut = Math.floor(random() * (line.length + 1));
          return random() < 0.5 ? line.slice(0, cut) + line.slice(cut + 1 + Math.floor(random() * 5)) : line;
        }).join('\n');
      }
      const result = detectFormat(text);
      if (result !== null) {
        expect(USAGE_FORMATS).toContain(result.format);
        expect(['high', 'low']).toContain(result.confidence);
      }
    }
  });
});
