/**
 * The progress of one upload in numbers and words. The browser knows how many bytes it has sent; the
 * server, asked every second, knows how many bytes and lines it has read and whether it is storing yet.
 * The server reads while the bytes arrive, so "sending" and "reading" are one step for the person.
 */
import { formatBytes, formatCount, formatPercent } from '../format.ts';
import { formatWait } from '../time.ts';

export interface UploadProgressState {
  /** Preparing: creating the upload and checking the session; transfer: the body is on its way. */
  stage: 'preparing' | 'transfer';
  /** Bytes in the file. */
  total: number;
  /** Bytes the browser has sent. */
  sent: number;
  /** Bytes the server has read (from its progress report). */
  serverBytes: number;
  /** Lines the server has read. */
  lines: number;
  /** What the server reports doing: reading the file, then storing what it found. */
  serverPhase: 'parsing' | 'storing' | null;
  /**
   * True when the server's report came after the last byte was sent. Until then it only says how far the
   * server was while bytes still arrived (and on the embedded database a report may not come at all while
   * the server stores, which holds the database).
   */
  reportAfterSending: boolean;
  /** Sending speed over the last few seconds, when known. */
  bytesPerSecond: number | null;
}

export type ProgressPhase = 'preparing' | 'sending' | 'reading' | 'storing';

export interface ProgressView {
  phase: ProgressPhase;
  /** 0–1; null when how much is left cannot be known (the bar is then indeterminate). */
  fraction: number | null;
  /** The phase in a few words, for the polite live region: it changes only when the phase does. */
  phaseText: string;
  /** The line under the bar: percentage, bytes and lines. */
  detail: string;
  /** Speed and time left, when known. */
  speed: string | null;
}

/** The state before anything is sent. */
export function initialProgress(total: number): UploadProgressState {
  return { stage: 'preparing', total, sent: 0, serverBytes: 0, lines: 0, serverPhase: null, reportAfterSending: false, bytesPerSecond: null };
}

const PHASE_TEXT: Readonly<Record<ProgressPhase, string>> = {
  preparing: 'Preparing the upload…',
  sending: 'Sending and reading the file…',
  reading: 'Reading the end of the file…',
  storing: 'Storing…',
};

/** Rounded down, so 99.7 % never shows as 100 % before the end. */
function percentDone(fraction: number): string {
  return formatPercent(Math.floor(Math.min(1, Math.max(0, fraction)) * 100) / 100);
}

/** Which phase an upload is in, and the bar and words for it. */
export function viewProgress(state: UploadProgressState): ProgressView {
  const lines = formatCount(state.lines, 'line');
  const phase = progressPhase(state);
  if (phase === 'preparing' || phase === 'storing') {
    const detail = phase === 'storing' ? `Storing what was read from ${lines}…` : PHASE_TEXT.preparing;
    return { phase, fraction: null, phaseText: PHASE_TEXT[phase], detail, speed: null };
  }
  if (phase === 'sending') {
    const fraction = state.total > 0 ? state.sent / state.total : 1;
    const detail = `Sending and reading: ${percentDone(fraction)} (${formatBytes(state.sent)} of ${formatBytes(state.total)}, ${lines})`;
    return { phase, fraction, phaseText: PHASE_TEXT.sending, detail, speed: speedText(state) };
  }
  const fraction = state.total > 0 ? Math.min(1, state.serverBytes / state.total) : 1;
  return { phase, fraction, phaseText: PHASE_TEXT.reading, detail: `Reading: ${percentDone(fraction)} (${lines})`, speed: null };
}

function progressPhase(state: UploadProgressState): ProgressPhase {
  if (state.stage === 'preparing') return 'preparing';
  if (state.serverPhase === 'storing') return 'storing';
  if (state.sent < state.total) return 'sending';
  // Everything is sent. The server reads as the bytes arrive, so little is left to read: unless a report
  // since then says it is still reading, it is storing.
  return state.reportAfterSending && state.serverPhase === 'parsing' && state.serverBytes < state.total ? 'reading' : 'storing';
}

function speedText(state: UploadProgressState): string | null {
  const left = secondsLeft(state.bytesPerSecond, state.sent, state.total);
  if (state.bytesPerSecond === null || left === null) return null;
  return `${formatBytes(state.bytesPerSecond)}/s, about ${formatWait(left)} left`;
}

/** Seconds until `total` bytes are sent at `bytesPerSecond`; null when the speed is not known (or zero). */
export function secondsLeft(bytesPerSecond: number | null, sent: number, total: number): number | null {
  if (bytesPerSecond === null || !(bytesPerSecond > 0)) return null;
  return Math.max(0, total - sent) / bytesPerSecond;
}

export interface RateSample {
  /** Milliseconds (any steady clock). */
  at: number;
  /** Bytes sent by then. */
  bytes: number;
}

/** How far back the speed looks: long enough to smooth bursts, short enough to follow a changing line. */
export const RATE_WINDOW_MS = 5000;
/** The speed is shown once samples span at least this long (the first bursts fill buffers, not the line). */
export const RATE_MIN_SPAN_MS = 1000;

/** The samples to keep after adding one: those inside the window before it (and the one just outside, as the window's start). */
export function addRateSample(samples: readonly RateSample[], sample: RateSample, windowMs = RATE_WINDOW_MS): RateSample[] {
  const kept = [...samples, sample];
  let start = 0;
  while (start + 1 < kept.length && sample.at - (kept[start + 1] as RateSample).at >= windowMs) start++;
  return kept.slice(start);
}

/** Bytes per second over the samples; null until they span RATE_MIN_SPAN_MS. */
export function transferRate(samples: readonly RateSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at - first.at < RATE_MIN_SPAN_MS) return null;
  return Math.max(0, last.bytes - first.bytes) / ((last.at - first.at) / 1000);
}
