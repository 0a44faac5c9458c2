import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, readCookie, type FetchFunction } from './api.ts';

interface Call {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A fake fetch that answers from a script (one handler per call, in order) and records every call. */
function scripted(...answers: ((call: Call) => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fetch: FetchFunction = async (path, init) => {
    const call: Call = {
      path,
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? init.body : undefined,
    };
    calls.push(call);
    const answer = answers[calls.length - 1];
    if (!answer) throw new Error(`unexpected request ${call.method} ${path}`);
    return answer(call);
  };
  return { fetch, calls };
}

const unauthenticated = () => json(401, { error: { code: 'auth.unauthenticated', message: 'Sign in to continue.' } });

describe('api client', () => {
  it('sends JSON with the CSRF cookie in x-csrf-token on state-changing requests, not on GET', async () => {
    const { fetch, calls } = scripted(
      () => json(200, { ok: true }),
      () => json(200, { members: [] }),
    );
    const client = createApiClient({ fetch, readCsrfToken: () => 'csrf-1' });
    await client.post('/api/auth/switch-org', { orgId: 'x' });
    await client.get('/api/members');
    expect(calls[0]).toMatchObject({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': 'csrf-1' },
      body: '{"orgId":"x"}',
    });
    expect(calls[1]?.headers['x-csrf-token']).toBeUndefined();
  });

  it('sends no body and no content type when there is no body', async () => {
    const { fetch, calls } = scripted(() => json(200, { ok: true }));
    await createApiClient({ fetch, readCsrfToken: () => 'c' }).post('/api/auth/sign-out');
    expect(calls[0]?.body).toBeUndefined();
    expect(calls[0]?.headers['content-type']).toBeUndefined();
  });

  it('on 401 refreshes once and retries the request once, with the CSRF token read afresh', async () => {
    let csrf = 'old';
    const { fetch, calls } = scripted(
      unauthenticated,
      () => {
        csrf = 'new';
        return json(200, { csrfToken: 'new' });
      },
      () => json(200, { ok: true }),
    );
    const client = createApiClient({ fetch, readCsrfToken: () => csrf });
    await expect(client.post('/api/auth/switch-org', { orgId: 'x' })).resolves.toEqual({ ok: true });
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /api/auth/switch-org',
      'POST /api/auth/refresh',
      'POST /api/auth/switch-org',
    ]);
    expect(calls[1]).toMatchObject({ body: undefined, headers: { 'x-csrf-token': 'old' } });
    expect(calls[1]?.headers['content-type']).toBeUndefined();
    expect(calls[2]?.headers['x-csrf-token']).toBe('new');
  });

  it('does not refresh twice: a second 401 after the retry is the answer', async () => {
    const { fetch, calls } = scripted(unauthenticated, () => json(200, {}), unauthenticated);
    const client = createApiClient({ fetch, readCsrfToken: () => 'c' });
    const error = await client.get('/api/auth/me').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'auth.unauthenticated' });
    expect(calls).toHaveLength(3);
  });

  it('when the refresh fails, gives the original 401 (not the refresh error) and does not retry', async () => {
    const { fetch, calls } = scripted(
      unauthenticated,
      () => json(401, { error: { code: 'auth.session_ended', message: 'Your session has ended. Sign in again.' } }),
    );
    const client = createApiClient({ fetch, readCsrfToken: () => 'c' });
    await expect(client.get('/api/auth/me')).rejects.toMatchObject({ status: 401, code: 'auth.unauthenticated' });
    expect(calls).toHaveLength(2);
  });

  it('treats 409 auth.refresh_race as "another tab refreshed" and just retries', async () => {
    const { fetch, calls } = scripted(
      unauthenticated,
      () => json(409, { error: { code: 'auth.refresh_race', message: 'refreshed a moment ago' } }),
      () => json(200, { user: { name: 'Ana' } }),
    );
    const client = createApiClient({ fetch, readCsrfToken: () => 'c' });
    await expect(client.get('/api/auth/me')).resolves.toEqual({ user: { name: 'Ana' } });
    expect(calls.map((call) => call.path)).toEqual(['/api/auth/me', '/api/auth/refresh', '/api/auth/me']);
  });

  it('does not retry after any other 409 from refresh', async () => {
    const { fetch, calls } = scripted(unauthenticated, () => json(409, { error: { code: 'something.else', message: 'no' } }));
    const client = createApiClient({ fetch, readCsrfToken: () => 'c' });
    await expect(client.get('/api/auth/me')).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(2);
  });

  it('shares one refresh between requests that fail together', async () => {
    let refreshes = 0;
    const fetch: FetchFunction = async (path) => {
      if (path === '/api/auth/refresh') {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return json(200, {});
      }
      return refreshes === 0 ? unauthenticated() : json(200, { path });
    };
    const client = createApiClient({ fetch, readCsrfToken: () => 'c' });
    const answers = await Promise.all([client.get('/api/auth/me'), client.get('/api/members')]);
    expect(answers).toEqual([{ path: '/api/auth/me' }, { path: '/api/members' }]);
    expect(refreshes).toBe(1);
  });

  it('skips the refresh when there is no session cookie, or when asked to (public forms)', async () => {
    const signedOut = scripted(unauthenticated);
    await expect(createApiClient({ fetch: signedOut.fetch, readCsrfToken: () => undefined }).get('/api/auth/me')).rejects.toMatchObject({
      status: 401,
    });
    expect(signedOut.calls).toHaveLength(1);

    const signIn = scripted(() => json(401, { error: { code: 'auth.invalid_credentials', message: 'The e-mail address or password is not right.' } }));
    const client = createApiClient({ fetch: signIn.fetch, readCsrfToken: () => 'c' });
    await expect(client.post('/api/auth/sign-in', { email: 'a@b.co', password: 'x' }, { refresh: false })).rejects.toMatchObject({
      code: 'auth.invalid_credentials',
    });
    expect(signIn.calls).toHaveLength(1);
  });

  it('reads the error body: code, message, issues and the wait (from the body or Retry-After)', async () => {
    const { fetch } = scripted(
      () =>
        json(400, {
          error: { code: 'validation_failed', message: 'Invalid input', issues: [{ path: 'body.password', message: 'is required' }] },
        }),
      () => json(429, { error: { code: 'rate_limited', message: 'Too many attempts.', retryAfterSeconds: 90 } }),
      () => json(429, { error: { code: 'rate_limited', message: 'Too many requests.' } }, { 'retry-after': '30' }),
      () => new Response('<html>Bad gateway</html>', { status: 502 }),
    );
    const client = createApiClient({ fetch, readCsrfToken: () => undefined });
    await expect(client.post('/a', {})).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
      issues: [{ path: 'body.password', message: 'is required' }],
    });
    await expect(client.post('/b', {})).rejects.toMatchObject({ status: 429, retryAfterSeconds: 90 });
    await expect(client.post('/c', {})).rejects.toMatchObject({ status: 429, retryAfterSeconds: 30 });
    await expect(client.get('/d')).rejects.toMatchObject({ status: 502, code: 'http_502' });
  });

  it('turns a network failure into ApiError status 0', async () => {
    const client = createApiClient({
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
      readCsrfToken: () => undefined,
    });
    await expect(client.get('/api/auth/me')).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});

describe('readCookie', () => {
  it('finds a cookie by exact name and decodes it', () => {
    const cookies = 'theme=dark; __Host-sw_csrf=abc%2Fdef; __Host-sw_csrf2=nope';
    expect(readCookie(cookies, '__Host-sw_csrf')).toBe('abc/def');
    expect(readCookie(cookies, 'missing')).toBeUndefined();
    expect(readCookie('', '__Host-sw_csrf')).toBeUndefined();
  });
});
