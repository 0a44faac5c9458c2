import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { PasswordHashingBusyError } from '../lib/password.ts';
import { AppError } from './errors.ts';

/**
 * The one place errors become responses. Validation problems list each field and reason; database and
 * other unexpected errors are logged and answered with a generic 500, never with their text.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof PasswordHashingBusyError) {
      reply.header('retry-after', '5');
      return reply.status(503).send({ error: { code: 'busy', message: 'Too many sign-ins at once. Try again in a few seconds.', retryAfterSeconds: 5 } });
    }
    if (error instanceof AppError) {
      if (error.extra.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.extra.retryAfterSeconds));
      return reply.status(error.statusCode).send({
        error: { code: error.code, message: error.message, ...error.extra },
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'request';
      const issues = error.validation.map((issue) => {
        const field = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
        const unknownKeys = (issue.params as { keys?: string[] }).keys;
        if (issue.keyword === 'unrecognized_keys' && unknownKeys) {
          return { path: field ? `${where}.${field}` : where, message: `unknown field(s): ${unknownKeys.join(', ')}` };
        }
        return { path: field ? `${where}.${field}` : where, message: issue.message };
      });
      const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
      return reply.status(400).send({ error: { code: 'validation_failed', message: `Invalid input: ${summary}`, issues } });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its schema');
      return reply.status(500).send({ error: { code: 'internal', message: 'Something went wrong on our side.' } });
    }
    if (error.statusCode === 429) {
      // The global rate limit has already set Retry-After; the body says the same for clients that read JSON.
      const retryAfterSeconds = Number(reply.getHeader('retry-after'));
      return reply.status(429).send({
        error: { code: 'rate_limited', message: error.message, ...(Number.isFinite(retryAfterSeconds) ? { retryAfterSeconds } : {}) },
      });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own client errors (bad JSON, body too large, wrong content type): their text is safe.
      return reply.status(error.statusCode).send({ error: { code: error.code ?? 'bad_request', message: error.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'Something went wrong on our side.' } });
  });
}

/**
 * Unknown routes answer a JSON 404; with a built web app, any other GET outside /api loads the single
 * page (its client-side routes: /sign-in, /verify-email …).
 */
export function registerNotFoundHandler(app: FastifyInstance, singlePageHtml: string | undefined): void {
  app.setNotFoundHandler((request, reply) => {
    if (singlePageHtml !== undefined && request.method === 'GET' && !request.url.startsWith('/api/')) {
      return reply.type('text/html; charset=utf-8').send(singlePageHtml);
    }
    return reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}.` } });
  });
}
