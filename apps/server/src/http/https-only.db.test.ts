import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { createTestApp, testConfig } from '../testing/test-app.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../testing/fixtures');
const TLS_FILES = { TLS_CERT_FILE: path.join(FIXTURES, 'tls-localhost.crt'), TLS_KEY_FILE: path.join(FIXTURES, 'tls-localhost.key') };
const PRODUCTION = { NODE_ENV: 'production', PUBLIC_URL: 'https://seatwise.example' };

/** Opens a TLS connection limited to one protocol version; resolves with the version agreed or the error. */
function handshake(port: number, version: tls.SecureVersion): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, minVersion: version, maxVersion: version }, () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.end();
    });
    socket.on('error', (error) => resolve(`refused: ${error.message}`));
  });
}

describe('HTTPS only in production', () => {
  it('EN-01 production refuses to start without TLS or a TLS-terminating proxy, or with an http public address', () => {
    expect(() => testConfig(PRODUCTION)).toThrow(ConfigError);
    expect(() => testConfig(PRODUCTION)).toThrow(/HTTPS only.*TLS_CERT_FILE.*TRUST_PROXY/);
    expect(() => testConfig({ ...PRODUCTION, PUBLIC_URL: 'http://seatwise.example', TRUST_PROXY: 'true' })).toThrow(/PUBLIC_URL must start with https/);
    expect(() => testConfig({ ...PRODUCTION, TLS_CERT_FILE: TLS_FILES.TLS_CERT_FILE })).toThrow(/set both or neither/);
    expect(testConfig({ ...PRODUCTION, ...TLS_FILES }).tls?.cert.length).toBeGreaterThan(0);
    expect(testConfig({ ...PRODUCTION, TRUST_PROXY: 'true' }).tls).toBeUndefined();
  });

  it('EN-01 with a certificate the server speaks TLS 1.2 and 1.3 only, and sends HSTS', async () => {
    const t = await createTestApp({ config: { ...PRODUCTION, ...TLS_FILES } });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };
      expect(await handshake(port, 'TLSv1.1')).toMatch(/^refused/);
      expect(await handshake(port, 'TLSv1.2')).toBe('TLSv1.2');
      expect(await handshake(port, 'TLSv1.3')).toBe('TLSv1.3');
      const response = await new Promise<{ status: number; hsts: string | undefined }>((resolve, reject) => {
        const request = https.get({ host: '127.0.0.1', port, path: '/api/org', servername: 'localhost', ca: readFileSync(TLS_FILES.TLS_CERT_FILE) }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] as string | undefined });
        });
        request.on('error', reject);
      });
      // Over TLS the request is served (401: not signed in), with HSTS.
      expect(response.status).toBe(401);
      expect(response.hsts).toMatch(/max-age=31536000/);
    } finally {
      await t.close();
    }
  });

  it('EN-01 behind a proxy, a request that reached the proxy over plain HTTP is refused, never served', async () => {
    const t = await createTestApp({ config: { ...PRODUCTION, TRUST_PROXY: 'true' } });
    try {
      const plain = await t.app.inject({ method: 'GET', url: '/api/org', headers: { 'x-forwarded-proto': 'http' } });
      expect(plain.statusCode).toBe(403);
      expect(plain.json()).toMatchObject({ error: { code: 'https_required' } });
      const secure = await t.app.inject({ method: 'GET', url: '/api/org', headers: { 'x-forwarded-proto': 'https' } });
      expect(secure.statusCode).toBe(401);
      expect(secure.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/);
      const probe = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-forwarded-proto': 'http' } });
      expect(probe.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
