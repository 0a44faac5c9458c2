import { API_KEY_PATTERN, API_KEY_PREFIX, API_KEY_VISIBLE_LENGTH } from '@seatwise/protocol';
import type { FastifyInstance } from 'fastify';
import { sha256 } from '../lib/tokens.ts';
import type { AccessService, ApiKeyPrincipal } from '../modules/access/access.service.ts';
import type { TokenService } from '../modules/auth/auth.tokens.ts';
import { acceptsApiKeys, apiKeyDeclarationProblem, requestMeta } from './route-access.ts';
import { ACCESS_COOKIE } from './session-cookies.ts';

/** A presented key, reduced to its hash (the plain key is not kept on the request, so it cannot be logged). */
function apiKeyPrincipal(token: string): ApiKeyPrincipal {
  return {
    kind: 'api_key',
    keyHash: sha256(token),
    prefix: API_KEY_PATTERN.test(token) ? token.slice(0, API_KEY_VISIBLE_LENGTH) : null,
  };
}

/**
 * Reads the credential: `Authorization: Bearer swk_…` is an API key, any other bearer value an access
 * token (API clients), else the access cookie (browsers). Only the token's signature and claims are
 * checked here; whether the session or key is still alive, and what it may do, is checked in the database
 * by the service, inside its transaction.
 *
 * An API key is accepted only on routes that declare so (route-access.ts). On a public route it is
 * ignored; on any other route it is refused here, and the refusal is audited.
 */
export function registerAuthentication(app: FastifyInstance, deps: { tokens: TokenService; access: AccessService }): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('apiKey', null);
  app.decorateRequest('authVia', null);
  app.addHook('onRoute', (route) => {
    const problem = apiKeyDeclarationProblem(route.config ?? {});
    if (problem) throw new Error(`${String(route.method)} ${route.url}: ${problem}`);
  });
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (typeof header === 'string' && header.startsWith('Bearer ')) {
      const token = header.slice('Bearer '.length).trim();
      if (token.startsWith(API_KEY_PREFIX)) {
        const config = request.routeOptions.config;
        if (request.is404 || config.access === 'public') return;
        request.apiKey = apiKeyPrincipal(token);
        request.authVia = 'api_key';
        if (!acceptsApiKeys(config)) await deps.access.refuseApiKey({ ...requestMeta(request), apiKey: request.apiKey });
        return;
      }
      request.principal = await deps.tokens.verifyAccessToken(token);
      request.authVia = request.principal ? 'bearer' : null;
      return;
    }
    const cookie = request.cookies[ACCESS_COOKIE];
    if (cookie) {
      request.principal = await deps.tokens.verifyAccessToken(cookie);
      request.authVia = request.principal ? 'cookie' : null;
    }
  });
}
