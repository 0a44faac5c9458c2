/**
 * Per-source state files in the state folder (sources/<id>.json): where a followed log was read up to and
 * the engine checkpoints that go with that position, or a status command's tracker; plus the last error,
 * for `seatwise-agent status`. Written durably, and for a log only after the batches covering the lines up
 * to that position are durably spooled.
 */
import path from 'node:path';
import { ensureDir, readJson, writeJsonDurably } from './durable.ts';
import type { AnalyserCheckpoint, SnapshotSessionCheckpoint } from './engine-adapter.ts';

/** What identifies a file across renames, copies and truncations. */
export interface FileFingerprint {
  dev: number;
  ino: number;
  /** How many first bytes of the file `head` covers (up to FINGERPRINT_BYTES, never more than was read). */
  headLength: number;
  /** SHA-256 (hex) of those first bytes. */
  head: string;
}

export interface SourceProblem {
  at: string;
  message: string;
}

export interface LogSourceState {
  version: 1;
  kind: 'log';
  path: string;
  /** The file being read; null before anything was read. */
  file: FileFingerprint | null;
  /** Bytes of `file` read and accounted for (always at the end of a line). */
  offset: number;
  /** Lines of `file` read. */
  fileLine: number;
  /** Lines read over every file of this source (numbers lines on across rotations). */
  line: number;
  parser: unknown;
  analyser: AnalyserCheckpoint | null;
  /** Size of the file at the last look (so that status can show how far behind reading is). */
  sizeSeen: number;
  lastReadAt: string | null;
  diagnostics: number;
  lastDiagnostic: { line: number; reason: string } | null;
  droppedItems: number;
  rotations: number;
  lastError: SourceProblem | null;
}

export interface CommandSourceState {
  version: 1;
  kind: 'command';
  argv: string[];
  tracker: SnapshotSessionCheckpoint | null;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastSnapshots: number;
  diagnostics: number;
  lastDiagnostic: { line: number; reason: string } | null;
  droppedItems: number;
  lastError: SourceProblem | null;
}

export type SourceState = LogSourceState | CommandSourceState;

export const SOURCES_DIR = 'sources';

export function sourceStateFile(stateDir: string, id: string): string {
  return path.join(stateDir, SOURCES_DIR, `${id}.json`);
}

export function newLogState(logPath: string): LogSourceState {
  return {
    version: 1,
    kind: 'log',
    path: logPath,
    file: null,
    offset: 0,
    fileLine: 0,
    line: 0,
    parser: null,
    analyser: null,
    sizeSeen: 0,
    lastReadAt: null,
    diagnostics: 0,
    lastDiagnostic: null,
    droppedItems: 0,
    rotations: 0,
    lastError: null,
  };
}

export function newCommandState(argv: string[]): CommandSourceState {
  return {
    version: 1,
    kind: 'command',
    argv,
    tracker: null,
    lastRunAt: null,
    lastSuccessAt: null,
    lastSnapshots: 0,
    diagnostics: 0,
    lastDiagnostic: null,
    droppedItems: 0,
    lastError: null,
  };
}

/** Creates the folder of the source state files. */
export function ensureSourcesDir(stateDir: string): Promise<void> {
  return ensureDir(path.join(stateDir, SOURCES_DIR));
}

export async function readSourceState<T extends SourceState>(stateDir: string, id: string): Promise<T | undefined> {
  const state = await readJson<T>(sourceStateFile(stateDir, id));
  return state && state.version === 1 ? state : undefined;
}

export function writeSourceState(stateDir: string, id: string, state: SourceState): Promise<void> {
  return writeJsonDurably(sourceStateFile(stateDir, id), state);
}
