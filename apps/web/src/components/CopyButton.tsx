import { useEffect, useState } from 'react';
import '../styles/admin.css';

type Copied = 'idle' | 'copied' | 'selected';

/** Selects what an element shows, so the person can copy it themselves (and focuses a field). */
function selectContents(element: HTMLElement | null): void {
  if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) {
    element.focus();
    element.select();
    return;
  }
  if (!element) return;
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

interface CopyButtonProps {
  /** The text put on the clipboard. */
  text: string;
  /** The element that shows the text, selected instead when the clipboard cannot be written. */
  targetId: string;
  /** The button's name ("Copy"; say what when a page has several: "Copy configuration"). */
  label?: string;
}

/**
 * Copies text with the Clipboard API. Where that is unavailable or refused (a plain-HTTP page, a browser
 * setting), it selects the text instead and says how to copy it. The outcome is announced politely.
 */
export function CopyButton({ text, targetId, label = 'Copy' }: CopyButtonProps) {
  const [copied, setCopied] = useState<Copied>('idle');

  // The message is about this text; a new text starts afresh, and "Copied" fades after a while.
  useEffect(() => setCopied('idle'), [text]);
  useEffect(() => {
    if (copied !== 'copied') return;
    const timer = window.setTimeout(() => setCopied('idle'), 6000);
    return () => window.clearTimeout(timer);
  }, [copied]);

  async function copy() {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('The Clipboard API is not available here.');
      await navigator.clipboard.writeText(text);
      setCopied('copied');
    } catch {
      selectContents(document.getElementById(targetId));
      setCopied('selected');
    }
  }

  return (
    <span className="copy-button">
      <button type="button" className="button button-secondary button-small" aria-controls={targetId} onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" className="copy-status">
        {copied === 'copied' ? 'Copied.' : copied === 'selected' ? 'Selected: press Ctrl+C (⌘C on a Mac) to copy.' : ''}
      </span>
    </span>
  );
}
