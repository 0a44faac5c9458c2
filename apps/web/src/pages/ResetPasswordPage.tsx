import { useState } from 'react';
import { ApiError } from '../api.ts';
import { PasswordField } from '../components/Field.tsx';
import { DoneThenSignIn } from '../components/DoneThenSignIn.tsx';
import { Link } from '../components/Link.tsx';
import { Notice } from '../components/Notice.tsx';
import { AuthLayout } from '../components/Page.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { authApi } from '../endpoints.ts';
import { passwordProblem } from '../password.ts';
import { forgetLinkToken, takeLinkToken } from '../router.ts';
import { useForm } from '../use-form.ts';

const TOKEN_KEY = 'seatwise.resetPasswordToken';
const labels = { password: 'New password' } as const;

export function ResetPasswordPage() {
  const [token] = useState(() => takeLinkToken(TOKEN_KEY));
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [linkInvalid, setLinkInvalid] = useState(false);
  const form = useForm(labels);

  async function send() {
    if (!token) return;
    try {
      await authApi.resetPassword(token, password);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'auth.invalid_token') {
        forgetLinkToken(TOKEN_KEY);
        setLinkInvalid(true);
      }
      throw error;
    }
    forgetLinkToken(TOKEN_KEY);
    setDone(true);
  }

  if (done) {
    return (
      <DoneThenSignIn title="Your password was changed">
        You can now sign in with your new password. Any other signed-in sessions were ended.
      </DoneThenSignIn>
    );
  }

  if (!token || linkInvalid) {
    return (
      <AuthLayout title="Reset your password">
        <Notice tone="error">
          {linkInvalid
            ? (form.errors.form ?? 'This reset link is invalid, expired or already used.')
            : 'This page needs the link from your password-reset e-mail. Open the link in that message (copy the whole link if it is split over two lines).'}
        </Notice>
        <p>
          <Link href="/forgot-password" className="button button-primary">
            Ask for a new link
          </Link>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Choose a new password" footer={<Link href="/sign-in">Back to sign in</Link>}>
      {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
      <form noValidate className="form" onSubmit={form.onSubmit(() => ({ password: passwordProblem(password, labels.password) }), send)}>
        <PasswordField
          id="password"
          label={labels.password}
          value={password}
          onValueChange={(value) => {
            setPassword(value);
            form.clearField('password');
          }}
          error={form.errors.fields.password}
          autoComplete="new-password"
          required
          showRules
        />
        <SubmitButton busy={form.busy} busyLabel="Saving…">
          Save the new password
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
