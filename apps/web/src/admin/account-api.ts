/**
 * Account calls that endpoints.ts does not have yet. Built on the one API client, so the CSRF header and
 * refresh-on-401 behave as everywhere else.
 */
import { api } from '../api.ts';
import type { Ok } from '../endpoints.ts';

export const accountApi = {
  /** Ends every session of the signed-in person, this browser's included (its cookies are cleared). */
  signOutEverywhere: () => api.post<Ok>('/api/auth/sign-out-everywhere'),
};
