import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const signIn = (email: string, password: string, remoteAddress = '203.0.113.10', app = t.app) =>
  app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email, password }, remoteAddress });

describe('brute-force protection', () => {
  it('AUTH-06 repeated failed sign-ins for an account are slowed down, with a clear 429 and Retry-After', async () => {
    const owner = await t.newOrganization('brute');
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      const response = await signIn(owner.email, `wrong password ${attempt}`, `203.0.113.${attempt}`);
      expect(response.statusCode, `attempt ${attempt}`).toBe(401);
    }
    // The sixth failure started a delay: even the right password now waits, from any address.
    const blocked = await signIn(owner.email, owner.password, '203.0.113.99');
    expect(blocked.statusCode).toBe(429);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(blocked.json().error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: retryAfter });
    // Each further failure doubles the delay.
    await t.database.owner.transaction((tx) => tx.query(`UPDATE auth_throttle SET blocked_until = now() - interval '1 second'`));
    expect((await signIn(owner.email, 'yet another wrong one')).statusCode).toBe(401);
    const longer = await signIn(owner.email, owner.password);
    expect(Number(longer.headers['retry-after'])).toBeGreaterThan(30);
  });

  it('AUTH-06 unknown addresses are throttled the same way, so the limit reveals nothing', async () => {
    const ghost = `ghost.${Date.now()}@example.test`;
    for (let attempt = 1; attempt <= 6; attempt += 1) expect((await signIn(ghost, 'whatever it is', `198.51.100.${attempt}`)).statusCode).toBe(401);
    expect((await signIn(ghost, 'whatever it is')).statusCode).toBe(429);
  });

  it('AUTH-06 one address failing against many accounts is blocked per IP', async () => {
    const address = '192.0.2.77';
    let status = 0;
    for (let attempt = 1; attempt <= 32 && status !== 429; attempt += 1) {
      status = (await signIn(`spray.${attempt}@example.test`, 'Spring2024!', address)).statusCode;
    }
    expect(status).toBe(429);
    const owner = await t.newOrganization('sprayed');
    expect((await signIn(owner.email, owner.password, address)).statusCode).toBe(429);
    expect((await signIn(owner.email, owner.password, '192.0.2.78')).statusCode).toBe(200);
  });

  it('AUTH-06 counters live in the database: two server instances share one allowance', async () => {
    const owner = await t.newOrganization('shared');
    const second = await buildApp({ config: t.config, db: t.database.db, logger: pino({ level: 'silent' }), webDist: '/nonexistent' });
    try {
      const apps = [t.app, second.app];
      for (let attempt = 0; attempt < 6; attempt += 1) {
        expect((await signIn(owner.email, `nope ${attempt}`, `203.0.113.${50 + attempt}`, apps[attempt % 2])).statusCode).toBe(401);
      }
      expect((await signIn(owner.email, owner.password, '203.0.113.70', second.app)).statusCode).toBe(429);
      expect((await signIn(owner.email, owner.password, '203.0.113.71', t.app)).statusCode).toBe(429);
    } finally {
      await second.app.close();
    }
  });

  it('AUTH-06 sign-up, password reset and link verification are limited per address', async () => {
    const address = '192.0.2.200';
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      // Weak passwords fail after the throttle, so no account is made and no hashing slows the test.
      const response = await t.request({
        method: 'POST',
        url: '/api/auth/sign-up',
        remoteAddress: address,
        payload: { name: 'Flood', email: `flood.${attempt}@example.test`, companyName: 'Flood', password: 'password1234' },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 10).every((status) => status === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);

    const resets: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      resets.push((await t.request({ method: 'POST', url: '/api/auth/password-reset', remoteAddress: '192.0.2.201', payload: { email: 'victim@example.test' } })).statusCode);
    }
    expect(resets.slice(0, 3)).toEqual([202, 202, 202]);
    expect(resets.at(-1)).toBe(429);

    let verify = 0;
    for (let attempt = 0; attempt < 25 && verify !== 429; attempt += 1) {
      verify = (await t.request({ method: 'POST', url: '/api/auth/verify-email', remoteAddress: '192.0.2.202', payload: { token: `swv_guess${attempt}aaaaaaaaaaaaaaaaaaaaaaaaaaaa` } })).statusCode;
    }
    expect(verify).toBe(429);
  });

  it('AUTH-06 a successful sign-in clears the account counter', async () => {
    const owner = await t.newOrganization('clears');
    for (let attempt = 0; attempt < 4; attempt += 1) expect((await signIn(owner.email, `bad ${attempt}`, '203.0.113.150')).statusCode).toBe(401);
    expect((await signIn(owner.email, owner.password, '203.0.113.151')).statusCode).toBe(200);
    for (let attempt = 0; attempt < 4; attempt += 1) expect((await signIn(owner.email, `bad again ${attempt}`, '203.0.113.152')).statusCode).toBe(401);
    expect((await signIn(owner.email, owner.password, '203.0.113.153')).statusCode).toBe(200);
  });
});
