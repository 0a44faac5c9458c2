// @vitest-environment happy-dom
import type { Upload } from '@seatwise/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import { jsonBody, startLoopbackServer, type Exchange, type LoopbackServer } from './loopback-server.ts';
import type { UploadProgressState } from './progress.ts';
import { runUpload } from './run-upload.ts';
import { TEST_UPLOAD_ID, testUpload } from './test-upload.ts';
import { isAbortError } from './upload-request.ts';

const UPLOAD_ID = TEST_UPLOAD_ID;
const SERVER_ID = '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f';

const upload = (change: Partial<Upload> = {}): Upload => testUpload(SERVER_ID, 'lmgrd.log', change);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: LoopbackServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface FakeApi {
  /** Answers the PUT (the n-th, from 1). */
  put: (exchange: Exchange, count: number) => void | Promise<void>;
  /** The upload a GET answers with (the n-th GET, from 1). */
  get?: (count: number) => Upload;
}

/** The three upload routes, as the server answers them; everything else is a 404. */
async function fakeUploadApi(api: FakeApi): Promise<LoopbackServer> {
  let gets = 0;
  let puts = 0;
  return startLoopbackServer(async (exchange) => {
    if (exchange.method === 'POST' && exchange.path === '/api/uploads') {
      await exchange.body(); // kept for the test to read
      return exchange.json(201, upload());
    }
    if (exchange.method === 'GET' && exchange.path === `/api/uploads/${UPLOAD_ID}`) return exchange.json(200, api.get ? api.get(++gets) : upload());
    if (exchange.method === 'PUT' && exchange.path === `/api/uploads/${UPLOAD_ID}/content`) return api.put(exchange, ++puts);
    exchange.json(404, { error: { code: 'not_found', message: 'Not found.' } });
  });
}

const requests = (from: LoopbackServer) => from.exchanges.map((exchange) => `${exchange.method} ${exchange.path.replace(UPLOAD_ID, ':id')}`);

describe('runUpload (against a server answering like Seatwise)', () => {
  it('creates the upload, checks the session, sends the file while asking for progress, and answers with the finished upload', async () => {
    const finished = upload({ status: 'done', format: 'flexlm-debug', bytesDone: 11, linesDone: 2, sessions: 1 });
    server = await fakeUploadApi({
      get: (count) =>
        count === 1 ? upload() : upload({ status: 'running', phase: count < 3 ? 'parsing' : 'storing', bytesDone: 11, linesDone: 2 }),
      put: async (exchange) => {
        await exchange.body();
        await sleep(450); // storing: the browser keeps asking meanwhile
        exchange.json(200, finished);
      },
    });
    const seen: UploadProgressState[] = [];
    const file = new File(['line one\nline two\n'], 'lmgrd.log');
    const result = await runUpload(
      { licenseServerId: SERVER_ID, file, startDate: '2025-03-01' },
      { signal: new AbortController().signal, onProgress: (progress) => seen.push(progress), pollMs: 100, readCsrfToken: () => 'csrf-1' },
    );

    expect(result).toEqual(finished);
    expect(await jsonBody(server.exchanges[0] as Exchange)).toEqual({ licenseServerId: SERVER_ID, fileName: 'lmgrd.log', startDate: '2025-03-01' });
    const order = requests(server);
    expect(order.slice(0, 2)).toEqual(['POST /api/uploads', 'GET /api/uploads/:id']);
    expect(order).toContain('PUT /api/uploads/:id/content');
    // Progress was asked for while the PUT ran, and what the server said reached the caller.
    expect(order.filter((request) => request === 'GET /api/uploads/:id').length).toBeGreaterThanOrEqual(3);
    expect(seen[0]).toMatchObject({ stage: 'preparing', total: file.size });
    expect(seen.some((progress) => progress.stage === 'transfer' && progress.serverPhase === 'storing' && progress.lines === 2)).toBe(true);

    // Once answered, no more progress requests.
    const asked = server.exchanges.length;
    await sleep(350);
    expect(server.exchanges.length).toBe(asked);
  });

  it('when the PUT meets an expired session, refreshes it with a GET and sends the file once more', async () => {
    server = await fakeUploadApi({
      put: async (exchange, count) => {
        const body = await exchange.text();
        if (count === 1) return exchange.json(401, { error: { code: 'auth.unauthenticated', message: 'Sign in to continue.' } });
        exchange.json(200, upload({ status: 'done', linesDone: body.split('\n').length - 1 }));
      },
    });
    const result = await runUpload(
      { licenseServerId: SERVER_ID, file: new File(['a\nb\nc\n'], 'x.log'), startDate: null },
      { signal: new AbortController().signal, onProgress: () => undefined, pollMs: 10_000 },
    );
    expect(result).toMatchObject({ status: 'done', linesDone: 3 });
    expect(requests(server)).toEqual([
      'POST /api/uploads',
      'GET /api/uploads/:id',
      'PUT /api/uploads/:id/content',
      'GET /api/uploads/:id',
      'PUT /api/uploads/:id/content',
    ]);
  });

  it('passes on a refusal from the server as it is (the message says what was expected)', async () => {
    server = await fakeUploadApi({
      put: (exchange) => exchange.json(422, { error: { code: 'upload.unrecognised_format', message: 'This file is not license-daemon output Seatwise can read.' } }),
    });
    const failure = await runUpload(
      { licenseServerId: SERVER_ID, file: new File(['\u0000\u0001'], 'report.bin'), startDate: null },
      { signal: new AbortController().signal, onProgress: () => undefined, pollMs: 10_000 },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 422, code: 'upload.unrecognised_format', message: 'This file is not license-daemon output Seatwise can read.' });
  });

  it('when the connection breaks, tells the reason the upload recorded', async () => {
    server = await fakeUploadApi({
      get: (count) => (count === 1 ? upload() : upload({ status: 'failed', error: { code: 'upload.too_large', message: 'The file is larger than 2 GiB.' } })),
      put: (exchange) => exchange.destroy(),
    });
    const failure = await runUpload(
      { licenseServerId: SERVER_ID, file: new File(['x'], 'x.log'), startDate: null },
      { signal: new AbortController().signal, onProgress: () => undefined, pollMs: 10_000 },
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'upload.too_large', message: 'The file is larger than 2 GiB.' });
  });

  it('cancelling stops the transfer with an AbortError', async () => {
    let putArrived: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (putArrived = resolve));
    server = await fakeUploadApi({ put: () => putArrived() });
    const controller = new AbortController();
    const running = runUpload(
      { licenseServerId: SERVER_ID, file: new File(['x'], 'x.log'), startDate: null },
      { signal: controller.signal, onProgress: () => undefined, pollMs: 10_000 },
    ).catch((error: unknown) => error);
    await arrived;
    controller.abort();
    expect(isAbortError(await running)).toBe(true);
  });
});
