import { roleCan, type Permission, type Role } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';
import type { Tenancy } from '../../db/tenant.ts';
import { forbidden, unauthorized } from '../../http/errors.ts';
import { findActiveMember } from './access.repo.ts';

/** Where a request came from; goes into audit records. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** Who a verified access token says the caller is. Not yet checked against the database. */
export interface Principal {
  userId: string;
  sessionId: string;
  orgId: string | null;
}

/** A caller checked against the database inside the current transaction. */
export interface Actor extends RequestMeta {
  userId: string;
  sessionId: string;
  orgId: string;
  role: Role;
  name: string;
  email: string;
}

export type AccessService = ReturnType<typeof createAccessService>;

/** Turns a permission into a check, in one place. */
export function createAccessService(deps: { tenancy: Tenancy }) {
  return {
    /**
     * Runs fn in the caller's organisation after confirming, in the same transaction, that the session is
     * alive and the person still a member; then that their role grants `permission` (null: any member).
     */
    async asMember<T>(
      principal: Principal | null,
      meta: RequestMeta,
      permission: Permission | null,
      fn: (tx: Queryable, actor: Actor) => Promise<T>,
    ): Promise<T> {
      if (!principal) throw unauthorized();
      if (!principal.orgId) throw forbidden('org.none', 'You do not belong to an organisation yet.');
      const orgId = principal.orgId;
      return deps.tenancy.withTenantTx({ orgId, userId: principal.userId }, async (tx) => {
        const member = await findActiveMember(tx, principal.userId, principal.sessionId);
        if (!member) throw unauthorized('auth.session_ended', 'Your session has ended. Sign in again.');
        if (permission && !roleCan(member.role, permission)) throw forbidden();
        return fn(tx, { ...meta, ...member, userId: principal.userId, sessionId: principal.sessionId, orgId });
      });
    },
  };
}
