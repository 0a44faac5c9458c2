import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random token with a recognisable prefix; 32 bytes (256 bits) of randomness. */
export function newOpaqueToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Only this digest of a token is stored, so a database leak does not leak usable tokens. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
