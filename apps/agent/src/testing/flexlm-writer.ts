/**
 * Test helpers: FlexLM debug-log lines in the real format (as lmgrd and a vendor daemon write them), with
 * check-outs, check-ins, multi-seat check-outs, identical check-outs in one second, retried and true
 * denials; and what one uninterrupted read of those lines gives through the usage engine, to compare an
 * agent's output with.
 */
import { createFlexlmDebugParser, createLineSplitter, createUsageAnalyser, type UsageSession } from '@seatwise/usage-engine';
import type { UsageDenial } from '../agent/engine-adapter.ts';

const USERS = ['ana.lima@ws-17', 'bo.chen@ws-22', 'c.okafor@lab-3', 'd.ruiz@ws-40', 'e.nowak@ws-41'];
const FEATURES = ['MATLAB', 'Simulink', 'Signal_Toolbox'];

/** A small deterministic random number generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clock = (second: number) => {
  const h = Math.floor(second / 3600);
  const m = Math.floor((second % 3600) / 60);
  const s = second % 60;
  return `${String(h).padStart(2, ' ')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
};

export interface LogWriter {
  /** lmgrd's start-up lines (they carry the date: M/D/YYYY). */
  banner(date: string): string[];
  /** `count` more usage lines, later in the same day. */
  next(count: number): string[];
}

/** Writes plausible usage for one vendor daemon (MLM) from 08:00 on. */
export function createLogWriter(seed: number): LogWriter {
  const rand = random(seed);
  let second = 8 * 3600;
  const holding = new Map<string, { feature: string; seats: number }[]>();
  let sameSecondDone = false;
  return {
    banner(date) {
      const t = clock(second);
      return [
        `${t} (lmgrd) FlexNet Licensing (v11.16.2.0 build 242433 x64_lsb) started on licsrv (linux) (${date})`,
        `${t} (lmgrd) Started MLM (internet tcp_port 27001 pid 1234)`,
        `${t} (MLM) Server started on licsrv for:\tMATLAB Simulink Signal_Toolbox`,
      ];
    },
    next(count) {
      const lines: string[] = [];
      while (lines.length < count) {
        second += 1 + Math.floor(rand() * 90);
        const t = clock(second);
        const who = USERS[Math.floor(rand() * USERS.length)] as string;
        const held = holding.get(who) ?? [];
        const roll = rand();
        if (!sameSecondDone && lines.length > 3 && roll < 0.1) {
          // Two identical check-outs in one second: ordinals 0 and 1.
          sameSecondDone = true;
          lines.push(`${t} (MLM) OUT: "Simulink" ${who}  `, `${t} (MLM) OUT: "Simulink" ${who}  `);
          held.push({ feature: 'Simulink', seats: 1 }, { feature: 'Simulink', seats: 1 });
        } else if (held.length > 0 && roll < 0.45) {
          const [out] = held.splice(Math.floor(rand() * held.length), 1);
          lines.push(`${t} (MLM) IN: "${out?.feature}" ${who}  ${rand() < 0.2 ? '(INACTIVE)' : ''}`.trimEnd());
        } else if (roll < 0.6) {
          const feature = FEATURES[Math.floor(rand() * FEATURES.length)] as string;
          lines.push(`${t} (MLM) DENIED: "${feature}" ${who}  (Licensed number of users already reached. (-4,342))`);
          if (rand() < 0.5) {
            second += 5;
            lines.push(`${clock(second)} (MLM) OUT: "${feature}" ${who}  `);
            held.push({ feature, seats: 1 });
          }
        } else {
          const feature = FEATURES[Math.floor(rand() * FEATURES.length)] as string;
          const seats = rand() < 0.15 ? 2 : 1;
          lines.push(`${t} (MLM) OUT: "${feature}" ${who}  ${seats > 1 ? `(${seats} licenses)` : ''}`.trimEnd());
          held.push({ feature, seats });
        }
        holding.set(who, held);
      }
      return lines;
    },
  };
}

export interface Straight {
  closed: UsageSession[];
  open: UsageSession[];
  denials: UsageDenial[];
}

/** What one uninterrupted read of `text` gives: closed sessions, sessions still open, settled denials. */
export function readStraight(text: string, timeZone: string): Straight {
  const out: Straight = { closed: [], open: [], denials: [] };
  const analyser = createUsageAnalyser({ timeZone, onSession: (s) => out.closed.push(s), onDenial: (d) => out.denials.push(d) });
  const parser = createFlexlmDebugParser({ timeZone }, { event: (e) => analyser.push(e), diagnostic: () => undefined });
  const splitter = createLineSplitter(parser);
  splitter.push(Buffer.from(text));
  splitter.end();
  out.open = analyser.openSessions();
  return out;
}
