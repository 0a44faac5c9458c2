/**
 * Chart colours come from the page's CSS variables (styles.css), so canvases follow the light and dark
 * schemes like the rest of the page; charts are drawn again when the scheme changes.
 */
import { useSyncExternalStore } from 'react';

export interface ChartColors {
  text: string;
  muted: string;
  grid: string;
  /** Seats in use. */
  line: string;
  /** The seats-owned line and peak marks. */
  owned: string;
  peak: string;
  /** True and retried denials. */
  denied: string;
  retried: string;
}

/** A #rgb or #rrggbb colour with an alpha (0–1) as #rrggbbaa; other notations come back unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const hex = color.trim();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(hex);
  const full = short ? `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}` : hex;
  if (!/^#[0-9a-f]{6}$/i.test(full)) return color;
  const byte = Math.round(Math.min(1, Math.max(0, alpha)) * 255);
  return `${full}${byte.toString(16).padStart(2, '0')}`;
}

/** The chart colours in force for an element (read from its computed CSS variables). */
export function readChartColors(element: Element): ChartColors {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--text', '#161a2e'),
    muted: read('--text-muted', '#545a74'),
    grid: read('--border', '#d5d8e6'),
    line: read('--brand', '#3730a3'),
    owned: read('--success', '#067647'),
    peak: read('--error', '#b42318'),
    denied: read('--error', '#b42318'),
    retried: read('--info', '#1d4ed8'),
  };
}

const DARK = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia?.(DARK);
  query?.addEventListener('change', onChange);
  return () => query?.removeEventListener('change', onChange);
}

/** The colour scheme in force ('dark' or 'light'); components re-render when it changes. */
export function useColorScheme(): 'dark' | 'light' {
  return useSyncExternalStore(
    subscribe,
    () => (window.matchMedia?.(DARK).matches ? 'dark' : 'light'),
    () => 'light',
  );
}
