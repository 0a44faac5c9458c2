import type { ReactNode } from 'react';

interface NoticeProps {
  tone: 'error' | 'success' | 'info';
  title?: string;
  children: ReactNode;
  id?: string;
}

/**
 * A message box. Errors are announced at once (role="alert"); other notices politely (role="status").
 * Mount it with its content so screen readers announce it.
 */
export function Notice({ tone, title, children, id }: NoticeProps) {
  return (
    <div id={id} className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title ? <p className="notice-title">{title}</p> : null}
      <div className="notice-body">{children}</div>
    </div>
  );
}
