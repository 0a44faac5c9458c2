/**
 * `npm run bench:parse`: generates large FlexLM debug logs and measures the full parse of each (reading, line
 * splitting, UTF-8 names, dates and time zones, events, then the analyser: pairing, peaks, seat-hours,
 * denials, daily users), next to `wc -l`, the parser alone, line splitting alone and a naive regex reader on
 * the same file, with peak memory per run. A benchmark script, not a test: it prints figures and the method,
 * and exits 0 whatever the figures are.
 *
 * Environment:
 *   BENCH_PARSE_SIZES_MB  comma-separated file sizes in MB (default "100,1000")
 *   BENCH_PARSE_SEED      generator seed (default 1)
 *   BENCH_PARSE_RUNS      measured runs per size and mode; the fastest is reported (default 2)
 *   BENCH_PARSE_DIR       where to write the files (default: a new directory in the system temp dir)
 *   BENCH_PARSE_KEEP=1    keep the generated files
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFlexlmLog } from './generate-flexlm-log.ts';
import type { Mode, WorkerResult } from './parse-worker.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const TIME_ZONE = 'Europe/Madrid';
const TARGET_MB_S = 150;

const sizes = (process.env.BENCH_PARSE_SIZES_MB ?? '100,1000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isFinite(n) && n > 0);
const seed = Number(process.env.BENCH_PARSE_SEED ?? 1);
const runs = Math.max(1, Number(process.env.BENCH_PARSE_RUNS ?? 2));
const keep = process.env.BENCH_PARSE_KEEP === '1';
const dir = process.env.BENCH_PARSE_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'seatwise-bench-parse-'));

function worker(file: string, mode: Mode): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(BENCH_DIR, 'parse-worker.ts'), [file, mode, TIME_ZONE], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, '--expose-gc'],
    });
    let result: WorkerResult | undefined;
    child.on('message', (message) => {
      result = message as WorkerResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`parse worker exited with code ${code}`));
    });
  });
}

function best(results: WorkerResult[]): WorkerResult {
  return results.reduce((a, b) => (b.ms < a.ms ? b : a));
}

function timeWcL(file: string): { ms: number; lines: number } {
  const started = performance.now();
  const out = execFileSync('wc', ['-l', file], { encoding: 'utf8' });
  return { ms: performance.now() - started, lines: Number(out.trim().split(/\s+/)[0]) };
}

const mb = (bytes: number): number => bytes / 1_000_000;
const fixed = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log('FlexLM debug-log parse benchmark');
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${fixed(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.platform()} ${os.release()}`,
  );
  console.log(`runtime: Node ${process.version} (V8 ${process.versions.v8})`);
  console.log(`load average before start: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  console.log(`files: ${sizes.map((s) => `${s} MB`).join(', ')} in ${dir}, seed ${seed}, time zone ${TIME_ZONE}, best of ${runs} runs`);
  console.log('');

  const rows: string[][] = [];
  const fullBest: { size: number; mbs: number; rssMb: number; liveMb: number }[] = [];
  for (const size of sizes) {
    const file = path.join(dir, `flexlm-debug-${size}mb-seed${seed}.log`);
    const genStarted = performance.now();
    const generated = generateFlexlmLog(file, size * 1_000_000, seed);
    const genSeconds = (performance.now() - genStarted) / 1000;
    const bytes = statSync(file).size;
    console.log(
      `${size} MB: generated ${fixed(generated.lines)} lines, ${fixed(generated.events)} events over ${fixed(generated.days, 1)} days in ${fixed(genSeconds, 1)} s`,
    );

    timeWcL(file); // warms the page cache, so every reader below starts from memory
    const wc = [timeWcL(file), timeWcL(file)].reduce((a, b) => (b.ms < a.ms ? b : a));
    // Runs alternate between modes, so that a change in machine load shows in all of them alike.
    const results: Record<'full' | 'parse' | 'split', WorkerResult[]> = { full: [], parse: [], split: [] };
    for (let i = 0; i < runs; i++) {
      for (const mode of ['full', 'parse', 'split'] as const) results[mode].push(await worker(file, mode));
    }
    const n = await worker(file, 'naive');
    const f = best(results.full);
    const p = best(results.parse);
    const s = best(results.split);
    if (f.lines !== wc.lines && f.lines !== wc.lines + 1) {
      console.log(`  warning: the parser saw ${f.lines} lines, wc -l counted ${wc.lines}`);
    }
    const seconds = f.ms / 1000;
    fullBest.push({ size, mbs: mb(bytes) / seconds, rssMb: f.maxRssKb / 1024, liveMb: (f.liveHeapKb ?? 0) / 1024 });
    rows.push([
      `${size} MB`,
      fixed(mb(bytes) / (wc.ms / 1000)),
      fixed(mb(bytes) / seconds),
      fixed(f.events / seconds / 1e6, 2),
      fixed(f.lines / seconds / 1e6, 2),
      fixed((f.cpuUserMs + f.cpuSystemMs) / f.ms, 2),
      fixed(f.maxRssKb / 1024),
      fixed(mb(bytes) / (p.ms / 1000)),
      fixed(p.maxRssKb / 1024),
      fixed(mb(bytes) / (s.ms / 1000)),
      fixed(mb(bytes) / (n.ms / 1000)),
      fixed(n.maxRssKb / 1024),
      fixed(f.startRssKb / 1024),
    ]);
    const times = (list: WorkerResult[]) => list.map((r) => fixed(r.ms)).join(', ');
    console.log(
      `  wc -l ${fixed(wc.ms)} ms (${fixed(wc.lines)} lines); full ${times(results.full)} ms; parse ${times(results.parse)} ms; split ${times(results.split)} ms; naive ${fixed(n.ms)} ms (${fixed(n.events)} sessions)`,
    );
    console.log(
      `  full: ${fixed(f.events)} events, ${fixed(f.sessions ?? 0)} sessions, ${fixed(f.denials ?? 0)} denials, ${f.features ?? 0} features (busiest peak ${f.busiestPeak ?? 0}), ${f.diagnostics} diagnostics; parser alone: ${Object.entries(
        p.byKind,
      )
        .map(([k, v]) => `${k} ${fixed(v)}`)
        .join(', ')}`,
    );
    console.log(
      `  full: JS heap kept after a full collection ${fixed((f.liveHeapKb ?? 0) / 1024, 1)} MB; analyser state at the end ${Object.entries(f.analyserStats ?? {})
        .map(([k, v]) => `${k} ${fixed(v)}`)
        .join(', ')}`,
    );
    for (const d of f.firstDiagnostics) console.log(`    line ${d.line}: ${d.reason}`);
    if (!keep) rmSync(file, { force: true });
  }

  const header = [
    'file',
    'wc -l MB/s',
    'full MB/s',
    'full M events/s',
    'full M lines/s',
    'CPU/wall',
    'full peak RSS MB',
    'parse MB/s',
    'parse peak RSS MB',
    'split MB/s',
    'naive MB/s',
    'naive peak RSS MB',
    'RSS before data MB',
  ];
  // MB are 10^6 bytes.
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log('');
  console.log(format(header));
  for (const row of rows) console.log(format(row));
  console.log('');
  const fastest = fullBest.reduce((a, b) => (b.mbs > a.mbs ? b : a), fullBest[0] ?? { size: 0, mbs: 0, rssMb: 0 });
  const slowest = fullBest.reduce((a, b) => (b.mbs < a.mbs ? b : a), fullBest[0] ?? { size: 0, mbs: 0, rssMb: 0 });
  console.log(
    `target: at least ${TARGET_MB_S} MB/s on one core for the full parse: ${slowest.mbs >= TARGET_MB_S ? 'MET' : 'MISSED'} (${fixed(slowest.mbs)} to ${fixed(fastest.mbs)} MB/s)`,
  );
  if (fullBest.length > 1) {
    const small = fullBest.reduce((a, b) => (b.size < a.size ? b : a));
    const large = fullBest.reduce((a, b) => (b.size > a.size ? b : a));
    console.log(
      `memory for ${fixed(large.size / small.size, 1)}× the input: full-parse peak RSS ${fixed(small.rssMb)} MB at ${small.size} MB, ${fixed(large.rssMb)} MB at ${large.size} MB (× ${fixed(large.rssMb / small.rssMb, 2)}); JS heap kept ${fixed(small.liveMb, 1)} MB and ${fixed(large.liveMb, 1)} MB (× ${fixed(large.liveMb / small.liveMb, 2)})`,
    );
  }
  console.log('');
  console.log('method:');
  console.log('  - The generator (bench/generate-flexlm-log.ts) writes a deterministic log from the seed: six vendor daemons,');
  console.log('    40 features, 6,000 users on 4,000 hosts, busy days and quiet nights, check-outs paired with check-ins,');
  console.log('    denials when a pool is full, INACTIVE and SHUTDOWN check-ins, TIMESTAMP lines, SLOG blocks, restarts.');
  console.log('  - wc -l runs after one warming run, best of two: the reference for reading the same bytes from the page cache.');
  console.log('  - "naive" is the reference the issue gives for scale, run once in its own process: node:readline, one');
  console.log('    regular expression per line and a Map of open check-outs (OUT/IN only: no dates, zones or denials).');
  console.log('  - Each run is a fresh Node process (parse-worker.ts, forked with the tsx loader) that reads the file in 1 MiB');
  console.log('    chunks into one reused buffer and hands them to the line splitter (src/lines.ts), which finds line ends');
  console.log('    and passes each line as a byte range (with its block as Latin-1 text) to createFlexlmDebugParser');
  console.log('    (src/flexlm-debug.ts): dates, time zones, names decoded from UTF-8, events.');
  console.log('  - "full" is the whole parse as `seatwise analyze` wires it: every event straight into createUsageAnalyser');
  console.log('    (src/analyser.ts: pairing, ordinals, peaks, seat-hours, true and retried denials, daily users), sessions');
  console.log('    and denials streamed out through onSession / onDenial, then finish(). "parse" is the parser alone into a');
  console.log('    counting consumer; "split" passes the line ranges to a target that does nothing.');
  console.log('  - Times cover the first read to the end of parsing (finish() included); process start-up is excluded.');
  console.log('    Modes alternate run by run; the fastest run of each is reported, every run time is listed above.');
  console.log('  - One core: the parse is single-threaded JavaScript; CPU/wall above 1 is V8\'s own helper threads');
  console.log('    (garbage collection, compilation) using the second core, below 1 is waiting for reads.');
  console.log('  - Peak RSS is process.resourceUsage().maxRSS of that run\'s process; "RSS before data" is the process');
  console.log('    (runtime, tsx, code) before the first read. Flat memory means the peak does not grow with the file size.');
  console.log('    "JS heap kept" is heapUsed after a forced full collection at the end (workers run with --expose-gc), with');
  console.log('    the parser and the analyser still held: what the run keeps, whatever V8 let pile up between collections.');
  if (!keep && !process.env.BENCH_PARSE_DIR) rmSync(dir, { recursive: true, force: true });
}

await main();
