import { z } from 'zod';

/** E-mail addresses are compared case-insensitively and stored lower-cased. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'must be a valid e-mail address' }))
  .transform((value) => value.toLowerCase());

/** Passwords: length rules here, strength rules on the server (which has the dictionary). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_BYTES = 72;
export const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .refine((value) => new TextEncoder().encode(value).length <= PASSWORD_MAX_BYTES, {
    message: `must be at most ${PASSWORD_MAX_BYTES} bytes (longer passwords are refused, not cut short)`,
  });

export const PersonName = z.string().trim().min(1, 'is required').max(200);
export const Uuid = z.uuid();
export const IsoDateTime = z.iso.datetime({ offset: true });
/** Opaque single-use tokens sent by e-mail (verification, reset, invitation). */
export const OpaqueToken = z.string().min(20).max(300).regex(/^[A-Za-z0-9_.-]+$/, 'is not a valid token');
export const OkResponse = z.object({ ok: z.literal(true) });
