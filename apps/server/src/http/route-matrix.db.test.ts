import { randomBytes, randomUUID } from 'node:crypto';
import { API_KEY_SCOPES, ROLES, roleCan, type ApiKeyScope, type Role } from '@seatwise/protocol';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../app.ts';
import { createTestApp, strongPassword, uniqueClientAddress, type TestApiKey, type TestApp, type TestSession } from '../testing/test-app.ts';

/**
 * The role × route matrix. The route table comes from the live application, so a new route cannot be
 * forgotten: it fails here until it declares its access rule and has a sample request below. API keys
 * are a column of their own: one key per scope, and one with every scope.
 */

let t: TestApp;
let owner: TestSession;
const members = {} as Record<Role, TestSession>;
const keys = {} as Record<ApiKeyScope, TestApiKey>;
let allScopesKey: TestApiKey;

beforeAll(async () => {
  t = await createTestApp();
  owner = await t.newOrganization('matrix');
  members.owner = owner;
  for (const role of ROLES) if (role !== 'owner') members[role] = await t.addMember(owner, role);
  for (const scope of API_KEY_SCOPES) keys[scope] = await t.createApiKey(owner, [scope], `matrix ${scope}`);
  allScopesKey = await t.createApiKey(owner, [...API_KEY_SCOPES], 'matrix all scopes');
});
afterAll(async () => t?.close());

const uniqueEmail = (label: string) => `${label}.${randomBytes(5).toString('hex')}@example.test`;

/** A new Employee of the matrix organisation (invited and accepted; never signed in), to act upon. */
async function newEmployee(label: string): Promise<string> {
  const email = uniqueEmail(label);
  const invite = await t.request({ method: 'POST', url: '/api/invitations', as: owner, payload: { email, role: 'employee' } });
  if (invite.statusCode !== 201) throw new Error(`invitation failed: ${invite.statusCode} ${invite.body}`);
  const accept = await t.request({
    method: 'POST',
    url: '/api/invitations/accept',
    payload: { token: await t.mailedToken(email), name: `Test ${label}`, password: strongPassword() },
  });
  if (accept.statusCode !== 200) throw new Error(`accepting failed: ${accept.statusCode} ${accept.body}`);
  const list = await t.request({ method: 'GET', url: '/api/members', as: owner });
  const member = (list.json().members as { userId: string; email: string }[]).find((m) => m.email === email);
  if (!member) throw new Error(`${email} is not listed after accepting`);
  return member.userId;
}

/** A pending invitation of the matrix organisation, made by its Owner. */
async function newInvitation(label: string): Promise<{ id: string; email: string }> {
  const email = uniqueEmail(label);
  const invite = await t.request({ method: 'POST', url: '/api/invitations', as: owner, payload: { email, role: 'employee' } });
  if (invite.statusCode !== 201) throw new Error(`invitation failed: ${invite.statusCode} ${invite.body}`);
  return { id: invite.json().id, email };
}

/** A person with a verified account of their own (their own organisation). */
async function newAccount(label: string): Promise<TestSession> {
  return t.newOrganization(label);
}

type Request = Omit<InjectOptions, 'headers'> & { method: string; url: string };

interface Sample {
  /**
   * The cell acts with a new member of the role instead of the shared one, because the request changes
   * the caller (leaving, changing the password).
   */
  freshActor?: boolean;
  /** A plausible, valid request. Called once per cell, so destructive requests get their own target. */
  build(actor: TestSession | null): Promise<Request>;
}

const get = (url: string): Sample => ({ build: async () => ({ method: 'GET', url }) });

