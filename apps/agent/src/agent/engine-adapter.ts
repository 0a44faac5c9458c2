/**
 * The one place where the agent meets the usage engine's factories by name. Everything else in the agent
 * codes against the functions here, so a parser that arrives in a later engine version is picked up here
 * and nowhere else.
 *
 * - Log parsers: createFlexlmDebugParser(options, sink, resumeFrom?) with checkpoint(); an RLM debug-log
 *   parser when the engine exports createRlmDebugParser or lists 'rlm-debug' in PARSERS (without a
 *   checkpoint, a restart starts it afresh at the saved position).
 * - Status parsers: createLmstatParser; createRlmstatParser and createLmxParser when exported (or listed in
 *   PARSERS).
 * - createSnapshotSessionTracker({ resumeFrom }): sessions from consecutive status snapshots, with push(),
 *   openSessions() and checkpoint(); taken from its module until the package index exports it (below).
 */
import * as engine from '@seatwise/usage-engine';
import {
  createFlexlmDebugParser,
  createLmstatParser,
  PARSERS,
  type LineParser,
  type LineTarget,
  type ParseOptions,
  type ParseSink,
  type UsageAnalyser,
} from '@seatwise/usage-engine';
import type { LogFormat, StatusFormat } from './config.ts';

export type AnalyserCheckpoint = ReturnType<UsageAnalyser['checkpoint']>;
export type UsageDenial = Parameters<NonNullable<engine.UsageAnalyserOptions['onDenial']>>[0];

/** A parser that can be checkpointed (a plain-JSON value) and resumed from one. */
export interface ResumableParser extends LineParser {
  lineBytes?: LineTarget['lineBytes'];
  /** Null when the engine's parser for this format cannot checkpoint: a restart then loses its date context. */
  checkpoint(): unknown;
}

type ResumableFactory = (options: ParseOptions, sink: ParseSink, resumeFrom?: unknown) => LineParser & { checkpoint?: () => unknown };
type SnapshotFactory = (options: ParseOptions & { takenAt?: number }, sink: ParseSink) => LineParser;

/** A factory the engine may or may not export in this version. */
function engineExport<T>(name: string): T | undefined {
  const value = (engine as unknown as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as T) : undefined;
}

/** The engine's own table of parsers by format (without checkpoints), for formats it names there only. */
function fromParserTable<T>(format: string): T | undefined {
  const factory = (PARSERS as Partial<Record<string, unknown>>)[format];
  return typeof factory === 'function' ? (factory as T) : undefined;
}

const LOG_PARSERS: Record<LogFormat, () => ResumableFactory | undefined> = {
  'flexlm-debug': () => createFlexlmDebugParser as unknown as ResumableFactory,
  'rlm-debug': () => engineExport<ResumableFactory>('createRlmDebugParser') ?? fromParserTable<ResumableFactory>('rlm-debug'),
};

const STATUS_PARSERS: Record<StatusFormat, () => SnapshotFactory | undefined> = {
  lmstat: () => createLmstatParser as SnapshotFactory,
  rlmstat: () => engineExport<SnapshotFactory>('createRlmstatParser') ?? fromParserTable<SnapshotFactory>('rlmstat'),
  lmx: () => engineExport<SnapshotFactory>('createLmxParser') ?? fromParserTable<SnapshotFactory>('lmx'),
};

/** True when this build's usage engine reads the log format. */
export function logFormatSupported(format: LogFormat): boolean {
  return LOG_PARSERS[format]() !== undefined;
}

/** True when this build's usage engine reads the status-command format. */
export function statusFormatSupported(format: StatusFormat): boolean {
  return STATUS_PARSERS[format]() !== undefined;
}

export class UnsupportedFormatError extends Error {}

/** A parser for a followed log, resumed from `resumeFrom` (a checkpoint of the same format) when given. */
export function createLogParser(format: LogFormat, options: ParseOptions, sink: ParseSink, resumeFrom?: unknown): ResumableParser {
  const factory = LOG_PARSERS[format]();
  if (!factory) throw new UnsupportedFormatError(`this version of the usage engine cannot read ${format} logs yet`);
  const parser = factory(options, sink, resumeFrom ?? undefined);
  const resumable: ResumableParser = {
    line: (text, lineNumber) => parser.line(text, lineNumber),
    end: () => parser.end(),
    checkpoint: () => (typeof parser.checkpoint === 'function' ? parser.checkpoint() : null),
  };
  const withBytes = parser as LineParser & { lineBytes?: LineTarget['lineBytes'] };
  if (typeof withBytes.lineBytes === 'function') resumable.lineBytes = withBytes.lineBytes.bind(parser);
  return resumable;
}

/** A parser for one output of a status command taken at `takenAt` (epoch ms). */
export function createStatusParser(format: StatusFormat, options: ParseOptions & { takenAt: number }, sink: ParseSink): LineParser {
  const factory = STATUS_PARSERS[format]();
  if (!factory) throw new UnsupportedFormatError(`this version of the usage engine cannot read ${format} output yet`);
  return factory(options, sink);
}

// ---------------------------------------------------------------------------------------------------
// Sessions from snapshots: the engine's tracker. The package index does not export it yet, so it comes from
// its module until it does; then this becomes an import from '@seatwise/usage-engine' like the rest.

export {
  createSnapshotSessionTracker,
  type SnapshotSession,
  type SnapshotSessionCheckpoint,
  type SnapshotSessionTracker,
} from '../../../../packages/usage-engine/src/snapshot-sessions.ts';
