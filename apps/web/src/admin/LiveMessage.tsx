import '../styles/admin.css';

/**
 * A polite live region that is always in the page, so that a message put into it (a key revoked, an
 * invitation sent) is announced by screen readers; it looks like a success notice while it has text.
 */
export function LiveMessage({ message }: { message: string | null }) {
  return (
    <div role="status" className={message ? 'notice notice-success live-message' : 'live-message live-message-empty'}>
      {message ? <p>{message}</p> : null}
    </div>
  );
}
