/**
 * Wall-clock readings of instants in an IANA time zone, without a date library: the browser's Intl data
 * does the calendar work. Used to place local-day buckets on the time axis and to fold hours into the
 * hour-of-week heatmap.
 */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** Monday 0 … Sunday 6 (ISO order, as the heatmap's rows). */
  weekday: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    // en-US with hourCycle h23: fixed field names and midnight as 00, whatever the viewer's locale.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** What a clock in `zone` shows at the instant `ms` (epoch milliseconds). */
export function wallClock(ms: number, zone: string): WallClock {
  const fields: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(ms)) fields[part.type] = part.value;
  return {
    year: Number(fields.year),
    month: Number(fields.month),
    day: Number(fields.day),
    hour: Number(fields.hour) % 24,
    minute: Number(fields.minute),
    weekday: WEEKDAYS.indexOf(fields.weekday ?? ''),
  };
}

/** How far `zone` is ahead of UTC at the instant `ms`, in milliseconds (whole minutes). */
export function zoneOffset(ms: number, zone: string): number {
  const clock = wallClock(ms, zone);
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The instant (epoch seconds) a calendar day (YYYY-MM-DD) begins in `zone`: its local midnight, or the
 * first instant after it where a zone skips midnight for summer time.
 */
export function zonedMidnight(day: string, zone: string): number {
  const asUtc = Date.parse(`${day}T00:00:00Z`);
  const first = asUtc - zoneOffset(asUtc, zone);
  // The offset at the guess may differ from the one at the day's start (a change in between): the other
  // offset gives the second candidate. The earliest candidate that reads as the day itself wins.
  const second = asUtc - zoneOffset(first, zone);
  const [year, month, date] = day.split('-').map(Number);
  const onTheDay = [first, second]
    .filter((at) => {
      const clock = wallClock(at, zone);
      return clock.year === year && clock.month === month && clock.day === date;
    })
    .sort((a, b) => a - b);
  return (onTheDay[0] ?? first) / 1000;
}

/** The viewer's own time zone (as the browser reports it). */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
