/**
 * `npm run bench:parse`: generates large FlexLM debug logs and measures the full parse of each (reading,
 * UTF-8 decoding, line splitting, dates and time zones, events), next to `wc -l` and a naive regex reader on
 * the same file, with peak memory per run. A benchmark script, not a test: it prints figures and the method, and exits 0 whatever
 * the figures are.
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
import type { WorkerResult } from './parse-worker.ts';

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

function worker(file: string, mode: 'parse' | 'split' | 'naive'): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(BENCH_DIR, 'parse-worker.ts'), [file, mode, TIME_ZONE], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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
  console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${fixed(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.platform()} ${os.release()}`);
  console.log(`runtime: Node ${process.version} (V8 ${process.versions.v8})`);
  console.log(`load average before start: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  console.log(`files: ${sizes.map((s) => `${s} MB`).join(', ')} in ${dir}, seed ${seed}, time zone ${TIME_ZONE}, best of ${runs} runs`);
  console.log('');

  const rows: string[][] = [];
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
    const split: WorkerResult[] = [];
    const parse: WorkerResult[] = [];
    for (let i = 0; i < runs; i++) split.push(await worker(file, 'split'));
    for (let i = 0; i < runs; i++) parse.push(await worker(file, 'parse'));
    const n = await worker(file, 'naive');
    const s = best(split);
    const p = best(parse);
    if (p.lines !== wc.lines && p.lines !== wc.lines + 1) {
      console.log(`  warning: the parser saw ${p.lines} lines, wc -l counted ${wc.lines}`);
    }
    const seconds = p.ms / 1000;
    rows.push([
      `${size} MB`,
      fixed(mb(bytes) / (wc.ms / 1000)),
      fixed(mb(bytes) / (n.ms / 1000)),
      fixed(mb(bytes) / (s.ms / 1000)),
      fixed(mb(bytes) / seconds),
      fixed(p.events / seconds / 1e6, 2),
      fixed(p.lines / seconds / 1e6, 2),
      fixed((p.cpuUserMs + p.cpuSystemMs) / p.ms, 2),
      fixed(s.maxRssKb / 1024),
      fixed(p.maxRssKb / 1024),
      fixed(p.startRssKb / 1024),
      fixed(n.maxRssKb / 1024),
    ]);
    console.log(
      `  wc -l ${fixed(wc.ms)} ms; naive ${fixed(n.ms)} ms (${fixed(n.events)} sessions); split ${fixed(s.ms)} ms; parse ${fixed(p.ms)} ms, ${fixed(p.events)} events (${Object.entries(p.byKind)
        .map(([k, v]) => `${k} ${fixed(v)}`)
        .join(', ')}), ${p.diagnostics} diagnostics`,
    );
    for (const d of p.firstDiagnostics) console.log(`    line ${d.line}: ${d.reason}`);
    if (!keep) rmSync(file, { force: true });
  }

  const header = ['file', 'wc -l MB/s', 'naive MB/s', 'split MB/s', 'parse MB/s', 'M events/s', 'M lines/s', 'CPU/wall', 'split peak RSS MB', 'parse peak RSS MB', 'RSS before data MB', 'naive peak RSS MB'];
  // MB are 10^6 bytes.
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log('');
  console.log(format(header));
  for (const row of rows) console.log(format(row));
  console.log('');
  console.log(`target: at least ${TARGET_MB_S} MB/s on one core for the full parse, peak memory flat as the file grows`);
  console.log('');
  console.log('method:');
  console.log('  - The generator (bench/generate-flexlm-log.ts) writes a deterministic log from the seed: six vendor daemons,');
  console.log('    40 features, 6,000 users on 4,000 hosts, busy days and quiet nights, check-outs paired with check-ins,');
  console.log('    denials when a pool is full, INACTIVE and SHUTDOWN check-ins, TIMESTAMP lines, SLOG blocks, restarts.');
  console.log('  - wc -l runs after one warming run, best of two: the reference for reading the same bytes from the page cache.');
  console.log('  - "naive" is the reference the issue gives for scale, run once in its own process: node:readline, one');
  console.log('    regular expression per line and a Map of open check-outs (OUT/IN only: no dates, zones or denials).');
  console.log('  - Each parse run is a fresh Node process (parse-worker.ts, forked with the tsx loader) that reads the file');
  console.log('    in 1 MiB chunks into one reused buffer and hands them to the line splitter (src/lines.ts), which finds');
  console.log('    line ends and passes each line as a byte range to createFlexlmDebugParser (src/flexlm-debug.ts): dates,');
  console.log('    time zones, names decoded from UTF-8, events into a counting consumer. "split" passes the ranges to a');
  console.log('    target that does nothing. Times cover the first read to the end of parsing; process start-up is excluded.');
  console.log('  - One core: the parse is single-threaded JavaScript; CPU/wall above 1 is V8\'s own helper threads');
  console.log('    (garbage collection, compilation) using the second core, below 1 is waiting for reads.');
  console.log('  - Peak RSS is process.resourceUsage().maxRSS of that run\'s process; "RSS before data" is the process');
  console.log('    (runtime, tsx, code) before the first read. Flat memory means the peak does not grow with the file size.');
  console.log('  - Not included yet: pairing check-outs with check-ins and peaks (the analyser plugs into the consumer in');
  console.log('    parse-worker.ts, createConsumer).');
  if (!keep && !process.env.BENCH_PARSE_DIR) rmSync(dir, { recursive: true, force: true });
}

await main();
