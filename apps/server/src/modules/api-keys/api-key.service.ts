import { randomUUID } from 'node:crypto';
import { API_KEY_VISIBLE_LENGTH, type ApiKey, type CreateApiKeyRequest, type CurrentApiKey } from '@seatwise/protocol';
import { notFound } from '../../http/errors.ts';
import { newOpaqueToken, sha256 } from '../../lib/tokens.ts';
import { auditActor, type AccessService, type Principal, type RequestMeta } from '../access/access.service.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findCurrentOrganization } from '../orgs/orgs.repo.ts';
import { findApiKey, findApiKeys, insertApiKey, revokeApiKey, type ApiKeyRow } from './api-key.repo.ts';

const presentApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes,
  createdBy: { userId: row.created_by, name: row.created_by_name },
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

/** EN-05, KEY-01: Owners and Admins issue, list and revoke their organisation's API keys. */
export function createApiKeyService(deps: { access: AccessService }) {
  const { access } = deps;
  return {
    /** Issues a key: the plain key is returned here once; only its SHA-256 is stored. */
    async issueApiKey(principal: Principal | null, meta: RequestMeta, input: CreateApiKeyRequest): Promise<{ key: string; apiKey: ApiKey }> {
      return access.asMember(principal, meta, 'apikey:manage', async (tx, actor) => {
        const id = randomUUID();
        const key = newOpaqueToken('swk');
        const prefix = key.slice(0, API_KEY_VISIBLE_LENGTH);
        await insertApiKey(tx, { orgId: actor.orgId, id, name: input.name, prefix, keyHash: sha256(key), scopes: input.scopes, createdBy: actor.userId });
        await recordAudit(tx, {
          ...auditActor(actor),
          action: 'apikey.create',
          outcome: 'success',
          targetType: 'api_key',
          targetId: id,
          details: { name: input.name, prefix, scopes: input.scopes },
        });
        const row = await findApiKey(tx, id);
        return { key, apiKey: presentApiKey(row!) };
      });
    },

    async listApiKeys(principal: Principal | null, meta: RequestMeta): Promise<ApiKey[]> {
      return access.asMember(principal, meta, 'apikey:manage', async (tx) => (await findApiKeys(tx)).map(presentApiKey));
    },

    /**
     * Revokes a key; every request with it from now on is refused. Revoking a revoked key changes nothing;
     * another organisation's key is not found.
     */
    async revokeApiKey(principal: Principal | null, meta: RequestMeta, keyId: string): Promise<ApiKey> {
      return access.asMember(principal, meta, 'apikey:manage', async (tx, actor) => {
        const row = await findApiKey(tx, keyId);
        if (!row) throw notFound('The API key');
        const revokedAt = await revokeApiKey(tx, keyId, actor.userId);
        if (!revokedAt) return presentApiKey(row);
        await recordAudit(tx, {
          ...auditActor(actor),
          action: 'apikey.revoke',
          outcome: 'success',
          targetType: 'api_key',
          targetId: keyId,
          details: { name: row.name, prefix: row.prefix, scopes: row.scopes },
        });
        return presentApiKey({ ...row, revoked_at: revokedAt });
      });
    },

    /** The key that calls, and its organisation (whatever its scopes): lets the agent check its setup. */
    async describeCurrentKey(principal: Principal | null, meta: RequestMeta): Promise<CurrentApiKey> {
      return access.asApiKey(principal, meta, async (tx, key) => {
        const org = await findCurrentOrganization(tx);
        if (!org) throw notFound('The organisation');
        return { id: key.apiKeyId, name: key.name, prefix: key.prefix, scopes: key.scopes, organisation: { id: org.id, name: org.name } };
      });
    },
  };
}
