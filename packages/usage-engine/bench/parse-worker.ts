/**
 * One measured run of `npm run bench:parse`, in its own process so that peak memory (maxRSS) belongs to this
 * run alone. Reads FILE in 1 MiB chunks with plain reads into one reused buffer and hands them to the line
 * splitter. Modes:
 *   full   the whole parse as `seatwise analyze` wires it (apps/agent/src/analyze.ts): the FlexLM debug parser's
 *          events go straight into createUsageAnalyser (dates, time zone, pairing, peaks, seat-hours, denials,
 *          daily users), sessions and denials stream out through onSession / onDenial, and finish() gives the
 *          per-feature results;
 *   parse  the parser alone, into a counting consumer;
 *   split  lines go nowhere (what reading and finding line ends cost on their own);
 *   naive  the reference the brief gives for scale: node:readline, one regular expression per line and a Map of
 *          open check-outs (no dates, no time zones, no denials).
 *
 *   tsx parse-worker.ts FILE full|parse|split|naive [TIME_ZONE]
 *
 * Prints one JSON line (WorkerResult) on stdout and sends it over IPC when forked.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createUsageAnalyser } from '../src/analyser.ts';
import { createFlexlmDebugParser } from '../src/flexlm-debug.ts';
import { createLineSplitter } from '../src/lines.ts';
import type { Diagnostic, ParseSink, UsageEvent } from '../src/types.ts';

export type Mode = 'full' | 'parse' | 'split' | 'naive';

export interface WorkerResult {
  mode: Mode;
  bytes: number;
  lines: number;
  events: number;
  byKind: Record<string, number>;
  /** full: sessions and denials streamed out, features in the result, peak of the busiest feature. */
  sessions?: number;
  denials?: number;
  features?: number;
  busiestPeak?: number;
  diagnostics: number;
  firstDiagnostics: Diagnostic[];
  /** Wall time from the first read to the end of parsing (ms). */
  ms: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Peak resident set size of this process (kB, process.resourceUsage().maxRSS). */
  maxRssKb: number;
  /** Resident set size when reading began (kB): the runtime and the code, before any data. */
  startRssKb: number;
  /**
   * JS heap in use after a full garbage collection at the end (kB), with the parser and the analyser still
   * held: what the run keeps, as opposed to what V8 let pile up between collections. Needs --expose-gc.
   */
  liveHeapKb?: number;
  /** full: the analyser's state sizes at the end, before finish(). */
  analyserStats?: Record<string, number>;
}

/** Counts what the parser emits, by kind. */
function createCounter(byKind: Record<string, number>, firstDiagnostics: Diagnostic[]) {
  let checkouts = 0;
  let checkins = 0;
  let denials = 0;
  const counter = {
    diagnostics: 0,
    count(event: UsageEvent): void {
      if (event.kind === 'checkout') checkouts++;
      else if (event.kind === 'checkin') checkins++;
      else if (event.kind === 'denied') denials++;
      else byKind[event.kind] = (byKind[event.kind] ?? 0) + 1;
    },
    end(): void {
      byKind.checkout = checkouts;
      byKind.checkin = checkins;
      byKind.denied = denials;
    },
    diagnostic(diagnostic: Diagnostic): void {
      counter.diagnostics++;
      if (firstDiagnostics.length < 5) firstDiagnostics.push(diagnostic);
    },
  };
  return counter;
}

