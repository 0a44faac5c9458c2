/**
 * For component tests only: answers the page's requests at the network edge (a stand-in for `fetch`), so
 * a test exercises the page's own logic and the real API client, and can read what was sent.
 */
import type { MeResponse, Role } from '@seatwise/protocol';

export interface SentRequest {
  method: string;
  /** The path and query, as the page asked for it. */
  url: string;
  body: unknown;
}

export interface Answer {
  status?: number;
  body?: unknown;
}

/** Answers by "METHOD /path" (the query string is not part of the key). */
export type Routes = Record<string, (request: SentRequest) => Answer | Promise<Answer>>;

export interface FakeApi {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  sent: SentRequest[];
}

/** A fetch that answers from `routes`; anything else is a 404, so a stray request fails the test loudly. */
export function fakeApi(routes: Routes): FakeApi {
  const sent: SentRequest[] = [];
  return {
    sent,
    fetch: async (input, init) => {
      const method = init.method ?? 'GET';
      const request: SentRequest = { method, url: input, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined };
      sent.push(request);
      const route = routes[`${method} ${input.split('?')[0]}`];
      const answer: Answer = route ? await route(request) : { status: 404, body: { error: { code: 'not_found', message: `No fake route for ${method} ${input}` } } };
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
        status: answer.status ?? 200,
        headers: { 'content-type': 'application/json' },
      });
    },
  };
}


/** A signed-in person with one role in one organisation, for rendering a page inside a session. */
export function meAs(role: Role | null, userId = 'c3d1a4f0-0000-4000-8000-000000000001'): MeResponse {
  const orgId = 'c3d1a4f0-0000-4000-8000-0000000000aa';
  return {
    user: { id: userId, name: 'Ana Test', email: 'ana@example.test' },
    orgId: role ? orgId : null,
    role,
    memberships: role ? [{ orgId, orgName: 'Acme', role }] : [],
  };
}
