/**
 * The call for the exact seats-in-use steps of one feature. It belongs with the other usage calls in
 * endpoints.ts (usageApi.concurrency) and sits here until it moves there.
 */
import type { FeatureConcurrency } from '@seatwise/protocol';
import { api } from '../api.ts';
import { query, type UsageRange } from '../endpoints.ts';

/** GET /api/usage/features/:featureId/concurrency: seats in use at every instant of the range's UTC days. */
export function fetchConcurrency(featureId: string, range: UsageRange, signal?: AbortSignal): Promise<FeatureConcurrency> {
  return api.get<FeatureConcurrency>(`/api/usage/features/${encodeURIComponent(featureId)}/concurrency${query({ ...range })}`, { signal });
}
