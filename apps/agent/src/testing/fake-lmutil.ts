/**
 * Test helper: a stand-in `lmutil` — a shell script that records the argv it was given (NUL-separated, one
 * file per call) and prints the next of the prepared `lmutil lmstat -a` outputs (the last one again once
 * they run out), so that the numbers change between polls.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface FakeLmutil {
  /** The script to configure as argv[0]. */
  program: string;
  /** The argv (after the program) of every call so far. */
  calls(): string[][];
  /** Replaces the outputs still to come. */
  setOutputs(outputs: string[]): void;
}

/** Creates the script in `dir`. */
export function createFakeLmutil(dir: string, outputs: string[]): FakeLmutil {
  mkdirSync(dir, { recursive: true });
  const program = path.join(dir, 'lmutil');
  const calls = path.join(dir, 'calls');
  mkdirSync(calls, { recursive: true });
  const q = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    program,
    [
      '#!/bin/sh',
      `dir=${q(dir)}`,
      'n=$(cat "$dir/count" 2>/dev/null || echo 0)',
      'n=$((n + 1))',
      'echo "$n" > "$dir/count"',
      `printf '%s\\0' "$@" > "$dir/calls/$(printf '%06d' "$n")"`,
      'if [ -f "$dir/out-$n.txt" ]; then cat "$dir/out-$n.txt"; else cat "$dir/out-last.txt"; fi',
      '',
    ].join('\n'),
  );
  chmodSync(program, 0o755);
  const fake: FakeLmutil = {
    program,
    calls() {
      return readdirSync(calls)
        .sort()
        .map((name) => readFileSync(path.join(calls, name), 'utf8').split('\0').slice(0, -1));
    },
    setOutputs(list) {
      const done = existsSync(path.join(dir, 'count')) ? Number(readFileSync(path.join(dir, 'count'), 'utf8').trim()) : 0;
      list.forEach((output, i) => writeFileSync(path.join(dir, `out-${done + i + 1}.txt`), output));
      writeFileSync(path.join(dir, 'out-last.txt'), list.at(-1) ?? '');
    },
  };
  fake.setOutputs(outputs);
  return fake;
}

/** One `lmutil lmstat -a` output for vendor MLM: MATLAB with `issued` seats and these holders. */
export function lmstatOutput(issued: number, holders: { user: string; host: string; handle: number; start: string; seats?: number }[]): string {
  const inUse = holders.reduce((n, h) => n + (h.seats ?? 1), 0);
  return [
    'lmutil - Copyright (c) 1989-2024 Flexera. All Rights Reserved.',
    'Flexible License Manager status on Mon 3/2/2026 10:00',
    '',
    'License server status: 27000@licsrv',
    '    License file(s) on licsrv: /opt/flexlm/license.dat:',
    '',
    'licsrv: license server UP (MASTER) v11.19.6',
    '',
    'Vendor daemon status (on licsrv):',
    '',
    '       MLM: UP v11.19.6',
    'Feature usage info:',
    '',
    `Users of MATLAB:  (Total of ${issued} licenses issued;  Total of ${inUse} licenses in use)`,
    '',
    '  "MATLAB" v43, vendor: MLM, expiry: 31-dec-2026',
    '  floating license',
    '',
    ...holders.map((h) => `    ${h.user} ${h.host} ${h.host}:0 (v43) (licsrv/27000 ${h.handle}), start Mon ${h.start}${h.seats && h.seats > 1 ? `, ${h.seats} licenses` : ''}`),
    '',
    'Users of Simulink:  (Total of 2 licenses issued;  Total of 0 licenses in use)',
    '',
  ].join('\n');
}
