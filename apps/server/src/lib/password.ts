import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import pLimit from 'p-limit';
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

/**
 * bcrypt runs on libuv's thread pool, off the event loop, but it is pure CPU: left alone, a burst of
 * sign-ins takes every core and every pool thread, and all other requests queue behind it (signature
 * checks of access tokens use the same pool). At most cores − 1 hashes run at once; the rest wait their
 * turn, and past a bounded queue the server answers "busy" rather than piling up work.
 */
const bcryptSlots = pLimit(Math.max(1, availableParallelism() - 1));
const MAX_WAITING_HASHES = 200;

export class PasswordHashingBusyError extends Error {}

function inBcryptSlot<T>(work: () => Promise<T>): Promise<T> {
  if (bcryptSlots.pendingCount >= MAX_WAITING_HASHES) return Promise.reject(new PasswordHashingBusyError());
  return bcryptSlots(work);
}

/** Hashes on libuv's thread pool, off the event loop, within the bcrypt concurrency limit. */
export function hashPassword(password: string): Promise<string> {
  return inBcryptSlot(() => bcrypt.hash(password, BCRYPT_COST));
}

// Compared against when the account does not exist, so that the answer takes as long either way.
let timingDecoy: Promise<string> | undefined;

/** Checks a password against a stored hash; with no hash, spends the same time and says no. */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const against = hash ?? (await (timingDecoy ??= hashPassword('seatwise-timing-decoy')));
  const matches = await inBcryptSlot(() => bcrypt.compare(password, against));
  return Boolean(hash) && matches;
}
