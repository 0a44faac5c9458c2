import type { Summary } from './stats.ts';

/** Credentials of one person who signs in during the sign-in load. */
export interface Credential {
  email: string;
  password: string;
}

/** One measurement the load process runs: autocannon on a URL, optionally with waves of sign-ins alongside. */
export interface LoadJob {
  id: number;
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  signIns?: { url: string; credentials: Credential[] };
}

/** How the waves of concurrent sign-ins went. */
export interface SignInStats {
  waves: number;
  ok: number;
  failed: number;
  failures: string[];
  /** One sign-in, request to response (ms). */
  latency: Summary;
  /** One wave of concurrent sign-ins, first request to last response (ms). */
  wave: Summary;
}

/** What the load process measured. Latency is over 2xx responses only (ms). */
export interface LoadResult {
  id: number;
  requestsPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  elapsedSeconds: number;
  /**
   * Over every 2xx response, plus the requests still waiting when the window closed, counted with their age
   * at that moment (a lower bound): without them, requests stuck behind the sign-ins would simply vanish.
   */
  latency: Summary;
  /** Requests still waiting when the window closed that had waited longer than the completed ones' p99. */
  stuckAtEnd: number;
  /** The oldest request still waiting when the window closed (ms). */
  oldestAtEndMs: number;
  /** CPU the load process itself used during the run (s). */
  clientCpuSeconds: number;
  signIns?: SignInStats;
}

/** Sent when the measured window closes, before the last wave of sign-ins is waited for. */
export interface WindowEnd {
  id: number;
  windowEnd: true;
}

export type LoadReply = LoadResult | WindowEnd | { id: number; error: string };