/** One valid request per route, keyed `METHOD url` as the route table names them. */
const SAMPLES: Record<string, Sample> = {
  // Public: documentation, health, and the sign-in family.
  'GET /api/openapi.json': get('/api/openapi.json'),
  'GET /api/docs/': get('/api/docs/'),
  'GET /api/docs/json': get('/api/docs/json'),
  'GET /api/docs/yaml': get('/api/docs/yaml'),
  'GET /api/docs/static/index.html': get('/api/docs/static/index.html'),
  'GET /api/docs/static/swagger-initializer.js': get('/api/docs/static/swagger-initializer.js'),
  'GET /api/docs/static/*': get('/api/docs/static/swagger-ui.css'),
  'GET /healthz': get('/healthz'),
  'GET /readyz': get('/readyz'),
  'POST /api/auth/sign-up': {
    build: async () => ({
      method: 'POST',
      url: '/api/auth/sign-up',
      remoteAddress: uniqueClientAddress(),
      payload: { name: 'Matrix Signup', email: uniqueEmail('signup'), companyName: 'Matrix Signup Ltd', password: strongPassword() },
    }),
  },
  'POST /api/auth/verify-email': {
    build: async () => {
      const email = uniqueEmail('verify');
      const signUp = await t.request({
        method: 'POST',
        url: '/api/auth/sign-up',
        remoteAddress: uniqueClientAddress(),
        payload: { name: 'Matrix Verify', email, companyName: 'Matrix Verify Ltd', password: strongPassword() },
      });
      if (signUp.statusCode !== 202) throw new Error(`sign-up failed: ${signUp.statusCode}`);
      return { method: 'POST', url: '/api/auth/verify-email', payload: { token: await t.mailedToken(email) } };
    },
  },
  'POST /api/auth/resend-verification': {
    build: async () => ({ method: 'POST', url: '/api/auth/resend-verification', payload: { email: uniqueEmail('resend') } }),
  },
  'POST /api/auth/sign-in': {
    build: async () => ({ method: 'POST', url: '/api/auth/sign-in', payload: { email: members.viewer.email, password: members.viewer.password } }),
  },
  'POST /api/auth/refresh': {
    build: async () => {
      const session = await t.signIn(members.viewer.email, members.viewer.password);
      return { method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: session.refreshToken } };
    },
  },
  'POST /api/auth/sign-out': {
    build: async () => {
      const session = await t.signIn(members.viewer.email, members.viewer.password);
      return { method: 'POST', url: '/api/auth/sign-out', payload: { refreshToken: session.refreshToken } };
    },
  },
  'POST /api/auth/password-reset': {
    build: async () => ({ method: 'POST', url: '/api/auth/password-reset', payload: { email: uniqueEmail('reset') } }),
  },
  'POST /api/auth/password-reset/confirm': {
    build: async () => {
      const person = await newAccount('reset');
      const ask = await t.request({ method: 'POST', url: '/api/auth/password-reset', payload: { email: person.email } });
      if (ask.statusCode !== 202) throw new Error(`reset request failed: ${ask.statusCode}`);
      return {
        method: 'POST',
        url: '/api/auth/password-reset/confirm',
        payload: { token: await t.mailedToken(person.email), password: strongPassword() },
      };
    },
  },
  'POST /api/invitations/accept': {
    build: async () => {
      const invitation = await newInvitation('accept');
      return {
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token: await t.mailedToken(invitation.email), name: 'Matrix Joiner', password: strongPassword() },
      };
    },
  },

  // Any signed-in person.
  'GET /api/auth/me': get('/api/auth/me'),
  'POST /api/auth/switch-org': {
    build: async (actor) => ({ method: 'POST', url: '/api/auth/switch-org', payload: { orgId: actor!.orgId } }),
  },
  'POST /api/auth/change-password': {
    freshActor: true,
    build: async (actor) => ({
      method: 'POST',
      url: '/api/auth/change-password',
      payload: { currentPassword: actor!.password, newPassword: strongPassword() },
    }),
  },
  'POST /api/auth/sign-out-everywhere': { freshActor: true, build: async () => ({ method: 'POST', url: '/api/auth/sign-out-everywhere' }) },
  'POST /api/members/leave': { freshActor: true, build: async () => ({ method: 'POST', url: '/api/members/leave' }) },

  // Members whose role grants the permission.
  'GET /api/members': get('/api/members'),
  'PATCH /api/members/:userId': {
    build: async () => ({ method: 'PATCH', url: `/api/members/${await newEmployee('promote')}`, payload: { role: 'viewer' } }),
  },
  'DELETE /api/members/:userId': {
    build: async () => ({ method: 'DELETE', url: `/api/members/${await newEmployee('remove')}` }),
  },
  'GET /api/invitations': get('/api/invitations'),
  'POST /api/invitations': {
    build: async () => ({ method: 'POST', url: '/api/invitations', payload: { email: uniqueEmail('invitee'), role: 'employee' } }),
  },
  'DELETE /api/invitations/:invitationId': {
    build: async () => ({ method: 'DELETE', url: `/api/invitations/${(await newInvitation('withdrawn')).id}` }),
  },
  'GET /api/org': get('/api/org'),
  'PATCH /api/org': {
    build: async () => ({ method: 'PATCH', url: '/api/org', payload: { name: `Matrix ${randomBytes(3).toString('hex')}` } }),
  },
  'GET /api/audit-events': get('/api/audit-events?limit=10'),
  'GET /api/audit-events/export.csv': get('/api/audit-events/export.csv'),
  'GET /api/audit-events/verify': get('/api/audit-events/verify'),
  'POST /api/api-keys': {
    build: async () => ({ method: 'POST', url: '/api/api-keys', payload: { name: 'Matrix key', scopes: ['read'] } }),
  },
  'GET /api/api-keys': get('/api/api-keys'),
  'DELETE /api/api-keys/:keyId': {
    build: async () => ({ method: 'DELETE', url: `/api/api-keys/${(await t.createApiKey(owner, ['ingest'], 'matrix revoked')).id}` }),
  },

  'GET /api/license-servers': get('/api/license-servers'),
  'POST /api/license-servers': {
    build: async () => ({ method: 'POST', url: '/api/license-servers', payload: { name: `matrix-${randomBytes(4).toString('hex')}`, timeZone: 'Europe/Madrid' } }),
  },
  'PATCH /api/license-servers/:licenseServerId': {
    build: async () => ({ method: 'PATCH', url: `/api/license-servers/${await newLicenseServer()}`, payload: { timeZone: 'Europe/Berlin' } }),
  },
  'GET /api/features': get('/api/features'),
  'PATCH /api/features/:featureId': {
    build: async () => ({ method: 'PATCH', url: `/api/features/${await newFeature()}`, payload: { seatsOwned: 10 } }),
  },
  'POST /api/ingest/batches': { build: async () => ({ method: 'POST', url: '/api/ingest/batches', payload: agentBatch(`MATRIX_${randomBytes(3).toString('hex')}`) }) },
  'GET /api/uploads': get('/api/uploads'),
  'POST /api/uploads': {
    build: async () => ({ method: 'POST', url: '/api/uploads', payload: { licenseServerId: await newLicenseServer(), fileName: 'lmgrd.log' } }),
  },
  'GET /api/uploads/:uploadId': { build: async () => ({ method: 'GET', url: `/api/uploads/${await newUpload()}` }) },
  'PUT /api/uploads/:uploadId/content': {
    build: async () => ({
      method: 'PUT',
      url: `/api/uploads/${await newUpload()}/content`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: '9:00:00 (lmgrd) TIMESTAMP 3/2/2026\n9:01:00 (MLM) OUT: "MATLAB" ana@ws1\n',
    }),
  },

  'GET /api/usage/summary': get('/api/usage/summary?from=2026-03-01&to=2026-03-31'),
  'GET /api/usage/features/:featureId/timeline': {
    build: async () => ({ method: 'GET', url: `/api/usage/features/${await usedFeature()}/timeline?from=2026-03-01&to=2026-03-31&bucket=week` }),
  },
  'GET /api/usage/features/:featureId/concurrency': {
    build: async () => ({ method: 'GET', url: `/api/usage/features/${await usedFeature()}/concurrency?from=2026-03-01&to=2026-03-31` }),
  },
  'GET /api/usage/features/:featureId/people': {
    build: async () => ({ method: 'GET', url: `/api/usage/features/${await usedFeature()}/people?from=2026-03-01&to=2026-03-31` }),
  },

  // API keys only.
  'GET /api/api-keys/current': get('/api/api-keys/current'),
};

