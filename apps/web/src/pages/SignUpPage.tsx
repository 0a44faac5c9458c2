import { useState } from 'react';
import { TextField, PasswordField } from '../components/Field.tsx';
import { Link } from '../components/Link.tsx';
import { Notice } from '../components/Notice.tsx';
import { AuthLayout } from '../components/Page.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { authApi } from '../endpoints.ts';
import type { FieldErrors } from '../form-errors.ts';
import { emailProblem, passwordProblem } from '../password.ts';
import { useForm } from '../use-form.ts';

const labels = { name: 'Your name', email: 'Work e-mail', companyName: 'Company name', password: 'Password' } as const;
type Field = keyof typeof labels;

export function SignUpPage() {
  const [values, setValues] = useState<Record<Field, string>>({ name: '', email: '', companyName: '', password: '' });
  const [sentTo, setSentTo] = useState<{ email: string; message: string } | null>(null);
  const form = useForm(labels);

  const change = (field: Field) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    form.clearField(field);
  };

  function check(): FieldErrors<Field> {
    return {
      name: values.name.trim() ? undefined : 'Your name is required.',
      email: emailProblem(values.email, labels.email),
      companyName: values.companyName.trim() ? undefined : 'Company name is required.',
      password: passwordProblem(values.password),
    };
  }

  async function send() {
    const answer = await authApi.signUp({
      name: values.name.trim(),
      email: values.email.trim(),
      companyName: values.companyName.trim(),
      password: values.password,
    });
    setSentTo({ email: values.email.trim(), message: answer.message });
  }

  if (sentTo) {
    return (
      <AuthLayout title="Confirm your e-mail address" footer={<Link href="/sign-in">Back to sign in</Link>}>
        <Notice tone="success">
          <p>{sentTo.message}</p>
          <p>
            We wrote to <strong>{sentTo.email}</strong>. Open the link in that message to confirm your address, then sign in.
          </p>
        </Notice>
        <p className="muted">
          Running Seatwise in development without an SMTP server? The link is printed in the server&rsquo;s console output
          instead of being e-mailed.
        </p>
        <p className="muted">
          No message after a few minutes? Check your spam folder, or <Link href="/sign-in">sign in</Link> to ask for a new link.
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Create your organisation"
      intro={<p>Start tracking your software licences. You will be the Owner of your organisation and can invite your team later.</p>}
      footer={
        <p>
          Already have an account? <Link href="/sign-in">Sign in</Link>
        </p>
      }
    >
      {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
      <form noValidate onSubmit={form.onSubmit(check, send)} className="form">
        <TextField id="name" label={labels.name} value={values.name} onValueChange={change('name')} error={form.errors.fields.name} autoComplete="name" required maxLength={200} />
        <TextField id="email" label={labels.email} type="email" value={values.email} onValueChange={change('email')} error={form.errors.fields.email} autoComplete="email" required inputMode="email" spellCheck={false} autoCapitalize="none" maxLength={254} hint="We send a link to confirm this address." />
        <TextField id="companyName" label={labels.companyName} value={values.companyName} onValueChange={change('companyName')} error={form.errors.fields.companyName} autoComplete="organization" required maxLength={200} />
        <PasswordField id="password" label={labels.password} value={values.password} onValueChange={change('password')} error={form.errors.fields.password} autoComplete="new-password" required showRules />
        <SubmitButton busy={form.busy} busyLabel="Creating your account…">
          Create account
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
