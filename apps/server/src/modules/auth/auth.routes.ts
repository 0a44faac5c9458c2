import {
  AcceptedResponse,
  ChangePasswordRequest,
  MeResponse,
  OkResponse,
  PasswordResetConfirm,
  PasswordResetRequest,
  RefreshRequest,
  SessionResponse,
  SignInRequest,
  SignOutEverywhereRequest,
  SignUpRequest,
  SwitchOrgRequest,
  VerifyEmailRequest,
} from '@seatwise/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { unauthorized } from '../../http/errors.ts';
import { requestMeta } from '../../http/route-access.ts';
import { clearSessionCookies, CSRF_HEADER, REFRESH_COOKIE, setSessionCookies } from '../../http/session-cookies.ts';
import type { AuthService, IssuedSession } from './auth.service.ts';

const tags = ['auth'];

function presentSession(session: IssuedSession): z.input<typeof SessionResponse> {
  return {
    user: session.user,
    orgId: session.orgId,
    role: session.role,
    memberships: session.memberships,
    accessToken: session.accessToken,
    accessTokenExpiresAt: session.accessTokenExpiresAt.toISOString(),
    refreshToken: session.refreshToken,
    csrfToken: session.csrfToken,
  };
}

/** The refresh token from the body (API clients) or the cookie (browsers, which then need the CSRF header). */
function refreshTokenOf(request: FastifyRequest, body: { refreshToken?: string | undefined } | null | undefined) {
  if (body?.refreshToken) return { token: body.refreshToken, csrf: null };
  const cookie = request.cookies[REFRESH_COOKIE];
  const header = request.headers[CSRF_HEADER];
  return cookie ? { token: cookie, csrf: { presented: typeof header === 'string' ? header : undefined } } : undefined;
}

export function registerAuthRoutes(app: FastifyInstance, auth: AuthService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const publicForm = { access: 'public', csrf: 'origin-only' } as const;

  r.post('/api/auth/sign-up', {
    config: publicForm,
    schema: { tags, summary: 'Create an organisation and its first Owner', body: SignUpRequest, response: { 202: AcceptedResponse } },
    handler: async (request, reply) => reply.status(202).send(await auth.signUp(request.body, requestMeta(request))),
  });

  r.post('/api/auth/verify-email', {
    config: publicForm,
    schema: { tags, summary: 'Confirm an e-mail address with the single-use link token', body: VerifyEmailRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      await auth.verifyEmail(request.body.token, requestMeta(request));
      return { ok: true as const };
    },
  });

  r.post('/api/auth/resend-verification', {
    config: publicForm,
    schema: { tags, summary: 'Send the e-mail confirmation link again', body: PasswordResetRequest, response: { 202: AcceptedResponse } },
    handler: async (request, reply) => reply.status(202).send(await auth.resendVerification(request.body.email, requestMeta(request))),
  });

  r.post('/api/auth/sign-in', {
    config: publicForm,
    schema: { tags, summary: 'Sign in with e-mail and password', body: SignInRequest, response: { 200: SessionResponse } },
    handler: async (request, reply) => {
      const session = await auth.signIn(request.body, requestMeta(request));
      setSessionCookies(reply, session);
      return presentSession(session);
    },
  });

  r.post('/api/auth/refresh', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Trade a refresh token for a new access token and refresh token',
      body: RefreshRequest.nullish(),
      response: { 200: SessionResponse },
    },
    handler: async (request, reply) => {
      const presented = refreshTokenOf(request, request.body);
      if (!presented) throw unauthorized('auth.invalid_refresh_token', 'Your session has ended. Sign in again.');
      try {
        const session = await auth.refresh(presented.token, requestMeta(request), presented.csrf);
        setSessionCookies(reply, session);
        return presentSession(session);
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 401 && presented.csrf) clearSessionCookies(reply);
        throw error;
      }
    },
  });

  r.post('/api/auth/sign-out', {
    config: { access: 'public' },
    schema: { tags, summary: 'End this session', body: RefreshRequest.nullish(), response: { 200: OkResponse } },
    handler: async (request, reply) => {
      const presented = refreshTokenOf(request, request.body);
      await auth.signOut(request.principal, presented?.token, requestMeta(request), presented?.csrf ?? null);
      clearSessionCookies(reply);
      return { ok: true as const };
    },
  });

  r.post('/api/auth/sign-out-everywhere', {
    config: { access: 'authenticated' },
    schema: {
      tags,
      summary: 'End every session of yours, on every device, this one included',
      body: SignOutEverywhereRequest.nullish(),
      response: { 200: OkResponse },
    },
    handler: async (request, reply) => {
      await auth.signOutEverywhere(request.principal, requestMeta(request));
      clearSessionCookies(reply);
      return { ok: true as const };
    },
  });

  r.post('/api/auth/password-reset', {
    config: publicForm,
    schema: { tags, summary: 'Ask for a password reset link', body: PasswordResetRequest, response: { 202: AcceptedResponse } },
    handler: async (request, reply) => reply.status(202).send(await auth.requestPasswordReset(request.body.email, requestMeta(request))),
  });

  r.post('/api/auth/password-reset/confirm', {
    config: publicForm,
    schema: { tags, summary: 'Choose a new password with a reset link token', body: PasswordResetConfirm, response: { 200: OkResponse } },
    handler: async (request) => {
      await auth.resetPassword(request.body.token, request.body.password, requestMeta(request));
      return { ok: true as const };
    },
  });

  r.post('/api/auth/change-password', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Change your password (ends your other sessions)', body: ChangePasswordRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      await auth.changePassword(request.principal, request.body.currentPassword, request.body.newPassword, requestMeta(request));
      return { ok: true as const };
    },
  });

  r.get('/api/auth/me', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'The signed-in person and their organisations', response: { 200: MeResponse } },
    handler: async (request) => auth.me(request.principal),
  });

  r.post('/api/auth/switch-org', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Work in another of your organisations', body: SwitchOrgRequest, response: { 200: SessionResponse } },
    handler: async (request, reply) => {
      const session = await auth.switchOrg(request.principal, request.body.orgId, requestMeta(request));
      setSessionCookies(reply, session);
      return presentSession(session);
    },
  });
}
