import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ORIGIN, type TestApp, type TestSession } from '../../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const SIGN_OUT_EVERYWHERE = '/api/auth/sign-out-everywhere';
const SESSION_COOKIES = ['__Host-sw_access', '__Host-sw_refresh', '__Host-sw_csrf'];

const refresh = (refreshToken: string) => t.request({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
const listMembers = (session: TestSession) => t.request({ method: 'GET', url: '/api/members', as: session });
const me = (session: TestSession) => t.request({ method: 'GET', url: '/api/auth/me', as: session });

/** The request headers of a browser holding this session: its cookies and our Origin. */
function browser(session: TestSession): Record<string, string> {
  const cookie = Object.entries(session.cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  return { cookie, origin: TEST_ORIGIN };
}

describe('sign out everywhere', () => {
  it('AUTH-03 ends every session of the person (this one included) on the next request, leaves other people signed in, and is audited', async () => {
    const owner = await t.newOrganization('everywhere');
    const laptop = await t.signIn(owner.email, owner.password);
    const colleague = await t.addMember(owner, 'viewer', 'colleague');
    const stranger = await t.newOrganization('stranger');
    // A second organisation of the owner's: the record goes to every organisation the person belongs to.
    const invited = await t.request({ method: 'POST', url: '/api/invitations', as: stranger, payload: { email: owner.email, role: 'viewer' } });
    expect(invited.statusCode, invited.body).toBe(201);
    const accepted = await t.request({ method: 'POST', url: '/api/invitations/accept', as: owner, payload: { token: await t.mailedToken(owner.email) } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    for (const session of [owner, laptop, colleague, stranger]) expect((await listMembers(session)).statusCode).toBe(200);

    const response = await t.request({
      method: 'POST',
      url: SIGN_OUT_EVERYWHERE,
      headers: { ...browser(owner), 'x-csrf-token': owner.csrfToken, 'user-agent': 'everywhere-test' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ ok: true });
    // This browser's cookies are cleared.
    const cleared = response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[];
    for (const name of SESSION_COOKIES) {
      const cookie = cleared.find((candidate) => candidate.name === name);
      expect(cookie, name).toBeDefined();
      expect(cookie!.value).toBe('');
      expect(cookie!.maxAge === 0 || (cookie!.expires !== undefined && cookie!.expires.getTime() <= Date.now())).toBe(true);
    }

    // Both sessions of the person: refresh tokens spent for good, access tokens refused on the next request.
    for (const session of [owner, laptop]) {
      const refused = await refresh(session.refreshToken);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('auth.session_ended');
      expect((await listMembers(session)).statusCode).toBe(401);
      expect((await me(session)).statusCode).toBe(401);
    }
    // A session that has ended cannot act any more, not even to sign out everywhere again.
    expect((await t.request({ method: 'POST', url: SIGN_OUT_EVERYWHERE, as: laptop })).statusCode).toBe(401);

    // Other people keep their sessions.
    for (const session of [colleague, stranger]) {
      expect((await listMembers(session)).statusCode).toBe(200);
      expect((await refresh(session.refreshToken)).statusCode).toBe(200);
    }

    // The person can sign in again; the record names them, their address and how many sessions ended.
    const again = await t.signIn(owner.email, owner.password, owner.orgId);
    const audited = { action: 'auth.sign_out_everywhere', outcome: 'success', actorUserId: owner.userId, actorLabel: owner.email, targetType: 'user', targetId: owner.userId };
    const log = await t.request({ method: 'GET', url: '/api/audit-events?action=auth.sign_out_everywhere', as: again });
    expect(log.statusCode).toBe(200);
    expect(log.json().events).toHaveLength(1);
    expect(log.json().events[0]).toMatchObject({ ...audited, userAgent: 'everywhere-test', details: { sessionsRevoked: 2 } });
    const elsewhere = await t.request({ method: 'GET', url: '/api/audit-events?action=auth.sign_out_everywhere', as: stranger });
    expect(elsewhere.json().events).toHaveLength(1);
    expect(elsewhere.json().events[0]).toMatchObject(audited);
  });

  it('AUTH-03 an API client signs out everywhere with its bearer token and an empty body; unknown fields are refused and change nothing', async () => {
    const owner = await t.newOrganization('everywhere-api');
    const phone = await t.signIn(owner.email, owner.password);
    const unknownField = await t.request({ method: 'POST', url: SIGN_OUT_EVERYWHERE, as: owner, payload: { keep: 'this one' } });
    expect(unknownField.statusCode).toBe(400);
    expect((await listMembers(phone)).statusCode).toBe(200);

    const response = await t.request({ method: 'POST', url: SIGN_OUT_EVERYWHERE, as: owner, payload: {} });
    expect(response.statusCode, response.body).toBe(200);
    for (const session of [owner, phone]) {
      expect((await listMembers(session)).statusCode).toBe(401);
      expect((await refresh(session.refreshToken)).statusCode).toBe(401);
    }
  });

  it('AUTH-02 signing out everywhere needs a session, and by cookie the CSRF token of that session; a refused request ends nothing', async () => {
    const owner = await t.newOrganization('everywhere-csrf');
    const anonymous = await t.request({ method: 'POST', url: SIGN_OUT_EVERYWHERE, headers: { origin: TEST_ORIGIN } });
    expect(anonymous.statusCode).toBe(401);

    const withoutToken = await t.request({ method: 'POST', url: SIGN_OUT_EVERYWHERE, headers: browser(owner) });
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.json().error.code).toBe('auth.csrf_failed');
    const forged = await t.request({ method: 'POST', url: SIGN_OUT_EVERYWHERE, headers: { ...browser(owner), 'x-csrf-token': 'forged' } });
    expect(forged.statusCode).toBe(403);
    const otherSite = await t.request({
      method: 'POST',
      url: SIGN_OUT_EVERYWHERE,
      headers: { ...browser(owner), origin: 'https://evil.example', 'x-csrf-token': owner.csrfToken },
    });
    expect(otherSite.statusCode).toBe(403);

    expect((await listMembers(owner)).statusCode).toBe(200);
    expect((await refresh(owner.refreshToken)).statusCode).toBe(200);
    const log = await t.request({ method: 'GET', url: '/api/audit-events?action=auth.sign_out_everywhere', as: owner });
    expect(log.json().events).toHaveLength(0);
  });
});
