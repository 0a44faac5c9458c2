import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ApiKeyScope } from '@seatwise/protocol';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/connect.ts';
import { createTenancy, type Tenancy } from './db/tenant.ts';
import { registerAuthentication } from './http/authenticate.ts';
import { registerCsrfProtection } from './http/csrf.ts';
import { registerErrorHandler, registerNotFoundHandler } from './http/error-handler.ts';
import { registerHttpsOnly, tlsServerFactory } from './http/https-only.ts';
import type { RouteAccess } from './http/route-access.ts';
import { createAccessService } from './modules/access/access.service.ts';
import { registerApiKeyRoutes } from './modules/api-keys/api-key.routes.ts';
import { createApiKeyService } from './modules/api-keys/api-key.service.ts';
import { registerAuditRoutes } from './modules/audit/audit.routes.ts';
import { createAuditService } from './modules/audit/audit.service.ts';
import { registerAuthRoutes } from './modules/auth/auth.routes.ts';
import { createAuthService } from './modules/auth/auth.service.ts';
import { createTokenService } from './modules/auth/auth.tokens.ts';
import { registerHealthRoutes } from './modules/health/health.routes.ts';
import { createMailService, type MailService } from './modules/mail/mail.service.ts';
import { registerMembersRoutes } from './modules/members/members.routes.ts';
import { createMembersService } from './modules/members/members.service.ts';
import { registerOrgsRoutes } from './modules/orgs/orgs.routes.ts';
import { createOrgsService } from './modules/orgs/orgs.service.ts';
import { registerAnalyticsRoutes } from './modules/usage/analytics.routes.ts';
import { createAnalyticsService } from './modules/usage/analytics.service.ts';
import { registerIngestRoutes } from './modules/usage/ingest.routes.ts';
import { createIngestService } from './modules/usage/ingest.service.ts';
import { registerLicenseServerRoutes } from './modules/usage/license-server.routes.ts';
import { createLicenseServerService } from './modules/usage/license-server.service.ts';
import { registerUploadRoutes } from './modules/usage/upload.routes.ts';
import { createUploadService } from './modules/usage/upload.service.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** Built web app to serve at `/`; defaults to apps/web/dist. */
  webDist?: string;
}

/** One entry of the route table, with the access rule it declares. */
export interface RouteInfo {
  method: string;
  url: string;
  access: RouteAccess | undefined;
  /** The API key scope the route accepts, if it accepts keys with a scope. */
  apiKeyScope: ApiKeyScope | undefined;
}

export interface BuiltApp {
  app: FastifyInstance;
  /** Every route registered, for the role × route matrix test and the API docs. */
  routes: RouteInfo[];
  tenancy: Tenancy;
  mail: MailService;
}

const DEFAULT_WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');
/** Routes added by plugins (API docs, static files) are public by nature; they are named here, not guessed. */
const PLUGIN_ROUTE_PREFIXES = ['/api/docs', '/api/openapi.json'];

/** Builds the HTTP application with every plugin and module. Never listens: tests use inject(). */
export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const { config, db } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    serverFactory: tlsServerFactory(config),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const registered: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    // CORS preflights (OPTIONS *) carry no credentials and change nothing.
    const pluginRoute = PLUGIN_ROUTE_PREFIXES.some((prefix) => route.url.startsWith(prefix)) || (route.method === 'OPTIONS' && route.url === '*');
    if (!route.config?.access && pluginRoute) {
      route.config = { ...route.config, access: 'public' };
    }
    registered.push(route);
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const tenancy = createTenancy(db);
  const tokens = createTokenService({ keys: config.jwtKeys, issuer: config.publicOrigin, csrfSecret: config.csrfSecret });
  const mail = createMailService({
    tenancy,
    log: deps.logger,
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    printWithoutSmtp: config.env === 'development',
  });
  const access = createAccessService({ tenancy });

  registerErrorHandler(app);
  registerHttpsOnly(app, config);
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: config.env === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: true,
  });
  // SEC-02: a per-address ceiling on the whole API. Brute-force limits on sign-in and friends are
  // separate, stricter and kept in the database (see modules/auth/throttle.service.ts).
  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `Too many requests. Try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
    }),
  });
  registerAuthentication(app, { tokens, access });
  registerCsrfProtection(app, { tokens, allowedOrigins: [config.publicOrigin, ...config.corsOrigins] });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Seatwise API', version: '0.1.0', description: 'Software-license usage and cost platform.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  registerHealthRoutes(app, { tenancy });
  registerAuthRoutes(app, createAuthService({ tenancy, tokens, mail, publicUrl: config.publicUrl }));
  registerMembersRoutes(app, createMembersService({ tenancy, access, mail, publicUrl: config.publicUrl }));
  registerOrgsRoutes(app, createOrgsService({ access }));
  registerAuditRoutes(app, createAuditService({ access }));
  registerApiKeyRoutes(app, createApiKeyService({ access }));
  registerLicenseServerRoutes(app, createLicenseServerService({ access }));
  registerIngestRoutes(app, createIngestService({ access }));
  registerUploadRoutes(app, createUploadService({ access, tenancy }));
  registerAnalyticsRoutes(app, createAnalyticsService({ access }));

  const webDist = deps.webDist ?? DEFAULT_WEB_DIST;
  const indexFile = path.join(webDist, 'index.html');
  const singlePage = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
  if (singlePage !== undefined) {
    await app.register(async (scope) => {
      // The built web app's files are public by nature.
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, access: 'public' };
      });
      await scope.register(fastifyStatic, { root: webDist, wildcard: false, index: ['index.html'] });
    });
  }
  registerNotFoundHandler(app, singlePage);
  // Read after every plugin ran its onRoute hooks, so the access rules are final.
  const routes = registered.flatMap((route) =>
    [route.method].flat().map((method) => ({ method, url: route.url, access: route.config?.access, apiKeyScope: route.config?.apiKeyScope })),
  );
  return { app, routes, tenancy, mail };
}
