/**
 * A small real HTTP server on loopback standing in for the Seatwise server in the agent's unit tests: it
 * checks the bearer key, validates every batch with the protocol's own schema (400 otherwise), stores items
 * under their natural keys (a closed session is never reopened by a late open copy) and answers
 * `duplicate: true` for a batch id it has seen. Tests can make it fail, refuse or go away.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentBatch } from '@seatwise/protocol';

type Batch = ReturnType<typeof AgentBatch.parse>;
type Session = Batch['sessions'][number];

export interface FakeServer {
  url: string;
  port: number;
  key: string;
  batches: Batch[];
  /** Every request, in order: method, path, status answered. */
  requests: { method: string; path: string; status: number; authorization: string | undefined }[];
  sessions: Map<string, Session>;
  denials: Map<string, Batch['denials'][number]>;
  snapshots: Map<string, Batch['snapshots'][number]>;
  /** Answers the next `count` ingest requests with `status` instead of storing them. */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** Stops listening (connections refused) until start() again, on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const FAKE_KEY = 'swk_test_0123456789abcdefghijklmnopqrstuvwxyzAB';

const lower = (value: string) => value.toLowerCase();
export const sessionKey = (s: Pick<Session, 'vendor' | 'feature' | 'user' | 'host' | 'start' | 'ordinal'>) =>
  [lower(s.vendor), lower(s.feature), lower(s.user), lower(s.host), new Date(s.start).toISOString(), s.ordinal].join('|');

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the stand-in server on 127.0.0.1 (a free port unless `port` is given). */
export async function startFakeServer(options: { port?: number; key?: string } = {}): Promise<FakeServer> {
  const key = options.key ?? FAKE_KEY;
  const seen = new Set<string>();
  const failures: { status: number; headers: Record<string, string> }[] = [];
  let server: Server | null = null;
  let port = options.port ?? 0;

  const fake: FakeServer = {
    url: '',
    port: 0,
    key,
    batches: [],
    requests: [],
    sessions: new Map(),
    denials: new Map(),
    snapshots: new Map(),
    failNext(count, status, headers = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    async stop() {
      const s = server;
      server = null;
      if (s) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
    async start() {
      const s = createServer((request, response) => void handle(request, response));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
      port = (s.address() as AddressInfo).port;
      fake.port = port;
      fake.url = `http://127.0.0.1:${port}`;
    },
    close() {
      return fake.stop();
    },
  };

  function send(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(payload));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url ?? '';
    const record = (status: number) => fake.requests.push({ method: request.method ?? '', path, status, authorization: request.headers.authorization });
    const text = await body(request);
    if (request.headers.authorization !== `Bearer ${key}`) {
      record(401);
      return send(response, 401, { code: 'auth.invalid_api_key', message: 'API key not valid' });
    }
    if (request.method === 'GET' && path === '/api/api-keys/current') {
      record(200);
      return send(response, 200, {
        id: '0b6f3f5e-5b0e-4a53-9d43-3f3c1d1f0a01',
        name: 'agent on flexlm1',
        prefix: key.slice(0, 12),
        scopes: ['ingest'],
        organisation: { id: '7d1c2f0e-8d7a-4f7e-b3a4-2b9d5f1e6c02', name: 'Acme' },
      });
    }
    if (request.method !== 'POST' || path !== '/api/ingest/batches') {
      record(404);
      return send(response, 404, { message: 'not found' });
    }
    const failure = failures.shift();
    if (failure) {
      record(failure.status);
      return send(response, failure.status, { message: 'failing on purpose' }, failure.headers);
    }
    let parsed;
    try {
      parsed = AgentBatch.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      record(400);
      return send(response, 400, { code: 'validation', message: parsed ? parsed.error.message : 'not JSON' });
    }
    const batch = parsed.data;
    const duplicate = seen.has(batch.batchId);
    if (!duplicate) {
      seen.add(batch.batchId);
      fake.batches.push(batch);
      for (const session of batch.sessions) {
        const k = sessionKey(session);
        const before = fake.sessions.get(k);
        // A closed session stays closed: an open copy arriving later changes nothing.
        if (session.end !== null || !before) fake.sessions.set(k, session);
      }
      for (const denial of batch.denials) {
        fake.denials.set([lower(denial.vendor), lower(denial.feature), lower(denial.user), lower(denial.host), new Date(denial.at).toISOString(), denial.ordinal].join('|'), denial);
      }
      for (const snapshot of batch.snapshots) fake.snapshots.set([lower(snapshot.vendor), lower(snapshot.feature), new Date(snapshot.at).toISOString()].join('|'), snapshot);
    }
    record(200);
    send(response, 200, { batchId: batch.batchId, duplicate, sessions: batch.sessions.length, denials: batch.denials.length, snapshots: batch.snapshots.length });
  }

  await fake.start();
  return fake;
}
