import { describe, expect, it } from 'vitest';
import { addRateSample, initialProgress, RATE_WINDOW_MS, secondsLeft, transferRate, viewProgress, type UploadProgressState } from './progress.ts';

const MB = 1_000_000;

function state(change: Partial<UploadProgressState>): UploadProgressState {
  return { ...initialProgress(260 * MB), stage: 'transfer', ...change };
}

describe('viewProgress', () => {
  it('while preparing, the bar is indeterminate', () => {
    expect(viewProgress(initialProgress(260 * MB))).toMatchObject({ phase: 'preparing', fraction: null, phaseText: 'Preparing the upload…' });
  });

  it('while sending: the share sent, bytes of the total and the lines the server has read', () => {
    const view = viewProgress(state({ sent: 117 * MB, serverBytes: 110 * MB, lines: 1234, serverPhase: 'parsing' }));
    expect(view.phase).toBe('sending');
    expect(view.fraction).toBeCloseTo(0.45);
    expect(view.detail).toBe('Sending and reading: 45 % (117 MB of 260 MB, 1,234 lines)');
    expect(view.phaseText).toBe('Sending and reading the file…');
  });

  it('never shows 100 % before everything is sent', () => {
    expect(viewProgress(state({ sent: 259.9 * MB })).detail).toContain('99 %');
  });

  it('with a known speed, says how fast and how long is left', () => {
    expect(viewProgress(state({ sent: 200 * MB, bytesPerSecond: 10 * MB })).speed).toBe('10 MB/s, about 6 seconds left');
    expect(viewProgress(state({ sent: 200 * MB, bytesPerSecond: null })).speed).toBeNull();
  });

  it('everything sent and a report since then says the server still reads: the share it has read', () => {
    const view = viewProgress(state({ sent: 260 * MB, serverBytes: 247 * MB, lines: 2_000_000, serverPhase: 'parsing', reportAfterSending: true }));
    expect(view).toMatchObject({ phase: 'reading', phaseText: 'Reading the end of the file…', detail: 'Reading: 95 % (2,000,000 lines)' });
    expect(view.fraction).toBeCloseTo(0.95);
  });

  it('everything sent, with only reports from before: storing (a report from while bytes arrived lags behind)', () => {
    expect(viewProgress(state({ sent: 260 * MB, serverBytes: 200 * MB, serverPhase: 'parsing', reportAfterSending: false })).phase).toBe('storing');
  });

  it('storing is indeterminate, whether the server said so or everything has been read', () => {
    const told = viewProgress(state({ sent: 260 * MB, serverBytes: 260 * MB, lines: 10, serverPhase: 'storing' }));
    expect(told).toMatchObject({ phase: 'storing', fraction: null, phaseText: 'Storing…', detail: 'Storing what was read from 10 lines…' });
    expect(viewProgress(state({ sent: 260 * MB, serverBytes: 260 * MB, serverPhase: 'parsing', reportAfterSending: true })).phase).toBe('storing');
    // A report of "storing" wins even when the browser has not seen its last progress event yet.
    expect(viewProgress(state({ sent: 259 * MB, serverPhase: 'storing' })).phase).toBe('storing');
  });

  it('the phase text changes only with the phase (it is announced), while the detail follows every byte', () => {
    const early = viewProgress(state({ sent: 10 * MB }));
    const later = viewProgress(state({ sent: 20 * MB }));
    expect(later.phaseText).toBe(early.phaseText);
    expect(later.detail).not.toBe(early.detail);
  });
});

describe('transfer rate', () => {
  it('is unknown until the samples span a second, then bytes per second over the window', () => {
    let samples = addRateSample([], { at: 0, bytes: 0 });
    samples = addRateSample(samples, { at: 500, bytes: 4 * MB });
    expect(transferRate(samples)).toBeNull();
    samples = addRateSample(samples, { at: 2000, bytes: 10 * MB });
    expect(transferRate(samples)).toBe(5 * MB);
  });

  it('forgets samples older than the window, so the speed follows a changing line', () => {
    let samples = addRateSample([], { at: 0, bytes: 0 });
    samples = addRateSample(samples, { at: 1000, bytes: 100 * MB }); // a fast start
    for (let second = 2; second <= 12; second++) samples = addRateSample(samples, { at: second * 1000, bytes: 100 * MB + (second - 1) * MB });
    expect(samples[0]?.at).toBe(12_000 - RATE_WINDOW_MS);
    expect(transferRate(samples)).toBe(1 * MB);
  });

  it('secondsLeft divides what is left by the speed; unknown without a speed', () => {
    expect(secondsLeft(2 * MB, 60 * MB, 100 * MB)).toBe(20);
    expect(secondsLeft(null, 0, 100)).toBeNull();
    expect(secondsLeft(0, 0, 100)).toBeNull();
  });
});
