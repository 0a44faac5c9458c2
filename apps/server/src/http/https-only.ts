import type { Server } from 'node:http';
import https from 'node:https';
import type { FastifyInstance, FastifyServerFactory } from 'fastify';
import type { Config } from '../config.ts';
import { AppError } from './errors.ts';

/** Oldest TLS version accepted when the server terminates TLS itself. */
export const MIN_TLS_VERSION = 'TLSv1.2';

/** Probes from a load balancer on the private network may use plain HTTP; they carry no data. */
const PLAIN_HTTP_PATHS = new Set(['/healthz', '/readyz']);

/**
 * EN-01. With a certificate configured, the server speaks TLS 1.2+ only (the HTTP server is replaced by an
 * HTTPS one). Undefined otherwise: plain HTTP for development, or behind a TLS-terminating proxy.
 */
export function tlsServerFactory(config: Pick<Config, 'tls'>): FastifyServerFactory | undefined {
  const tls = config.tls;
  if (!tls) return undefined;
  return (handler) => https.createServer({ cert: tls.cert, key: tls.key, minVersion: MIN_TLS_VERSION }, handler) as unknown as Server;
}

/**
 * EN-01: in production a request that did not arrive over HTTPS (as the socket says, or X-Forwarded-Proto
 * from a trusted proxy) is refused rather than served in plaintext; HSTS (set with the security headers)
 * keeps browsers on HTTPS.
 */
export function registerHttpsOnly(app: FastifyInstance, config: Pick<Config, 'env'>): void {
  if (config.env !== 'production') return;
  app.addHook('onRequest', async (request) => {
    if (request.protocol === 'https' || PLAIN_HTTP_PATHS.has(request.url)) return;
    throw new AppError(403, 'https_required', 'This server answers over HTTPS only.');
  });
}
