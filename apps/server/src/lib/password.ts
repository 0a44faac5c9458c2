import bcrypt from 'bcrypt';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/** EN-04: bcrypt's work factor. Part of the promise; not configurable. */
export const BCRYPT_COST = 12;
/** zxcvbn score (0–4) a password needs: 3 means "safely unguessable: moderate protection from offline attacks". */
const MIN_STRENGTH_SCORE = 3;

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
});

/**
 * Returns why a password is too weak (common, breached, guessable, built from the person's own details),
 * or null when it is acceptable. Length and byte limits are checked by the request schema.
 */
export function passwordWeakness(password: string, personalInputs: string[]): string | null {
  const result = zxcvbn.check(password, personalInputs.filter(Boolean));
  if (result.score >= MIN_STRENGTH_SCORE) return null;
  const hint = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return `is too easy to guess (it is common, appears in breached-password lists, or follows a pattern).${hint ? ' ' + hint : ''}`;
}

/** Hashes on libuv's thread pool, off the event loop. */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

// Compared against when the account does not exist, so that the answer takes as long either way.
let timingDecoy: Promise<string> | undefined;

/** Checks a password against a stored hash; with no hash, spends the same time and says no. */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const matches = await bcrypt.compare(password, hash ?? (await (timingDecoy ??= hashPassword('seatwise-timing-decoy'))));
  return Boolean(hash) && matches;
}
