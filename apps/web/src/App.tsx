import type { ComponentType } from 'react';
import type { Permission } from '@seatwise/protocol';
import { AppShell, NotAllowed, type NavItem } from './components/AppShell.tsx';
import { AcceptInvitePage } from './pages/AcceptInvitePage.tsx';
import { AccountPage } from './pages/AccountPage.tsx';
import { ApiKeysPage } from './pages/ApiKeysPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { FeaturePage } from './pages/FeaturePage.tsx';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage.tsx';
import { LicenseServersPage } from './pages/LicenseServersPage.tsx';
import { MembersPage } from './pages/MembersPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { ResetPasswordPage } from './pages/ResetPasswordPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { SignUpPage } from './pages/SignUpPage.tsx';
import { UploadPage } from './pages/UploadPage.tsx';
import { VerifyEmailPage } from './pages/VerifyEmailPage.tsx';
import { matchPath, useLocation } from './router.ts';
import type { Session } from './session.tsx';

/** Signed-out pages by path. Mail links point at /verify-email, /reset-password and /accept-invite. */
export const PUBLIC_ROUTES: Readonly<Record<string, ComponentType>> = {
  '/sign-up': SignUpPage,
  '/sign-in': SignInPage,
  '/verify-email': VerifyEmailPage,
  '/forgot-password': ForgotPasswordPage,
  '/reset-password': ResetPasswordPage,
  '/accept-invite': AcceptInvitePage,
};

/** What a signed-in page receives: the named segments of its path (`/features/:featureId`). */
export interface AppPageProps {
  params: Readonly<Record<string, string>>;
}

interface AppRoute {
  path: string;
  page: ComponentType<AppPageProps>;
  /** What the page is called in the navigation; pages without a label are reached from other pages. */
  nav?: string;
  /** The permission the page needs; without it the page is neither linked nor shown. */
  permission?: Permission;
  /** Words for "… is not part of what your role allows". */
  what: string;
}

/** Signed-in pages, in navigation order. */
export const APP_ROUTES: readonly AppRoute[] = [
  { path: '/', page: OverviewPage, nav: 'Overview', what: 'The overview' },
  { path: '/license-servers', page: LicenseServersPage, nav: 'Licenses', permission: 'usage:read', what: 'License usage' },
  { path: '/features/:featureId', page: FeaturePage, permission: 'usage:read', what: 'License usage' },
  { path: '/upload', page: UploadPage, nav: 'Upload', permission: 'usage:ingest', what: 'Uploading usage' },
  { path: '/api-keys', page: ApiKeysPage, nav: 'Agents and API keys', permission: 'apikey:manage', what: 'Managing API keys' },
  { path: '/members', page: MembersPage, nav: 'Members', permission: 'member:read', what: 'The member list' },
  { path: '/audit', page: AuditPage, nav: 'Audit log', permission: 'audit:read', what: 'The audit log' },
  { path: '/account', page: AccountPage, what: 'Your account' },
];

/** The navigation links a session may follow. */
export function navFor(session: Pick<Session, 'can'>): NavItem[] {
  return APP_ROUTES.filter((route) => route.nav && (!route.permission || session.can(route.permission))).map((route) => ({
    href: route.path,
    label: route.nav as string,
  }));
}

export function App() {
  const { pathname, linkOpenings } = useLocation();
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const PublicPage = PUBLIC_ROUTES[path];
  // Keyed so each page starts with fresh state, also when a mail link is opened into the page showing.
  if (PublicPage) return <PublicPage key={`${path}#${linkOpenings}`} />;

  for (const route of APP_ROUTES) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    const Page = route.page;
    return (
      <AppShell navFor={navFor}>
        {(session) =>
          route.permission && !session.can(route.permission) ? <NotAllowed what={route.what} /> : <Page key={path} params={params} />
        }
      </AppShell>
    );
  }
  return <NotFoundPage />;
}
