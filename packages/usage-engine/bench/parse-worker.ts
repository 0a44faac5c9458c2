/**
 * One measured run of `npm run bench:parse`, in its own process so that peak memory (maxRSS) belongs to this
 * run alone. Reads FILE in 1 MiB chunks with plain reads into one reused buffer and hands them to the line
 * splitter; in "parse" mode the lines go through the FlexLM debug parser into a counting consumer, in
 * "split" mode they go nowhere (what reading and finding line ends cost on their own). "naive" mode is the
 * reference the issue gives for scale: node:readline, one regular expression per line and a Map of open
 * check-outs (no dates, no time zones, no denials).
 *
 *   tsx parse-worker.ts FILE parse|split|naive TIME_ZONE
 *
 * Prints one JSON line (WorkerResult) on stdout and sends it over IPC when forked.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createFlexlmDebugParser } from '../src/flexlm-debug.ts';
import { createLineSplitter } from '../src/lines.ts';
import type { Diagnostic, ParseSink, UsageEvent } from '../src/types.ts';

type Mode = 'parse' | 'split' | 'naive';

export interface WorkerResult {
  mode: Mode;
  bytes: number;
  lines: number;
  events: number;
  byKind: Record<string, number>;
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
}

/**
 * What receives the parser's output. Counting only, for now: this is where the pairing / peaks analyser
 * plugs in (wrap or replace this sink) so that the benchmark measures the full parse.
 */
function createConsumer(byKind: Record<string, number>, firstDiagnostics: Diagnostic[]): ParseSink & { diagnostics: number; end(): void } {
  let checkouts = 0;
  let checkins = 0;
  let denials = 0;
  let others = 0;
  const consumer = {
    diagnostics: 0,
    event(event: UsageEvent): void {
      if (event.kind === 'checkout') checkouts++;
      else if (event.kind === 'checkin') checkins++;
      else if (event.kind === 'denied') denials++;
      else {
        others++;
        byKind[event.kind] = (byKind[event.kind] ?? 0) + 1;
      }
    },
    end(): void {
      byKind.checkout = checkouts;
      byKind.checkin = checkins;
      byKind.denied = denials;
      if (others === 0) delete byKind.other;
    },
    diagnostic(diagnostic: Diagnostic): void {
      consumer.diagnostics++;
      if (firstDiagnostics.length < 5) firstDiagnostics.push(diagnostic);
    },
  };
  return consumer;
}

function run(file: string, mode: 'parse' | 'split', timeZone: string): WorkerResult {
  const byKind: Record<string, number> = {};
  const firstDiagnostics: Diagnostic[] = [];
  const consumer = createConsumer(byKind, firstDiagnostics);
  const parser = mode === 'parse' ? createFlexlmDebugParser({ timeZone }, consumer) : null;
  // "split" hands line ranges to a target that does nothing with them, as the parser takes them.
  const target = parser ?? {
    line(): void {},
    lineBytes(): void {},
  };
  const splitter = createLineSplitter(target, { diagnostic: (d) => consumer.diagnostic(d) });

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
  consumer.end();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  closeSync(fd);
  const events = Object.values(byKind).reduce((a, b) => a + b, 0);
  return {
    mode,
    bytes,
    lines: splitter.lineCount,
    events,
    byKind,
    diagnostics: consumer.diagnostics,
    firstDiagnostics,
    ms,
    cpuUserMs: used.user / 1000,
    cpuSystemMs: used.system / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    startRssKb,
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
if (file === undefined || (mode !== 'parse' && mode !== 'split' && mode !== 'naive')) {
  console.error('usage: parse-worker.ts FILE parse|split|naive [TIME_ZONE]');
  process.exit(2);
}
const result = mode === 'naive' ? await naive(file) : run(file, mode, timeZone ?? 'Europe/Madrid');
if (process.send) process.send(result);
else console.log(JSON.stringify(result));
