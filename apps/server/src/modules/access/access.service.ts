import { apiKeyScopeFor, roleCan, type ApiKeyPermission, type ApiKeyScope, type Permission, type Role } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';
import { INSTANCE_ORG_ID, type Tenancy } from '../../db/tenant.ts';
import { forbidden, unauthorized, type AppError } from '../../http/errors.ts';
import { findApiKeyForUse, findApiKeyOrgByHash, touchApiKeyLastUsed, type ApiKeyForUse } from '../api-keys/api-key.repo.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { assertNotThrottled, countThrottleHit, throttleKey } from '../auth/throttle.service.ts';
import { findActiveMember } from './access.repo.ts';

/** Where a request came from; goes into audit records. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

/**
 * Where a request came from and, for an API client, the API key it presented. The authentication hook
 * sets `apiKey` only on routes that accept keys, and never together with a person's principal.
 */
export interface RequestMeta extends RequestOrigin {
  apiKey?: ApiKeyPrincipal | null;
}

/** Who a verified access token says the caller is (a person). Not yet checked against the database. */
export interface Principal {
  userId: string;
  sessionId: string;
  orgId: string | null;
}

/** An API key as presented: only its hash is kept. Not yet checked against the database. */
export interface ApiKeyPrincipal {
  kind: 'api_key';
  keyHash: Buffer;
  /** The key's first characters when it is well-formed (for the audit record of a failed use). */
  prefix: string | null;
}

/** A person checked against the database inside the current transaction. */
export interface Actor extends RequestOrigin {
  kind: 'person';
  userId: string;
  sessionId: string;
  orgId: string;
  role: Role;
  name: string;
  email: string;
}

/** An API key checked against the database inside the current transaction: alive, with these scopes. */
export interface ApiKeyActor extends RequestOrigin {
  kind: 'api_key';
  apiKeyId: string;
  orgId: string;
  /** The key's name, e.g. "Agent on flex1". */
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
}

export type AnyActor = Actor | ApiKeyActor;

/**
 * Who may be acting under a permission: a key only for the permissions a key scope grants
 * (API_KEY_PERMISSION_SCOPE), a person otherwise. Services working under a key permission handle both.
 */
export type ActorFor<P extends Permission | null> = P extends ApiKeyPermission ? AnyActor : Actor;

/** How an API key is named in audit records: its name and id (its creator is in the creation record). */
export function apiKeyLabel(key: { apiKeyId: string; name: string }): string {
  return `API key "${key.name}" (${key.apiKeyId})`;
}

/** The audit fields that say who acted and from where, for a person or an API key. */
export function auditActor(actor: AnyActor) {
  const origin = { orgId: actor.orgId, ip: actor.ip, userAgent: actor.userAgent };
  return actor.kind === 'person'
    ? { ...origin, actorUserId: actor.userId, actorLabel: actor.email }
    : { ...origin, actorUserId: null, actorLabel: apiKeyLabel(actor) };
}

const invalidApiKey = () => unauthorized('auth.invalid_api_key', 'This API key is not valid: it is unknown or has been revoked.');
export const apiKeyNotAccepted = () =>
  forbidden('auth.api_key_not_allowed', 'API keys are not accepted here: this action is for signed-in people.');
const apiKeyOnly = () => forbidden('auth.api_key_only', 'This is for API keys: send one in the Authorization header.');

/** Where a presented key belongs. Keys never move, so this is remembered; everything else is checked per request. */
interface KeyLocation {
  id: string;
  orgId: string;
}
const MAX_REMEMBERED_KEYS = 10_000;

export type AccessService = ReturnType<typeof createAccessService>;

