import { useState } from 'react';
import type { AppPageProps } from '../App.tsx';
import { accountApi } from '../admin/account-api.ts';
import { LiveMessage } from '../admin/LiveMessage.tsx';
import { SignOutButton } from '../components/AppShell.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { PasswordField } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { authApi } from '../endpoints.ts';
import type { FieldErrors } from '../form-errors.ts';
import { passwordProblem } from '../password.ts';
import { roleLabel } from '../roles.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.tsx';
import { useForm } from '../use-form.ts';
import '../styles/admin.css';

export function AccountPage(_props: AppPageProps) {
  useDocumentTitle('Your account');
  const { me } = useSession();
  const [message, setMessage] = useState<string | null>(null);

  return (
    <>
      <PageHeading>Your account</PageHeading>
      <LiveMessage message={message} />

      <div className="cards">
        <section className="card" aria-labelledby="about-heading">
          <h2 id="about-heading">You</h2>
          <dl className="facts">
            <div>
              <dt>Name</dt>
              <dd className="wrap-anywhere">{me.user.name}</dd>
            </div>
            <div>
              <dt>E-mail</dt>
              <dd className="wrap-anywhere">{me.user.email}</dd>
            </div>
          </dl>
        </section>

        <section className="card" aria-labelledby="organisations-heading">
          <h2 id="organisations-heading">Your organisations</h2>
          {me.memberships.length === 0 ? (
            <p className="empty-state">You do not belong to an organisation yet. Ask someone in your company to invite you; the link comes by e-mail.</p>
          ) : (
            <table className="table admin-table">
              <caption className="visually-hidden">Your organisations</caption>
              <thead>
                <tr>
                  <th scope="col">Organisation</th>
                  <th scope="col">Your role</th>
                </tr>
              </thead>
              <tbody>
                {me.memberships.map((membership) => (
                  <tr key={membership.orgId}>
                    <th scope="row" data-label="Organisation">
                      <span className="wrap-anywhere">
                        {membership.orgName}
                        {membership.orgId === me.orgId ? <span className="muted"> (working in it now)</span> : null}
                      </span>
                    </th>
                    <td data-label="Your role">
                      <span className={`role-badge role-${membership.role}`}>{roleLabel(membership.role)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <ChangePassword email={me.user.email} onChanged={() => setMessage('Your password has been changed. Every other session of yours has ended; this browser stays signed in.')} />

        <SignOutSection />
      </div>
    </>
  );
}

const passwordLabels = { currentPassword: 'Current password', newPassword: 'New password' } as const;
type PasswordFormField = keyof typeof passwordLabels;

function ChangePassword({ email, onChanged }: { email: string; onChanged: () => void }) {
  const form = useForm(passwordLabels);
  const [values, setValues] = useState<Record<PasswordFormField, string>>({ currentPassword: '', newPassword: '' });

  const change = (field: PasswordFormField) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    form.clearField(field);
  };

  function check(): FieldErrors<PasswordFormField> {
    return {
      currentPassword: values.currentPassword ? undefined : 'Current password is required.',
      newPassword: passwordProblem(values.newPassword, passwordLabels.newPassword),
    };
  }

  async function send() {
    await authApi.changePassword(values.currentPassword, values.newPassword);
    setValues({ currentPassword: '', newPassword: '' });
    onChanged();
  }

  return (
    <section className="card" aria-labelledby="change-password-heading">
      <h2 id="change-password-heading">Change password</h2>
      <p className="muted">Changing it signs you out on every other device and browser; this one stays signed in.</p>
      {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
      <form noValidate onSubmit={form.onSubmit(check, send)} className="form admin-form" aria-labelledby="change-password-heading">
        {/* Lets password managers file the new password under the right account. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <PasswordField
          id="currentPassword"
          label={passwordLabels.currentPassword}
          value={values.currentPassword}
          onValueChange={change('currentPassword')}
          error={form.errors.fields.currentPassword}
          autoComplete="current-password"
          required
        />
        <PasswordField
          id="newPassword"
          label={passwordLabels.newPassword}
          value={values.newPassword}
          onValueChange={change('newPassword')}
          error={form.errors.fields.newPassword}
          autoComplete="new-password"
          showRules
          required
        />
        <SubmitButton busy={form.busy} busyLabel="Changing…">
          Change password
        </SubmitButton>
      </form>
    </section>
  );
}

function SignOutSection() {
  const [confirming, setConfirming] = useState(false);

  return (
    <section className="card" aria-labelledby="sign-out-heading">
      <h2 id="sign-out-heading">Signing out</h2>
      <p>
        Sign out of this browser, or sign out everywhere to end every session of yours on every device: after using a shared computer, or when a phone or
        laptop is lost. API keys used by agents and scripts keep working.
      </p>
      <div className="button-row">
        <SignOutButton />
        <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
          Sign out everywhere
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Sign out on every device?"
        confirmLabel="Sign out everywhere"
        busyLabel="Signing out…"
        tone="danger"
        onConfirm={async () => {
          await accountApi.signOutEverywhere();
          navigate('/sign-in', { replace: true, state: { notice: 'You have signed out on every device.' } });
        }}
        onClose={() => setConfirming(false)}
      >
        <p>Every session of yours ends, in every browser and on every device, this one included. You will need your password to sign in again.</p>
      </ConfirmDialog>
    </section>
  );
}
