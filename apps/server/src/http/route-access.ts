import type { Permission } from '@seatwise/protocol';
import type { FastifyRequest } from 'fastify';
import type { Principal, RequestMeta } from '../modules/access/access.service.ts';

/**
 * Every route declares who may call it. Services enforce it; the role × route matrix test reads these
 * declarations from the route table and checks each cell against the live server.
 * - 'public': anyone, signed in or not.
 * - 'authenticated': any signed-in person (their own account), whatever their role.
 * - a permission: members whose role grants it.
 */
export type RouteAccess = 'public' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** Public sign-in style routes check only the Origin: there is no session to bind a CSRF token to. */
    csrf?: 'origin-only';
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** How the caller authenticated: a cookie (browsers, CSRF-checked) or a bearer token (API clients). */
    authVia: 'cookie' | 'bearer' | null;
  }
}

/** Where the request came from, for audit records. */
export function requestMeta(request: FastifyRequest): RequestMeta {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip || null, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 500) : null };
}
