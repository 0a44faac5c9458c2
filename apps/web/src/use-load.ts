import { useCallback, useEffect, useState } from 'react';
import { errorMessage, isSessionEnded, leaveForSignIn } from './session.tsx';

export type Load<T> = { kind: 'loading' } | { kind: 'ready'; data: T } | { kind: 'failed'; message: string };

export interface Loaded<T> {
  state: Load<T>;
  /** Loads again, keeping the data shown until the new answer arrives. */
  reload: () => void;
}

/**
 * Loads data for a page: aborted when the page goes or `key` changes, an ended session leads to sign-in,
 * any other failure becomes a message. `key` names what is loaded (for example the query string).
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<Load<T>>({ kind: 'loading' });
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState((current) => (current.kind === 'ready' && reloads > 0 ? current : { kind: 'loading' }));
    load(controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setState({ kind: 'ready', data });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (isSessionEnded(error)) leaveForSignIn(true);
        else setState({ kind: 'failed', message: errorMessage(error) });
      });
    return () => controller.abort();
    // `load` is a new function on every render; `key` says when what it loads has changed.
  }, [key, reloads]);

  const reload = useCallback(() => setReloads((count) => count + 1), []);
  return { state, reload };
}
