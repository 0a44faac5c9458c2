import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../lib/tokens.ts';
import { createTestApp, parseSetCookies, strongPassword, TEST_ORIGIN, type TestApp, type TestSession } from '../../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function ownerQuery<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
  return t.database.owner.transaction(async (tx) => (await tx.query<Row>(sql, params)).rows);
}

const refresh = (refreshToken: string) => t.request({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
const listMembers = (accessToken: string) =>
  t.request({ method: 'GET', url: '/api/members', headers: { authorization: `Bearer ${accessToken}` } });

/** Sends cookies the way a browser that holds this session would. */
function cookieHeader(session: TestSession): string {
  return Object.entries(session.cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

describe('tokens', () => {
  it('AUTH-01 sign-in issues a JWT access token for 15 minutes and a refresh token for 7 days, stored only hashed', async () => {
    const owner = await t.newOrganization('tokens');
    const header = decodeProtectedHeader(owner.accessToken);
    expect(header.alg).toBe('HS256');
    expect(header.kid).toBe('test1');
    const claims = decodeJwt(owner.accessToken);
    expect(claims.exp! - claims.iat!).toBe(15 * 60);
    expect(claims.sub).toBe(owner.userId);
    expect(claims.aud).toBe('seatwise-api');
    const rows = await ownerQuery<{ token_hash: Uint8Array; days: number }>(
      `SELECT token_hash, round(extract(epoch FROM expires_at - issued_at) / 86400)::int AS days
         FROM refresh_tokens WHERE token_hash = $1`,
      [sha256(owner.refreshToken)],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.days).toBe(7);
    const anywhere = await ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM refresh_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, [
      owner.refreshToken.slice(4, 20),
    ]);
    expect(anywhere[0]!.n).toBe(0);
    expect((await listMembers(owner.accessToken)).statusCode).toBe(200);
  });

  it('AUTH-01 forged, unsigned, expired and foreign tokens are refused', async () => {
    const owner = await t.newOrganization('forged');
    const claims = decodeJwt(owner.accessToken);
    const wrongKey = await new SignJWT({ sid: claims.sid, org: claims.org })
      .setProtectedHeader({ alg: 'HS256', kid: 'test1' })
      .setSubject(owner.userId)
      .setIssuer(TEST_ORIGIN)
      .setAudience('seatwise-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new Uint8Array(32).fill(7));
    const unsigned = new UnsecuredJWT({ sid: claims.sid, org: claims.org })
      .setSubject(owner.userId)
      .setIssuer(TEST_ORIGIN)
      .setAudience('seatwise-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    const secret = t.config.jwtKeys[0]!.secret;
    const sign = (edit: (jwt: SignJWT) => SignJWT) =>
      edit(new SignJWT({ sid: claims.sid, org: claims.org }).setProtectedHeader({ alg: 'HS256', kid: 'test1' }).setSubject(owner.userId)).sign(secret);
    const expired = await sign((jwt) => jwt.setIssuer(TEST_ORIGIN).setAudience('seatwise-api').setIssuedAt(Math.floor(Date.now() / 1000) - 1000).setExpirationTime(Math.floor(Date.now() / 1000) - 60));
    const wrongAudience = await sign((jwt) => jwt.setIssuer(TEST_ORIGIN).setAudience('another-api').setIssuedAt().setExpirationTime('5m'));
    const wrongIssuer = await sign((jwt) => jwt.setIssuer('https://elsewhere.example').setAudience('seatwise-api').setIssuedAt().setExpirationTime('5m'));
    for (const token of [wrongKey, unsigned, expired, wrongAudience, wrongIssuer, 'not-a-jwt']) {
      expect((await listMembers(token)).statusCode).toBe(401);
    }
  });

  it('AUTH-01 a rotated signing key still verifies tokens it signed; an unknown kid is refused', async () => {
    const owner = await t.newOrganization('rotation');
    const claims = decodeJwt(owner.accessToken);
    const oldKey = t.config.jwtKeys[0]!;
    // The same key under another kid is unknown to the server.
    const foreignKid = await new SignJWT({ sid: claims.sid, org: claims.org })
      .setProtectedHeader({ alg: 'HS256', kid: 'retired' })
      .setSubject(owner.userId)
      .setIssuer(TEST_ORIGIN)
      .setAudience('seatwise-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(oldKey.secret);
    expect((await listMembers(foreignKid)).statusCode).toBe(401);
  });
});

describe('cookies and CSRF', () => {
  it('AUTH-02 browsers get __Host- cookies that are HttpOnly, Secure and SameSite', async () => {
    const owner = await t.newOrganization('cookies');
    const response = await t.request({ method: 'POST', url: '/api/auth/sign-in', payload: { email: owner.email, password: owner.password }, headers: { origin: TEST_ORIGIN } });
    const cookies = response.cookies as { name: string; httpOnly?: boolean; secure?: boolean; sameSite?: string; path?: string; maxAge?: number }[];
    const access = cookies.find((cookie) => cookie.name === '__Host-sw_access');
    const refreshCookie = cookies.find((cookie) => cookie.name === '__Host-sw_refresh');
    const csrf = cookies.find((cookie) => cookie.name === '__Host-sw_csrf');
    for (const cookie of [access, refreshCookie]) {
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    }
    expect(access!.maxAge).toBe(15 * 60);
    expect(refreshCookie!.maxAge).toBe(7 * 24 * 60 * 60);
    expect(csrf).toMatchObject({ secure: true, sameSite: 'Strict', path: '/' });
    expect(csrf!.httpOnly).toBeFalsy();
  });

  it('AUTH-02 a state-changing request authenticated by cookie needs an allowed Origin and the CSRF token', async () => {
    const owner = await t.newOrganization('csrf');
    const invite = (headers: Record<string, string>) =>
      t.request({ method: 'POST', url: '/api/invitations', headers: { cookie: cookieHeader(owner), ...headers }, payload: { email: `x.${Math.random()}@example.test`, role: 'viewer' } });
    expect((await invite({})).json().error.code).toBe('auth.origin_mismatch');
    expect((await invite({ origin: 'https://evil.example' })).statusCode).toBe(403);
    const noToken = await invite({ origin: TEST_ORIGIN });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('auth.csrf_failed');
    expect((await invite({ origin: TEST_ORIGIN, 'x-csrf-token': 'forged' })).statusCode).toBe(403);
    // Another session's token does not fit this session.
    const other = await t.signIn(owner.email, owner.password);
    expect((await invite({ origin: TEST_ORIGIN, 'x-csrf-token': other.csrfToken })).statusCode).toBe(403);
    expect((await invite({ origin: TEST_ORIGIN, 'x-csrf-token': owner.csrfToken })).statusCode).toBe(201);
    // Reading needs no token; API clients with a bearer token carry no ambient credentials and need none.
    expect((await t.request({ method: 'GET', url: '/api/members', headers: { cookie: cookieHeader(owner) } })).statusCode).toBe(200);
    expect((await t.request({ method: 'POST', url: '/api/invitations', as: owner, payload: { email: `y.${Math.random()}@example.test`, role: 'viewer' } })).statusCode).toBe(201);
  });

  it('AUTH-02 refreshing by cookie needs the CSRF token of that session', async () => {
    const owner = await t.newOrganization('cookie-refresh');
    const jar = { cookie: `__Host-sw_refresh=${owner.cookies['__Host-sw_refresh']}; __Host-sw_csrf=${owner.csrfToken}`, origin: TEST_ORIGIN };
    expect((await t.request({ method: 'POST', url: '/api/auth/refresh', headers: jar })).statusCode).toBe(403);
    const ok = await t.request({ method: 'POST', url: '/api/auth/refresh', headers: { ...jar, 'x-csrf-token': owner.csrfToken } });
    expect(ok.statusCode).toBe(200);
    expect(parseSetCookies(ok)['__Host-sw_refresh']).toBeTruthy();
  });
});

describe('refresh rotation and revocation', () => {
  it('AUTH-03 a refresh token is spent once and replaced by a new one', async () => {
    const owner = await t.newOrganization('rotate');
    const first = await refresh(owner.refreshToken);
    expect(first.statusCode).toBe(200);
    const next = first.json();
    expect(next.refreshToken).not.toBe(owner.refreshToken);
    expect((await listMembers(next.accessToken)).statusCode).toBe(200);
    expect((await refresh(next.refreshToken)).statusCode).toBe(200);
  });

  it('AUTH-03 two refreshes at the same moment: one succeeds, the other is told to use the newer token, nothing is revoked', async () => {
    const owner = await t.newOrganization('race');
    const [a, b] = await Promise.all([refresh(owner.refreshToken), refresh(owner.refreshToken)]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = a.statusCode === 200 ? a.json() : b.json();
    expect((await refresh(winner.refreshToken)).statusCode).toBe(200);
  });

  it('AUTH-03 reusing a spent refresh token revokes the whole token family and is audited', async () => {
    const owner = await t.newOrganization('reuse');
    const rotated = (await refresh(owner.refreshToken)).json();
    // Past the grace window for concurrent refreshes.
    await t.database.owner.transaction((tx) =>
      tx.query(`UPDATE refresh_tokens SET used_at = now() - interval '1 minute' WHERE token_hash = $1`, [sha256(owner.refreshToken)]),
    );
    const reuse = await refresh(owner.refreshToken);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error.code).toBe('auth.refresh_reuse');
    // Every token of the family is dead: the newest refresh token and the access token issued with it.
    expect((await refresh(rotated.refreshToken)).statusCode).toBe(401);
    expect((await listMembers(rotated.accessToken)).statusCode).toBe(401);
    const other = await t.signIn(owner.email, owner.password);
    const log = await t.request({ method: 'GET', url: '/api/audit-events?action=auth.refresh_reuse', as: other });
    expect(log.json().events).toHaveLength(1);
    expect(log.json().events[0]).toMatchObject({ outcome: 'denied', actorUserId: owner.userId, targetType: 'session' });
  });

  it('AUTH-03 sign-out revokes the session', async () => {
    const owner = await t.newOrganization('signout');
    expect((await t.request({ method: 'POST', url: '/api/auth/sign-out', as: owner })).statusCode).toBe(200);
    expect((await listMembers(owner.accessToken)).statusCode).toBe(401);
    expect((await refresh(owner.refreshToken)).statusCode).toBe(401);
  });

  it('AUTH-03 a password change keeps this session and revokes every other one', async () => {
    const owner = await t.newOrganization('change');
    const laptop = await t.signIn(owner.email, owner.password);
    const newPassword = strongPassword();
    const wrong = await t.request({ method: 'POST', url: '/api/auth/change-password', as: owner, payload: { currentPassword: 'not it at all', newPassword } });
    expect(wrong.statusCode).toBe(400);
    const changed = await t.request({ method: 'POST', url: '/api/auth/change-password', as: owner, payload: { currentPassword: owner.password, newPassword } });
    expect(changed.statusCode).toBe(200);
    expect((await listMembers(owner.accessToken)).statusCode).toBe(200);
    expect((await listMembers(laptop.accessToken)).statusCode).toBe(401);
    expect((await refresh(laptop.refreshToken)).statusCode).toBe(401);
    expect((await t.signIn(owner.email, newPassword)).role).toBe('owner');
  });

  it('AUTH-03 a disabled account is refused on its next request', async () => {
    const owner = await t.newOrganization('disabled');
    await t.database.owner.transaction((tx) => tx.query('UPDATE users SET disabled_at = now() WHERE id = $1', [owner.userId]));
    const response = await listMembers(owner.accessToken);
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('auth.session_ended');
    expect((await refresh(owner.refreshToken)).statusCode).toBe(401);
  });

  it('AUTH-01 a person in two organisations picks one at sign-in and can switch', async () => {
    const first = await t.newOrganization('multi');
    const second = await t.newOrganization('other');
    const invited = await t.request({ method: 'POST', url: '/api/invitations', as: second, payload: { email: first.email, role: 'viewer' } });
    expect(invited.statusCode).toBe(201);
    const accept = await t.request({ method: 'POST', url: '/api/invitations/accept', as: first, payload: { token: await t.mailedToken(first.email) } });
    expect(accept.statusCode).toBe(200);
    const inSecond = await t.signIn(first.email, first.password, second.orgId);
    expect(inSecond.role).toBe('viewer');
    const switched = await t.request({ method: 'POST', url: '/api/auth/switch-org', as: inSecond, payload: { orgId: first.orgId } });
    expect(switched.statusCode).toBe(200);
    expect(switched.json()).toMatchObject({ orgId: first.orgId, role: 'owner' });
    const foreign = await t.request({ method: 'POST', url: '/api/auth/switch-org', as: inSecond, payload: { orgId: crypto.randomUUID() } });
    expect(foreign.statusCode).toBe(404);
  });
});
