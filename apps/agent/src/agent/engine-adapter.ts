/**
 * Where the agent meets the usage engine's parsers: log parsers that checkpoint and resume (the FlexLM parser
 * carries its date context across a restart; the RLM debug parser has no checkpoint yet, so after a restart
 * it starts afresh at the saved position), and status parsers dated by when the command ran.
 */
import {
  createFlexlmDebugParser,
  PARSERS,
  type LineParser,
  type LineTarget,
  type ParseOptions,
  type ParseSink,
} from '@seatwise/usage-engine';
import type { LogFormat, StatusFormat } from './config.ts';

export type { AnalyserCheckpoint, UsageDenial } from '@seatwise/usage-engine';

/** A parser that can be checkpointed (a plain-JSON value) and resumed from one. */
export interface ResumableParser extends LineParser {
  lineBytes?: LineTarget['lineBytes'];
  /** Null when the engine's parser for this format cannot checkpoint: a restart then loses its date context. */
  checkpoint(): unknown;
}

type ResumableFactory = (options: ParseOptions, sink: ParseSink, resumeFrom?: unknown) => LineParser & { checkpoint?: () => unknown };
const LOG_PARSERS: Record<LogFormat, ResumableFactory> = {
  'flexlm-debug': createFlexlmDebugParser as unknown as ResumableFactory,
  'rlm-debug': PARSERS['rlm-debug'],
};

/** A parser for a followed log, resumed from `resumeFrom` (a checkpoint of the same format) when given. */
export function createLogParser(format: LogFormat, options: ParseOptions, sink: ParseSink, resumeFrom?: unknown): ResumableParser {
  const parser = LOG_PARSERS[format](options, sink, resumeFrom ?? undefined);
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
  return PARSERS[format](options, sink);
}

export {
  createSnapshotSessionTracker,
  type SnapshotSession,
  type SnapshotSessionCheckpoint,
  type SnapshotSessionTracker,
} from '@seatwise/usage-engine';
