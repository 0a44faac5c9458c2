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
 * Matches a path against a pattern such as `/features/:featureId`: the named segments' values (decoded), or
 * null when the path does not fit. Trailing slashes are ignored.
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let index = 0; index < want.length; index++) {
    const part = want[index] as string;
    const value = have[index] as string;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(value);
      } catch {
        return null;
      }
    } else if (part !== value) return null;
  }
  return params;
}

/** Replaces the query string of the current page (for filters and tabs) without a new history entry. */
export function setSearch(search: URLSearchParams): void {
  const query = search.toString();
  navigateQuietly(window.location.pathname + (query ? `?${query}` : ''));
}

function navigateQuietly(to: string): void {
  window.history.replaceState(window.history.state, '', to);
  changed();
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
