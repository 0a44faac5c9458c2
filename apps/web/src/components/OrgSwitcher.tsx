import { useState } from 'react';
import { authApi } from '../endpoints.ts';
import { navigate } from '../router.ts';
import { roleLabel } from '../roles.ts';
import { errorMessage, isSessionEnded, leaveForSignIn, useSession } from '../session.tsx';

/** Chooses the organisation to work in, for people who belong to several. Switching opens the overview. */
export function OrgSwitcher() {
  const { me, reload } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (me.memberships.length < 2) return null;

  async function switchTo(orgId: string) {
    if (busy || orgId === me.orgId) return;
    setBusy(true);
    setError(null);
    try {
      await authApi.switchOrg(orgId);
      const name = me.memberships.find((membership) => membership.orgId === orgId)?.orgName ?? 'the organisation';
      navigate('/', { replace: true, state: { notice: `You are now working in ${name}.` } });
      reload();
    } catch (caught) {
      if (isSessionEnded(caught)) leaveForSignIn(true);
      else setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="org-switcher">
      <label htmlFor="org-switch" className="visually-hidden">
        Organisation
      </label>
      <select
        id="org-switch"
        value={me.orgId ?? ''}
        disabled={busy}
        onChange={(event) => void switchTo(event.target.value)}
        aria-describedby={error ? 'org-switch-error' : undefined}
      >
        {me.memberships.map((membership) => (
          <option key={membership.orgId} value={membership.orgId}>
            {membership.orgName} — {roleLabel(membership.role)}
          </option>
        ))}
      </select>
      {error ? (
        <p id="org-switch-error" className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
