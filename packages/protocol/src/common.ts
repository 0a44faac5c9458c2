import { z } from 'zod';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from './limits.ts';

/** E-mail addresses are compared case-insensitively and stored lower-cased. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'must be a valid e-mail address' }))
  .transform((value) => value.toLowerCase());

/** Passwords: length rules here, strength rules on the server (which has the dictionary). */
export const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .refine((value) => new TextEncoder().encode(value).length <= PASSWORD_MAX_BYTES, {
    message: `must be at most ${PASSWORD_MAX_BYTES} bytes (longer passwords are refused, not cut short)`,
  });

/**
 * Text a person types (names): no control characters such as NUL (PostgreSQL refuses them) and no
 * unpaired UTF-16 surrogates (they cannot be stored as written).
 */
export const PlainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'is required')
    .max(max)
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .refine((value) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(value), 'must not contain control characters')
    .refine((value) => value.isWellFormed(), 'contains characters that cannot be stored');
export const PersonName = PlainText(200);
export const Uuid = z.uuid();
export const IsoDateTime = z.iso.datetime({ offset: true });
/** Opaque single-use tokens sent by e-mail (verification, reset, invitation). */
export const OpaqueToken = z.string().min(20).max(300).regex(/^[A-Za-z0-9_.-]+$/, 'is not a valid token');
export const OkResponse = z.object({ ok: z.literal(true) });
