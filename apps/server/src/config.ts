import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/** A JWT signing key: `kid` goes into the token header so keys can be rotated. */
export interface SigningKey {
  kid: string;
  secret: Uint8Array;
}

const keyList = z
  .string()
  .transform((value, ctx): SigningKey[] => {
    const keys: SigningKey[] = [];
    for (const entry of value.split(',').map((part) => part.trim()).filter(Boolean)) {
      const [kid, encoded] = entry.split(':');
      const secret = encoded ? Buffer.from(encoded, 'base64url') : Buffer.alloc(0);
      if (!kid || !/^[A-Za-z0-9_-]{1,40}$/.test(kid) || secret.length < 32) {
        ctx.addIssue({ code: 'custom', message: 'each entry must be kid:base64url-secret with at least 32 bytes' });
        return z.NEVER;
      }
      keys.push({ kid, secret });
    }
    if (keys.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs at least one key' });
      return z.NEVER;
    }
    return keys;
  });

const secret32 = z
  .string()
  .transform((value) => Buffer.from(value, 'base64url'))
  .refine((buffer) => buffer.length >= 32, 'must be at least 32 bytes, base64url-encoded');

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).optional(),
  /** Where the embedded database, generated development secrets and the lock live. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Serve from a PostgreSQL server instead of the embedded database (a login role of seatwise_app). */
  DATABASE_URL: z.string().url().optional(),
  /** The owner connection that runs migrations; defaults to DATABASE_URL. */
  MIGRATION_DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** The address people reach this instance at: links in e-mails, the Origin check, the token issuer. */
  PUBLIC_URL: z.string().url().optional(),
  /** Extra origins allowed to call the API from a browser (comma-separated). */
  CORS_ORIGINS: z.string().default(''),
  /** JSON file holding secrets (same names as the variables below); values in the environment win. */
  SECRETS_FILE: z.string().optional(),
  JWT_SIGNING_KEYS: keyList.optional(),
  CSRF_SECRET: secret32.optional(),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('Seatwise <no-reply@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: booleanFlag.default(false),
  /** PEM certificate chain and private key: the server terminates TLS itself (TLS 1.2 or newer). */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  migrationDatabaseUrl: string | undefined;
  databasePoolSize: number;
  publicUrl: string;
  publicOrigin: string;
  corsOrigins: string[];
  jwtKeys: SigningKey[];
  csrfSecret: Uint8Array;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: string;
  trustProxy: boolean;
  /** Set when the server terminates TLS itself. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** Set when development secrets were generated on this start, so the caller can say so. */
  generatedSecretsFile: string | undefined;
}

export class ConfigError extends Error {}

const SECRET_NAMES = ['JWT_SIGNING_KEYS', 'CSRF_SECRET', 'SMTP_URL'] as const;

function readSecretsFile(file: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`SECRETS_FILE ${file} could not be read as JSON: ${(error as Error).message}`);
  }
  const result = z.record(z.string(), z.string()).safeParse(parsed);
  if (!result.success) throw new ConfigError(`SECRETS_FILE ${file} must be a JSON object of strings`);
  return Object.fromEntries(Object.entries(result.data).filter(([key]) => (SECRET_NAMES as readonly string[]).includes(key)));
}

/** Development only: secrets are generated once into DATA_DIR so that restarts keep sessions valid. */
function developmentSecrets(dataDir: string): { values: Record<string, string>; file: string; generated: boolean } {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return { values: readSecretsFile(file), file, generated: false };
  const values = {
    JWT_SIGNING_KEYS: `dev1:${randomBytes(32).toString('base64url')}`,
    CSRF_SECRET: randomBytes(32).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(values, null, 2) + '\n', { mode: 0o600 });
  return { values, file, generated: true };
}

/** The certificate and key, when both are configured; one without the other is a mistake. */
function readTls(certFile: string | undefined, keyFile: string | undefined, baseDir: string): Config['tls'] {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither.');
  const read = (name: string, file: string) => {
    try {
      return readFileSync(path.resolve(baseDir, file));
    } catch (error) {
      throw new ConfigError(`${name} ${file} could not be read: ${(error as Error).message}`);
    }
  };
  return { cert: read('TLS_CERT_FILE', certFile), key: read('TLS_KEY_FILE', keyFile) };
}

/**
 * Reads and validates the configuration. Production refuses to start without explicit secrets;
 * development and test generate them into DATA_DIR once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, baseDir = env.INIT_CWD ?? process.cwd()): Config {
  const first = EnvSchema.safeParse(env);
  if (!first.success) {
    const lines = first.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const dataDir = path.resolve(baseDir, first.data.DATA_DIR);
  let secretValues: Record<string, string> = first.data.SECRETS_FILE ? readSecretsFile(path.resolve(baseDir, first.data.SECRETS_FILE)) : {};
  let generatedSecretsFile: string | undefined;
  const missingSecrets = !env.JWT_SIGNING_KEYS && !secretValues.JWT_SIGNING_KEYS;
  if (missingSecrets && first.data.NODE_ENV !== 'production') {
    const dev = developmentSecrets(dataDir);
    secretValues = { ...dev.values, ...secretValues };
    if (dev.generated) generatedSecretsFile = dev.file;
  }
  const merged = EnvSchema.safeParse({ ...secretValues, ...env });
  if (!merged.success) {
    const lines = merged.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const data = merged.data;
  if (!data.JWT_SIGNING_KEYS || !data.CSRF_SECRET) {
    throw new ConfigError(
      'Production needs explicit secrets: set JWT_SIGNING_KEYS (kid:base64url, 32+ bytes each, newest first) and ' +
        'CSRF_SECRET (base64url, 32+ bytes) in the environment or in SECRETS_FILE.',
    );
  }
  const publicUrl = (data.PUBLIC_URL ?? `http://localhost:${data.PORT}`).replace(/\/+$/, '');
  const tls = readTls(data.TLS_CERT_FILE, data.TLS_KEY_FILE, baseDir);
  if (data.NODE_ENV === 'production') {
    // EN-01: HTTPS only, with no plaintext fallback: TLS here, or a TLS-terminating proxy in front.
    if (!publicUrl.startsWith('https://')) throw new ConfigError('Production serves HTTPS only: PUBLIC_URL must start with https://.');
    if (!tls && !data.TRUST_PROXY) {
      throw new ConfigError(
        'Production serves HTTPS only: set TLS_CERT_FILE and TLS_KEY_FILE for the server to terminate TLS, or TRUST_PROXY=true behind a proxy that does.',
      );
    }
  }
  return {
    env: data.NODE_ENV,
    port: data.PORT,
    host: data.HOST ?? (data.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    dataDir,
    databaseUrl: data.DATABASE_URL,
    migrationDatabaseUrl: data.MIGRATION_DATABASE_URL ?? data.DATABASE_URL,
    databasePoolSize: data.DATABASE_POOL_SIZE,
    publicUrl,
    publicOrigin: new URL(publicUrl).origin,
    corsOrigins: data.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean),
    jwtKeys: data.JWT_SIGNING_KEYS,
    csrfSecret: data.CSRF_SECRET,
    smtpUrl: data.SMTP_URL,
    mailFrom: data.MAIL_FROM,
    logLevel: data.LOG_LEVEL,
    trustProxy: data.TRUST_PROXY,
    tls,
    rateLimitPerMinute: data.RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: data.BODY_LIMIT_BYTES,
    generatedSecretsFile,
  };
}
