import { createCsvUsageParser } from './csv-usage.ts';
import { createFlexlmDebugParser } from './flexlm-debug.ts';
import { createLmstatParser } from './lmstat.ts';
import type { LineParser, ParseOptions, ParseSink, UsageFormat } from './types.ts';

/** The parser of each format that this version reads; one table, used by the CLI, the server and the agent. */
export const PARSERS: Partial<Record<UsageFormat, (options: ParseOptions, sink: ParseSink) => LineParser>> = {
  'flexlm-debug': (options, sink) => createFlexlmDebugParser(options, sink),
  lmstat: createLmstatParser,
  csv: createCsvUsageParser,
};

/** Formats that report status snapshots (totals and who holds a seat) rather than check-out events. */
export const SNAPSHOT_FORMATS: ReadonlySet<UsageFormat> = new Set<UsageFormat>(['lmstat', 'rlmstat', 'lmx']);

/** A parser for the format, or undefined when this version cannot read it. */
export function createFormatParser(format: UsageFormat, options: ParseOptions, sink: ParseSink): LineParser | undefined {
  return PARSERS[format]?.(options, sink);
}
