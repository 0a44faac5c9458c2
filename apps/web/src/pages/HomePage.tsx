import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { roleCan, type Member, type MeResponse } from '@seatwise/protocol';
import { ApiError, hasSessionCookie } from '../api.ts';
import { Notice } from '../components/Notice.tsx';
import { Brand, PageHeading, useDocumentTitle } from '../components/Page.tsx';
import { authApi, membersApi } from '../endpoints.ts';
import { navigate, useLocation } from '../router.ts';
import { roleDescription, roleLabel } from '../roles.ts';
import { formatDate } from '../time.ts';

const SESSION_ENDED = 'Your session has ended. Sign in again to continue.';

type Load<T> = { kind: 'loading' } | { kind: 'ready'; data: T } | { kind: 'failed'; message: string };

function errorMessage(error: unknown): string {
  return error instanceof ApiError ? error.message : 'Something went wrong. Try again in a moment.';
}

/** Leaves for /sign-in: with "session ended" only when this browser had a session. */
function leaveForSignIn(hadSession: boolean): void {
  navigate('/sign-in', { replace: true, state: hadSession ? { notice: SESSION_ENDED } : {} });
}

export function HomePage() {
  useDocumentTitle('Home');
  const location = useLocation();
  const [me, setMe] = useState<Load<MeResponse>>({ kind: 'loading' });
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    const hadSession = hasSessionCookie();
    if (!hadSession) {
      leaveForSignIn(false);
      return;
    }
    const controller = new AbortController();
    setMe({ kind: 'loading' });
    authApi
      .me(controller.signal)
      .then((data) => setMe({ kind: 'ready', data }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) leaveForSignIn(true);
        else setMe({ kind: 'failed', message: errorMessage(error) });
      });
    return () => controller.abort();
  }, [reloads]);

  const reload = useCallback(() => setReloads((count) => count + 1), []);

  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Brand />
        <nav aria-label="Main" className="app-nav">
          <a href="/api/docs">API docs</a>
          {me.kind === 'ready' ? <SignOutButton /> : null}
        </nav>
      </header>
      <main id="main" className="app-main">
        {location.state.notice ? <Notice tone="success">{location.state.notice}</Notice> : null}
        {me.kind === 'loading' ? (
          <>
            <PageHeading>Your organisation</PageHeading>
            <p role="status" className="loading">
              <span className="spinner" aria-hidden="true" />
              Loading…
            </p>
          </>
        ) : null}
        {me.kind === 'failed' ? (
          <>
            <PageHeading>Your organisation</PageHeading>
            <Notice tone="error">{me.message}</Notice>
            <p>
              <button type="button" className="button button-secondary" onClick={reload}>
                Try again
              </button>
            </p>
          </>
        ) : null}
        {me.kind === 'ready' ? <Overview me={me.data} onChanged={reload} /> : null}
      </main>
    </div>
  );
}

