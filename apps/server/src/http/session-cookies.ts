import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } from '../modules/auth/auth.tokens.ts';
import type { IssuedSession } from '../modules/auth/auth.service.ts';

/**
 * AUTH-02: `__Host-` cookies are Secure, host-only and Path=/ by the browser's own rules. Browsers treat
 * http://localhost as secure, so the same cookies work in development without TLS.
 */
export const ACCESS_COOKIE = '__Host-sw_access';
export const REFRESH_COOKIE = '__Host-sw_refresh';
/** Readable by the page's script, which echoes it in the x-csrf-token header. */
export const CSRF_COOKIE = '__Host-sw_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const base = { path: '/', secure: true, sameSite: 'strict' as const };

/** Sets the session cookies for a browser. */
export function setSessionCookies(reply: FastifyReply, session: IssuedSession): void {
  reply.setCookie(ACCESS_COOKIE, session.accessToken, { ...base, httpOnly: true, maxAge: ACCESS_TOKEN_TTL_SECONDS });
  if (session.refreshToken) {
    reply.setCookie(REFRESH_COOKIE, session.refreshToken, { ...base, httpOnly: true, maxAge: REFRESH_TOKEN_TTL_SECONDS });
  }
  reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...base, httpOnly: false, maxAge: REFRESH_TOKEN_TTL_SECONDS });
}

export function clearSessionCookies(reply: FastifyReply): void {
  for (const name of [ACCESS_COOKIE, REFRESH_COOKIE]) reply.clearCookie(name, { ...base, httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, { ...base, httpOnly: false });
}

/** True when the request carries any session cookie (and so is exposed to cross-site request forgery). */
export function hasSessionCookie(request: FastifyRequest): boolean {
  return Boolean(request.cookies[ACCESS_COOKIE] || request.cookies[REFRESH_COOKIE]);
}
