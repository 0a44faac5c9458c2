import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from '../router.ts';
import { Link } from './Link.tsx';

/** Sets the document title for the page. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Seatwise`;
  }, [title]);
}

/**
 * The page's h1. After an in-app navigation it takes focus, so screen-reader and keyboard users start
 * on the new page rather than on the link they left.
 */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { navigatedInApp } = useLocation();
  useEffect(() => {
    if (navigatedInApp) ref.current?.focus();
  }, [navigatedInApp]);
  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}

export function Brand() {
  return (
    <Link href="/" className="brand">
      <img src="/favicon.svg" alt="" width={28} height={28} />
      <span>Seatwise</span>
    </Link>
  );
}

/** The frame of the signed-out pages: the brand, one card, and a short footer. */
export function AuthLayout({ title, intro, children, footer }: { title: string; intro?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  useDocumentTitle(title);
  return (
    <div className="auth-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="auth-header">
        <Brand />
      </header>
      <main id="main" className="auth-card">
        <PageHeading>{title}</PageHeading>
        {intro ? <div className="intro">{intro}</div> : null}
        {children}
      </main>
      {footer ? <footer className="auth-footer">{footer}</footer> : null}
    </div>
  );
}
