import type { FastifyInstance } from 'fastify';
import type { TokenService } from '../modules/auth/auth.tokens.ts';
import { ACCESS_COOKIE } from './session-cookies.ts';

/**
 * Reads the access token from `Authorization: Bearer` (API clients) or the access cookie (browsers) and
 * verifies it. Only the signature and claims are checked here; whether the session is still alive and
 * the person still a member is checked in the database by the service, inside its transaction.
 */
export function registerAuthentication(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('authVia', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (typeof header === 'string' && header.startsWith('Bearer ')) {
      request.principal = await tokens.verifyAccessToken(header.slice('Bearer '.length).trim());
      request.authVia = request.principal ? 'bearer' : null;
      return;
    }
    const cookie = request.cookies[ACCESS_COOKIE];
    if (cookie) {
      request.principal = await tokens.verifyAccessToken(cookie);
      request.authVia = request.principal ? 'cookie' : null;
    }
  });
}
