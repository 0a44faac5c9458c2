/**
 * A tiny router on location.pathname and the History API: no hash routes, no dependency. Pages read the
 * path and an optional notice passed in history.state (e.g. "Your session has ended").
 */
import { useSyncExternalStore } from 'react';

export interface NavigationState {
  /** A one-line message for the page being opened. */
  notice?: string;
}

const listeners = new Set<() => void>();
let version = 0;
let navigatedInApp = false;
let linkOpenings = 0;

function changed(): void {
  version += 1;
  for (const listener of listeners) listener();
}

// A mail link opened while its page is already showing changes only the fragment: no reload happens,
// so the page is started afresh to read the new token.
function fragmentChanged(): void {
  if (tokenFromFragment(window.location.hash)) linkOpenings += 1;
  changed();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    window.addEventListener('popstate', changed);
    window.addEventListener('hashchange', fragmentChanged);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      window.removeEventListener('popstate', changed);
      window.removeEventListener('hashchange', fragmentChanged);
    }
  };
}

/** Opens an in-app path (with optional ?query) without reloading the page. */
export function navigate(to: string, options: { replace?: boolean; state?: NavigationState } = {}): void {
  const state = options.state ?? null;
  if (options.replace) window.history.replaceState(state, '', to);
  else window.history.pushState(state, '', to);
  navigatedInApp = true;
  window.scrollTo(0, 0);
  changed();
}

export interface CurrentLocation {
  pathname: string;
  search: URLSearchParams;
  state: NavigationState;
  /** False on the first page of a visit, true after any in-app navigation (for moving focus). */
  navigatedInApp: boolean;
  /** Counts mail links opened into this page without a reload; pages are keyed by it. */
  linkOpenings: number;
}

/** The current location; components re-render when it changes. */
export function useLocation(): CurrentLocation {
  useSyncExternalStore(subscribe, () => version);
  const state = window.history.state as NavigationState | null;
  return {
    pathname: window.location.pathname,
    search: new URLSearchParams(window.location.search),
    state: state && typeof state === 'object' ? state : {},
    navigatedInApp,
    linkOpenings,
  };
}

/**
 * A `next` parameter made safe to follow: an absolute path inside this app (never another origin, never
 * `//host` or `/\host`, never the API), otherwise undefined.
 */
export function safeNextPath(next: string | null | undefined): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  if (Array.from(next).some((char) => char < ' ' || char === '\\')) return undefined;
  const url = new URL(next, 'http://seatwise.invalid');
  if (url.origin !== 'http://seatwise.invalid' || url.pathname.startsWith('/api/')) return undefined;
  return url.pathname + url.search;
}

/** The `token` in a mail link's fragment (`#token=…`), or undefined. */
export function tokenFromFragment(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token ? token : undefined;
}

/**
 * The mail-link token for this page: taken from the fragment (then kept in this tab's sessionStorage and
 * removed from the address bar, so it stays out of history), or the one kept earlier in this tab.
 */
export function takeLinkToken(storageKey: string): string | undefined {
  const fromFragment = tokenFromFragment(window.location.hash);
  if (fromFragment) {
    try {
      window.sessionStorage.setItem(storageKey, fromFragment);
    } catch {
      // Storage may be disabled; the token still works for this page view.
    }
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    return fromFragment;
  }
  try {
    return window.sessionStorage.getItem(storageKey) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Forgets a mail-link token once it has been used. */
export function forgetLinkToken(storageKey: string): void {
  try {
    window.sessionStorage.removeItem(storageKey);
  } catch {
    // Nothing kept.
  }
}
