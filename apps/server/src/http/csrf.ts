import type { FastifyInstance } from 'fastify';
import type { TokenService } from '../modules/auth/auth.tokens.ts';
import { forbidden } from './errors.ts';
import { CSRF_COOKIE, CSRF_HEADER, hasSessionCookie } from './session-cookies.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * AUTH-02: a state-changing request that a browser could send with our cookies must come from an allowed
 * Origin and carry the session's CSRF token in a header (an HMAC of the session id). Requests with a
 * bearer access token or an API key carry no ambient credentials and need neither (with an Authorization
 * header, cookies are not read at all).
 */
export function registerCsrfProtection(app: FastifyInstance, deps: { tokens: TokenService; allowedOrigins: string[] }): void {
  const allowed = new Set(deps.allowedOrigins);
  app.addHook('preHandler', async (request) => {
    if (SAFE_METHODS.has(request.method) || request.authVia === 'bearer' || request.authVia === 'api_key' || !hasSessionCookie(request)) return;
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !allowed.has(origin)) {
      throw forbidden('auth.origin_mismatch', 'This request came from a page outside Seatwise and was refused.');
    }
    if (request.routeOptions.config.csrf === 'origin-only') return;
    const presented = request.headers[CSRF_HEADER];
    const token = typeof presented === 'string' ? presented : undefined;
    if (request.principal) {
      if (!deps.tokens.csrfTokenMatches(request.principal.sessionId, token)) {
        throw forbidden('auth.csrf_failed', 'The request did not carry a valid CSRF token.');
      }
      return;
    }
    // No valid access token (it expired): the refresh and sign-out routes match the header against the
    // session that the refresh cookie names. Here it must at least echo the CSRF cookie.
    if (!token || token !== request.cookies[CSRF_COOKIE]) {
      throw forbidden('auth.csrf_failed', 'The request did not carry a valid CSRF token.');
    }
  });
}
