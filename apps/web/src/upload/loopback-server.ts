/**
 * For tests only: a real HTTP server on 127.0.0.1 that the browser code under test (happy-dom's fetch and
 * XMLHttpRequest) talks to, with the page's address set to the server's origin so requests are same-origin.
 * node:http is loaded at run time because the web app's type checking has no Node types (and should not:
 * they would change browser globals such as setTimeout for every file), so the little used is typed here.
 */

interface NodeRequest extends AsyncIterable<Uint8Array> {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  socket: { destroy(): void };
}

interface NodeResponse {
  writeHead(status: number, headers: Record<string, string>): void;
  end(body?: string): void;
  on(event: 'close', listener: () => void): void;
  writableEnded: boolean;
}

interface NodeServer {
  listen(port: number, host: string, callback: () => void): void;
  address(): { port: number } | string | null;
  close(callback: () => void): void;
  closeAllConnections(): void;
}

interface NodeHttp {
  createServer(handler: (request: NodeRequest, response: NodeResponse) => void): NodeServer;
}

/** One request as the server saw it, with ways to answer it. */
export interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Reads the whole body (once). */
  body(): Promise<Uint8Array>;
  /** The body as text. */
  text(): Promise<string>;
  /** Answers with JSON. */
  json(status: number, value: unknown, headers?: Record<string, string>): void;
  /** Breaks the connection off without an answer. */
  destroy(): void;
  /** Resolves when the connection has closed (answered or not). */
  closed: Promise<void>;
  /** True once an answer has been sent. */
  answered(): boolean;
}

export interface LoopbackServer {
  origin: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

/** Starts a server that hands every request to `handle`; the page's address becomes its origin. */
export async function startLoopbackServer(handle: (exchange: Exchange) => void | Promise<void>): Promise<LoopbackServer> {
  const specifier = 'node:http';
  const http = (await import(/* @vite-ignore */ specifier)) as NodeHttp;
  const exchanges: Exchange[] = [];
  const server = http.createServer((request, response) => {
    let bodyRead: Promise<Uint8Array> | undefined;
    const exchange: Exchange = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      body: () =>
        (bodyRead ??= (async () => {
          const parts: Uint8Array[] = [];
          for await (const part of request) parts.push(part);
          const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
          let at = 0;
          for (const part of parts) {
            whole.set(part, at);
            at += part.length;
          }
          return whole;
        })()),
      text: async () => new TextDecoder().decode(await exchange.body()),
      json: (status, value, headers = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(value));
      },
      destroy: () => request.socket.destroy(),
      closed: new Promise((resolve) => response.on('close', () => resolve())),
      answered: () => response.writableEnded,
    };
    exchanges.push(exchange);
    Promise.resolve(handle(exchange)).catch((error: unknown) => {
      if (!response.writableEnded) exchange.json(500, { error: { code: 'test.failed', message: String(error) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The loopback server has no port.');
  const origin = `http://127.0.0.1:${address.port}`;
  (globalThis as { happyDOM?: { setURL(url: string): void } }).happyDOM?.setURL(`${origin}/`);
  return {
    origin,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The JSON body of an exchange. */
export async function jsonBody(exchange: Exchange): Promise<unknown> {
  return JSON.parse(await exchange.text()) as unknown;
}