/** A batch as the agent sends it, with one session of a feature. */
function agentBatch(feature: string) {
  return {
    batchId: randomUUID(),
    agent: { version: '1.0.0', hostname: 'matrix' },
    licenseServer: { name: 'matrix-agent', host: 'flex1', port: 27000, timeZone: 'Europe/Madrid' },
    sessions: [{ vendor: 'MLM', feature, user: 'ana', host: 'ws1', start: '2026-03-02T09:00:00+01:00', end: '2026-03-02T10:00:00+01:00', seats: 1 }],
  };
}

/** Usage fixtures, made by the Owner through the API. */
async function newLicenseServer(): Promise<string> {
  const response = await t.request({ method: 'POST', url: '/api/license-servers', as: owner, payload: { name: `matrix-${randomBytes(4).toString('hex')}`, timeZone: 'UTC' } });
  if (response.statusCode !== 201) throw new Error(`license server: ${response.statusCode} ${response.body}`);
  return (response.json() as { id: string }).id;
}
async function newFeature(): Promise<string> {
  const name = `MATRIX_${randomBytes(4).toString('hex')}`;
  const sent = await t.request({ method: 'POST', url: '/api/ingest/batches', as: owner, payload: agentBatch(name) });
  if (sent.statusCode !== 200) throw new Error(`batch: ${sent.statusCode} ${sent.body}`);
  const features = (await t.request({ method: 'GET', url: '/api/features', as: owner })).json() as { features: { id: string; name: string }[] };
  return features.features.find((f) => f.name === name)!.id;
}
/** One feature with usage for the read-only analytics samples, made once. */
let usedFeatureId: Promise<string> | undefined;
function usedFeature(): Promise<string> {
  usedFeatureId ??= newFeature();
  return usedFeatureId;
}
async function newUpload(): Promise<string> {
  const response = await t.request({ method: 'POST', url: '/api/uploads', as: owner, payload: { licenseServerId: await newLicenseServer(), fileName: 'lmgrd.log' } });
  if (response.statusCode !== 201) throw new Error(`upload: ${response.statusCode} ${response.body}`);
  return (response.json() as { id: string }).id;
}

