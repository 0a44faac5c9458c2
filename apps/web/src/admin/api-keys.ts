/** Rules of the create-key form and how a key's state reads in the list. */
import { API_KEY_NAME_MAX_LENGTH, type ApiKey, type ApiKeyScope } from '@seatwise/protocol';
import type { FieldErrors } from '../form-errors.ts';


export const createKeyLabels = { name: 'Key name', scopes: 'Scopes' } as const;
export type CreateKeyField = keyof typeof createKeyLabels;

/** What is wrong with the form before sending: a name, and at least one scope. */
export function createKeyProblems(name: string, scopes: readonly ApiKeyScope[]): FieldErrors<CreateKeyField> {
  const trimmed = name.trim();
  return {
    name: !trimmed
      ? 'Key name is required: say what the key is for, like “Agent on flex1”.'
      : trimmed.length > API_KEY_NAME_MAX_LENGTH
        ? `Key name must be at most ${API_KEY_NAME_MAX_LENGTH} characters (it has ${trimmed.length}).`
        : undefined,
    scopes: scopes.length === 0 ? 'Choose at least one scope: ingest for the on-prem agent, read for scripts that read usage.' : undefined,
  };
}

/** The scopes in their catalog order, whatever order they were ticked in. */
export function orderedScopes(chosen: ReadonlySet<ApiKeyScope>, catalog: readonly ApiKeyScope[]): ApiKeyScope[] {
  return catalog.filter((scope) => chosen.has(scope));
}

/** Keys still in use first (newest first), then revoked ones (most recently revoked first). */
export function sortKeysForList(keys: readonly ApiKey[]): ApiKey[] {
  const time = (iso: string | null) => (iso ? Date.parse(iso) : 0);
  return [...keys].sort((a, b) => {
    if ((a.revokedAt === null) !== (b.revokedAt === null)) return a.revokedAt === null ? -1 : 1;
    return a.revokedAt === null ? time(b.createdAt) - time(a.createdAt) : time(b.revokedAt) - time(a.revokedAt);
  });
}
