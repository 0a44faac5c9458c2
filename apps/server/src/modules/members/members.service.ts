import { randomUUID } from 'node:crypto';
import { ASSIGNABLE_ROLES, roleCan, type Invitation, type Member, type Permission, type Role } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';
import type { Tenancy } from '../../db/tenant.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../../http/errors.ts';
import { hashPassword, passwordWeakness } from '../../lib/password.ts';
import { newOpaqueToken, safeEqual, sha256 } from '../../lib/tokens.ts';
import type { AccessService, Actor, Principal, RequestMeta } from '../access/access.service.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findAccountByEmail, findSession, insertUser } from '../auth/auth.repo.ts';
import { assertNotThrottled, countThrottleHit, throttleKey } from '../auth/throttle.service.ts';
import type { MailService } from '../mail/mail.service.ts';
import { lockCurrentOrganization } from '../orgs/orgs.repo.ts';
import {
  countOwners,
  deleteMembership,
  findInvitationForUpdate,
  findMemberForUpdate,
  findMembers,
  findPendingInvitationForUpdate,
  findPendingInvitations,
  insertInvitation,
  insertMembership,
  isMember,
  markInvitationAccepted,
  revokeInvitation,
  revokePendingInvitationsFor,
  updateMemberRole,
  type InvitationRow,
  type MemberRow,
} from './members.repo.ts';

export const INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60;

const presentMember = (row: MemberRow): Member => ({
  userId: row.user_id,
  name: row.name,
  email: row.email,
  role: row.role,
  joinedAt: row.created_at.toISOString(),
});

