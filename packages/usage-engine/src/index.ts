/** Pure parsers for license-daemon output and the usage maths (no I/O, no database). */
export * from './types.ts';
export { createLineSplitter, type LineSplitter, type LineSplitterOptions, type LineTarget } from './lines.ts';
export { createFlexlmDebugParser, type FlexlmCheckpointEvent, type FlexlmDebugParser, type FlexlmParserCheckpoint } from './flexlm-debug.ts';
export {
  createLmstatParser,
  type LmstatFeatureSnapshot,
  type LmstatParseOptions,
  type LmstatServerStatus,
  type LmstatUser,
  type LmstatVendorStatus,
} from './lmstat.ts';
export { createCsvUsageParser } from './csv-usage.ts';
export { createRlmReportParser, rlmDenialReason, type RlmReportParseOptions } from './rlm-report.ts';
export { createRlmDebugParser } from './rlm-debug.ts';
export {
  createRlmstatParser,
  type RlmstatFeatureSnapshot,
  type RlmstatParseOptions,
  type RlmstatServerStatus,
  type RlmstatUser,
  type RlmstatVendorStatus,
} from './rlmstat.ts';
export { createLmxParser, type LmxFeatureSnapshot, type LmxParseOptions, type LmxServerStatus, type LmxUser } from './lmx.ts';
export {
  createSnapshotSessionTracker,
  type CheckpointSession,
  type SnapshotSession,
  type SnapshotSessionCheckpoint,
  type SnapshotSessionTracker,
  type SnapshotSessionTrackerOptions,
  type TrackedSnapshot,
} from './snapshot-sessions.ts';
export { describeUndetected, detectFormat, explainUndetected, DETECT_SAMPLE_CHARS, FORMAT_DESCRIPTIONS, type DetectedFormat } from './detect.ts';
export {
  createUsageAnalyser,
  toAnalyzeFeature,
  type AnalyserCheckpoint,
  type AnalyserCheckpointCount,
  type AnalyserCheckpointSession,
  type AnalyserStats,
  type AnalysisResult,
  type AnalyzeFeature,
  type FeatureUsage,
  type UsageAnalyser,
  type SessionEnd,
  type UsageAnalyserOptions,
  type UsageDenial,
  type UsageSession,
} from './analyser.ts';
export { dayKey, formatIsoWithOffset } from './analyser-time.ts';
export { createFormatParser, PARSERS, SNAPSHOT_FORMATS, type FormatParseOptions } from './parsers.ts';
export { rollupUsage, type DayRollup, type HourRollup, type PersonDayRollup, type RollupDenial, type RollupSession, type RollupWindow } from './rollup.ts';
export { createZoneClock, localMs, type ZoneClock } from './local-time.ts';
export { createSeededRandom } from './seeded-random.ts';