function run(file: string, mode: 'full' | 'parse' | 'split', timeZone: string): WorkerResult {
  const byKind: Record<string, number> = {};
  const firstDiagnostics: Diagnostic[] = [];
  const counter = createCounter(byKind, firstDiagnostics);
  let sessions = 0;
  let denials = 0;
  const analyser =
    mode === 'full'
      ? createUsageAnalyser({
          timeZone,
          onSession: () => {
            sessions++;
          },
          onDenial: () => {
            denials++;
          },
          onDiagnostic: (d) => counter.diagnostic(d),
        })
      : null;
  let events = 0;
  // As analyzeFile wires it: every event straight into the analyser.
  const sink: ParseSink =
    analyser !== null
      ? {
          event: (event) => {
            events++;
            analyser.push(event);
          },
          diagnostic: (d) => counter.diagnostic(d),
        }
      : { event: (event) => counter.count(event), diagnostic: (d) => counter.diagnostic(d) };
  const parser = mode === 'split' ? null : createFlexlmDebugParser({ timeZone }, sink);
  // "split" hands line ranges to a target that does nothing with them, as the parser takes them.
  const target = parser ?? {
    line(): void {},
    lineBytes(): void {},
  };
  const splitter = createLineSplitter(target, { diagnostic: (d) => counter.diagnostic(d) });

  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  const startRssKb = Math.round(process.memoryUsage.rss() / 1024);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let bytes = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) break;
    bytes += n;
    splitter.push(n === buffer.length ? buffer : buffer.subarray(0, n));
  }
  splitter.end();
  parser?.end();
  const analyserStats = analyser?.stats();
  const result = analyser?.finish();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  closeSync(fd);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const liveHeapKb = gc ? Math.round(process.memoryUsage().heapUsed / 1024) : undefined;
  // Keep parser and analyser reachable until the heap was measured.
  if (parser === null && analyser !== null) throw new Error('unreachable');
  counter.end();
  const full = result !== undefined;
  return {
    mode,
    bytes,
    lines: splitter.lineCount,
    events: full ? events : Object.values(byKind).reduce((a, b) => a + b, 0),
    byKind: full ? {} : byKind,
    ...(full
      ? {
          sessions,
          denials,
          features: result.features.length,
          busiestPeak: Math.max(0, ...result.features.map((f) => f.peak)),
        }
      : {}),
    diagnostics: counter.diagnostics,
    firstDiagnostics,
    ms,
    cpuUserMs: used.user / 1000,
    cpuSystemMs: used.system / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    startRssKb,
    ...(liveHeapKb !== undefined ? { liveHeapKb } : {}),
    ...(analyserStats ? { analyserStats: { ...analyserStats } } : {}),
  };
}

/** The naive reader: readline, one regex, a Map of open check-outs; counts paired sessions. */
async function naive(file: string): Promise<WorkerResult> {
  const pattern = /^\s*(\d+):(\d+):(\d+) \((\S+)\) (OUT|IN): "([^"]+)" (\S+)@(\S+)/;
  const open = new Map<string, number>();
  let sessions = 0;
  let lines = 0;
  const startRssKb = Math.round(process.memoryUsage.rss() / 1024);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const input = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of input) {
    lines++;
    const m = pattern.exec(line);
    if (m === null) continue;
    const key = `${m[4]}|${m[6]}|${m[7]}|${m[8]}`;
    const count = open.get(key) ?? 0;
    if (m[5] === 'OUT') open.set(key, count + 1);
    else if (count > 0) {
      sessions++;
      if (count === 1) open.delete(key);
      else open.set(key, count - 1);
    }
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    mode: 'naive',
    bytes: statSync(file).size,
    lines,
    events: sessions,
    byKind: { sessions },
    diagnostics: 0,
    firstDiagnostics: [],
    ms,
    cpuUserMs: used.user / 1000,
    cpuSystemMs: used.system / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    startRssKb,
  };
}

const [file, mode, timeZone] = process.argv.slice(2);
if (file === undefined || (mode !== 'full' && mode !== 'parse' && mode !== 'split' && mode !== 'naive')) {
  console.error('usage: parse-worker.ts FILE full|parse|split|naive [TIME_ZONE]');
  process.exit(2);
}
const result = mode === 'naive' ? await naive(file) : run(file, mode, timeZone ?? 'Europe/Madrid');
if (process.send) process.send(result);
else console.log(JSON.stringify(result));
