import type { ReactNode } from 'react';
import { Link } from './Link.tsx';
import { Notice } from './Notice.tsx';
import { AuthLayout } from './Page.tsx';

/** The end of a mailed-link flow: what happened, and the way on to sign-in. */
export function DoneThenSignIn({ title, children }: { title: string; children: ReactNode }) {
  return (
    <AuthLayout title={title}>
      <Notice tone="success">{children}</Notice>
      <p>
        <Link href="/sign-in" className="button button-primary">
          Sign in
        </Link>
      </p>
    </AuthLayout>
  );
}
