import { randomBytes } from 'node:crypto';
import type { ApiKeyScope, Role } from '@seatwise/protocol';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { buildApp, type RouteInfo } from '../app.ts';
import { loadConfig, type Config } from '../config.ts';
import { createTenancy, type Tenancy } from '../db/tenant.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export const TEST_ORIGIN = 'http://localhost:8080';

/** An API key as its holder sees it: the plain key, shown once at creation. */
export interface TestApiKey {
  id: string;
  orgId: string;
  key: string;
  prefix: string;
  scopes: ApiKeyScope[];
}

/** A signed-in person as an API client sees them. */
export interface TestSession {
  userId: string;
  orgId: string;
  email: string;
  password: string;
  role: Role;
  accessToken: string;
  refreshToken: string;
  csrfToken: string;
  /** The Set-Cookie values, as a browser would keep them. */
  cookies: Record<string, string>;
}

export interface TestApp {
  app: FastifyInstance;
  routes: RouteInfo[];
  database: TestDatabase;
  tenancy: Tenancy;
  config: Config;
  /** Sends a request; `as` adds the session's bearer token, or the API key as a bearer token. */
  request(options: InjectOptions & { as?: TestSession | TestApiKey }): Promise<LightMyRequestResponse>;
  /** The newest link token mailed to an address (read from the outbox, as a developer would). */
  mailedToken(to: string): Promise<string>;
  /** The newest link mailed to an address, whole, as the person would open it. */
  mailedLink(to: string): Promise<string>;
  /** Signs up, confirms the address and signs in: a new organisation with its Owner. */
  newOrganization(label?: string): Promise<TestSession>;
  /** Invites a new person with a role into the inviter's organisation, accepts and signs them in. */
  addMember(inviter: TestSession, role: Role, label?: string): Promise<TestSession>;
  /** Signs in; `from` sets where the request comes from (remoteAddress, headers such as user-agent). */
  signIn(email: string, password: string, orgId?: string, from?: Pick<InjectOptions, 'remoteAddress' | 'headers'>): Promise<TestSession>;
  /** Creates an API key in the creator's organisation (through the API, as that Owner or Admin). */
  createApiKey(creator: TestSession, scopes: ApiKeyScope[], name?: string): Promise<TestApiKey>;
  close(): Promise<void>;
}

/** A strong password nobody else uses. */
export const strongPassword = () => `Quiet-${randomBytes(9).toString('base64url')}-harbour`;
const uniqueEmail = (label: string) => `${label}.${randomBytes(5).toString('hex')}@example.test`;
let addressCounter = 0;
/** A distinct client address (198.18.0.0/15, reserved for tests), so per-IP sign-up limits stay out of the way. */
export const uniqueClientAddress = () => {
  addressCounter += 1;
  return `198.18.${Math.floor(addressCounter / 250) % 250}.${(addressCounter % 250) + 1}`;
};

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/nonexistent-test-data',
    PUBLIC_URL: TEST_ORIGIN,
    JWT_SIGNING_KEYS: `test1:${randomBytes(32).toString('base64url')}`,
    CSRF_SECRET: randomBytes(32).toString('base64url'),
    RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

export function parseSetCookies(response: LightMyRequestResponse): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const cookie of response.cookies as { name: string; value: string }[]) jar[cookie.name] = cookie.value;
  return jar;
}

