import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '@seatwise/protocol';
import { describe, expect, it } from 'vitest';
import { emailProblem, passwordProblem, passwordRules, utf8ByteLength } from './password.ts';

describe('utf8ByteLength', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(utf8ByteLength('')).toBe(0);
    expect(utf8ByteLength('abc')).toBe(3);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('😀')).toBe(4);
  });
});

describe('password rules', () => {
  it('uses the limits from the protocol', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(PASSWORD_MAX_BYTES).toBe(72);
  });

  it('requires at least 12 characters', () => {
    expect(passwordProblem('')).toBe('Password is required.');
    expect(passwordProblem('a'.repeat(11))).toMatch(/at least 12 characters \(it has 11\)/);
    expect(passwordProblem('a'.repeat(12))).toBeUndefined();
  });

  it('refuses more than 72 bytes even when the characters are fewer', () => {
    expect(passwordProblem('a'.repeat(72))).toBeUndefined();
    expect(passwordProblem('a'.repeat(73))).toMatch(/at most 72 bytes \(it has 73\)/);
    // 36 × "é" is 72 bytes; 37 is 74.
    expect(passwordProblem('é'.repeat(36))).toBeUndefined();
    expect(passwordProblem('é'.repeat(37))).toMatch(/it has 74/);
    // 19 emoji are 38 UTF-16 units but 76 bytes.
    expect(passwordProblem('😀'.repeat(19))).toMatch(/at most 72 bytes/);
  });

  it('uses the given label', () => {
    expect(passwordProblem('', 'New password')).toBe('New password is required.');
  });

  it('reports which rules are met', () => {
    expect(passwordRules('short').map((rule) => [rule.id, rule.met])).toEqual([
      ['min-length', false],
      ['max-bytes', true],
    ]);
    expect(passwordRules('x'.repeat(80)).map((rule) => rule.met)).toEqual([true, false]);
  });
});

describe('emailProblem', () => {
  it('catches empty and obviously malformed addresses only', () => {
    expect(emailProblem('  ')).toBe('E-mail is required.');
    expect(emailProblem('ana', 'Work e-mail')).toMatch(/^Work e-mail must be a valid/);
    expect(emailProblem(' ana@example.com ')).toBeUndefined();
  });
});
