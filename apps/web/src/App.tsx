import type { ComponentType } from 'react';
import { AcceptInvitePage } from './pages/AcceptInvitePage.tsx';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { ResetPasswordPage } from './pages/ResetPasswordPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { SignUpPage } from './pages/SignUpPage.tsx';
import { VerifyEmailPage } from './pages/VerifyEmailPage.tsx';
import { useLocation } from './router.ts';

/** Every page by path. Mail links point at /verify-email, /reset-password and /accept-invite. */
export const ROUTES: Readonly<Record<string, ComponentType>> = {
  '/': HomePage,
  '/sign-up': SignUpPage,
  '/sign-in': SignInPage,
  '/verify-email': VerifyEmailPage,
  '/forgot-password': ForgotPasswordPage,
  '/reset-password': ResetPasswordPage,
  '/accept-invite': AcceptInvitePage,
};

export function App() {
  const { pathname, linkOpenings } = useLocation();
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const Page = ROUTES[path] ?? NotFoundPage;
  // Keyed so each page starts with fresh state, also when a mail link is opened into the page showing.
  return <Page key={`${path}#${linkOpenings}`} />;
}
