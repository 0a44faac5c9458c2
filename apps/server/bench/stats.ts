import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Distribution of a sample, in the sample's unit. */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles over every value (no histogram buckets, so no rounding to whole milliseconds). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { count: 0, mean: Number.NaN, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (percent: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1))]!;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { count: sorted.length, mean: sum / sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1]! };
}

/** Cumulative busy and total CPU time of the whole machine, every core (ms). */
export interface MachineCpu {
  busy: number;
  total: number;
}

/** Reads the machine's cumulative CPU times; the share busy between two readings is the load of every process. */
export function machineCpu(): MachineCpu {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

/** Share of the machine's CPU capacity in use between two readings (0–1). */
export function busyShare(from: MachineCpu, to: MachineCpu): number {
  const total = to.total - from.total;
  return total > 0 ? (to.busy - from.busy) / total : Number.NaN;
}

/**
 * CPU time (ms) used so far by the given local processes named `postgres`, read from /proc; processes
 * that are gone or are something else count nothing. Linux only.
 */
export function postgresCpuMs(pids: readonly number[], ticksPerSecond = 100): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name start at field 3 (state); utime and stime are 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Ended, or not visible.
    }
  }
  return (ticks * 1000) / ticksPerSecond;
}