function SignOutButton() {
  const [busy, setBusy] = useState(false);
  async function signOut() {
    if (busy) return;
    setBusy(true);
    // Signing out locally matters even if the server could not be reached: the cookies are cleared on success only.
    await authApi.signOut().catch(() => undefined);
    navigate('/sign-in', { replace: true, state: { notice: 'You have signed out.' } });
  }
  return (
    <button type="button" className="button button-secondary button-small" onClick={() => void signOut()} aria-disabled={busy || undefined}>
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}

function Overview({ me, onChanged }: { me: MeResponse; onChanged: () => void }) {
  const current = me.memberships.find((membership) => membership.orgId === me.orgId);
  const role = me.role;
  return (
    <>
      <PageHeading>{current ? current.orgName : 'Welcome to Seatwise'}</PageHeading>
      <p className="lead">
        Signed in as <strong>{me.user.name}</strong> <span className="muted">({me.user.email})</span>
      </p>

      <div className="cards">
        <section className="card" aria-labelledby="org-heading">
          <h2 id="org-heading">Organisation</h2>
          {current && role ? (
            <dl className="facts">
              <div>
                <dt>Name</dt>
                <dd>{current.orgName}</dd>
              </div>
              <div>
                <dt>Your role</dt>
                <dd>
                  <span className={`role-badge role-${role}`}>{roleLabel(role)}</span>
                  <span className="role-description">{roleDescription(role)}</span>
                </dd>
              </div>
            </dl>
          ) : (
            <p>You do not belong to an organisation yet. Ask someone in your company to invite you.</p>
          )}
          {me.memberships.length > 1 ? <OrgSwitcher me={me} onSwitched={onChanged} /> : null}
        </section>
      </div>

      {role && roleCan(role, 'member:read') ? <MembersSection currentUserId={me.user.id} orgKey={me.orgId ?? ''} /> : null}
    </>
  );
}

function OrgSwitcher({ me, onSwitched }: { me: MeResponse; onSwitched: () => void }) {
  const [orgId, setOrgId] = useState(me.orgId ?? me.memberships[0]?.orgId ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function switchOrg(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy || orgId === me.orgId) return;
    setBusy(true);
    setError(null);
    try {
      await authApi.switchOrg(orgId);
      const name = me.memberships.find((membership) => membership.orgId === orgId)?.orgName ?? 'the organisation';
      navigate('/', { replace: true, state: { notice: `You are now working in ${name}.` } });
      onSwitched();
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) leaveForSignIn(true);
      else setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="switcher" onSubmit={(event) => void switchOrg(event)}>
      <div className="field">
        <label htmlFor="org-switch">Switch organisation</label>
        <div className="inline-controls">
          <select id="org-switch" value={orgId} onChange={(event) => setOrgId(event.target.value)} aria-describedby={error ? 'org-switch-error' : undefined}>
            {me.memberships.map((membership) => (
              <option key={membership.orgId} value={membership.orgId}>
                {membership.orgName} — {roleLabel(membership.role)}
                {membership.orgId === me.orgId ? ' (current)' : ''}
              </option>
            ))}
          </select>
          <button type="submit" className="button button-secondary" aria-disabled={busy || orgId === me.orgId || undefined}>
            {busy ? 'Switching…' : 'Switch'}
          </button>
        </div>
        {error ? (
          <p id="org-switch-error" className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </form>
  );
}

function MembersSection({ currentUserId, orgKey }: { currentUserId: string; orgKey: string }) {
  const [members, setMembers] = useState<Load<Member[]>>({ kind: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    setMembers({ kind: 'loading' });
    membersApi
      .list(controller.signal)
      .then((data) => setMembers({ kind: 'ready', data: data.members }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) leaveForSignIn(true);
        else setMembers({ kind: 'failed', message: errorMessage(error) });
      });
    return () => controller.abort();
  }, [orgKey]);

  return (
    <section className="card members" aria-labelledby="members-heading">
      <div className="section-heading">
        <h2 id="members-heading">Members</h2>
        {members.kind === 'ready' ? (
          <p className="muted count">
            {members.data.length === 1 ? '1 person' : `${members.data.length} people`}
          </p>
        ) : null}
      </div>
      {members.kind === 'loading' ? (
        <p role="status" className="loading">
          <span className="spinner" aria-hidden="true" />
          Loading members…
        </p>
      ) : null}
      {members.kind === 'failed' ? <Notice tone="error">{members.message}</Notice> : null}
      {members.kind === 'ready' ? (
        <table className="table">
          <caption className="visually-hidden">Members of your organisation</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
            </tr>
          </thead>
          <tbody>
            {members.data.map((member) => (
              <tr key={member.userId}>
                <th scope="row" data-label="Name">
                  <span>
                    {member.name}
                    {member.userId === currentUserId ? <span className="muted"> (you)</span> : null}
                  </span>
                </th>
                <td data-label="E-mail">
                  <span>{member.email}</span>
                </td>
                <td data-label="Role">
                  <span className={`role-badge role-${member.role}`}>{roleLabel(member.role)}</span>
                </td>
                <td data-label="Joined">
                  <time dateTime={member.joinedAt}>{formatDate(member.joinedAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
