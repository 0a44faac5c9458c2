import { randomUUID } from 'node:crypto';
import type { MeResponse, Membership, Role, SignInRequest, SignUpRequest } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';
import { INSTANCE_ORG_ID, type Tenancy } from '../../db/tenant.ts';
import { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from '../../http/errors.ts';
import { hashPassword, passwordWeakness, verifyPassword } from '../../lib/password.ts';
import { newOpaqueToken, sha256 } from '../../lib/tokens.ts';
import type { Principal, RequestMeta } from '../access/access.service.ts';
import { recordAudit, type AuditEventInput } from '../audit/audit.service.ts';
import type { MailService } from '../mail/mail.service.ts';
import { insertMembership } from '../members/members.repo.ts';
import { insertOrganization } from '../orgs/orgs.repo.ts';
import {
  consumeEmailToken,
  expireEmailTokens,
  findLiveEmailTokenUser,
  findMembershipsByUser,
  findRefreshTokenForUpdate,
  findSession,
  findUserByEmail,
  findUserById,
  insertEmailToken,
  insertRefreshToken,
  insertSession,
  insertUser,
  markRefreshTokenUsed,
  markUserEmailVerified,
  revokeSession,
  revokeUserSessions,
  updateSessionOrg,
  updateUserPassword,
  type MembershipOfUser,
  type UserRow,
} from './auth.repo.ts';
import { REFRESH_TOKEN_TTL_SECONDS, type TokenService } from './auth.tokens.ts';
import { assertNotThrottled, clearThrottle, countThrottleHit, throttleKey } from './throttle.service.ts';

/** A refresh token spent this recently is a concurrent double refresh (two tabs), not theft. */
export const REFRESH_REUSE_GRACE_SECONDS = 10;
export const EMAIL_VERIFICATION_TTL_SECONDS = 48 * 60 * 60;
export const PASSWORD_RESET_TTL_SECONDS = 30 * 60;

/** What a successful sign-in, refresh or organisation switch hands back. */
export interface IssuedSession {
  sessionId: string;
  user: { id: string; name: string; email: string };
  orgId: string | null;
  role: Role | null;
  memberships: Membership[];
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken?: string;
  refreshTokenExpiresAt?: Date;
  csrfToken: string;
}

const GENERIC_SIGN_UP_ANSWER = 'Check your inbox: we sent a link to confirm your e-mail address.';
const GENERIC_RESET_ANSWER = 'If an account uses that address, we sent it a link to choose a new password. The link works for 30 minutes.';

const toMemberships = (rows: MembershipOfUser[]): Membership[] =>
  rows.map((row) => ({ orgId: row.org_id, orgName: row.org_name, role: row.role }));

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(deps: { tenancy: Tenancy; tokens: TokenService; mail: MailService; publicUrl: string }) {
  const { tenancy, tokens, mail } = deps;
  const link = (path: string, token: string) => `${deps.publicUrl}${path}#token=${encodeURIComponent(token)}`;

  /** Audit records about a person go to every organisation they belong to, or to the instance chain. */
  async function auditForPerson(tx: Queryable, orgIds: string[], event: Omit<AuditEventInput, 'orgId'>): Promise<void> {
    for (const orgId of orgIds.length > 0 ? orgIds : [INSTANCE_ORG_ID]) await recordAudit(tx, { ...event, orgId });
  }

  /**
   * AUTH-03: ends the person's sessions (all of them, or all but `keepSessionId`) and records why, with how
   * many ended, in the audit log of each of their organisations, in the caller's transaction.
   */
  async function endSessionsAudited(
    tx: Queryable,
    person: { id: string; email: string | null },
    why: { reason: 'sign_out_everywhere' | 'password_reset' | 'password_change'; action: string; keepSessionId: string | null },
    meta: RequestMeta,
  ): Promise<void> {
    const revoked = await revokeUserSessions(tx, person.id, why.reason, why.keepSessionId);
    const memberships = await findMembershipsByUser(tx, person.id);
    await auditForPerson(tx, memberships.map((m) => m.org_id), {
      action: why.action,
      outcome: 'success',
      actorUserId: person.id,
      actorLabel: person.email,
      targetType: 'user',
      targetId: person.id,
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: { sessionsRevoked: revoked },
    });
  }

  /** A new single-use link token for a purpose; it replaces the person's earlier unspent ones. */
  async function issueEmailToken(tx: Queryable, userId: string, purpose: 'verify_email' | 'reset_password'): Promise<string> {
    const token = newOpaqueToken(purpose === 'verify_email' ? 'swv' : 'swp');
    const ttlSeconds = purpose === 'verify_email' ? EMAIL_VERIFICATION_TTL_SECONDS : PASSWORD_RESET_TTL_SECONDS;
    await expireEmailTokens(tx, userId, purpose);
    await insertEmailToken(tx, { hash: sha256(token), userId, purpose, expiresAt: new Date(Date.now() + ttlSeconds * 1000) });
    return token;
  }

  async function sendVerification(tx: Queryable, user: { id: string; email: string; name: string }): Promise<void> {
    const token = await issueEmailToken(tx, user.id, 'verify_email');
    await mail.enqueue(tx, {
      to: user.email,
      subject: 'Confirm your e-mail address for Seatwise',
      text: `Hello ${user.name},\n\nConfirm your e-mail address to start using Seatwise:\n\n${link('/verify-email', token)}\n\nThe link works once, for 48 hours. If you did not sign up, ignore this message.\n`,
    });
  }

  /** Starts a session (a refresh-token family) in the caller's transaction. */
  async function openSession(tx: Queryable, userId: string, orgId: string | null, meta: RequestMeta) {
    const sessionId = randomUUID();
    await insertSession(tx, { id: sessionId, userId, orgId, ip: meta.ip, userAgent: meta.userAgent });
    const refresh = await issueRefreshToken(tx, sessionId);
    return { sessionId, ...refresh };
  }

  async function issueRefreshToken(tx: Queryable, sessionId: string) {
    const refreshToken = newOpaqueToken('swr');
    const refreshTokenExpiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000);
    await insertRefreshToken(tx, { hash: sha256(refreshToken), sessionId, expiresAt: refreshTokenExpiresAt });
    return { refreshToken, refreshTokenExpiresAt };
  }

  async function present(
    user: Pick<UserRow, 'id' | 'name' | 'email'>,
    sessionId: string,
    orgId: string | null,
    memberships: MembershipOfUser[],
    refresh?: { refreshToken: string; refreshTokenExpiresAt: Date },
  ): Promise<IssuedSession> {
    const access = await tokens.signAccessToken({ userId: user.id, sessionId, orgId });
    return {
      sessionId,
      user: { id: user.id, name: user.name, email: user.email },
      orgId,
      role: memberships.find((membership) => membership.org_id === orgId)?.role ?? null,
      memberships: toMemberships(memberships),
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      ...refresh,
      csrfToken: tokens.csrfTokenFor(sessionId),
    };
  }

  /** Runs fn; when it returns a failure, that failure is thrown only after its transaction committed. */
  async function commitThenThrow<T>(work: Promise<T | AppError>): Promise<T> {
    const result = await work;
    if (result instanceof AppError) throw result;
    return result;
  }

  return {
    /** IN-01: creates the organisation and its first Owner. Never reveals whether the address is taken. */
    async signUp(input: SignUpRequest, meta: RequestMeta): Promise<{ message: string }> {
      await tenancy.withSystemTx('sign-up: count the attempt', async (tx) => {
        if (meta.ip) await assertNotThrottled(tx, [throttleKey('signUpPerIp', 'ip', meta.ip)]);
        if (meta.ip) await countThrottleHit(tx, 'signUpPerIp', 'ip', meta.ip);
      });
      const weakness = passwordWeakness(input.password, [input.email, input.name, input.companyName]);
      if (weakness) throw badRequest('auth.weak_password', `Password ${weakness}`, [{ path: 'body.password', message: weakness }]);
      const passwordHash = await hashPassword(input.password);
      const orgId = randomUUID();
      const userId = randomUUID();
      await tenancy.withSystemTx('sign-up: is the address taken; create the organisation and account', async (tx) => {
        const existing = await findUserByEmail(tx, input.email);
        if (existing) {
          await mail.enqueue(tx, {
            to: existing.email,
            subject: 'Someone tried to sign up to Seatwise with your address',
            text: `Hello ${existing.name},\n\nSomeone tried to create a Seatwise account with this address, which already has one. If it was you, sign in at ${deps.publicUrl}/sign-in or reset your password at ${deps.publicUrl}/forgot-password.\n`,
          });
          return;
        }
        await insertUser(tx, { id: userId, email: input.email, name: input.name, passwordHash, emailVerified: false });
        await insertOrganization(tx, { id: orgId, name: input.companyName });
        await insertMembership(tx, { orgId, userId, role: 'owner' });
        const actor = { actorUserId: userId, actorLabel: input.email, ip: meta.ip, userAgent: meta.userAgent };
        await recordAudit(tx, { ...actor, orgId, action: 'org.create', outcome: 'success', targetType: 'organization', targetId: orgId });
        await recordAudit(tx, { ...actor, orgId, action: 'auth.sign_up', outcome: 'success', targetType: 'user', targetId: userId });
        await sendVerification(tx, { id: userId, email: input.email, name: input.name });
      });
      return { message: GENERIC_SIGN_UP_ANSWER };
    },

    async verifyEmail(token: string, meta: RequestMeta): Promise<void> {
      await commitThenThrow(
        tenancy.withSystemTx('verify e-mail: audit to the person’s organisations', async (tx) => {
          if (meta.ip) await assertNotThrottled(tx, [throttleKey('tokenPerIp', 'ip', meta.ip)]);
          const userId = await consumeEmailToken(tx, sha256(token), 'verify_email');
          if (!userId) {
            if (meta.ip) await countThrottleHit(tx, 'tokenPerIp', 'ip', meta.ip);
            return badRequest('auth.invalid_token', 'This link is invalid, expired or already used. Ask for a new one by signing in.');
          }
          await markUserEmailVerified(tx, userId);
          const user = await findUserById(tx, userId);
          const memberships = await findMembershipsByUser(tx, userId);
          await auditForPerson(tx, memberships.map((m) => m.org_id), {
            action: 'auth.email_verified',
            outcome: 'success',
            actorUserId: userId,
            actorLabel: user?.email ?? null,
            targetType: 'user',
            targetId: userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
          });
          return undefined;
        }),
      );
    },

    /** AUTH-01: e-mail and password give a 15-minute access token and a 7-day refresh token. */
    async signIn(input: SignInRequest, meta: RequestMeta): Promise<IssuedSession> {
      const ipKey = meta.ip ? throttleKey('signInFailuresPerIp', 'ip', meta.ip) : null;
      const accountKey = throttleKey('signInFailuresPerAccount', 'account', input.email);
      const found = await tenancy.withSystemTx('sign-in: find the person and their organisations', async (tx) => {
        await assertNotThrottled(tx, ipKey ? [ipKey, accountKey] : [accountKey]);
        const user = await findUserByEmail(tx, input.email);
        return { user, memberships: user ? await findMembershipsByUser(tx, user.id) : [] };
      });
      const { user, memberships } = found;
      const passwordOk = await verifyPassword(input.password, user?.password_hash);
      const orgIds = memberships.map((m) => m.org_id);
      const base = { ip: meta.ip, userAgent: meta.userAgent };

      if (!user || !passwordOk || user.disabled_at) {
        return commitThenThrow<never>(
          tenancy.withSystemTx('sign-in failure: count and audit', async (tx) => {
            if (meta.ip) await countThrottleHit(tx, 'signInFailuresPerIp', 'ip', meta.ip);
            await countThrottleHit(tx, 'signInFailuresPerAccount', 'account', input.email);
            await auditForPerson(tx, user ? orgIds : [], {
              ...base,
              action: 'auth.sign_in',
              outcome: 'failure',
              actorUserId: user?.id ?? null,
              actorLabel: user?.email ?? null,
              targetType: 'user',
              targetId: user?.id ?? null,
              details: user
                ? { reason: user.disabled_at ? 'account_disabled' : 'wrong_password' }
                : { reason: 'unknown_account' },
            });
            return unauthorized('auth.invalid_credentials', 'The e-mail address or password is not right.');
          }),
        );
      }
      if (!user.email_verified_at) {
        throw forbidden('auth.email_not_verified', 'Confirm your e-mail address first: use the link we sent you, or ask for a new one.');
      }
      let orgId: string | null = memberships[0]?.org_id ?? null;
      if (input.orgId) {
        if (!orgIds.includes(input.orgId)) throw notFound('The organisation');
        orgId = input.orgId;
      }
      const opened = await tenancy.withSystemTx('sign-in success: open the session and audit', async (tx) => {
        await clearThrottle(tx, 'signInFailuresPerAccount', 'account', input.email);
        const session = await openSession(tx, user.id, orgId, meta);
        await recordAudit(tx, {
          ...base,
          orgId: orgId ?? INSTANCE_ORG_ID,
          action: 'auth.sign_in',
          outcome: 'success',
          actorUserId: user.id,
          actorLabel: user.email,
          targetType: 'session',
          targetId: session.sessionId,
        });
        return session;
      });
      return present(user, opened.sessionId, orgId, memberships, opened);
    },

    /**
     * AUTH-03: a refresh token is spent once and replaced. A second use within a few seconds is a race
     * between two tabs and is refused without harm; a later reuse means the token was stolen, and the
     * whole family (the session) is revoked.
     */
    async refresh(refreshToken: string, meta: RequestMeta, csrf: { presented: string | undefined } | null): Promise<IssuedSession> {
      const hash = sha256(refreshToken);
      const outcome = await commitThenThrow(
        tenancy.withSystemTx('token refresh: the session’s organisation is known only from the token', async (tx) => {
          const row = await findRefreshTokenForUpdate(tx, hash);
          if (!row) return unauthorized('auth.invalid_refresh_token', 'Your session has ended. Sign in again.');
          if (csrf && !tokens.csrfTokenMatches(row.session_id, csrf.presented)) {
            return forbidden('auth.csrf_failed', 'The request did not carry a valid CSRF token.');
          }
          if (row.session_revoked_at || row.user_disabled_at) return unauthorized('auth.session_ended', 'Your session has ended. Sign in again.');
          if (row.used_at) {
            const ageSeconds = (Date.now() - row.used_at.getTime()) / 1000;
            if (ageSeconds <= REFRESH_REUSE_GRACE_SECONDS) {
              return conflict('auth.refresh_race', 'This session was refreshed a moment ago by another request; use the newer token.');
            }
            await revokeSession(tx, row.session_id, 'refresh_token_reuse');
            const user = await findUserById(tx, row.user_id);
            await recordAudit(tx, {
              orgId: row.active_org_id ?? INSTANCE_ORG_ID,
              action: 'auth.refresh_reuse',
              outcome: 'denied',
              actorUserId: row.user_id,
              actorLabel: user?.email ?? null,
              targetType: 'session',
              targetId: row.session_id,
              ip: meta.ip,
              userAgent: meta.userAgent,
              details: { spentSecondsAgo: Math.round(ageSeconds) },
            });
            return unauthorized('auth.refresh_reuse', 'This sign-in was ended because an old token was used again. Sign in again.');
          }
          if (row.expires_at.getTime() <= Date.now()) return unauthorized('auth.session_ended', 'Your session has ended. Sign in again.');
          await markRefreshTokenUsed(tx, hash);
          const user = await findUserById(tx, row.user_id);
          const memberships = await findMembershipsByUser(tx, row.user_id);
          // A person removed from the session's organisation keeps the session, without that organisation.
          const orgId = memberships.some((m) => m.org_id === row.active_org_id) ? row.active_org_id : (memberships[0]?.org_id ?? null);
          await updateSessionOrg(tx, row.session_id, orgId);
          const next = await issueRefreshToken(tx, row.session_id);
          return { user: user!, memberships, orgId, sessionId: row.session_id, next };
        }),
      );
      return present(outcome.user, outcome.sessionId, outcome.orgId, outcome.memberships, outcome.next);
    },

    /** Ends the session named by the access token or, when that has expired, by the refresh token. */
    async signOut(
      principal: Principal | null,
      refreshToken: string | undefined,
      meta: RequestMeta,
      csrf: { presented: string | undefined } | null,
    ): Promise<void> {
      await commitThenThrow(
        tenancy.withSystemTx('sign-out: the session may have expired', async (tx) => {
          let sessionId = principal?.sessionId;
          if (!sessionId && refreshToken) sessionId = (await findRefreshTokenForUpdate(tx, sha256(refreshToken)))?.session_id;
          if (!sessionId) return undefined;
          if (!principal && csrf && !tokens.csrfTokenMatches(sessionId, csrf.presented)) {
            return forbidden('auth.csrf_failed', 'The request did not carry a valid CSRF token.');
          }
          const session = await findSession(tx, sessionId);
          if (!session || session.revoked_at) return undefined;
          await revokeSession(tx, sessionId, 'sign_out');
          const user = await findUserById(tx, session.user_id);
          await recordAudit(tx, {
            orgId: session.active_org_id ?? INSTANCE_ORG_ID,
            action: 'auth.sign_out',
            outcome: 'success',
            actorUserId: session.user_id,
            actorLabel: user?.email ?? null,
            targetType: 'session',
            targetId: sessionId,
            ip: meta.ip,
            userAgent: meta.userAgent,
          });
          return undefined;
        }),
      );
    },

    /**
     * AUTH-03: ends every session of the person, on every device, this one included. Each session is a
     * refresh-token family, so its refresh tokens stop working, and its access tokens are refused from the
     * next request on (every request checks that its session is alive).
     */
    async signOutEverywhere(principal: Principal | null, meta: RequestMeta): Promise<void> {
      if (!principal) throw unauthorized();
      await tenancy.withSystemTx('sign out everywhere: sessions and audit span the person’s organisations', async (tx) => {
        const session = await findSession(tx, principal.sessionId);
        const user = await findUserById(tx, principal.userId);
        // An access token of a session already ended must not act, even to end the others.
        if (!session || session.revoked_at || session.user_id !== principal.userId || !user || user.disabled_at) {
          throw unauthorized('auth.session_ended', 'Your session has ended. Sign in again.');
        }
        await endSessionsAudited(tx, user, { reason: 'sign_out_everywhere', action: 'auth.sign_out_everywhere', keepSessionId: null }, meta);
      });
    },

    /** Sends a reset link if the address has an account; answers the same either way. */
    async requestPasswordReset(email: string, meta: RequestMeta): Promise<{ message: string }> {
      await tenancy.withSystemTx('password reset request: audit to the person’s organisations', async (tx) => {
        const keys = [throttleKey('resetPerAccount', 'account', email)];
        if (meta.ip) keys.push(throttleKey('resetPerIp', 'ip', meta.ip));
        await assertNotThrottled(tx, keys);
        if (meta.ip) await countThrottleHit(tx, 'resetPerIp', 'ip', meta.ip);
        await countThrottleHit(tx, 'resetPerAccount', 'account', email);
        const user = await findUserByEmail(tx, email);
        if (!user || user.disabled_at) return;
        const token = await issueEmailToken(tx, user.id, 'reset_password');
        await mail.enqueue(tx, {
          to: user.email,
          subject: 'Reset your Seatwise password',
          text: `Hello ${user.name},\n\nChoose a new password here:\n\n${link('/reset-password', token)}\n\nThe link works once, for 30 minutes. If you did not ask for it, ignore this message: your password stays as it is.\n`,
        });
        const memberships = await findMembershipsByUser(tx, user.id);
        await auditForPerson(tx, memberships.map((m) => m.org_id), {
          action: 'auth.password_reset_requested',
          outcome: 'success',
          actorUserId: null,
          actorLabel: null,
          targetType: 'user',
          targetId: user.id,
          ip: meta.ip,
          userAgent: meta.userAgent,
        });
      });
      return { message: GENERIC_RESET_ANSWER };
    },

    /** Sets a new password from a reset link and ends every session of the person. */
    async resetPassword(token: string, password: string, meta: RequestMeta): Promise<void> {
      const userId = await tenancy.withSystemTx('password reset: peek at the token', async (tx) => {
        if (meta.ip) await assertNotThrottled(tx, [throttleKey('tokenPerIp', 'ip', meta.ip)]);
        return findLiveEmailTokenUser(tx, sha256(token), 'reset_password');
      });
      const invalid = badRequest('auth.invalid_token', 'This reset link is invalid, expired or already used. Ask for a new one.');
      if (!userId) {
        await tenancy.withSystemTx('password reset: count the bad link', async (tx) => {
          if (meta.ip) await countThrottleHit(tx, 'tokenPerIp', 'ip', meta.ip);
        });
        throw invalid;
      }
      const user = await tenancy.withSystemTx('password reset: the account', (tx) => findUserById(tx, userId));
      const weakness = passwordWeakness(password, [user?.email ?? '', user?.name ?? '']);
      if (weakness) throw badRequest('auth.weak_password', `Password ${weakness}`, [{ path: 'body.password', message: weakness }]);
      const passwordHash = await hashPassword(password);
      await commitThenThrow(
        tenancy.withSystemTx('password reset: end sessions and audit to the person’s organisations', async (tx) => {
          // Spending the token here, not above, keeps a weak-password retry possible with the same link.
          const spentBy = await consumeEmailToken(tx, sha256(token), 'reset_password');
          if (spentBy !== userId) return invalid;
          await updateUserPassword(tx, userId, passwordHash);
          // Whoever can read the inbox has now proven it: the address counts as verified.
          await markUserEmailVerified(tx, userId);
          await endSessionsAudited(tx, { id: userId, email: user?.email ?? null }, { reason: 'password_reset', action: 'auth.password_reset', keepSessionId: null }, meta);
          return undefined;
        }),
      );
    },

    /** AUTH-03: a password change keeps this session and revokes every other one. */
    async changePassword(principal: Principal | null, currentPassword: string, newPassword: string, meta: RequestMeta): Promise<void> {
      if (!principal) throw unauthorized();
      const user = await tenancy.withSystemTx('password change: the account behind the session', async (tx) => {
        const session = await findSession(tx, principal.sessionId);
        if (!session || session.revoked_at || session.user_id !== principal.userId) return undefined;
        return findUserById(tx, principal.userId);
      });
      if (!user || user.disabled_at) throw unauthorized('auth.session_ended', 'Your session has ended. Sign in again.');
      if (!(await verifyPassword(currentPassword, user.password_hash))) {
        throw badRequest('auth.wrong_password', 'The current password is not right.', [
          { path: 'body.currentPassword', message: 'is not right' },
        ]);
      }
      const weakness = passwordWeakness(newPassword, [user.email, user.name]);
      if (weakness) throw badRequest('auth.weak_password', `Password ${weakness}`, [{ path: 'body.newPassword', message: weakness }]);
      const passwordHash = await hashPassword(newPassword);
      await tenancy.withSystemTx('password change: audit to the person’s organisations', async (tx) => {
        await updateUserPassword(tx, user.id, passwordHash);
        await endSessionsAudited(tx, user, { reason: 'password_change', action: 'auth.password_change', keepSessionId: principal.sessionId }, meta);
      });
    },

    /** The signed-in person, their organisations and the one this session works in. */
    async me(principal: Principal | null): Promise<MeResponse> {
      if (!principal) throw unauthorized();
      const result = await tenancy.withSystemTx('who am I: list the person’s organisations', async (tx) => {
        const session = await findSession(tx, principal.sessionId);
        const user = await findUserById(tx, principal.userId);
        if (!session || session.revoked_at || !user || user.disabled_at || session.user_id !== user.id) return undefined;
        return { user, memberships: await findMembershipsByUser(tx, user.id) };
      });
      if (!result) throw unauthorized('auth.session_ended', 'Your session has ended. Sign in again.');
      const current = result.memberships.find((m) => m.org_id === principal.orgId);
      return {
        user: { id: result.user.id, name: result.user.name, email: result.user.email },
        orgId: current ? current.org_id : null,
        role: current ? current.role : null,
        memberships: toMemberships(result.memberships),
      };
    },

    /** Moves this session to another of the person's organisations; a new access token says so. */
    async switchOrg(principal: Principal | null, orgId: string, meta: RequestMeta): Promise<IssuedSession> {
      if (!principal) throw unauthorized();
      const result = await commitThenThrow(
        tenancy.withSystemTx('switch organisation: check membership elsewhere', async (tx) => {
          const session = await findSession(tx, principal.sessionId);
          const user = await findUserById(tx, principal.userId);
          if (!session || session.revoked_at || !user || user.disabled_at) return unauthorized('auth.session_ended', 'Your session has ended. Sign in again.');
          const memberships = await findMembershipsByUser(tx, user.id);
          if (!memberships.some((m) => m.org_id === orgId)) return notFound('The organisation');
          await updateSessionOrg(tx, principal.sessionId, orgId);
          await recordAudit(tx, {
            orgId,
            action: 'auth.switch_org',
            outcome: 'success',
            actorUserId: user.id,
            actorLabel: user.email,
            targetType: 'session',
            targetId: principal.sessionId,
            ip: meta.ip,
            userAgent: meta.userAgent,
          });
          return { user, memberships };
        }),
      );
      return present(result.user, principal.sessionId, orgId, result.memberships);
    },

    /** Re-sends the verification link (answers the same whether or not the address has an account). */
    async resendVerification(email: string, meta: RequestMeta): Promise<{ message: string }> {
      await tenancy.withSystemTx('resend verification: find the account', async (tx) => {
        const keys = [throttleKey('resetPerAccount', 'account', email)];
        if (meta.ip) keys.push(throttleKey('resetPerIp', 'ip', meta.ip));
        await assertNotThrottled(tx, keys);
        if (meta.ip) await countThrottleHit(tx, 'resetPerIp', 'ip', meta.ip);
        await countThrottleHit(tx, 'resetPerAccount', 'account', email);
        const user = await findUserByEmail(tx, email);
        if (user && !user.email_verified_at && !user.disabled_at) await sendVerification(tx, user);
      });
      return { message: GENERIC_SIGN_UP_ANSWER };
    },
  };
}