const presentInvitation = (row: InvitationRow): Invitation => ({
  id: row.id,
  email: row.email,
  role: row.role,
  invitedBy: row.invited_by_name,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

/** RBAC-01: a role may grant or take away only the roles listed for it; only Owners touch Owners. */
function assertMayManage(actor: Actor, role: Role, verb: string): void {
  if (!ASSIGNABLE_ROLES[actor.role].includes(role)) {
    throw forbidden(
      role === 'owner' ? 'member.owner_only' : 'member.role_not_assignable',
      role === 'owner' ? `Only an Owner can ${verb} an Owner.` : `Your role cannot ${verb} a member with the ${role} role.`,
    );
  }
}

/** Invitation tokens name their organisation, so accepting one needs no cross-tenant lookup. */
function parseInvitationToken(token: string): { orgId: string; invitationId: string } | null {
  const match = /^([0-9a-f-]{36})\.([0-9a-f-]{36})\.swi_[A-Za-z0-9_-]{43}$/.exec(token);
  return match ? { orgId: match[1]!, invitationId: match[2]! } : null;
}

export type MembersService = ReturnType<typeof createMembersService>;

export function createMembersService(deps: { tenancy: Tenancy; access: AccessService; mail: MailService; publicUrl: string }) {
  const { access, tenancy, mail } = deps;
  const audit = (actor: Actor) => ({
    orgId: actor.orgId,
    actorUserId: actor.userId,
    actorLabel: actor.email,
    ip: actor.ip,
    userAgent: actor.userAgent,
  });

  /**
   * Role changes, removals and departures in one organisation take turns: two Owners demoting each other
   * at once must not both count two Owners, nor lock each other's rows in opposite order (a deadlock).
   */
  async function takeTurn(tx: Queryable, actor: Actor, permission: Permission | null): Promise<Actor> {
    await lockCurrentOrganization(tx);
    // The caller's role was read before the lock; another change may have just altered it.
    const current = await findMemberForUpdate(tx, actor.userId);
    if (!current) throw unauthorized('auth.session_ended', 'Your session has ended. Sign in again.');
    if (permission && !roleCan(current.role, permission)) throw forbidden();
    return { ...actor, role: current.role };
  }

  /** Refuses to let the organisation lose its last Owner. Call it after takeTurn. */
  async function assertOwnerRemains(tx: Queryable): Promise<void> {
    if ((await countOwners(tx)) <= 1) {
      throw conflict('member.last_owner', 'The organisation needs at least one Owner: make someone else an Owner first.');
    }
  }

  return {
    async listMembers(principal: Principal | null, meta: RequestMeta): Promise<Member[]> {
      return access.asMember(principal, meta, 'member:read', async (tx) => (await findMembers(tx)).map(presentMember));
    },

    async changeRole(principal: Principal | null, meta: RequestMeta, userId: string, role: Role): Promise<Member> {
      return access.asMember(principal, meta, 'member:update', async (tx, caller) => {
        const actor = await takeTurn(tx, caller, 'member:update');
        const target = await findMemberForUpdate(tx, userId);
        if (!target) throw notFound('The member');
        assertMayManage(actor, target.role, 'change the role of');
        assertMayManage(actor, role, 'give the role to');
        if (target.role === role) return presentMember(target);
        if (target.role === 'owner') await assertOwnerRemains(tx);
        await updateMemberRole(tx, userId, role);
        await recordAudit(tx, {
          ...audit(actor),
          action: 'member.role_change',
          outcome: 'success',
          targetType: 'user',
          targetId: userId,
          details: { from: target.role, to: role },
        });
        return presentMember({ ...target, role });
      });
    },

    async removeMember(principal: Principal | null, meta: RequestMeta, userId: string): Promise<void> {
      await access.asMember(principal, meta, 'member:remove', async (tx, caller) => {
        const actor = await takeTurn(tx, caller, 'member:remove');
        const target = await findMemberForUpdate(tx, userId);
        if (!target) throw notFound('The member');
        assertMayManage(actor, target.role, 'remove');
        if (target.role === 'owner') await assertOwnerRemains(tx);
        await deleteMembership(tx, userId);
        await recordAudit(tx, {
          ...audit(actor),
          action: 'member.remove',
          outcome: 'success',
          targetType: 'user',
          targetId: userId,
          details: { role: target.role },
        });
      });
    },

    /** Leaves the organisation (any role); the last Owner cannot. */
    async leave(principal: Principal | null, meta: RequestMeta): Promise<void> {
      await access.asMember(principal, meta, null, async (tx, caller) => {
        const actor = await takeTurn(tx, caller, null);
        if (actor.role === 'owner') await assertOwnerRemains(tx);
        await deleteMembership(tx, actor.userId);
        await recordAudit(tx, { ...audit(actor), action: 'member.leave', outcome: 'success', targetType: 'user', targetId: actor.userId });
      });
    },

    async listInvitations(principal: Principal | null, meta: RequestMeta): Promise<Invitation[]> {
      return access.asMember(principal, meta, 'member:read', async (tx) => (await findPendingInvitations(tx)).map(presentInvitation));
    },

    async invite(principal: Principal | null, meta: RequestMeta, input: { email: string; role: Role }): Promise<Invitation> {
      return access.asMember(principal, meta, 'member:invite', async (tx, caller) => {
        // Taking turns also keeps two invitations for one address at once from colliding.
        const actor = await takeTurn(tx, caller, 'member:invite');
        assertMayManage(actor, input.role, 'invite');
        const existing = await findAccountByEmail(tx, input.email);
        if (existing && (await isMember(tx, existing.id))) {
          throw conflict('member.already_member', `${input.email} is already a member of this organisation.`);
        }
        // Replacing a pending invitation withdraws it: allowed only to those who may withdraw it.
        const pending = await findPendingInvitationForUpdate(tx, input.email);
        if (pending) assertMayManage(actor, pending.role, 'replace an invitation for');
        await revokePendingInvitationsFor(tx, input.email);
        const id = randomUUID();
        const token = `${actor.orgId}.${id}.${newOpaqueToken('swi')}`;
        const expiresAt = new Date(Date.now() + INVITATION_TTL_SECONDS * 1000);
        await insertInvitation(tx, { orgId: actor.orgId, id, email: input.email, role: input.role, tokenHash: sha256(token), invitedBy: actor.userId, expiresAt });
        await mail.enqueue(tx, {
          to: input.email,
          subject: `${actor.name} invited you to Seatwise`,
          text: `Hello,\n\n${actor.name} (${actor.email}) invited you to join their organisation on Seatwise as ${input.role}.\n\nAccept the invitation here:\n\n${deps.publicUrl}/accept-invite#token=${encodeURIComponent(token)}\n\nThe link works once, for 7 days.\n`,
        });
        await recordAudit(tx, {
          ...audit(actor),
          action: 'member.invite',
          outcome: 'success',
          targetType: 'invitation',
          targetId: id,
          details: { email: input.email, role: input.role },
        });
        return { id, email: input.email, role: input.role, invitedBy: actor.name, createdAt: new Date().toISOString(), expiresAt: expiresAt.toISOString() };
      });
    },

    async revokeInvitation(principal: Principal | null, meta: RequestMeta, invitationId: string): Promise<void> {
      await access.asMember(principal, meta, 'member:invite', async (tx, actor) => {
        const invitation = await findInvitationForUpdate(tx, invitationId);
        if (!invitation || invitation.accepted_at || invitation.revoked_at) throw notFound('The invitation');
        assertMayManage(actor, invitation.role, 'revoke an invitation for');
        await revokeInvitation(tx, invitationId);
        await recordAudit(tx, { ...audit(actor), action: 'member.invitation_revoke', outcome: 'success', targetType: 'invitation', targetId: invitationId });
      });
    },

    /**
     * Accepts an invitation. A new person gives a name and password (the link proves the address); a
     * person who already has an account must be signed in as that account.
     */
    async acceptInvitation(
      principal: Principal | null,
      meta: RequestMeta,
      input: { token: string; name?: string | undefined; password?: string | undefined },
    ): Promise<{ orgId: string; role: Role; newAccount: boolean }> {
      const invalid = badRequest('invitation.invalid', 'This invitation is invalid, expired, revoked or already used. Ask for a new one.');
      const parsed = parseInvitationToken(input.token);
      if (meta.ip) {
        await tenancy.withSystemTx('invitation: count bad links from this address', async (tx) => {
          await assertNotThrottled(tx, [throttleKey('tokenPerIp', 'ip', meta.ip!)]);
          if (!parsed) await countThrottleHit(tx, 'tokenPerIp', 'ip', meta.ip!);
        });
      }
      if (!parsed) throw invalid;
      // Hashing is slow: do it before the transaction, only when a new account may be made. Being signed in
      // (as someone else, in a shared browser) does not stop a new address from getting its account.
      const passwordHash = input.password ? await hashPassword(input.password) : null;
      return tenancy.withTenantTx({ orgId: parsed.orgId, userId: principal?.userId ?? null }, async (tx) => {
        const invitation = await findInvitationForUpdate(tx, parsed.invitationId);
        const live =
          invitation &&
          !invitation.accepted_at &&
          !invitation.revoked_at &&
          invitation.expires_at.getTime() > Date.now() &&
          safeEqual(Buffer.from(invitation.token_hash).toString('hex'), sha256(input.token).toString('hex'));
        if (!invitation || !live) throw invalid;
        let user = await findAccountByEmail(tx, invitation.email);
        let newAccount = false;
        if (user) {
          const session = principal ? await findSession(tx, principal.sessionId) : undefined;
          if (!principal || principal.userId !== user.id || !session || session.revoked_at) {
            throw unauthorized('invitation.sign_in_required', `Sign in as ${invitation.email} to accept this invitation.`);
          }
        } else {
          if (!input.name || !input.password || !passwordHash) {
            throw badRequest('invitation.account_details_required', 'Give your name and a password to create your account.', [
              ...(input.name ? [] : [{ path: 'body.name', message: 'is required' }]),
              ...(input.password ? [] : [{ path: 'body.password', message: 'is required' }]),
            ]);
          }
          const weakness = passwordWeakness(input.password, [invitation.email, input.name]);
          if (weakness) throw badRequest('auth.weak_password', `Password ${weakness}`, [{ path: 'body.password', message: weakness }]);
          const id = randomUUID();
          await insertUser(tx, { id, email: invitation.email, name: input.name, passwordHash, emailVerified: true });
          user = { id, email: invitation.email, name: input.name, email_verified_at: new Date(), disabled_at: null };
          newAccount = true;
        }
        if (!(await isMember(tx, user.id))) await insertMembership(tx, { orgId: parsed.orgId, userId: user.id, role: invitation.role });
        await markInvitationAccepted(tx, invitation.id, user.id);
        await recordAudit(tx, {
          orgId: parsed.orgId,
          actorUserId: user.id,
          actorLabel: user.email,
          ip: meta.ip,
          userAgent: meta.userAgent,
          action: 'member.join',
          outcome: 'success',
          targetType: 'invitation',
          targetId: invitation.id,
          details: { role: invitation.role, newAccount },
        });
        return { orgId: parsed.orgId, role: invitation.role, newAccount };
      });
    },
  };
}
