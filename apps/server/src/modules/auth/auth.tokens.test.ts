import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TTL_SECONDS, createTokenService } from './auth.tokens.ts';

const service = (keys = [{ kid: 'k1', secret: randomBytes(32) }]) =>
  createTokenService({ keys, issuer: 'http://localhost:8080', csrfSecret: randomBytes(32) });

describe('access tokens', () => {
  it('AUTH-01 an access token stops working when its 15 minutes are up, even after it was verified before', async () => {
    const tokens = service();
    const principal = { userId: randomUUID(), sessionId: randomUUID(), orgId: randomUUID() };
    // Issued 15 minutes minus one second ago: one second left.
    const { token } = await tokens.signAccessToken(principal, new Date(Date.now() - (ACCESS_TOKEN_TTL_SECONDS - 1) * 1000));
    expect(await tokens.verifyAccessToken(token)).toEqual(principal);
    expect(await tokens.verifyAccessToken(token)).toEqual(principal);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await tokens.verifyAccessToken(token)).toBeNull();
  });

  it('AUTH-01 a token signed with a retired key verifies while that key is listed, and not after', async () => {
    const old = { kid: 'old', secret: randomBytes(32) };
    const fresh = { kid: 'new', secret: randomBytes(32) };
    const principal = { userId: randomUUID(), sessionId: randomUUID(), orgId: null };
    const { token } = await service([old]).signAccessToken(principal);
    expect(await service([fresh, old]).verifyAccessToken(token)).toEqual(principal);
    expect(await service([fresh]).verifyAccessToken(token)).toBeNull();
  });

  it('AUTH-02 the CSRF token belongs to one session', () => {
    const tokens = service();
    const [a, b] = [randomUUID(), randomUUID()];
    expect(tokens.csrfTokenMatches(a, tokens.csrfTokenFor(a))).toBe(true);
    expect(tokens.csrfTokenMatches(a, tokens.csrfTokenFor(b))).toBe(false);
    expect(tokens.csrfTokenMatches(a, undefined)).toBe(false);
  });
});
