import { z } from 'zod';
import { IsoDateTime, PlainText, Uuid } from './common.ts';
import { API_KEY_NAME_MAX_LENGTH, API_KEY_SCOPES, type ApiKeyScope } from './limits.ts';
import type { Permission } from './permissions.ts';

/**
 * API keys let scripts and the on-prem agent call the API without a person's session. A key belongs to one
 * organisation and carries named scopes; the plain key is shown once, only its SHA-256 is stored.
 */

/** Every key starts with this, so it is recognisable in a config file (and never mistaken for a JWT). */
export const API_KEY_PREFIX = 'swk_';
/** `swk_` and 43 base64url characters: 32 random bytes (256 bits). */
export const API_KEY_PATTERN = /^swk_[A-Za-z0-9_-]{43}$/;
/** How much of a key is kept in clear to recognise it in lists: `swk_` and 8 characters. */
export const API_KEY_VISIBLE_LENGTH = 12;


/**
 * The only permissions a key can ever exercise, and the scope each needs. Anything not listed here
 * (managing members, keys, the audit log …) is for signed-in people only.
 */
export const API_KEY_PERMISSION_SCOPE = {
  'usage:ingest': 'ingest',
  'usage:read': 'read',
} as const satisfies Partial<Record<Permission, ApiKeyScope>>;
export type ApiKeyPermission = keyof typeof API_KEY_PERMISSION_SCOPE;

/** The scope a key needs for a permission, or null when no key may exercise it. */
export function apiKeyScopeFor(permission: Permission): ApiKeyScope | null {
  return (API_KEY_PERMISSION_SCOPE as Partial<Record<Permission, ApiKeyScope>>)[permission] ?? null;
}

export const ApiKeyScopeName = z.enum(API_KEY_SCOPES, { message: `must be one of: ${API_KEY_SCOPES.join(', ')}` });

export const CreateApiKeyRequest = z.strictObject({
  /** What the key is for, e.g. "Agent on flex1". */
  name: PlainText(API_KEY_NAME_MAX_LENGTH),
  scopes: z
    .array(ApiKeyScopeName)
    .min(1, 'choose at least one scope')
    .max(API_KEY_SCOPES.length)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'must not name a scope twice'),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const ApiKey = z.object({
  id: Uuid,
  name: z.string(),
  /** The first characters of the key, to recognise it. */
  prefix: z.string(),
  scopes: z.array(ApiKeyScopeName),
  /** The person who created it; the name is null once they are no longer a member. */
  createdBy: z.object({ userId: Uuid, name: z.string().nullable() }),
  createdAt: IsoDateTime,
  lastUsedAt: IsoDateTime.nullable(),
  revokedAt: IsoDateTime.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = z.object({
  /** The plain key. Shown this once: store it now, it cannot be read again. */
  key: z.string(),
  apiKey: ApiKey,
});

export const ApiKeyList = z.object({ apiKeys: z.array(ApiKey) });
export const ApiKeyParams = z.strictObject({ keyId: Uuid });

/** What a key learns about itself (the agent's `check` command). */
export const CurrentApiKey = z.object({
  id: Uuid,
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(ApiKeyScopeName),
  organisation: z.object({ id: Uuid, name: z.string() }),
});
export type CurrentApiKey = z.infer<typeof CurrentApiKey>;
