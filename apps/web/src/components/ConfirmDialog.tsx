import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { errorMessage, isSessionEnded, leaveForSignIn } from '../session.tsx';
import { Notice } from './Notice.tsx';
import '../styles/admin.css';

interface ConfirmDialogProps {
  /** Shown as a modal while true. The parent sets it back to false in `onClose`. */
  open: boolean;
  title: string;
  /** What will happen, in a sentence or two (and any control the action needs, such as a role to pick). */
  children?: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  /** 'danger' for actions that end or remove something. */
  tone?: 'danger' | 'primary';
  /** Does the action. A thrown error is shown in the dialog, which stays open; resolving closes it. */
  onConfirm: () => Promise<void>;
  /** The dialog has closed: confirmed, cancelled, or Escape pressed. */
  onClose: () => void;
  /** Where focus goes afterwards when the control that opened the dialog is gone (its row was removed). */
  fallbackFocus?: () => HTMLElement | null;
}

/**
 * A confirmation in the native `<dialog>` opened with showModal(): the rest of the page is inert, Escape
 * cancels, focus starts on Cancel (the safe choice) and goes back to the control that opened it.
 */
export function ConfirmDialog({ open, title, children, confirmLabel, busyLabel, tone = 'primary', onConfirm, onClose, fallbackFocus }: ConfirmDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const shown = useRef(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open) {
      if (dialog.open) return;
      // Some browsers do not focus a clicked button; then there is no opener and `fallbackFocus` is used.
      const active = document.activeElement;
      opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
      setError(null);
      dialog.showModal();
      shown.current = true;
      cancelRef.current?.focus();
      return;
    }
    if (dialog.open) dialog.close();
    // Runs after the parent has drawn the result of the action, so a removed opener is known to be gone.
    if (shown.current) {
      shown.current = false;
      const back = opener.current?.isConnected ? opener.current : fallbackFocus?.();
      back?.focus();
    }
  }, [open]);

  async function confirm() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      dialogRef.current?.close();
    } catch (caught) {
      if (isSessionEnded(caught)) leaveForSignIn(true);
      else setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialogRef}
      className="dialog confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      // While the action runs, Escape does not hide it: its outcome must be seen.
      onCancel={(event) => {
        if (busy) event.preventDefault();
      }}
      onClose={onClose}
    >
      <h2 id={titleId} className="confirm-dialog-title">
        {title}
      </h2>
      <div id={bodyId} className="confirm-dialog-body">
        {children}
      </div>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <div className="confirm-dialog-actions">
        <button
          ref={cancelRef}
          type="button"
          className="button button-secondary"
          aria-disabled={busy || undefined}
          onClick={() => {
            if (!busy) dialogRef.current?.close();
          }}
        >
          Cancel
        </button>
        <button type="button" className={`button ${tone === 'danger' ? 'button-danger' : 'button-primary'}`} aria-disabled={busy || undefined} onClick={() => void confirm()}>
          {busy ? (
            <>
              <span className="spinner" aria-hidden="true" />
              {busyLabel}
            </>
          ) : (
            confirmLabel
          )}
        </button>
      </div>
    </dialog>
  );
}
