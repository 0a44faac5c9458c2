import type { Queryable } from '../../db/connect.ts';

/** Seconds until the key may try again, or 0. */
export async function findThrottleWait(tx: Queryable, keys: string[]): Promise<number> {
  const { rows } = await tx.query<{ wait: number | null }>(
    `SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::int AS wait
       FROM auth_throttle WHERE key = ANY($1::text[]) AND blocked_until > now()`,
    [keys],
  );
  return Math.max(0, rows[0]?.wait ?? 0);
}

/**
 * Counts one hit against a key inside a fixed window. Past `limit` hits the key is blocked, for a delay
 * that doubles with every further hit, up to `maxDelaySeconds`. Atomic, so concurrent requests on any
 * number of server instances share one count.
 */
export async function incrementThrottle(
  tx: Queryable,
  key: string,
  policy: { limit: number; windowSeconds: number; baseDelaySeconds: number; maxDelaySeconds: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO auth_throttle AS t (key, window_started_at, hits, blocked_until)
     VALUES ($1, now(), 1, NULL)
     ON CONFLICT (key) DO UPDATE SET
       window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN now() ELSE t.window_started_at END,
       hits = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE t.hits + 1 END,
       blocked_until = CASE
         WHEN t.window_started_at >= now() - make_interval(secs => $2) AND t.hits + 1 > $3
         THEN now() + make_interval(secs => least($5::float8, $4::float8 * power(2, least(t.hits + 1 - $3 - 1, 30))))
         ELSE t.blocked_until END`,
    [key, policy.windowSeconds, policy.limit, policy.baseDelaySeconds, policy.maxDelaySeconds],
  );
}

export async function deleteThrottle(tx: Queryable, key: string): Promise<void> {
  await tx.query('DELETE FROM auth_throttle WHERE key = $1', [key]);
}
