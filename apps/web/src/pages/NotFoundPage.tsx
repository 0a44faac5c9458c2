import { Link } from '../components/Link.tsx';
import { Brand, PageHeading, useDocumentTitle } from '../components/Page.tsx';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <div className="auth-shell">
      <header className="auth-header">
        <Brand />
      </header>
      <main id="main" className="auth-card">
        <PageHeading>Page not found</PageHeading>
        <p>There is nothing at this address. Check the link, or go back to the start.</p>
        <p>
          <Link href="/" className="button button-primary">
            Go to Seatwise
          </Link>
        </p>
      </main>
    </div>
  );
}
