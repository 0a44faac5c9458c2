import { useEffect, useState } from 'react';
import type { MeResponse } from '@seatwise/protocol';
import { ApiError, hasSessionCookie } from '../api.ts';
import { PasswordField, TextField } from '../components/Field.tsx';
import { DoneThenSignIn } from '../components/DoneThenSignIn.tsx';
import { Link } from '../components/Link.tsx';
import { Notice } from '../components/Notice.tsx';
import { AuthLayout } from '../components/Page.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { authApi, membersApi, type AcceptedInvitation } from '../endpoints.ts';
import type { FieldErrors } from '../form-errors.ts';
import { passwordProblem } from '../password.ts';
import { forgetLinkToken, navigate, takeLinkToken } from '../router.ts';
import { roleLabel } from '../roles.ts';
import { useForm } from '../use-form.ts';

/** Kept in this tab's sessionStorage so the invitation survives a detour through /sign-in. */
export const INVITE_TOKEN_KEY = 'seatwise.inviteToken';
const SIGN_IN_THEN_RETURN = '/sign-in?next=/accept-invite';

const labels = { name: 'Your name', password: 'Password' } as const;
type Field = keyof typeof labels;

type Session = { kind: 'checking' } | { kind: 'signed-out' } | { kind: 'signed-in'; me: MeResponse };

export function AcceptInvitePage() {
  const [token] = useState(() => takeLinkToken(INVITE_TOKEN_KEY));
  const [session, setSession] = useState<Session>(() => (hasSessionCookie() ? { kind: 'checking' } : { kind: 'signed-out' }));
  const [values, setValues] = useState<Record<Field, string>>({ name: '', password: '' });
  const [signInAs, setSignInAs] = useState<string | null>(null);
  const [accepted, setAccepted] = useState<AcceptedInvitation | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const form = useForm(labels);

  useEffect(() => {
    if (session.kind !== 'checking') return;
    const controller = new AbortController();
    authApi
      .me(controller.signal)
      .then((me) => setSession({ kind: 'signed-in', me }))
      .catch(() => {
        if (!controller.signal.aborted) setSession({ kind: 'signed-out' });
      });
    return () => controller.abort();
  }, [session.kind]);

  const change = (field: Field) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    form.clearField(field);
  };

  async function accept(body: { token: string; name?: string; password?: string }) {
    setSignInAs(null);
    try {
      const result = await membersApi.acceptInvitation(body);
      forgetLinkToken(INVITE_TOKEN_KEY);
      if (session.kind === 'signed-in') {
        // Work in the organisation just joined.
        await authApi.switchOrg(result.orgId).catch(() => undefined);
        navigate('/', { replace: true, state: { notice: `You joined the organisation as ${roleLabel(result.role)}.` } });
        return;
      }
      setAccepted(result);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invitation.sign_in_required') {
        setSignInAs(error.message);
        return;
      }
      if (error instanceof ApiError && error.code === 'invitation.invalid') {
        forgetLinkToken(INVITE_TOKEN_KEY);
        setInvalid(error.message);
        return;
      }
      throw error;
    }
  }

  async function signOutThenSignIn() {
    await authApi.signOut().catch(() => undefined);
    navigate(SIGN_IN_THEN_RETURN);
  }

  function check(): FieldErrors<Field> {
    if (session.kind === 'signed-in') return {};
    return {
      name: values.name.trim() ? undefined : 'Your name is required.',
      password: passwordProblem(values.password),
    };
  }

  if (!token || invalid) {
    return (
      <AuthLayout title="Accept your invitation">
        <Notice tone="error">
          {invalid ??
            'This page needs the link from your invitation e-mail. Open the link in that message (copy the whole link if it is split over two lines).'}
        </Notice>
        <p>Ask the person who invited you to send a new invitation.</p>
      </AuthLayout>
    );
  }

  if (accepted) {
    return (
      <DoneThenSignIn title="Welcome to Seatwise">
        {accepted.newAccount
          ? `Your account is ready and you joined the organisation as ${roleLabel(accepted.role)}.`
          : `You joined the organisation as ${roleLabel(accepted.role)}.`}
      </DoneThenSignIn>
    );
  }

  if (session.kind === 'checking') {
    return (
      <AuthLayout title="Accept your invitation">
        <p role="status" className="loading">
          <span className="spinner" aria-hidden="true" />
          One moment…
        </p>
      </AuthLayout>
    );
  }

  const signInNotice = signInAs ? (
    <Notice tone="error" title="Sign in to accept">
      <p>{signInAs}</p>
      {session.kind === 'signed-in' ? (
        <>
          <p>
            You are signed in as <strong>{session.me.user.email}</strong>. Sign out, then sign in with the invited address.
          </p>
          <p>
            <button type="button" className="button button-secondary" onClick={() => void signOutThenSignIn()}>
              Sign out and switch account
            </button>
          </p>
        </>
      ) : (
        <>
          <p>That address already has a Seatwise account. Sign in with it first; you will come back here to accept.</p>
          <p>
            <Link href={SIGN_IN_THEN_RETURN} className="button button-secondary">
              Sign in
            </Link>
          </p>
        </>
      )}
    </Notice>
  ) : null;

  if (session.kind === 'signed-in') {
    const { me } = session;
    return (
      <AuthLayout title="Accept your invitation" footer={<Link href="/">Go to your organisation</Link>}>
        {signInNotice}
        {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
        <p>
          You are signed in as <strong>{me.user.name}</strong> ({me.user.email}). Accept to join the organisation with this
          account.
        </p>
        <form noValidate className="form" onSubmit={form.onSubmit(check, () => accept({ token }))}>
          <SubmitButton busy={form.busy} busyLabel="Accepting…">
            Accept the invitation
          </SubmitButton>
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Accept your invitation"
      intro={<p>New to Seatwise? Choose your name and a password to create your account and join the organisation.</p>}
      footer={
        <p>
          Already have a Seatwise account with the invited address? <Link href={SIGN_IN_THEN_RETURN}>Sign in first</Link>
        </p>
      }
    >
      {signInNotice}
      {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
      <form
        noValidate
        className="form"
        onSubmit={form.onSubmit(check, () => accept({ token, name: values.name.trim(), password: values.password }))}
      >
        <TextField id="name" label={labels.name} value={values.name} onValueChange={change('name')} error={form.errors.fields.name} autoComplete="name" required maxLength={200} />
        <PasswordField id="password" label={labels.password} value={values.password} onValueChange={change('password')} error={form.errors.fields.password} autoComplete="new-password" required showRules />
        <SubmitButton busy={form.busy} busyLabel="Creating your account…">
          Create account and join
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
