import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, strongPassword, type TestApp } from '../../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const signUp = (payload: Record<string, unknown>, remoteAddress = '127.0.0.1') =>
  t.request({ method: 'POST', url: '/api/auth/sign-up', payload, remoteAddress });

async function ownerQuery<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
  return t.database.owner.transaction(async (tx) => (await tx.query<Row>(sql, params)).rows);
}

describe('sign-up and e-mail verification', () => {
  it('IN-01 sign-up creates the organisation with its first Owner', async () => {
    const owner = await t.newOrganization('ada');
    expect(owner.role).toBe('owner');
    const me = await t.request({ method: 'GET', url: '/api/auth/me', as: owner });
    expect(me.statusCode).toBe(200);
    expect(me.json().memberships).toEqual([{ orgId: owner.orgId, orgName: 'Company of ada', role: 'owner' }]);
  });

  it('IN-01 sign-up answers the same whether or not the address is registered, and creates nothing the second time', async () => {
    const existing = await t.newOrganization('taken');
    const orgsBefore = await ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM organizations');
    const fresh = await signUp({ name: 'New', email: `fresh.${Date.now()}@example.test`, companyName: 'Fresh Ltd', password: strongPassword() });
    const again = await signUp({ name: 'Other', email: existing.email, companyName: 'Sneaky Ltd', password: strongPassword() });
    expect(again.statusCode).toBe(fresh.statusCode);
    expect(again.json()).toEqual(fresh.json());
    const orgsAfter = await ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM organizations');
    expect(orgsAfter[0]!.n).toBe(orgsBefore[0]!.n + 1);
    const mails = await ownerQuery<{ subject: string }>('SELECT subject FROM email_outbox WHERE to_address = $1 ORDER BY id', [existing.email]);
    expect(mails.at(-1)!.subject).toMatch(/tried to sign up/);
  });

  it('IN-01 an unverified address cannot sign in, and a verification link works once', async () => {
    const email = `unverified.${Date.now()}@example.test`;
    const password = strongPassword();
    expect((await signUp({ name: 'Una', email, companyName: 'Una Co', password })).statusCode).toBe(202);
    const early = await t.request({ method: 'POST', url: '/api/auth/sign-in', payload: { email, password } });
    expect(early.statusCode).toBe(403);
    expect(early.json().error.code).toBe('auth.email_not_verified');
    const token = await t.mailedToken(email);
    expect((await t.request({ method: 'POST', url: '/api/auth/verify-email', payload: { token } })).statusCode).toBe(200);
    const reused = await t.request({ method: 'POST', url: '/api/auth/verify-email', payload: { token } });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.code).toBe('auth.invalid_token');
    expect((await t.signIn(email, password)).role).toBe('owner');
  });

  it('SEC-01 invalid sign-up input gets a 400 naming each field, and nothing is created', async () => {
    const before = await ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM users');
    const response = await signUp({ name: '', email: 'not-an-address', companyName: 'X', password: 'short', admin: true });
    expect(response.statusCode).toBe(400);
    const paths = response.json().error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.email', 'body.password', 'body']));
    expect(response.json().error.message).toMatch(/unknown field\(s\): admin/);
    const after = await ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});

describe('passwords', () => {
  it('EN-04 passwords are stored only as bcrypt hashes with cost 12', async () => {
    const owner = await t.newOrganization('hash');
    const [row] = await ownerQuery<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [owner.userId]);
    expect(row!.password_hash).toMatch(/^\$2[aby]\$12\$/);
    expect(row!.password_hash).not.toContain(owner.password);
  });

  it('EN-04 passwords shorter than 12 characters or longer than 72 bytes are refused, never cut short', async () => {
    const base = { name: 'Len', companyName: 'Len Co' };
    const short = await signUp({ ...base, email: `s.${Date.now()}@example.test`, password: 'Sh0rt-pass!' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.issues[0].message).toMatch(/at least 12/);
    // 25 three-byte characters: 25 characters but 75 bytes.
    const long = await signUp({ ...base, email: `l.${Date.now()}@example.test`, password: '€'.repeat(25) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.issues[0].message).toMatch(/at most 72 bytes/);
  });

  it('EN-04 common, breached and guessable passwords are refused', async () => {
    for (const password of ['password1234', 'qwertyuiop123', 'iloveyou2024!', 'Company of weak1']) {
      const response = await signUp({ name: 'Weak', email: `w.${Date.now()}.${Math.random()}@example.test`, companyName: 'Company of weak', password });
      expect(response.statusCode, password).toBe(400);
      expect(response.json().error.code, password).toBe('auth.weak_password');
    }
  });
});

describe('password reset', () => {
  it('EN-04 password reset answers the same for unknown addresses and its link works once, for 30 minutes', async () => {
    const owner = await t.newOrganization('reset');
    const unknown = await t.request({ method: 'POST', url: '/api/auth/password-reset', payload: { email: `nobody.${Date.now()}@example.test` } });
    const known = await t.request({ method: 'POST', url: '/api/auth/password-reset', payload: { email: owner.email } });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json()).toEqual(known.json());
    const token = await t.mailedToken(owner.email);
    const [row] = await ownerQuery<{ minutes: number }>(
      `SELECT round(extract(epoch FROM expires_at - created_at) / 60)::int AS minutes FROM email_tokens
        WHERE user_id = $1 AND purpose = 'reset_password' ORDER BY created_at DESC LIMIT 1`,
      [owner.userId],
    );
    expect(row!.minutes).toBe(30);

    const newPassword = strongPassword();
    const reset = await t.request({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password: newPassword } });
    expect(reset.statusCode).toBe(200);
    const again = await t.request({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password: strongPassword() } });
    expect(again.statusCode).toBe(400);
    // AUTH-03: the reset ended the sessions that existed before it.
    expect((await t.request({ method: 'GET', url: '/api/members', as: owner })).statusCode).toBe(401);
    const old = await t.request({ method: 'POST', url: '/api/auth/sign-in', payload: { email: owner.email, password: owner.password } });
    expect(old.statusCode).toBe(401);
    expect((await t.signIn(owner.email, newPassword)).role).toBe('owner');
  });

  it('EN-04 an expired reset link is refused', async () => {
    const owner = await t.newOrganization('expired');
    await t.request({ method: 'POST', url: '/api/auth/password-reset', payload: { email: owner.email } });
    const token = await t.mailedToken(owner.email);
    await t.database.owner.transaction((tx) =>
      tx.query(`UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND purpose = 'reset_password'`, [owner.userId]),
    );
    const response = await t.request({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password: strongPassword() } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('auth.invalid_token');
  });
});
