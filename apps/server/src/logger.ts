import pino, { type LoggerOptions } from 'pino';

/**
 * MON-03: what must never reach a log. Fastify logs request and response metadata only (never bodies);
 * these paths cover credentials that could still appear in that metadata or in objects we log.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.csrfToken',
  '*.secret',
];

/** Logger options shared by the server and the command-line tools. */
export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}

/** JSON logs; in development on a terminal, readable lines instead (same redaction). */
export function createLogger(level: string, env: 'development' | 'production' | 'test' = 'production') {
  const readable = env === 'development' && process.stdout.isTTY;
  return pino({
    ...loggerOptions(level),
    ...(readable ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}
