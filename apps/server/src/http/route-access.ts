import { apiKeyScopeFor, type ApiKeyScope, type Permission } from '@seatwise/protocol';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal, Principal, RequestMeta } from '../modules/access/access.service.ts';

/**
 * Every route declares who may call it. Services enforce it; the role × route matrix test reads these
 * declarations from the route table and checks each cell against the live server.
 * - 'public': anyone, signed in or not (an API key sent here is ignored: the request is anonymous).
 * - 'authenticated': any signed-in person (their own account), whatever their role.
 * - 'api_key': API keys only, whatever their scopes (a key asking about itself).
 * - a permission: members whose role grants it; and, if the route also declares `apiKeyScope`, API keys
 *   with that scope.
 */
export type RouteAccess = 'public' | 'authenticated' | 'api_key' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /**
     * This route also accepts API keys that have this scope. It must be the scope that the route's
     * permission maps to (API_KEY_PERMISSION_SCOPE); any route without it refuses keys.
     */
    apiKeyScope?: ApiKeyScope;
    /** Public sign-in style routes check only the Origin: there is no session to bind a CSRF token to. */
    csrf?: 'origin-only';
  }
  interface FastifyRequest {
    /** The person a valid access token names. Null for anonymous requests and for API keys. */
    principal: Principal | null;
    /** The API key presented, on a route that accepts keys. Never set together with `principal`. */
    apiKey: ApiKeyPrincipal | null;
    /**
     * How the caller authenticated: a cookie (browsers, CSRF-checked), a bearer access token or an API key
     * (API clients: no ambient credentials, so no CSRF check).
     */
    authVia: 'cookie' | 'bearer' | 'api_key' | null;
  }
}

/** True when a route accepts API keys (a key-only route, or one that declares `apiKeyScope`). */
export function acceptsApiKeys(config: { access?: RouteAccess | undefined; apiKeyScope?: ApiKeyScope | undefined }): boolean {
  return config.access === 'api_key' || config.apiKeyScope !== undefined;
}

/**
 * Why a route's key declaration is inconsistent, or null. A route may declare `apiKeyScope` only for a
 * permission that the scope grants, so that what the route table says and what the service checks agree.
 */
export function apiKeyDeclarationProblem(config: { access?: RouteAccess | undefined; apiKeyScope?: ApiKeyScope | undefined }): string | null {
  if (config.apiKeyScope === undefined) return null;
  const access = config.access;
  if (access === undefined || access === 'public' || access === 'authenticated' || access === 'api_key') {
    return `apiKeyScope needs a permission as its access rule, not ${access ?? 'none'}`;
  }
  const scope = apiKeyScopeFor(access);
  if (scope !== config.apiKeyScope) {
    return scope ? `${access} needs the "${scope}" scope, not "${config.apiKeyScope}"` : `no API key scope grants ${access}`;
  }
  return null;
}

/** Where the request came from and the API key it presented (if any), for the service and audit records. */
export function requestMeta(request: FastifyRequest): RequestMeta {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip || null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 500) : null,
    apiKey: request.apiKey,
  };
}
