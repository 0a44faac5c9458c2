import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import {
  createLineSplitter,
  createUsageAnalyser,
  explainUndetected,
  detectFormat,
  DETECT_SAMPLE_CHARS,
  PARSERS,
  type FormatParseOptions,
  formatIsoWithOffset,
  toAnalyzeFeature,
  type AnalyzeFeature,
  type Diagnostic,
  type FeatureSnapshot,
  type UsageFormat,
} from '@seatwise/usage-engine';

/** At most this many diagnostics are kept (a file of garbage would otherwise list every line); the rest are counted. */
export const MAX_LISTED_DIAGNOSTICS = 10_000;

export interface AnalyzeOptions {
  timeZone: string;
  startDate?: string | undefined;
}

/** The result of `seatwise analyze --json`, exactly. */
export interface AnalyzeReport {
  format: UsageFormat;
  lines: number;
  diagnostics: Diagnostic[];
  features: AnalyzeFeature[];
}

/** The report and how many diagnostics there were in all (the report lists at most MAX_LISTED_DIAGNOSTICS). */
export interface AnalyzeOutcome {
  report: AnalyzeReport;
  diagnosticCount: number;
}

export class AnalyzeError extends Error {}

async function readSample(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(DETECT_SAMPLE_CHARS * 2);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return new TextDecoder('utf-8', { fatal: false }).decode(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** Snapshots (status commands): the peak is the highest in-use total, and the users seen count per day. */
function createSnapshotAggregate(timeZone: string) {
  const features = new Map<string, AnalyzeFeature & { users: Map<string, Set<string>>; lastInUse: number }>();
  return {
    push(snapshot: FeatureSnapshot) {
      const key = `${snapshot.vendor}\u0000${snapshot.feature}`;
      let entry = features.get(key);
      if (!entry) {
        entry = { feature: snapshot.feature, vendor: snapshot.vendor, peak: 0, peakAt: null, sessions: 0, seatHours: 0, denials: 0, retriedDenials: 0, openAtEnd: 0, dailyUsers: {}, users: new Map(), lastInUse: 0 };
        features.set(key, entry);
      }
      if (snapshot.inUse > entry.peak) {
        entry.peak = snapshot.inUse;
        entry.peakAt = formatIsoWithOffset(snapshot.at, timeZone);
      }
      entry.lastInUse = snapshot.inUse;
      const day = formatIsoWithOffset(snapshot.at, timeZone).slice(0, 10);
      const seen = entry.users.get(day) ?? new Set<string>();
      for (const user of snapshot.users) seen.add(user.user.toLowerCase());
      entry.users.set(day, seen);
    },
    finish(): AnalyzeFeature[] {
      return [...features.values()]
        .map(({ users, lastInUse, ...feature }) => ({
          ...feature,
          openAtEnd: lastInUse,
          dailyUsers: Object.fromEntries([...users].sort(([a], [b]) => a.localeCompare(b)).map(([day, set]) => [day, set.size])),
        }))
        .sort((a, b) => a.vendor.localeCompare(b.vendor) || a.feature.localeCompare(b.feature));
    },
  };
}

/**
 * Parses one file with the usage engine: detects its format from content, streams it through the parser
 * and the analyser, and returns the per-feature figures and the diagnostics. No server, no database.
 */
export async function analyzeFile(file: string, options: AnalyzeOptions): Promise<AnalyzeOutcome> {
  const sample = await readSample(file);
  const detected = detectFormat(sample);
  if (!detected) {
    throw new AnalyzeError(`${file} is not a license log Seatwise can read. ${explainUndetected(sample)}`);
  }
  const createParser = PARSERS[detected.format];
  const parseOptions: FormatParseOptions = { timeZone: options.timeZone, ...(options.startDate ? { startDate: options.startDate } : {}) };
  if (detected.format === 'rlmstat' || detected.format === 'lmx') parseOptions.fallbackTakenAt = (await stat(file)).mtimeMs;

  const diagnostics: Diagnostic[] = [];
  let diagnosticCount = 0;
  const diagnostic = (entry: Diagnostic) => {
    diagnosticCount += 1;
    if (diagnostics.length < MAX_LISTED_DIAGNOSTICS) diagnostics.push(entry);
  };
  const analyser = createUsageAnalyser({ timeZone: options.timeZone, onDiagnostic: diagnostic });
  const snapshots = createSnapshotAggregate(options.timeZone);
  let parser: ReturnType<typeof createParser>;
  try {
    parser = createParser(parseOptions, { event: (event) => analyser.push(event), snapshot: (snapshot) => snapshots.push(snapshot), diagnostic });
  } catch (error) {
    throw new AnalyzeError(error instanceof RangeError ? error.message : String(error));
  }
  const splitter = createLineSplitter(parser, { diagnostic });
  for await (const chunk of createReadStream(file)) splitter.push(chunk as Buffer);
  splitter.end();
  parser.end();
  const events = analyser.finish().features.map(toAnalyzeFeature);
  const fromSnapshots = snapshots.finish();
  return {
    report: { format: detected.format, lines: splitter.lineCount, diagnostics, features: [...events, ...fromSnapshots] },
    diagnosticCount,
  };
}
