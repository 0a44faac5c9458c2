/**
 * Sends the file of an upload as a request body with XMLHttpRequest: the one browser API that reports how
 * much of a request body has gone out (fetch cannot). Same origin, the CSRF header and the error shapes are
 * those of api.ts, whose pieces are reused here; every other request goes through api.ts.
 */
import { ApiError, CSRF_COOKIE, CSRF_HEADER, readCookie, toApiError } from '../api.ts';

export const UPLOAD_NETWORK_MESSAGE = 'The file could not be sent: Seatwise could not be reached. Check your connection and try again.';

export interface SendProgress {
  /** Bytes of the body sent so far. */
  sent: number;
  /** Bytes in the whole body. */
  total: number;
}

export interface SendBodyOptions {
  signal?: AbortSignal;
  /** Called as the body goes out (often: throttle any expensive work). */
  onProgress?: (progress: SendProgress) => void;
  /** The CSRF cookie's value; by default read from document.cookie (tests serve plain HTTP, where a __Host- cookie cannot be set). */
  readCsrfToken?: () => string | undefined;
}

/** True for the rejection of a request that was cancelled through its AbortSignal. */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('The upload was cancelled.', 'AbortError');
}

/**
 * The ApiError for a finished request that did not succeed, mapped exactly as api.ts maps a fetch Response.
 * Status 0 (no answer at all) is a network failure.
 */
export async function apiErrorFromXhr(status: number, responseText: string, retryAfter: string | null): Promise<ApiError> {
  if (status < 200 || status > 599) return new ApiError(0, 'network', UPLOAD_NETWORK_MESSAGE);
  const headers = new Headers();
  if (retryAfter !== null) headers.set('retry-after', retryAfter);
  return toApiError(new Response(responseText === '' ? null : responseText, { status, headers }));
}

/**
 * PUTs `body` (a File or Blob) to `path` as application/octet-stream and resolves with the JSON answer.
 * Rejects with an ApiError for an error answer or a broken connection, and with the signal's reason
 * (an AbortError) when cancelled.
 */
export function sendFileBody<T>(path: string, body: Blob, options: SendBodyOptions = {}): Promise<T> {
  const { signal, onProgress } = options;
  const readCsrfToken = options.readCsrfToken ?? (() => readCookie(document.cookie, CSRF_COOKIE));
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const xhr = new XMLHttpRequest();
    const cancel = () => xhr.abort();
    xhr.open('PUT', path);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = readCsrfToken();
    if (csrf) xhr.setRequestHeader(CSRF_HEADER, csrf);

    xhr.upload.onprogress = (event) => onProgress?.({ sent: event.loaded, total: event.lengthComputable ? event.total : body.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
        } catch {
          reject(new ApiError(xhr.status, `http_${xhr.status}`, 'Seatwise answered in a way this page does not understand. Reload the page and look at the recent uploads.'));
        }
        return;
      }
      void apiErrorFromXhr(xhr.status, xhr.responseText, xhr.getResponseHeader('retry-after')).then(reject);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', UPLOAD_NETWORK_MESSAGE));
    xhr.onabort = () => reject(abortReason(signal));
    xhr.onloadend = () => signal?.removeEventListener('abort', cancel);
    signal?.addEventListener('abort', cancel, { once: true });
    xhr.send(body);
  });
}
