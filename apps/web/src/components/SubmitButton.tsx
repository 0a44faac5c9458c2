import type { ReactNode } from 'react';

interface SubmitButtonProps {
  busy: boolean;
  busyLabel: string;
  children: ReactNode;
  disabled?: boolean;
  variant?: 'primary' | 'secondary';
}

/**
 * A submit button that stays focusable while the form is being sent (aria-disabled, not disabled), so
 * keyboard focus is not lost; the form ignores submits while busy.
 */
export function SubmitButton({ busy, busyLabel, children, disabled = false, variant = 'primary' }: SubmitButtonProps) {
  return (
    <button type="submit" className={`button button-${variant}`} aria-disabled={busy || disabled || undefined}>
      {busy ? (
        <>
          <span className="spinner" aria-hidden="true" />
          {busyLabel}
        </>
      ) : (
        children
      )}
    </button>
  );
}
