/**
 * Password rules shown beside password fields. The same length rules as the server
 * (@seatwise/protocol); strength (common or guessable passwords) is judged only by the server.
 */
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '@seatwise/protocol';

/** Bytes the password takes in UTF-8, which is what the 72-byte limit counts. */
export function utf8ByteLength(value: string): number {
  return new TextEncoder().encode(value).length;
}

export interface PasswordRule {
  id: 'min-length' | 'max-bytes';
  text: string;
  met: boolean;
}

/** The rules a password can be checked against in the browser, with whether this one meets them. */
export function passwordRules(password: string): PasswordRule[] {
  return [
    {
      id: 'min-length',
      text: `At least ${PASSWORD_MIN_LENGTH} characters`,
      // String length, as the server's schema counts it.
      met: password.length >= PASSWORD_MIN_LENGTH,
    },
    {
      id: 'max-bytes',
      text: `At most ${PASSWORD_MAX_BYTES} bytes (accented letters and emoji take 2–4 bytes each)`,
      met: utf8ByteLength(password) <= PASSWORD_MAX_BYTES,
    },
  ];
}

/** The problem to show before sending, or undefined when the browser-side rules are met. */
export function passwordProblem(password: string, label = 'Password'): string | undefined {
  if (password.length === 0) return `${label} is required.`;
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `${label} must be at least ${PASSWORD_MIN_LENGTH} characters (it has ${password.length}).`;
  }
  const bytes = utf8ByteLength(password);
  if (bytes > PASSWORD_MAX_BYTES) {
    return `${label} must be at most ${PASSWORD_MAX_BYTES} bytes (it has ${bytes}). Longer passwords are refused, not cut short.`;
  }
  return undefined;
}

/** A short e-mail address check, only to catch slips before sending; the server decides. */
export function emailProblem(email: string, label = 'E-mail'): string | undefined {
  const trimmed = email.trim();
  if (!trimmed) return `${label} is required.`;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) return `${label} must be a valid e-mail address, like ana@example.com.`;
  return undefined;
}
