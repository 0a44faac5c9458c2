// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.ts';
import { apiErrorFromXhr, isAbortError, sendFileBody, UPLOAD_NETWORK_MESSAGE } from './upload-request.ts';

let server: LoopbackServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A file of `size` bytes with a repeating pattern, so a dropped or shifted byte shows. */
function patternFile(size: number, name = 'lmgrd.log'): File {
  const bytes = new Uint8Array(size);
  for (let index = 0; index < size; index++) bytes[index] = index % 251;
  return new File([bytes], name);
}

describe('sendFileBody (XMLHttpRequest against a real HTTP server)', () => {
  it('PUTs the file as application/octet-stream with the CSRF header, byte for byte, and resolves with the JSON answer', async () => {
    server = await startLoopbackServer(async (exchange) => {
      const body = await exchange.body();
      exchange.json(200, { received: body.length, firstBytes: Array.from(body.slice(0, 4)), lastByte: body.at(-1) });
    });
    const file = patternFile(300_000);
    const answer = await sendFileBody<{ received: number; firstBytes: number[]; lastByte: number }>('/api/uploads/u1/content', file, {
      readCsrfToken: () => 'csrf-token-1',
    });
    expect(answer).toEqual({ received: 300_000, firstBytes: [0, 1, 2, 3], lastByte: (300_000 - 1) % 251 });
    const [exchange] = server.exchanges;
    expect(exchange?.method).toBe('PUT');
    expect(exchange?.path).toBe('/api/uploads/u1/content');
    expect(exchange?.headers['content-type']).toBe('application/octet-stream');
    expect(exchange?.headers['x-csrf-token']).toBe('csrf-token-1');
  });

  it('sends no CSRF header when there is no CSRF cookie', async () => {
    server = await startLoopbackServer((exchange) => exchange.json(200, {}));
    await sendFileBody('/api/uploads/u1/content', patternFile(10), { readCsrfToken: () => undefined });
    expect(server.exchanges[0]?.headers['x-csrf-token']).toBeUndefined();
  });

  it('maps an error answer to an ApiError with status, code, message and field issues', async () => {
    server = await startLoopbackServer((exchange) =>
      exchange.json(422, {
        error: {
          code: 'upload.unrecognised_format',
          message: 'This file is not license-daemon output Seatwise can read.',
          issues: [{ path: 'body', message: 'binary content' }],
        },
      }),
    );
    const failure = await sendFileBody('/api/uploads/u1/content', patternFile(1000)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({
      status: 422,
      code: 'upload.unrecognised_format',
      message: 'This file is not license-daemon output Seatwise can read.',
      issues: [{ path: 'body', message: 'binary content' }],
    });
  });

  it('keeps the wait a 429 asks for', async () => {
    server = await startLoopbackServer((exchange) => exchange.json(429, { error: { code: 'rate_limited', message: 'Too many requests.' } }, { 'retry-after': '42' }));
    const failure = await sendFileBody('/api/uploads/u1/content', patternFile(10)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 42 });
  });

  it('a broken connection is a network ApiError (status 0)', async () => {
    server = await startLoopbackServer((exchange) => exchange.destroy());
    const failure = await sendFileBody('/api/uploads/u1/content', patternFile(10)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 0, code: 'network', message: UPLOAD_NETWORK_MESSAGE });
  });

  it('cancelling aborts the request: it rejects with an AbortError and the server sees the connection go', async () => {
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    server = await startLoopbackServer(() => arrived()); // never answers
    const controller = new AbortController();
    const sending = sendFileBody('/api/uploads/u1/content', patternFile(1000), { signal: controller.signal }).catch((error: unknown) => error);
    await requestArrived;
    controller.abort();
    expect(isAbortError(await sending)).toBe(true);
    await server.exchanges[0]?.closed;
    expect(server.exchanges[0]?.answered()).toBe(false);
  });

  it('an already cancelled signal sends nothing', async () => {
    server = await startLoopbackServer((exchange) => exchange.json(200, {}));
    const controller = new AbortController();
    controller.abort();
    const failure = await sendFileBody('/api/uploads/u1/content', patternFile(10), { signal: controller.signal }).catch((error: unknown) => error);
    expect(isAbortError(failure)).toBe(true);
    expect(server.exchanges).toHaveLength(0);
  });
});

describe('apiErrorFromXhr', () => {
  it('status 0 (no answer) is a network failure', async () => {
    expect(await apiErrorFromXhr(0, '', null)).toMatchObject({ status: 0, code: 'network', message: UPLOAD_NETWORK_MESSAGE });
  });

  it('an answer without a JSON error says something went wrong, with the status as code', async () => {
    expect(await apiErrorFromXhr(502, '<html>Bad gateway</html>', null)).toMatchObject({ status: 502, code: 'http_502' });
  });
});
