/**
 * The one way the web app talks to the API. Same-origin fetch with the session cookies; state-changing
 * requests echo the readable CSRF cookie in `x-csrf-token`; an expired access token (401) is refreshed once
 * (shared by every request waiting on it) and the request retried once.
 */

export const CSRF_COOKIE = '__Host-sw_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NETWORK_MESSAGE = 'Seatwise could not be reached. Check your connection and try again.';
const UNEXPECTED_MESSAGE = 'Something went wrong on our side. Try again in a moment.';

export interface FieldIssue {
  path: string;
  message: string;
}

/** An error answer from the API (or a network failure, with status 0 and code `network`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Injected so tests can answer requests without a server. */
  fetch: FetchFunction;
  /** The CSRF cookie's value, read fresh for every request (another tab may have refreshed it). */
  readCsrfToken: () => string | undefined;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /**
   * Refresh the session and retry once on 401 (default true). Off for the public forms: a wrong
   * password on sign-in is a 401 that a refresh cannot cure, and retrying would count twice.
   */
  refresh?: boolean;
}

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>): Promise<T>;
  post<T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>): Promise<T>;
}

/** Reads one cookie from a `document.cookie` string. */
export function readCookie(cookieString: string, name: string): string | undefined {
  for (const part of cookieString.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() !== name) continue;
    const value = part.slice(separator + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Turns an error response into an ApiError, whatever its body looks like. */
export async function toApiError(response: Response): Promise<ApiError> {
  const body = await readJson(response);
  const error = (body as { error?: unknown } | undefined)?.error;
  const headerWait = parseRetryAfter(response.headers.get('retry-after'));
  if (error && typeof error === 'object') {
    const { code, message, issues, retryAfterSeconds } = error as Record<string, unknown>;
    const validIssues = Array.isArray(issues)
      ? issues.filter(
          (issue): issue is FieldIssue =>
            typeof issue === 'object' && issue !== null && typeof issue.path === 'string' && typeof issue.message === 'string',
        )
      : [];
    return new ApiError(
      response.status,
      typeof code === 'string' ? code : `http_${response.status}`,
      typeof message === 'string' && message ? message : UNEXPECTED_MESSAGE,
      validIssues,
      typeof retryAfterSeconds === 'number' ? retryAfterSeconds : headerWait,
    );
  }
  return new ApiError(response.status, `http_${response.status}`, UNEXPECTED_MESSAGE, [], headerWait);
}

/** Builds an API client; the app uses `api` below, tests build their own with a fake fetch. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  let refreshing: Promise<boolean> | null = null;

  async function send(path: string, request: RequestOptions): Promise<Response> {
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (!SAFE_METHODS.has(method)) {
      const csrf = options.readCsrfToken();
      if (csrf) headers[CSRF_HEADER] = csrf;
    }
    try {
      return await options.fetch(path, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        credentials: 'same-origin',
        signal: request.signal,
      });
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw new ApiError(0, 'network', NETWORK_MESSAGE);
    }
  }

  /** True when the original request is worth retrying: refreshed here, or by another tab a moment ago. */
  function refreshSession(): Promise<boolean> {
    refreshing ??= (async () => {
      try {
        const response = await send('/api/auth/refresh', { method: 'POST' });
        if (response.ok) return true;
        if (response.status === 409) return (await toApiError(response)).code === 'auth.refresh_race';
        return false;
      } catch {
        return false;
      }
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function request<T>(path: string, request: RequestOptions = {}): Promise<T> {
    let response = await send(path, request);
    // Without the CSRF cookie there is no session to refresh (both cookies share one lifetime).
    if (response.status === 401 && request.refresh !== false && options.readCsrfToken()) {
      if (await refreshSession()) response = await send(path, request);
    }
    if (!response.ok) throw await toApiError(response);
    return (await readJson(response)) as T;
  }

  return {
    request,
    get: (path, rest) => request(path, { ...rest, method: 'GET' }),
    post: (path, body, rest) => request(path, { ...rest, method: 'POST', body }),
  };
}

/** The browser's client: same-origin fetch and the CSRF cookie. */
export const api: ApiClient = createApiClient({
  fetch: (input, init) => fetch(input, init),
  readCsrfToken: () => readCookie(document.cookie, CSRF_COOKIE),
});

/** True when this browser holds a session (the CSRF cookie lives as long as the refresh cookie). */
export function hasSessionCookie(): boolean {
  return readCookie(document.cookie, CSRF_COOKIE) !== undefined;
}
