import { createHmac } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { SigningKey } from '../../config.ts';
import { safeEqual } from '../../lib/tokens.ts';
import type { Principal } from '../access/access.service.ts';

/** AUTH-01: access tokens live 15 minutes, refresh tokens 7 days. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;
const ALGORITHM = 'HS256';
const AUDIENCE = 'seatwise-api';

export type TokenService = ReturnType<typeof createTokenService>;

/** Signs and verifies access tokens (jose; algorithm, issuer and audience pinned; `kid` picks the key). */
export function createTokenService(deps: { keys: SigningKey[]; issuer: string; csrfSecret: Uint8Array }) {
  const [activeKey] = deps.keys;
  if (!activeKey) throw new Error('at least one signing key is required');
  const byKid = new Map(deps.keys.map((key) => [key.kid, key.secret]));
  // Verified tokens, until they expire: the signature of the same string cannot become invalid, and checking
  // it costs more than the rest of a request's authentication. Revocation is checked in the database anyway.
  const verified = new Map<string, { principal: Principal; expiresAtMs: number }>();
  const MAX_CACHED = 10_000;

  return {
    async signAccessToken(principal: Principal, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
      const issuedAt = Math.floor(now.getTime() / 1000);
      const expiresAt = new Date((issuedAt + ACCESS_TOKEN_TTL_SECONDS) * 1000);
      const token = await new SignJWT({ sid: principal.sessionId, org: principal.orgId })
        .setProtectedHeader({ alg: ALGORITHM, kid: activeKey.kid, typ: 'JWT' })
        .setSubject(principal.userId)
        .setIssuer(deps.issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
        .sign(activeKey.secret);
      return { token, expiresAt };
    },

    /** The principal a valid token names, or null for any invalid, expired or foreign token. */
    async verifyAccessToken(token: string): Promise<Principal | null> {
      const cached = verified.get(token);
      if (cached && cached.expiresAtMs > Date.now()) return cached.principal;
      if (cached) verified.delete(token);
      try {
        const { payload } = await jwtVerify<JWTPayload & { sid?: unknown; org?: unknown }>(
          token,
          (header) => {
            const secret = header.kid ? byKid.get(header.kid) : undefined;
            if (!secret) throw new errors.JWKSNoMatchingKey();
            return secret;
          },
          { algorithms: [ALGORITHM], issuer: deps.issuer, audience: AUDIENCE, requiredClaims: ['sub', 'sid', 'exp', 'iat'] },
        );
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
        const orgId = typeof payload.org === 'string' ? payload.org : null;
        const principal = { userId: payload.sub, sessionId: payload.sid, orgId };
        if (verified.size >= MAX_CACHED) verified.delete(verified.keys().next().value!);
        verified.set(token, { principal, expiresAtMs: (payload.exp ?? 0) * 1000 });
        return principal;
      } catch {
        return null;
      }
    },

    /** The CSRF token of a session: an HMAC of its id, so it needs no storage and dies with the session. */
    csrfTokenFor(sessionId: string): string {
      return createHmac('sha256', deps.csrfSecret).update(`csrf|${sessionId}`).digest('base64url');
    },

    csrfTokenMatches(sessionId: string, presented: string | undefined): boolean {
      return typeof presented === 'string' && safeEqual(presented, this.csrfTokenFor(sessionId));
    },
  };
}
