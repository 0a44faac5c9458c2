import type { Queryable } from '../../db/connect.ts';
import { tooManyRequests } from '../../http/errors.ts';
import { sha256 } from '../../lib/tokens.ts';
import { deleteThrottle, findThrottleWait, incrementThrottle } from './throttle.repo.ts';

export interface ThrottlePolicy {
  /** Hits allowed in the window before delays start. */
  limit: number;
  windowSeconds: number;
  /** The first delay; each further hit doubles it. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

/** AUTH-06: limits per purpose, each counted per IP address and, where it applies, per account. */
export const THROTTLE_POLICIES = {
  signInFailuresPerAccount: { limit: 5, windowSeconds: 900, baseDelaySeconds: 30, maxDelaySeconds: 900 },
  signInFailuresPerIp: { limit: 30, windowSeconds: 900, baseDelaySeconds: 60, maxDelaySeconds: 3600 },
  signUpPerIp: { limit: 10, windowSeconds: 3600, baseDelaySeconds: 300, maxDelaySeconds: 3600 },
  resetPerIp: { limit: 10, windowSeconds: 3600, baseDelaySeconds: 300, maxDelaySeconds: 3600 },
  resetPerAccount: { limit: 3, windowSeconds: 3600, baseDelaySeconds: 600, maxDelaySeconds: 3600 },
  tokenPerIp: { limit: 20, windowSeconds: 900, baseDelaySeconds: 60, maxDelaySeconds: 3600 },
} satisfies Record<string, ThrottlePolicy>;

export type ThrottlePurpose = keyof typeof THROTTLE_POLICIES;

/** A throttle key; account identifiers are hashed so the table holds no e-mail addresses. */
export function throttleKey(purpose: ThrottlePurpose, kind: 'ip' | 'account', value: string): string {
  const id = kind === 'account' ? sha256(value.toLowerCase()).toString('base64url') : value;
  return `${purpose}:${kind}:${id}`;
}

/** Throws 429 with Retry-After when any of the keys is blocked. */
export async function assertNotThrottled(tx: Queryable, keys: string[]): Promise<void> {
  const wait = await findThrottleWait(tx, keys);
  if (wait > 0) throw tooManyRequests(wait);
}

/** Counts a hit (an attempt or a failure, as the purpose defines). */
export async function countThrottleHit(tx: Queryable, purpose: ThrottlePurpose, kind: 'ip' | 'account', value: string): Promise<void> {
  await incrementThrottle(tx, throttleKey(purpose, kind, value), THROTTLE_POLICIES[purpose]);
}

/** Forgets a key's hits (for example, an account's failures after a successful sign-in). */
export async function clearThrottle(tx: Queryable, purpose: ThrottlePurpose, kind: 'ip' | 'account', value: string): Promise<void> {
  await deleteThrottle(tx, throttleKey(purpose, kind, value));
}
