/** An error the client may see: an HTTP status, a stable code and a plain message. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: { retryAfterSeconds?: number; issues?: { path: string; message: string }[] } = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, issues?: { path: string; message: string }[]) =>
  new AppError(400, code, message, issues ? { issues } : {});
export const unauthorized = (code = 'auth.unauthenticated', message = 'Sign in to continue.') =>
  new AppError(401, code, message);
export const forbidden = (code = 'auth.forbidden', message = 'Your role does not allow this.') =>
  new AppError(403, code, message);
/** Also what another organisation's object answers: its existence is not revealed. */
export const notFound = (what = 'The resource') => new AppError(404, 'not_found', `${what} was not found.`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, 'rate_limited', `Too many attempts. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
