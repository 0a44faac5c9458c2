/**
 * The signed-in person for every page inside the app shell: who they are, their organisation and role, and
 * what that role allows. Pages ask `useSession().can(permission)` so that only what the role allows is offered.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { roleCan, type MeResponse, type Permission, type Role } from '@seatwise/protocol';
import { ApiError } from './api.ts';
import { navigate } from './router.ts';

export const SESSION_ENDED = 'Your session has ended. Sign in again to continue.';

export interface Session {
  me: MeResponse;
  /** The role in the current organisation; null when the person belongs to none yet. */
  role: Role | null;
  /** The current organisation's name. */
  orgName: string | null;
  can: (permission: Permission) => boolean;
  /** Loads the person and organisation again (after a switch or a change of role). */
  reload: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The session of the page being shown; only pages inside the app shell may ask. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() is only available inside the signed-in app shell.');
  return session;
}

/** Builds the session value for a loaded `/api/auth/me`. */
export function sessionFrom(me: MeResponse, reload: () => void): Session {
  const role = me.role ?? null;
  return {
    me,
    role,
    orgName: me.memberships.find((membership) => membership.orgId === me.orgId)?.orgName ?? null,
    can: (permission) => role !== null && roleCan(role, permission),
    reload,
  };
}

/** Leaves for /sign-in, coming back to the current page afterwards; says why when a session had existed. */
export function leaveForSignIn(hadSession: boolean): void {
  const here = window.location.pathname + window.location.search;
  const next = here === '/' ? '' : `?next=${encodeURIComponent(here)}`;
  navigate(`/sign-in${next}`, { replace: true, state: hadSession ? { notice: SESSION_ENDED } : {} });
}

/** A message for an error from the API, in words people can act on. */
export function errorMessage(error: unknown): string {
  return error instanceof ApiError ? error.message : 'Something went wrong. Try again in a moment.';
}

/** True for the API's "not signed in (any more)" answer. */
export function isSessionEnded(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
