import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { MeResponse } from '@seatwise/protocol';
import { hasSessionCookie } from '../api.ts';
import { authApi } from '../endpoints.ts';
import { navigate, useLocation } from '../router.ts';
import { errorMessage, isSessionEnded, leaveForSignIn, SessionProvider, sessionFrom, useSession, type Session } from '../session.tsx';
import type { Load } from '../use-load.ts';
import { Link } from './Link.tsx';
import { Notice } from './Notice.tsx';
import { Brand, PageHeading } from './Page.tsx';
import { OrgSwitcher } from './OrgSwitcher.tsx';

export interface NavItem {
  href: string;
  label: string;
}

/**
 * The frame of every signed-in page: loads who is signed in (leaving for sign-in when nobody is), then
 * shows the header, the navigation the role allows and the page. `navFor` lists the links for a session.
 */
export function AppShell({ navFor, children }: { navFor: (session: Session) => NavItem[]; children: (session: Session) => ReactNode }) {
  const location = useLocation();
  const [me, setMe] = useState<Load<MeResponse>>({ kind: 'loading' });
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((count) => count + 1), []);

  useEffect(() => {
    if (!hasSessionCookie()) {
      leaveForSignIn(false);
      return;
    }
    const controller = new AbortController();
    authApi
      .me(controller.signal)
      .then((data) => setMe({ kind: 'ready', data }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (isSessionEnded(error)) leaveForSignIn(true);
        else setMe({ kind: 'failed', message: errorMessage(error) });
      });
    return () => controller.abort();
  }, [reloads]);

  const session = me.kind === 'ready' ? sessionFrom(me.data, reload) : null;
  const nav = session ? navFor(session) : [];
  const current = nav.filter((item) => location.pathname === item.href || location.pathname.startsWith(`${item.href}/`)).at(-1);

  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Brand />
        {session ? (
          <SessionProvider session={session}>
            <div className="app-header-end">
              <OrgSwitcher />
              {session.me.memberships.length < 2 && session.orgName ? <span className="org-name">{session.orgName}</span> : null}
              <Link href="/account" className="account-link" aria-current={location.pathname === '/account' ? 'page' : undefined}>
                {session.me.user.name}
              </Link>
              <SignOutButton small />
            </div>
          </SessionProvider>
        ) : null}
      </header>
      {nav.length > 0 ? (
        <nav aria-label="Main" className="app-nav">
          <ul>
            {nav.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={item === current ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <main id="main" className="app-main">
        {location.state.notice ? <Notice tone="success">{location.state.notice}</Notice> : null}
        {me.kind === 'loading' ? (
          <p role="status" className="loading">
            <span className="spinner" aria-hidden="true" />
            Loading…
          </p>
        ) : null}
        {me.kind === 'failed' ? (
          <>
            <PageHeading>Seatwise could not load</PageHeading>
            <Notice tone="error">{me.message}</Notice>
            <p>
              <button type="button" className="button button-secondary" onClick={reload}>
                Try again
              </button>
            </p>
          </>
        ) : null}
        {session ? <SessionProvider session={session}>{children(session)}</SessionProvider> : null}
      </main>
    </div>
  );
}

/** Ends this browser's session and opens sign-in; `small` for the header. */
export function SignOutButton({ small = false }: { small?: boolean }) {
  const [busy, setBusy] = useState(false);
  async function signOut() {
    if (busy) return;
    setBusy(true);
    // Signing out locally matters even if the server could not be reached: the cookies are cleared on success only.
    await authApi.signOut().catch(() => undefined);
    navigate('/sign-in', { replace: true, state: { notice: 'You have signed out.' } });
  }
  return (
    <button type="button" className={`button button-secondary${small ? ' button-small' : ''}`} onClick={() => void signOut()} aria-disabled={busy || undefined}>
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}

/** Shown instead of a page the person's role does not allow (reached by a bookmark or a typed address). */
export function NotAllowed({ what }: { what: string }) {
  const { role } = useSession();
  return (
    <>
      <PageHeading>Not available</PageHeading>
      <p>
        {what} is not part of what your role{role ? '' : ' (none yet)'} allows. Ask an Owner or Admin of your organisation if you need it.
      </p>
      <p>
        <Link href="/" className="button button-primary">
          Go to the overview
        </Link>
      </p>
    </>
  );
}

/** Renders a `Load` state: a spinner, an error with a retry, or the content. */
export function LoadView<T>({ state, label, onRetry, children }: { state: Load<T>; label: string; onRetry?: () => void; children: (data: T) => ReactNode }) {
  if (state.kind === 'loading')
    return (
      <p role="status" className="loading">
        <span className="spinner" aria-hidden="true" />
        Loading {label}…
      </p>
    );
  if (state.kind === 'failed')
    return (
      <>
        <Notice tone="error">{state.message}</Notice>
        {onRetry ? (
          <p>
            <button type="button" className="button button-secondary" onClick={onRetry}>
              Try again
            </button>
          </p>
        ) : null}
      </>
    );
  return <>{children(state.data)}</>;
}
