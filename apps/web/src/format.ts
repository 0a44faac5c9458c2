/**
 * Numbers with their units and instants in the viewer's time zone, the same way on every screen.
 * Instants are shown in the viewer's zone; `inZone` gives the license server's reading for a hover title.
 */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

function plural(value: number, one: string, many: string, text: string): string {
  return `${text} ${value === 1 ? one : many}`;
}

/** "12 seats", "1 seat", "3.5 seats" (an average). */
export function formatSeats(value: number): string {
  const text = Number.isInteger(value) ? integer.format(value) : oneDecimal.format(value);
  return plural(value, 'seat', 'seats', text);
}

/** "1,234 h", "0.5 h": seat-hours or person-hours. */
export function formatHours(value: number): string {
  return `${value >= 100 ? integer.format(value) : oneDecimal.format(value)} h`;
}

/** A fraction as a percentage: 0.873 → "87 %"; null (not known) → "—". */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${integer.format(fraction * 100)} %`;
}

/** A count with its noun: formatCount(1, 'denial') → "1 denial", formatCount(3, 'person', 'people'). */
export function formatCount(value: number, one: string, many = `${one}s`): string {
  return plural(value, one, many, integer.format(value));
}

/** "12 Mar 2025, 14:05" in the viewer's time zone. */
export function formatDateTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone });
}

/** The instant as read in another zone, with the zone's name: "12 Mar 2025, 15:05 (Europe/Madrid)". */
export function inZone(iso: string, timeZone: string): string {
  try {
    return `${formatDateTime(iso, timeZone)} (${timeZone})`;
  } catch {
    return formatDateTime(iso);
  }
}

/** A byte count people can read: "512 B", "3.4 MB", "1.2 GB" (powers of 1000, as file browsers show). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${integer.format(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${oneDecimal.format(value)} ${units[unit]}`;
}

/** Today as YYYY-MM-DD in the viewer's zone, and the day `days` before it (for default ranges). */
export function isoDay(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

export function daysBefore(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}
