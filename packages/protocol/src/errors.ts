import { z } from 'zod';

/** The body of every error response: a stable code, a human message, and per-field issues for 400s. */
export const ErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    retryAfterSeconds: z.number().int().optional(),
  }),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;
