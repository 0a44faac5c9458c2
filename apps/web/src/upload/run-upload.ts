/**
 * One Smart Upload from the browser: create the upload, make sure the session is fresh, send the file with
 * progress while asking the server every second how far it has read, and answer with the finished upload.
 */
import type { Upload } from '@seatwise/protocol';
import { ApiError } from '../api.ts';
import { uploadsApi } from '../endpoints.ts';
import { uploadFileName } from './file-check.ts';
import { addRateSample, initialProgress, transferRate, type RateSample, type UploadProgressState } from './progress.ts';
import { sendFileBody, type SendBodyOptions } from './upload-request.ts';

/** How often the server is asked how far it has read. */
export const PROGRESS_POLL_MS = 1000;

export interface UploadRequest {
  licenseServerId: string;
  file: File;
  /** YYYY-MM-DD, for logs that never state their date. */
  startDate: string | null;
}

export interface RunUploadOptions {
  /** Cancels the upload (the request is aborted; the server then stores nothing from it). */
  signal: AbortSignal;
  onProgress: (progress: UploadProgressState) => void;
  /** Called once the upload exists on the server. */
  onCreated?: (upload: Upload) => void;
  pollMs?: number;
  /** Passed on to sendFileBody. */
  readCsrfToken?: SendBodyOptions['readCsrfToken'];
}

/**
 * Runs one upload to its end. Resolves with the finished upload (done or duplicate); rejects with an
 * ApiError saying why it failed, or with an AbortError when cancelled.
 */
export async function runUpload(request: UploadRequest, options: RunUploadOptions): Promise<Upload> {
  const { signal } = options;
  let progress = initialProgress(request.file.size);
  let samples: RateSample[] = [];
  const report = (change: Partial<UploadProgressState>) => {
    progress = { ...progress, ...change };
    options.onProgress(progress);
  };

  report({});
  const created = await uploadsApi.create({ licenseServerId: request.licenseServerId, fileName: uploadFileName(request.file.name), startDate: request.startDate });
  options.onCreated?.(created);
  signal.throwIfAborted();
  // A cheap authenticated call first: api.ts refreshes an expiring access token, so the long PUT starts with a fresh one.
  await uploadsApi.get(created.id, signal);

  report({ stage: 'transfer' });
  const stopPolling = pollUpload(
    created.id,
    options.pollMs ?? PROGRESS_POLL_MS,
    () => progress.sent >= progress.total,
    (upload, askedAfterSending) => report({ serverBytes: upload.bytesDone, lines: upload.linesDone, serverPhase: upload.phase, reportAfterSending: askedAfterSending }),
  );
  const path = `/api/uploads/${encodeURIComponent(created.id)}/content`;
  const send = () => {
    samples = [];
    return sendFileBody<Upload>(path, request.file, {
      signal,
      readCsrfToken: options.readCsrfToken,
      onProgress: ({ sent }) => {
        samples = addRateSample(samples, { at: performance.now(), bytes: sent });
        report({ sent, bytesPerSecond: transferRate(samples) });
      },
    });
  };

  try {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      // The access token ran out after all: the server refused before reading anything. A GET refreshes
      // the session (or says it has ended), then the file goes once more.
      await uploadsApi.get(created.id, signal);
      report({ sent: 0, reportAfterSending: false });
      return await send();
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) throw await failureOf(created.id, error);
    throw error;
  } finally {
    stopPolling();
  }
}

/**
 * Why an upload failed when the connection broke: a server that refuses a file early may close the
 * connection before the browser has read its answer, but the upload itself records the reason.
 */
async function failureOf(uploadId: string, networkError: ApiError): Promise<ApiError> {
  try {
    const upload = await uploadsApi.get(uploadId);
    if (upload.status === 'failed' && upload.error) return new ApiError(0, upload.error.code, upload.error.message);
  } catch {
    // The server cannot be reached either: the network error says so.
  }
  return networkError;
}

/**
 * Asks for the upload every `everyMs` (one request at a time) until stopped; failures are skipped. Each
 * answer comes with whether everything had been sent when it was asked for.
 */
function pollUpload(
  uploadId: string,
  everyMs: number,
  allSent: () => boolean,
  onUpload: (upload: Upload, askedAfterSending: boolean) => void,
): () => void {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    const askedAfterSending = allSent();
    uploadsApi
      .get(uploadId, controller.signal)
      .then(
        (upload) => {
          if (!controller.signal.aborted) onUpload(upload, askedAfterSending);
        },
        // Progress is a courtesy: the answer to the PUT is what counts.
        () => undefined,
      )
      .finally(() => {
        if (!controller.signal.aborted) timer = setTimeout(tick, everyMs);
      });
  };
  timer = setTimeout(tick, everyMs);
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}
