import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'seatwise-config-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const key = (kid: string) => `${kid}:${Buffer.alloc(32, kid.length).toString('base64url')}`;

/** Production serves HTTPS only (EN-01): here behind a TLS-terminating proxy. */
const HTTPS_BEHIND_PROXY = { NODE_ENV: 'production', PUBLIC_URL: 'https://seatwise.example', TRUST_PROXY: 'true' } as const;

describe('configuration', () => {
  it('EN-03 production refuses to start without explicit secrets', () => {
    const dir = tempDir();
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir }, dir)).toThrow(/Production needs explicit secrets/);
    expect(existsSync(path.join(dir, 'dev-secrets.json'))).toBe(false);
  });

  it('EN-03 development generates secrets into DATA_DIR once and keeps them', () => {
    const dir = tempDir();
    const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir }, dir);
    expect(first.generatedSecretsFile).toBe(path.join(dir, 'dev-secrets.json'));
    const second = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir }, dir);
    expect(second.generatedSecretsFile).toBeUndefined();
    expect(Buffer.from(second.jwtKeys[0]!.secret).equals(Buffer.from(first.jwtKeys[0]!.secret))).toBe(true);
  });

  it('EN-03 secrets come from the environment or a secrets file, newest signing key first', () => {
    const dir = tempDir();
    const file = path.join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ JWT_SIGNING_KEYS: `${key('new')},${key('old')}`, CSRF_SECRET: Buffer.alloc(32, 1).toString('base64url') }));
    const config = loadConfig({ ...HTTPS_BEHIND_PROXY, SECRETS_FILE: file, DATABASE_URL: 'postgres://u@h/db' }, dir);
    expect(config.jwtKeys.map((k) => k.kid)).toEqual(['new', 'old']);
    const fromEnv = loadConfig({ ...HTTPS_BEHIND_PROXY, SECRETS_FILE: file, JWT_SIGNING_KEYS: key('env'), DATABASE_URL: 'postgres://u@h/db' }, dir);
    expect(fromEnv.jwtKeys.map((k) => k.kid)).toEqual(['env']);
  });

  it('EN-03 short or malformed secrets and bad values are refused with the variable named', () => {
    const dir = tempDir();
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SIGNING_KEYS: 'k1:c2hvcnQ', CSRF_SECRET: Buffer.alloc(32).toString('base64url') }, dir)).toThrow(
      /JWT_SIGNING_KEYS: each entry must be kid:base64url-secret with at least 32 bytes/,
    );
    expect(() => loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, PORT: 'eighty' }, dir)).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, PORT: 'eighty' }, dir)).toThrow(/PORT/);
  });

  it('ST-01 the embedded database lives in ./data by default, relative to where npm was started', () => {
    const dir = tempDir();
    const config = loadConfig({ NODE_ENV: 'development', INIT_CWD: dir });
    expect(config.dataDir).toBe(path.join(dir, 'data'));
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(JSON.parse(readFileSync(path.join(dir, 'data', 'dev-secrets.json'), 'utf8'))).toHaveProperty('CSRF_SECRET');
  });
});