/** A real application on a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL), driven by inject(). */
export async function createTestApp(
  options: {
    config?: Record<string, string>;
    logger?: pino.Logger;
    /** Extra routes for one test file (for example, a route that accepts API keys of one scope). */
    extraRoutes?: (app: FastifyInstance, tenancy: Tenancy) => void;
    /** Built web app to serve (browser tests); none by default. */
    webDist?: string;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(options.config);
  const { app, routes } = await buildApp({ config, db: database.db, logger: options.logger ?? pino({ level: 'silent' }), webDist: options.webDist ?? '/nonexistent' });
  const tenancy = createTenancy(database.db);
  options.extraRoutes?.(app, tenancy);
  await app.ready();

  const request: TestApp['request'] = (opts) => {
    const { as, ...rest } = opts;
    const headers = { ...(rest.headers ?? {}) } as Record<string, string>;
    if (as) headers.authorization = `Bearer ${'key' in as ? as.key : as.accessToken}`;
    return app.inject({ ...rest, headers });
  };

  async function mailedLink(to: string): Promise<string> {
    const { rows } = await database.owner.transaction((tx) =>
      tx.query<{ body_text: string }>('SELECT body_text FROM email_outbox WHERE to_address = $1 ORDER BY id DESC LIMIT 1', [to]),
    );
    const match = /(\S+#token=\S+)/.exec(rows[0]?.body_text ?? '');
    if (!match) throw new Error(`no link was mailed to ${to}`);
    return match[1]!;
  }

  async function mailedToken(to: string): Promise<string> {
    return decodeURIComponent(new URL(await mailedLink(to)).hash.slice('#token='.length));
  }

  async function signIn(email: string, password: string, orgId?: string, from: Pick<InjectOptions, 'remoteAddress' | 'headers'> = {}): Promise<TestSession> {
    const response = await request({ method: 'POST', url: '/api/auth/sign-in', ...from, payload: { email, password, ...(orgId ? { orgId } : {}) } });
    if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
    const body = response.json();
    return {
      userId: body.user.id,
      orgId: body.orgId,
      email,
      password,
      role: body.role,
      accessToken: body.accessToken,
      refreshToken: body.refreshToken,
      csrfToken: body.csrfToken,
      cookies: parseSetCookies(response),
    };
  }

  async function newOrganization(label = 'owner'): Promise<TestSession> {
    const email = uniqueEmail(label);
    const password = strongPassword();
    const signUp = await request({
      method: 'POST',
      url: '/api/auth/sign-up',
      remoteAddress: uniqueClientAddress(),
      payload: { name: `Test ${label}`, email, companyName: `Company of ${label}`, password },
    });
    if (signUp.statusCode !== 202) throw new Error(`sign-up failed: ${signUp.statusCode} ${signUp.body}`);
    const verify = await request({ method: 'POST', url: '/api/auth/verify-email', payload: { token: await mailedToken(email) } });
    if (verify.statusCode !== 200) throw new Error(`verification failed: ${verify.statusCode} ${verify.body}`);
    return signIn(email, password);
  }

  async function addMember(inviter: TestSession, role: Role, label: string = role): Promise<TestSession> {
    const email = uniqueEmail(label);
    const password = strongPassword();
    const invite = await request({ method: 'POST', url: '/api/invitations', as: inviter, payload: { email, role } });
    if (invite.statusCode !== 201) throw new Error(`invitation failed: ${invite.statusCode} ${invite.body}`);
    const accept = await request({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token: await mailedToken(email), name: `Test ${label}`, password },
    });
    if (accept.statusCode !== 200) throw new Error(`accepting failed: ${accept.statusCode} ${accept.body}`);
    return signIn(email, password, inviter.orgId);
  }

  async function createApiKey(creator: TestSession, scopes: ApiKeyScope[], name = `Test key ${randomBytes(3).toString('hex')}`): Promise<TestApiKey> {
    const response = await request({ method: 'POST', url: '/api/api-keys', as: creator, payload: { name, scopes } });
    if (response.statusCode !== 201) throw new Error(`creating an API key failed: ${response.statusCode} ${response.body}`);
    const body = response.json();
    return { id: body.apiKey.id, orgId: creator.orgId, key: body.key, prefix: body.apiKey.prefix, scopes: body.apiKey.scopes };
  }

  return {
    app,
    routes,
    database,
    tenancy,
    config,
    request,
    mailedToken,
    mailedLink,
    newOrganization,
    addMember,
    signIn,
    createApiKey,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
