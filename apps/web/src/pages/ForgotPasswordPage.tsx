import { useState } from 'react';
import { TextField } from '../components/Field.tsx';
import { Link } from '../components/Link.tsx';
import { Notice } from '../components/Notice.tsx';
import { AuthLayout } from '../components/Page.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { authApi } from '../endpoints.ts';
import { emailProblem } from '../password.ts';
import { useForm } from '../use-form.ts';

const labels = { email: 'E-mail' } as const;

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [answer, setAnswer] = useState<string | null>(null);
  const form = useForm(labels);

  async function send() {
    const reply = await authApi.requestPasswordReset(email.trim());
    setAnswer(reply.message);
  }

  if (answer) {
    return (
      <AuthLayout title="Check your inbox" footer={<Link href="/sign-in">Back to sign in</Link>}>
        <Notice tone="success">{answer}</Notice>
        <p className="muted">
          Running Seatwise in development without an SMTP server? The link is printed in the server&rsquo;s console output.
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Reset your password"
      intro={<p>Enter the e-mail address you sign in with. If it has an account, we will send it a link to choose a new password.</p>}
      footer={
        <p>
          Remembered it? <Link href="/sign-in">Sign in</Link>
        </p>
      }
    >
      {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
      <form noValidate className="form" onSubmit={form.onSubmit(() => ({ email: emailProblem(email, labels.email) }), send)}>
        <TextField
          id="email"
          label={labels.email}
          type="email"
          value={email}
          onValueChange={(value) => {
            setEmail(value);
            form.clearField('email');
          }}
          error={form.errors.fields.email}
          autoComplete="email"
          required
          inputMode="email"
          spellCheck={false}
          autoCapitalize="none"
          maxLength={254}
        />
        <SubmitButton busy={form.busy} busyLabel="Sending…">
          Send the link
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