/** Turns a permission into a check, in one place, for people and for API keys. */
export function createAccessService(deps: { tenancy: Tenancy }) {
  const { tenancy } = deps;
  const locations = new Map<string, KeyLocation>();

  /**
   * Finds the organisation of a presented key. An unknown key is audited on the instance chain (like a
   * failed sign-in for an unknown address) and counted against the caller's address; a caller that keeps
   * presenting unknown keys gets 429 before anything is written.
   */
  async function locateKey(key: ApiKeyPrincipal, meta: RequestMeta, permission: Permission | null): Promise<KeyLocation> {
    const cacheKey = key.keyHash.toString('base64url');
    const remembered = locations.get(cacheKey);
    if (remembered) return remembered;
    const found = await tenancy.withSystemTx('api key: find the organisation of a presented key', async (tx) => {
      const location = await findApiKeyOrgByHash(tx, key.keyHash);
      if (location) return location;
      if (meta.ip) await assertNotThrottled(tx, [throttleKey('tokenPerIp', 'ip', meta.ip)]);
      if (meta.ip) await countThrottleHit(tx, 'tokenPerIp', 'ip', meta.ip);
      await recordAudit(tx, {
        orgId: INSTANCE_ORG_ID,
        action: 'apikey.use',
        outcome: 'failure',
        actorUserId: null,
        actorLabel: key.prefix ? `API key ${key.prefix}…` : null,
        targetType: 'api_key',
        targetId: null,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { reason: 'unknown_key', permission },
      });
      return undefined;
    });
    if (!found) throw invalidApiKey();
    if (locations.size >= MAX_REMEMBERED_KEYS) locations.delete(locations.keys().next().value!);
    locations.set(cacheKey, found);
    return found;
  }

  /**
   * Runs fn in the key's organisation once the key is confirmed, in the same transaction, to exist and not
   * be revoked (so a revocation holds from the next request on), and `refusal` finds nothing against it.
   * A refused use is audited in the key's organisation and committed before the error is thrown.
   */
  async function useApiKey<T>(
    key: ApiKeyPrincipal,
    meta: RequestMeta,
    permission: Permission | null,
    refusal: (actor: ApiKeyActor) => { error: AppError; reason: string } | null,
    fn: (tx: Queryable, actor: ApiKeyActor) => Promise<T>,
  ): Promise<T> {
    const location = await locateKey(key, meta, permission);
    const outcome = await tenancy.withTenantTx({ orgId: location.orgId, userId: null }, async (tx) => {
      const row: ApiKeyForUse | undefined = await findApiKeyForUse(tx, location.id);
      const origin = { ip: meta.ip, userAgent: meta.userAgent };
      const refuse = async (actor: ApiKeyActor | null, result: { error: AppError; reason: string }) => {
        await recordAudit(tx, {
          orgId: location.orgId,
          ...origin,
          action: 'apikey.use',
          outcome: result.error.statusCode === 401 ? 'failure' : 'denied',
          actorUserId: null,
          actorLabel: actor ? apiKeyLabel(actor) : null,
          targetType: 'api_key',
          targetId: location.id,
          details: { reason: result.reason, permission, ...(actor ? { scopes: actor.scopes } : {}) },
        });
        return { refused: result.error };
      };
      if (!row) {
        locations.delete(key.keyHash.toString('base64url'));
        return refuse(null, { error: invalidApiKey(), reason: 'unknown_key' });
      }
      const actor: ApiKeyActor = {
        kind: 'api_key',
        ...origin,
        apiKeyId: row.id,
        orgId: location.orgId,
        name: row.name,
        prefix: row.prefix,
        scopes: row.scopes,
      };
      if (row.revoked_at) return refuse(actor, { error: invalidApiKey(), reason: 'revoked' });
      const refused = refusal(actor);
      if (refused) return refuse(actor, refused);
      const value = await fn(tx, actor);
      // Last, so the row is locked only from here to the commit; and only when the minute has passed.
      if (!row.last_used_at || Date.now() - row.last_used_at.getTime() >= 60_000) await touchApiKeyLastUsed(tx, row.id);
      return { value };
    });
    if ('refused' in outcome) throw outcome.refused;
    return outcome.value;
  }

  /** A key may exercise a permission only if one of its scopes grants it. */
  function scopeRefusal(permission: Permission | null) {
    return (actor: ApiKeyActor) => {
      const scope = permission ? apiKeyScopeFor(permission) : null;
      if (!scope) return { error: apiKeyNotAccepted(), reason: 'not_for_keys' };
      if (!actor.scopes.includes(scope)) {
        return { error: forbidden('auth.api_key_scope', `This API key lacks the "${scope}" scope needed here.`), reason: 'scope' };
      }
      return null;
    };
  }

  return {
    /**
     * Runs fn in the caller's organisation after confirming, in the same transaction, who the caller is:
     * a person whose session is alive and who is still a member, with a role that grants `permission`
     * (null: any member); or an API key (meta.apiKey) that exists, is not revoked and has the scope that
     * `permission` needs (see API_KEY_PERMISSION_SCOPE; no key acts under any other permission).
     */
    async asMember<T, P extends Permission | null>(
      principal: Principal | null,
      meta: RequestMeta,
      permission: P,
      fn: (tx: Queryable, actor: ActorFor<P>) => Promise<T>,
    ): Promise<T> {
      if (meta.apiKey) {
        if (principal) throw unauthorized();
        // The scope check makes this a key permission, for which ActorFor<P> includes ApiKeyActor.
        return useApiKey(meta.apiKey, meta, permission, scopeRefusal(permission), (tx, actor) => fn(tx, actor as ActorFor<P>));
      }
      if (!principal) throw unauthorized();
      if (!principal.orgId) throw forbidden('org.none', 'You do not belong to an organisation yet.');
      const orgId = principal.orgId;
      return tenancy.withTenantTx({ orgId, userId: principal.userId }, async (tx) => {
        const member = await findActiveMember(tx, principal.userId, principal.sessionId);
        if (!member) throw unauthorized('auth.session_ended', 'Your session has ended. Sign in again.');
        if (permission && !roleCan(member.role, permission)) throw forbidden();
        const actor: Actor = {
          kind: 'person',
          ip: meta.ip,
          userAgent: meta.userAgent,
          ...member,
          userId: principal.userId,
          sessionId: principal.sessionId,
          orgId,
        };
        return fn(tx, actor as ActorFor<P>);
      });
    },

    /** Runs fn for the API key itself, whatever its scopes (a key asking about itself). People are refused. */
    async asApiKey<T>(principal: Principal | null, meta: RequestMeta, fn: (tx: Queryable, actor: ApiKeyActor) => Promise<T>): Promise<T> {
      if (principal && !meta.apiKey) throw apiKeyOnly();
      if (!meta.apiKey || principal) throw unauthorized();
      return useApiKey(meta.apiKey, meta, null, () => null, fn);
    },

    /**
     * Refuses a key presented where keys are not accepted, with the audit record of the refused use (an
     * unknown or revoked key is refused as such). Always throws.
     */
    async refuseApiKey(meta: RequestMeta & { apiKey: ApiKeyPrincipal }): Promise<never> {
      return useApiKey<never>(
        meta.apiKey,
        meta,
        null,
        () => ({ error: apiKeyNotAccepted(), reason: 'route_not_for_keys' }),
        () => {
          throw apiKeyNotAccepted();
        },
      );
    },
  };
}
