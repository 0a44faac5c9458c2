/**
 * The two calls the agent makes to the Seatwise server. Redirects are never followed (a redirect to
 * http:// would be a plaintext fallback, EN-01); the key travels only in the Authorization header and
 * never appears in a message.
 */
import { AgentBatchResult, CurrentApiKey } from '@seatwise/protocol';
import { serverUrlProblem } from './config.ts';
import { AGENT_VERSION } from './version.ts';

/** What `GET /api/api-keys/current` answers (the protocol's CurrentApiKey). */
export type ApiKeyInfo = ReturnType<typeof CurrentApiKey.parse>;

/** How one attempt to send a batch ended. */
export type SendOutcome =
  | { kind: 'stored'; result: AgentBatchResult }
  /** 400/413/422: the batch itself is bad; sending it again cannot help. */
  | { kind: 'rejected'; status: number; detail: string }
  /** 401/403: the key is wrong, revoked or lacks the ingest scope. */
  | { kind: 'auth'; status: number; detail: string }
  /** 429, 5xx, other answers, network errors and timeouts: try again later. */
  | { kind: 'retry'; status: number | null; detail: string; retryAfterMs?: number };

export interface ServerClient {
  /** `signal` cuts the request short (the agent is stopping); the outcome is then 'retry'. */
  sendBatch(body: string, signal?: AbortSignal): Promise<SendOutcome>;
  currentKey(): Promise<{ ok: true; key: ApiKeyInfo } | { ok: false; status: number | null; detail: string }>;
}

export interface ServerClientOptions {
  serverUrl: string;
  apiKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** The detail of an error answer, short and safe to log (no headers, no key). */
async function answerDetail(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).slice(0, 2000);
  try {
    const body = JSON.parse(text) as { message?: unknown; code?: unknown; error?: unknown };
    const message = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : '';
    const code = typeof body.code === 'string' ? ` (${body.code})` : '';
    if (message || code) return `${message}${code}`.slice(0, 500);
  } catch {
    // Not JSON: keep the start of the text.
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 300) || response.statusText;
}

function networkDetail(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'the server did not answer in time';
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? 'network error'}: ${cause}` : (err.message ?? String(error));
}

/** Seconds or an HTTP date in Retry-After, as milliseconds from now. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A client for the Seatwise server at `serverUrl`; refuses a URL that is not HTTPS (except loopback). */
export function createServerClient(options: ServerClientOptions): ServerClient {
  const problem = serverUrlProblem(options.serverUrl);
  if (problem) throw new Error(`server URL ${problem}`);
  const base = options.serverUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const headers = {
    authorization: `Bearer ${options.apiKey}`,
    'user-agent': `seatwise-agent/${AGENT_VERSION}`,
    accept: 'application/json',
  };

  async function call(pathname: string, init: { method: string; body?: string; signal?: AbortSignal | undefined }): Promise<Response> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    return doFetch(`${base}${pathname}`, {
      method: init.method,
      headers: init.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
      signal: init.signal ? AbortSignal.any([timeout, init.signal]) : timeout,
    });
  }

  return {
    async sendBatch(body, signal) {
      let response: Response;
      try {
        response = await call('/api/ingest/batches', { method: 'POST', body, signal });
      } catch (error) {
        return { kind: 'retry', status: null, detail: networkDetail(error) };
      }
      const status = response.status;
      if (status === 200 || status === 201) {
        const text = await response.text().catch(() => '');
        let parsed;
        try {
          parsed = AgentBatchResult.safeParse(JSON.parse(text));
        } catch {
          parsed = undefined;
        }
        if (parsed?.success) return { kind: 'stored', result: parsed.data };
        return { kind: 'retry', status, detail: 'the server answered 200 without a batch result' };
      }
      const detail = await answerDetail(response);
      if (status === 400 || status === 413 || status === 422) return { kind: 'rejected', status, detail };
      if (status === 401 || status === 403) return { kind: 'auth', status, detail };
      if (status >= 300 && status < 400) {
        return { kind: 'retry', status, detail: `the server redirects (to ${response.headers.get('location') ?? '?'}); redirects are not followed: fix serverUrl` };
      }
      const outcome: SendOutcome = { kind: 'retry', status, detail };
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
      return outcome;
    },

    async currentKey() {
      let response: Response;
      try {
        response = await call('/api/api-keys/current', { method: 'GET' });
      } catch (error) {
        return { ok: false, status: null, detail: networkDetail(error) };
      }
      if (response.status !== 200) {
        const detail =
          response.status >= 300 && response.status < 400
            ? `the server redirects (to ${response.headers.get('location') ?? '?'}); redirects are not followed: fix serverUrl`
            : await answerDetail(response);
        return { ok: false, status: response.status, detail };
      }
      const parsed = CurrentApiKey.safeParse(await response.json().catch(() => null));
      if (!parsed.success) return { ok: false, status: 200, detail: 'the server answered with something that is not an API key description' };
      return { ok: true, key: parsed.data };
    },
  };
}
