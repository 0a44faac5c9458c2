import { useEffect, useState } from 'react';
import { ApiError } from '../api.ts';
import { PasswordField, TextField } from '../components/Field.tsx';
import { Link } from '../components/Link.tsx';
import { Notice } from '../components/Notice.tsx';
import { AuthLayout } from '../components/Page.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { authApi } from '../endpoints.ts';
import type { FieldErrors } from '../form-errors.ts';
import { emailProblem } from '../password.ts';
import { navigate, safeNextPath, useLocation } from '../router.ts';
import { formatWait } from '../time.ts';
import { useForm } from '../use-form.ts';

const labels = { email: 'E-mail', password: 'Password' } as const;
type Field = keyof typeof labels;

type Resend = { kind: 'idle' } | { kind: 'sending' } | { kind: 'sent'; message: string } | { kind: 'failed'; message: string };

export function SignInPage() {
  const location = useLocation();
  const next = safeNextPath(location.search.get('next'));
  const [values, setValues] = useState<Record<Field, string>>({ email: '', password: '' });
  const [blockedUntil, setBlockedUntil] = useState<number | null>(null);
  const [unverifiedEmail, setUnverifiedEmail] = useState<string | null>(null);
  const [resend, setResend] = useState<Resend>({ kind: 'idle' });
  const form = useForm(labels);

  // Re-enable the form when the wait the server asked for is over.
  useEffect(() => {
    if (blockedUntil === null) return;
    const { setFormError } = form;
    const timer = window.setTimeout(() => {
      setBlockedUntil(null);
      setFormError(undefined);
    }, Math.max(0, blockedUntil - Date.now()));
    return () => window.clearTimeout(timer);
  }, [blockedUntil]);

  const change = (field: Field) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    form.clearField(field);
  };

  function check(): FieldErrors<Field> {
    return {
      email: emailProblem(values.email, labels.email),
      password: values.password ? undefined : 'Password is required.',
    };
  }

  async function send() {
    if (blockedUntil !== null) return;
    setUnverifiedEmail(null);
    setResend({ kind: 'idle' });
    try {
      await authApi.signIn({ email: values.email.trim(), password: values.password });
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) {
        const wait = error.retryAfterSeconds ?? 60;
        setBlockedUntil(Date.now() + wait * 1000);
        throw new ApiError(429, error.code, `Too many attempts. For your security, wait ${formatWait(wait)} before trying again.`);
      }
      if (error instanceof ApiError && error.code === 'auth.email_not_verified') {
        setUnverifiedEmail(values.email.trim());
        return;
      }
      throw error;
    }
    navigate(next ?? '/', { replace: true });
  }

  async function sendLinkAgain() {
    if (!unverifiedEmail || resend.kind === 'sending') return;
    setResend({ kind: 'sending' });
    try {
      const answer = await authApi.resendVerification(unverifiedEmail);
      setResend({ kind: 'sent', message: answer.message });
    } catch (error) {
      const message =
        error instanceof ApiError && error.status === 429 && error.retryAfterSeconds
          ? `Too many requests. Try again in ${formatWait(error.retryAfterSeconds)}.`
          : error instanceof ApiError
            ? error.message
            : 'Something went wrong. Try again in a moment.';
      setResend({ kind: 'failed', message });
    }
  }

  return (
    <AuthLayout
      title="Sign in to Seatwise"
      footer={
        <p>
          New to Seatwise? <Link href="/sign-up">Create an organisation</Link>
        </p>
      }
    >
      {location.state.notice ? <Notice tone="info">{location.state.notice}</Notice> : null}
      {next === '/accept-invite' ? (
        <Notice tone="info">Sign in to accept your invitation. You will come back to it afterwards.</Notice>
      ) : null}
      {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
      {unverifiedEmail ? (
        <Notice tone="error" title="Confirm your e-mail address first">
          <p>
            We sent a link to <strong>{unverifiedEmail}</strong> when you signed up. Open it to confirm your address, then sign in.
          </p>
          <p>
            <button type="button" className="button button-secondary" onClick={() => void sendLinkAgain()} aria-disabled={resend.kind === 'sending' || undefined}>
              {resend.kind === 'sending' ? 'Sending…' : 'Send the link again'}
            </button>
          </p>
        </Notice>
      ) : null}
      {resend.kind === 'sent' ? (
        <Notice tone="success">
          <p>{resend.message}</p>
          <p>Use the link in the newest message: earlier links stop working.</p>
        </Notice>
      ) : null}
      {resend.kind === 'failed' ? <Notice tone="error">{resend.message}</Notice> : null}
      <form noValidate onSubmit={form.onSubmit(check, send)} className="form">
        <TextField id="email" label={labels.email} type="email" value={values.email} onValueChange={change('email')} error={form.errors.fields.email} autoComplete="username" required inputMode="email" spellCheck={false} autoCapitalize="none" maxLength={254} />
        <PasswordField id="password" label={labels.password} value={values.password} onValueChange={change('password')} error={form.errors.fields.password} autoComplete="current-password" required />
        <SubmitButton busy={form.busy} busyLabel="Signing in…" disabled={blockedUntil !== null}>
          Sign in
        </SubmitButton>
      </form>
      <p className="form-aside">
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
    </AuthLayout>
  );
}
