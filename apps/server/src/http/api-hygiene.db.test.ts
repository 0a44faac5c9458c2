import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../logger.ts';
import { createTestApp, TEST_ORIGIN, type TestApp } from '../testing/test-app.ts';

const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ logger: pino(loggerOptions('debug'), sink), config: { CORS_ORIGINS: 'https://partner.example', BODY_LIMIT_BYTES: '4096' } });
});
afterAll(async () => t?.close());

describe('requests and responses', () => {
  it('SEC-01 unknown fields, wrong types and bad parameters get a 400 that names the field', async () => {
    const owner = await t.newOrganization('hygiene');
    const badParam = await t.request({ method: 'PATCH', url: '/api/members/not-a-uuid', as: owner, payload: { role: 'viewer' } });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().error.issues[0].path).toBe('params.userId');
    const badQuery = await t.request({ method: 'GET', url: '/api/audit-events?limit=100000', as: owner });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().error.issues[0].path).toBe('querystring.limit');
    const extra = await t.request({ method: 'POST', url: '/api/invitations', as: owner, payload: { email: 'a@example.test', role: 'viewer', isAdmin: true } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.message).toMatch(/unknown field\(s\): isAdmin/);
    const badJson = await t.request({ method: 'POST', url: '/api/invitations', as: owner, headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(badJson.statusCode).toBe(400);
    const invitations = await t.request({ method: 'GET', url: '/api/invitations', as: owner });
    expect(invitations.json().invitations).toEqual([]);
  });

  it('SEC-01 bodies over the size limit are refused with 413', async () => {
    const response = await t.request({ method: 'POST', url: '/api/auth/sign-in', payload: { email: 'a@example.test', password: 'x'.repeat(5000) } });
    expect(response.statusCode).toBe(413);
  });

  it('SEC-02 responses carry a strict CSP, frame-ancestors, nosniff and a referrer policy', async () => {
    const response = await t.request({ method: 'GET', url: '/healthz' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('SEC-02 CORS answers only configured origins', async () => {
    const allowed = await t.request({ method: 'OPTIONS', url: '/api/auth/me', headers: { origin: 'https://partner.example', 'access-control-request-method': 'GET' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://partner.example');
    const other = await t.request({ method: 'OPTIONS', url: '/api/auth/me', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('SEC-02 the whole API is rate limited per address', async () => {
    const limited = await createTestApp({ config: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await limited.request({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.7' })).statusCode);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.at(-1)).toBe(429);
      const refused = await limited.request({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.7' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.json().error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: Number(refused.headers['retry-after']) });
      expect((await limited.request({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.8' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('MON-04 health and readiness endpoints answer for operators', async () => {
    expect((await t.request({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.request({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('SEC-01 the OpenAPI document describes every API route with its schemas, and the docs page is served', async () => {
    const doc = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    const apiRoutes = t.routes.filter((route) => route.url.startsWith('/api/') && !route.url.startsWith('/api/docs') && route.url !== '/api/openapi.json' && route.method !== 'HEAD');
    for (const route of apiRoutes) {
      const openApiPath = route.url.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[openApiPath]?.[route.method.toLowerCase()], `${route.method} ${route.url}`).toBeDefined();
    }
    expect(doc.paths['/api/auth/sign-up'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['name', 'email', 'companyName', 'password']),
    );
    const page = await t.request({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
  });

  it('MON-03 logs carry request ids but never passwords, tokens or cookies', async () => {
    const owner = await t.newOrganization('logs');
    const signIn = await t.request({ method: 'POST', url: '/api/auth/sign-in', headers: { origin: TEST_ORIGIN }, payload: { email: owner.email, password: owner.password } });
    const cookie = signIn.headers['set-cookie'];
    await t.request({ method: 'GET', url: '/api/members', headers: { cookie: (Array.isArray(cookie) ? cookie : [String(cookie)]).map((c) => c.split(';')[0]).join('; ') } });
    await t.request({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: owner.refreshToken } });
    await t.request({ method: 'GET', url: '/api/members', as: owner });
    const text = logLines.join('');
    expect(text).toContain('"reqId"');
    for (const secret of [owner.password, owner.accessToken, owner.refreshToken, owner.csrfToken, owner.accessToken.split('.')[2]!]) {
      expect(text).not.toContain(secret);
    }
    // Anything that logs request headers or credential fields is redacted by the logger itself.
    t.app.log.info({ req: { headers: { authorization: `Bearer ${owner.accessToken}`, cookie: `a=${owner.refreshToken}` } }, body: { password: owner.password } }, 'probe');
    const probe = logLines.at(-1)!;
    expect(probe).toContain('[redacted]');
    expect(probe).not.toContain(owner.accessToken);
    expect(probe).not.toContain(owner.refreshToken);
    expect(probe).not.toContain(owner.password);
  });
});
