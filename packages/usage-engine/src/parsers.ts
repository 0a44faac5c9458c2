import { createCsvUsageParser } from './csv-usage.ts';
import { createFlexlmDebugParser } from './flexlm-debug.ts';
import { createLmstatParser } from './lmstat.ts';
import { createLmxParser } from './lmx.ts';
import { createRlmDebugParser } from './rlm-debug.ts';
import { createRlmReportParser } from './rlm-report.ts';
import { createRlmstatParser } from './rlmstat.ts';
import type { LineParser, ParseOptions, ParseSink, UsageFormat } from './types.ts';

/**
 * Options for any format. Status output that prints no time of its own (lmxendutil always, rlmstat without
 * its statistics lines) is dated `fallbackTakenAt` (epoch ms): when the output was saved or received.
 */
export type FormatParseOptions = ParseOptions & { fallbackTakenAt?: number };

/** The parser of each format: one table, used by the CLI, the server and the agent. */
export const PARSERS: Readonly<Record<UsageFormat, (options: FormatParseOptions, sink: ParseSink) => LineParser>> = {
  'flexlm-debug': (options, sink) => createFlexlmDebugParser(options, sink),
  lmstat: createLmstatParser,
  'rlm-report': createRlmReportParser,
  'rlm-debug': createRlmDebugParser,
  rlmstat: createRlmstatParser,
  lmx: createLmxParser,
  csv: createCsvUsageParser,
};

/** Formats that report status snapshots (totals and who holds a seat) rather than check-out events. */
export const SNAPSHOT_FORMATS: ReadonlySet<UsageFormat> = new Set<UsageFormat>(['lmstat', 'rlmstat', 'lmx']);

/** A parser for the format. */
export function createFormatParser(format: UsageFormat, options: FormatParseOptions, sink: ParseSink): LineParser {
  return PARSERS[format](options, sink);
}
