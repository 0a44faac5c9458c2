import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, readApiKey, serverUrlProblem, stripJsonComments } from './config.ts';
import { EXAMPLE_CONFIG } from './example-config.ts';
import { createServerClient } from './http-client.ts';
import { startFakeServer } from '../testing/fake-server.ts';

const work = mkdtempSync(path.join(tmpdir(), 'seatwise-agent-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const minimal = (overrides: Record<string, unknown> = {}) => ({
  serverUrl: 'https://seatwise.example.com',
  apiKey: 'swk_0123456789abcdef',
  licenseServers: [{ name: '27000@flex1', timeZone: 'Europe/Madrid', logs: [{ path: 'lmgrd.log' }] }],
  ...overrides,
});

describe('agent configuration', () => {
  it('EN-01 refuses a non-HTTPS server URL except localhost', async () => {
    for (const url of ['http://seatwise.example.com', 'http://10.0.0.5:8080', 'http://localhost.example.com', 'http://127.0.0.2', 'ftp://seatwise.example.com', 'seatwise.example.com']) {
      expect(serverUrlProblem(url), url).not.toBeNull();
      await expect(parseConfig(minimal({ serverUrl: url }), '/etc/seatwise-agent/agent.jsonc'), url).rejects.toThrow(ConfigError);
    }
    for (const url of ['https://seatwise.example.com', 'https://seatwise.example.com:8443/', 'http://localhost:8080', 'http://127.0.0.1:9000', 'http://[::1]:8080', 'HTTP://LOCALHOST']) {
      expect(serverUrlProblem(url), url).toBeNull();
      const config = await parseConfig(minimal({ serverUrl: url }), '/etc/seatwise-agent/agent.jsonc');
      expect(config.serverUrl.endsWith('/')).toBe(false);
    }
    // The HTTP client refuses too, whoever builds it.
    expect(() => createServerClient({ serverUrl: 'http://seatwise.example.com', apiKey: 'swk_x', timeoutMs: 1000 })).toThrow(/https/);
    // A URL with credentials would leak them into logs; a key belongs in apiKey or apiKeyFile.
    expect(serverUrlProblem('https://user:secret@seatwise.example.com')).toMatch(/password/);
  });

  it('EN-01 never follows a redirect (no plaintext fallback)', async () => {
    const { createServer } = await import('node:http');
    const redirecting = createServer((_request, response) => {
      response.writeHead(301, { location: 'http://seatwise.example.com/api/ingest/batches' });
      response.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', () => resolve()));
    const target = await startFakeServer();
    try {
      const port = (redirecting.address() as { port: number }).port;
      let followed = false;
      const client = createServerClient({
        serverUrl: `http://127.0.0.1:${port}`,
        apiKey: target.key,
        timeoutMs: 5000,
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (response.redirected) followed = true;
          return response;
        },
      });
      const outcome = await client.sendBatch('{}');
      expect(outcome.kind).toBe('retry');
      expect(outcome.kind === 'retry' && outcome.detail).toMatch(/redirects are not followed/);
      expect(followed).toBe(false);
      const key = await client.currentKey();
      expect(key.ok).toBe(false);
    } finally {
      redirecting.close();
      await target.close();
    }
  });

  it('reads JSON with comments and trailing commas, resolves paths from the config folder, and the example is valid', async () => {
    expect(JSON.parse(stripJsonComments('{ "a": "x // not a comment", /* c */ "b": [1, 2,], // end\n }'))).toEqual({ a: 'x // not a comment', b: [1, 2] });
    const file = path.join(work, 'example.jsonc');
    writeFileSync(file, EXAMPLE_CONFIG);
    const example = await loadConfig(file);
    expect(example.serverUrl).toBe('https://seatwise.example.com');
    expect(example.apiKeyFile).toBe('/etc/seatwise-agent/api-key');
    const [server] = example.licenseServers;
    expect(server?.sources.map((s) => s.kind)).toEqual(['log', 'command']);
    const command = server?.sources.find((s) => s.kind === 'command');
    expect(command).toMatchObject({ argv: ['/opt/flexlm/bin/lmutil', 'lmstat', '-a', '-c', '27000@flexlm1'], sessions: false, intervalSeconds: 300 });

    const relative = await parseConfig(minimal({ stateDir: 'state' }), path.join(work, 'agent.jsonc'));
    expect(relative.stateDir).toBe(path.join(work, 'state'));
    expect(relative.licenseServers[0]?.sources[0]).toMatchObject({ kind: 'log', path: path.join(work, 'lmgrd.log'), format: 'flexlm-debug', startAt: 'beginning' });
  });

  it('names the field of every problem, and wants exactly one of apiKey and apiKeyFile', async () => {
    const file = path.join(work, 'bad.jsonc');
    writeFileSync(file, JSON.stringify(minimal({ licenseServers: [{ name: 'x', timeZone: 'Mars/Olympus' }], extra: 1 })));
    const error = (await loadConfig(file).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/licenseServers\.0\.timeZone/);
    expect(error.message).toMatch(/statusCommand or at least one entry in logs/);
    expect(error.message).toMatch(/extra/);
    await expect(parseConfig(minimal({ apiKeyFile: 'key' }), file)).rejects.toThrow(/exactly one of apiKey and apiKeyFile/);
    await expect(loadConfig(path.join(work, 'missing.jsonc'))).rejects.toThrow(/seatwise-agent init/);
  });

  it('reads the key from the file it names and says when it does not look like a key, without echoing it', async () => {
    const keyFile = path.join(work, 'api-key');
    writeFileSync(keyFile, 'swk_fromfile_0123456789abcdefghijklmnopqrstuvwx\n');
    const config = await parseConfig({ ...minimal(), apiKey: undefined, apiKeyFile: keyFile }, path.join(work, 'agent.jsonc'));
    expect(await readApiKey(config)).toBe('swk_fromfile_0123456789abcdefghijklmnopqrstuvwx');
    writeFileSync(keyFile, 'hunter2 not a key');
    const error = (await readApiKey(config).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/does not look like a Seatwise key/);
    expect(error.message).not.toMatch(/hunter2/);
  });
});