const keyOf = (route: Pick<RouteInfo, 'method' | 'url'>) => `${route.method} ${route.url}`;
const withoutTrailingSlash = (url: string) => (url.length > 1 ? url.replace(/\/$/, '') : url);

/**
 * Fastify adds a HEAD twin to every GET route, and the CORS plugin one OPTIONS route for preflight
 * requests; both answer for a route that is checked on its own.
 */
function isDuplicate(route: RouteInfo, routes: RouteInfo[]): boolean {
  if (route.method === 'OPTIONS') return true;
  if (route.method !== 'HEAD') return false;
  return routes.some((other) => other.method === 'GET' && withoutTrailingSlash(other.url) === withoutTrailingSlash(route.url));
}

function describeResponse(response: { statusCode: number; body: string }): string {
  return `${response.statusCode} ${response.body.slice(0, 200)}`;
}

describe('role × route matrix', () => {
  it('RBAC-01 every route declares its access rule and every role × route cell is enforced', { timeout: 600_000 }, async () => {
    const routes = t.routes.filter((route) => !isDuplicate(route, t.routes));
    expect(routes.length).toBeGreaterThan(20);
    const problems: string[] = [];

    // Every route, twins included, declares its rule; the twins need no sample of their own.
    for (const route of t.routes) {
      if (!route.access) problems.push(`${keyOf(route)} declares no config.access`);
    }
    for (const route of routes) {
      if (route.access && !SAMPLES[keyOf(route)]) problems.push(`${keyOf(route)} has no sample request in route-matrix.db.test.ts: add one`);
    }
    for (const key of Object.keys(SAMPLES)) {
      if (!routes.some((route) => keyOf(route) === key)) problems.push(`the sample for ${key} names no route: remove or rename it`);
    }
    expect(problems).toEqual([]);

    for (const route of routes) {
      const sample = SAMPLES[keyOf(route)]!;
      const access = route.access!;

      if (access === 'public') {
        const response = await t.request(await sample.build(null));
        if (response.statusCode === 401 || response.statusCode === 403 || response.statusCode >= 500) {
          problems.push(`${keyOf(route)} is public but answered anonymous ${describeResponse(response)}`);
        }
        continue;
      }

      // Anyone not signed in is refused before anything else.
      const anonymous = await t.request(await sample.build(members.owner));
      if (anonymous.statusCode !== 401) problems.push(`${keyOf(route)} answered anonymous ${describeResponse(anonymous)}`);

      // API keys: accepted only where the route says so, and only with the scope it names.
      for (const [label, key] of [...API_KEY_SCOPES.map((scope) => [`${scope} key`, keys[scope]] as const), ['all-scopes key', allScopesKey] as const]) {
        const response = await t.request({ ...(await sample.build(owner)), as: key });
        const cell = `${label} × ${keyOf(route)} (${access}${route.apiKeyScope ? `, key scope ${route.apiKeyScope}` : ''})`;
        const allowed = access === 'api_key' || (route.apiKeyScope !== undefined && key.scopes.includes(route.apiKeyScope));
        if (allowed) {
          if (response.statusCode === 401 || response.statusCode === 403 || response.statusCode >= 500) {
            problems.push(`${cell} should be allowed, answered ${describeResponse(response)}`);
          }
        } else if (response.statusCode !== 403) {
          problems.push(`${cell} should be refused with 403, answered ${describeResponse(response)}`);
        }
      }

      for (const role of ROLES) {
        const actor = sample.freshActor ? await t.addMember(owner, role, `fresh-${role}`) : members[role];
        const response = await t.request({ ...(await sample.build(actor)), as: actor });
        const cell = `${role} × ${keyOf(route)} (${access})`;
        if (access === 'api_key') {
          if (response.statusCode !== 403 || response.json().error?.code !== 'auth.api_key_only') {
            problems.push(`${cell} is for API keys only and should refuse a person with 403 auth.api_key_only, answered ${describeResponse(response)}`);
          }
          continue;
        }
        const allowed = access === 'authenticated' || roleCan(role, access);
        if (allowed) {
          if (response.statusCode === 401 || response.statusCode === 403 || response.statusCode >= 500) {
            problems.push(`${cell} should be allowed, answered ${describeResponse(response)}`);
          }
        } else if (response.statusCode !== 403 || response.json().error?.code !== 'auth.forbidden') {
          problems.push(`${cell} should be refused with 403 auth.forbidden, answered ${describeResponse(response)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
