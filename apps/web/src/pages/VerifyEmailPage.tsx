import { useEffect, useState } from 'react';
import { ApiError } from '../api.ts';
import { DoneThenSignIn } from '../components/DoneThenSignIn.tsx';
import { Link } from '../components/Link.tsx';
import { Notice } from '../components/Notice.tsx';
import { AuthLayout } from '../components/Page.tsx';
import { authApi } from '../endpoints.ts';
import { forgetLinkToken, takeLinkToken } from '../router.ts';

const TOKEN_KEY = 'seatwise.verifyEmailToken';

// One request per token, even when React runs an effect twice in development: the token is single-use.
const attempts = new Map<string, Promise<void>>();
function verifyOnce(token: string): Promise<void> {
  let attempt = attempts.get(token);
  if (!attempt) {
    attempt = authApi.verifyEmail(token).then(() => undefined);
    attempts.set(token, attempt);
  }
  return attempt;
}

type State = { kind: 'working' } | { kind: 'done' } | { kind: 'failed'; message: string; invalidLink: boolean } | { kind: 'no-token' };

export function VerifyEmailPage() {
  const [token] = useState(() => takeLinkToken(TOKEN_KEY));
  const [state, setState] = useState<State>(token ? { kind: 'working' } : { kind: 'no-token' });

  useEffect(() => {
    if (!token) return;
    let current = true;
    verifyOnce(token)
      .then(() => {
        forgetLinkToken(TOKEN_KEY);
        if (current) setState({ kind: 'done' });
      })
      .catch((error: unknown) => {
        const invalidLink = error instanceof ApiError && (error.code === 'auth.invalid_token' || error.status === 400);
        if (invalidLink) forgetLinkToken(TOKEN_KEY);
        const message = error instanceof ApiError ? error.message : 'Something went wrong. Try again in a moment.';
        if (current) setState({ kind: 'failed', message, invalidLink });
      });
    return () => {
      current = false;
    };
  }, [token]);

  if (state.kind === 'working') {
    return (
      <AuthLayout title="Confirming your e-mail address">
        <p role="status" className="loading">
          <span className="spinner" aria-hidden="true" />
          One moment…
        </p>
      </AuthLayout>
    );
  }
  if (state.kind === 'done') {
    return (
      <DoneThenSignIn title="Your e-mail address is confirmed">Thank you. Your account is ready.</DoneThenSignIn>
    );
  }
  if (state.kind === 'no-token') {
    return (
      <AuthLayout title="Confirm your e-mail address">
        <Notice tone="error">
          This page needs the link from your e-mail. Open the link in the message we sent you (copy the whole link if it is
          split over two lines).
        </Notice>
        <p>
          Need a new link? <Link href="/sign-in">Sign in</Link> and we will offer to send one.
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="We could not confirm your address">
      <Notice tone="error">{state.message}</Notice>
      {state.invalidLink ? (
        <p>
          A link works once, for 48 hours, and asking for a new link makes the earlier ones stop working: use the newest
          message. <Link href="/sign-in">Sign in</Link> with your e-mail address and password, and we will offer to send a new
          link. If you already confirmed your address, just sign in.
        </p>
      ) : (
        <p>
          <button type="button" className="button button-secondary" onClick={() => window.location.reload()}>
            Try again
          </button>
        </p>
      )}
    </AuthLayout>
  );
}
