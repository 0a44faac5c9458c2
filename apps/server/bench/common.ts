// Helpers every benchmark script shares: the application's configuration for a run, reading numeric
// settings, printing figures, naming package versions, and cleaning up (throwaway clusters, temporary
// folders) even when interrupted.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../src/config.ts';

/** The repository's root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The application's configuration for a benchmark run: production mode with explicit secrets, logging
 * silenced. Production serves HTTPS only (EN-01): the server stands behind a TLS-terminating proxy
 * (TRUST_PROXY), and clients say so with X-Forwarded-Proto, as that proxy would. The per-address API
 * ceiling stays installed (its cost is part of every request) but must not trip: all load comes from one
 * address.
 */
export function benchConfig(overrides: Record<string, string>): Config {
  return loadConfig(
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      PUBLIC_URL: 'https://127.0.0.1:8443',
      TRUST_PROXY: 'true',
      JWT_SIGNING_KEYS: `bench1:${randomBytes(32).toString('base64url')}`,
      CSRF_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '1000000000',
      ...overrides,
    },
    REPO_ROOT,
  );
}

/** A numeric environment setting, at least `min`; a bad value stops the benchmark with its name. */
export function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min} (got "${raw}")`);
  return value;
}

export const out = (line = '') => process.stdout.write(`${line}\n`);
export const num = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
export const ms = (value: number) => num(value, value < 10 ? 2 : 1);
export const pct = (share: number) => `${num(share * 100)} %`;

/** The installed version of a package (informative: 'unknown' when it cannot be found). */
export function packageVersion(name: string): string {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve(name));
    while (dir !== path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? 'unknown';
      }
      dir = path.dirname(dir);
    }
  } catch {
    // Only informative.
  }
  return 'unknown';
}

const cleanups = new Set<() => Promise<void>>();

/** Runs body; cleanup runs afterwards, always, and also when the process is interrupted. */
export async function withCleanup<T>(cleanup: () => Promise<void>, body: () => Promise<T>): Promise<T> {
  cleanups.add(cleanup);
  try {
    return await body();
  } finally {
    if (cleanups.delete(cleanup)) await cleanup();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up…\n`);
    const pending = [...cleanups].reverse();
    cleanups.clear();
    void (async () => {
      for (const cleanup of pending) {
        try {
          await cleanup();
        } catch (error) {
          process.stderr.write(`cleanup failed: ${String(error)}\n`);
        }
      }
      process.exit(130);
    })();
  });
}
