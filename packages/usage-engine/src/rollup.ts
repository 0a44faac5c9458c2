/**
 * Roll-ups of stored usage: per UTC hour, per local day and per person and local day, recomputed by the
 * server for the hours and days an ingest touched (so re-ingesting replaces rows rather than adding to them).
 *
 * What must stay true:
 * - Concurrency follows the analyser: a session [start, end) holds its seats from start up to, not
 *   including, end; at one instant seats given back by sessions ending then are freed before seats taken by
 *   sessions starting then, so a seat freed and taken in the same instant counts once. A session with
 *   start == end holds its seats during that one instant (it counts towards the peak, adds no seat time).
 * - A bucket's peak is the highest level at any instant inside it, starting with the level carried in by
 *   sessions still held at its first instant (peakAt is then that first instant); peakAt is the earliest
 *   instant reaching the peak, null when the peak is 0.
 * - Each session counts in the local days of its own server's time zone, instant by instant: the pair
 *   (session, instant) belongs to exactly one local day. A day's seat time, users and peak all come from the
 *   same pairs, so with several zones in one call (the "all servers" aggregate) a day D's concurrency at an
 *   instant counts only the sessions for which that instant is in their own local day D. For one zone this
 *   is plain concurrency within the day; across zones the true simultaneous peak is in the UTC hour rows.
 *   Days of 23 or 25 hours (daylight saving) are whatever instants the zone's calendar gives them, so seat
 *   time is never lost or made up, and the days of a range add up to exactly the usage held in them.
 * - Everything is clipped to the window: nothing held outside it is counted, whatever extra sessions the
 *   caller passes.
 * - Sessions are swept in start order with the open ones in a heap by end: memory follows the sessions open
 *   at one time and the output, time is O(n log n).
 */
import { dayKey } from './analyser-time.ts';
import { createZoneClock } from './local-time.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/**
 * Local days lie within this distance of the same calendar day in UTC (offsets stay below 15 hours, local
 * mean time included), so sessions and denials this far outside the window cannot touch it.
 */
const ZONE_MARGIN_MS = 2 * DAY_MS;

/** A stored usage session (check-out → check-in) as the roll-up reads it. */
export interface RollupSession {
  /** Epoch milliseconds (UTC), an integer. */
  start: number;
  /** Epoch milliseconds (UTC), an integer >= start; for a session still open, the last instant it was known held. */
  end: number;
  /** Seats held, a positive integer. */
  seats: number;
  /** Opaque person id. */
  userId: string;
  /** IANA zone of the session's license server: its local calendar decides which day the session counts in. */
  timeZone: string;
  /** True when it was checked in for inactivity (FlexLM INACTIVE). */
  idle: boolean;
}

/** A stored denial. */
export interface RollupDenial {
  /** Epoch milliseconds (UTC). */
  at: number;
  /** True when the same user got the feature within the retry window. */
  retried: boolean;
  /** IANA zone of the denial's license server. */
  timeZone: string;
}

/** One UTC hour. */
export interface HourRollup {
  /** Epoch milliseconds of the UTC hour's start. */
  hour: number;
  /** Highest number of seats held at one instant in the hour. */
  peak: number;
  /** Earliest instant (epoch ms) the peak was reached; null when the peak is 0. */
  peakAt: number | null;
  /** Seats × milliseconds held within the hour. */
  seatMs: number;
  denials: number;
  retriedDenials: number;
}

/** One local calendar day (each session's and denial's own zone). */
export interface DayRollup {
  /** YYYY-MM-DD on the local calendar. */
  day: string;
  /** Distinct userIds holding seats at some instant of the day (a zero-length session included). */
  users: number;
  /** Highest number of seats held at one instant of the day (see the module comment for several zones). */
  peak: number;
  /** Earliest instant (epoch ms) the peak was reached; null when the peak is 0. */
  peakAt: number | null;
  /** Seats × milliseconds held within the day. */
  seatMs: number;
  denials: number;
  retriedDenials: number;
}

/** One person on one local day; present exactly when the person counts among that day's users. */
export interface PersonDayRollup {
  userId: string;
  /** YYYY-MM-DD on the local calendar of the sessions' zone. */
  day: string;
  /** Seats × milliseconds held that day. */
  seatMs: number;
  /** Sessions that started that day. */
  sessions: number;
  /**
   * Idle sessions whose last held instant is in that day (end − 1 ms; the start for a zero-length one): a
   * check-in exactly at midnight ends the day before, as in the analyser's daily users.
   */
  idleCheckins: number;
  /** The latest instant held that day: min(end, the next local midnight), the start for a zero-length session. */
  lastUsedAt: number;
}

/** What to roll up. */
export interface RollupWindow {
  /** UTC hour-aligned epoch ms, [hoursFrom, hoursTo): one HourRollup for every hour, zeros included. */
  hoursFrom: number;
  hoursTo: number;
  /** Local days YYYY-MM-DD, both included: one DayRollup for every day, zeros included; PersonDayRollups only for these. */
  daysFrom: string;
  daysTo: string;
}

/** The roll-up rows of a window. */
export interface RollupResult {
  /** Every hour of the window, ascending. */
  hours: HourRollup[];
  /** Every day of the window, ascending. */
  days: DayRollup[];
  /** By day, then userId (code-unit order). */
  personDays: PersonDayRollup[];
}

/** A person's record for one day (by day index within the window). */
interface PersonDay {
  seatMs: number;
  sessions: number;
  idleCheckins: number;
  lastUsedAt: number;
}

/** A person's seats held in one zone now, and since when their seat time has not been counted. */
interface PersonState {
  userId: string;
  seats: number;
  since: number;
  days: Map<number, PersonDay>;
}

/** One zone's calendar within the window and, during the sweep, its share of the seats held. */
interface ZoneState {
  /** UTC starts of the window's local days, plus the start of the day after: [dayStarts[k], dayStarts[k+1]) is day k. */
  dayStarts: number[];
  /** Seats held now by this zone's sessions (between instants). */
  level: number;
  /** Up to when this zone's seat time has been counted. */
  countedTo: number;
  /** Index of the last day start at or before the sweep's instant: -1 before the window, the day count after it. */
  cursor: number;
  /** The next day start after the sweep's instant, Infinity past the window. */
  nextBoundary: number;
  /** The instant at which this zone was last touched (changed or crossed midnight). */
  touchedAt: number;
  /** Seats held now per person. */
  persons: Map<string, PersonState>;
  /** Whether the sweep has met this zone. */
  swept: boolean;
}

/** An open session in the sweep's heap. */
interface OpenSession {
  end: number;
  seats: number;
  idle: boolean;
  zone: ZoneState;
  person: PersonState;
}

/**
 * Rolls up sessions and denials into the window's hour, day and person-day rows (see the module comment for
 * the rules). `sessions` may be in any order when it is an array; any other iterable (a database cursor, say)
 * must yield them by ascending start, which lets it stream with memory for the open sessions only. Throws a
 * RangeError for an invalid window, session or denial, or an unknown time zone.
 */
export function rollupUsage(
  sessions: Iterable<RollupSession>,
  denials: Iterable<RollupDenial>,
  window: RollupWindow,
): RollupResult {
  const { hoursFrom, hoursTo } = window;
  if (!Number.isSafeInteger(hoursFrom) || !Number.isSafeInteger(hoursTo) || hoursFrom % HOUR_MS !== 0 || hoursTo % HOUR_MS !== 0) {
    throw new RangeError('hoursFrom and hoursTo must be epoch milliseconds at the start of a UTC hour');
  }
  if (hoursTo < hoursFrom) throw new RangeError('hoursTo is before hoursFrom');
  const firstDay = parseDay(window.daysFrom, 'daysFrom');
  const lastDay = parseDay(window.daysTo, 'daysTo');
  if (lastDay < firstDay) throw new RangeError('daysTo is before daysFrom');

  const hourCount = (hoursTo - hoursFrom) / HOUR_MS;
  const dayCount = lastDay - firstDay + 1;
  const hours: HourRollup[] = [];
  for (let i = 0; i < hourCount; i++) {
    hours.push({ hour: hoursFrom + i * HOUR_MS, peak: 0, peakAt: null, seatMs: 0, denials: 0, retriedDenials: 0 });
  }
  const dayNames: string[] = [];
  const days: DayRollup[] = [];
  for (let i = 0; i < dayCount; i++) {
    const day = dayKey(firstDay + i);
    dayNames.push(day);
    days.push({ day, users: 0, peak: 0, peakAt: null, seatMs: 0, denials: 0, retriedDenials: 0 });
  }
  /** Seats held now, per day, by the sessions whose zone is in that day. */
  const dayLevels = new Float64Array(dayCount);

  // Instants outside [lowest, highest] cannot touch any bucket of the window.
  const lowest = Math.min(hoursFrom, firstDay * DAY_MS - ZONE_MARGIN_MS);
  const highest = Math.max(hoursTo, (lastDay + 1) * DAY_MS + ZONE_MARGIN_MS);

  const zones = new Map<string, ZoneState>();
  const swept: ZoneState[] = [];
  let lastZoneName = '';
  let lastZone: ZoneState | null = null;
  function zoneOf(timeZone: string): ZoneState {
    if (timeZone === lastZoneName && lastZone) return lastZone;
    let zone = zones.get(timeZone);
    if (!zone) {
      if (typeof timeZone !== 'string') throw new RangeError('timeZone must be an IANA zone name');
      const clock = createZoneClock(timeZone);
      const dayStarts: number[] = [];
      for (let day = firstDay; day <= lastDay + 1; day++) {
        // The first instant of the local day (a skipped midnight moves forward to the first one that happened).
        const start = clock.toUtc(day * DAY_MS);
        dayStarts.push(dayStarts.length > 0 ? Math.max(start, dayStarts[dayStarts.length - 1] as number) : start);
      }
      zone = {
        dayStarts,
        level: 0,
        countedTo: Number.NEGATIVE_INFINITY,
        cursor: -1,
        nextBoundary: Number.POSITIVE_INFINITY,
        touchedAt: Number.NaN,
        persons: new Map(),
        swept: false,
      };
      zones.set(timeZone, zone);
    }
    lastZoneName = timeZone;
    lastZone = zone;
    return zone;
  }

  /** The window's day (index) holding `at` in `zone`, -1 outside the window. */
  function dayIndexAt(zone: ZoneState, at: number): number {
    const starts = zone.dayStarts;
    if (!(at >= (starts[0] as number) && at < (starts[dayCount] as number))) return -1;
    let low = 0;
    let high = dayCount; // starts[low] <= at < starts[high]
    while (high - low > 1) {
      const mid = (low + high) >>> 1;
      if ((starts[mid] as number) <= at) low = mid;
      else high = mid;
    }
    return low;
  }

  // Denials: one count each in the hour and the local day of `at`.
  for (const denial of denials) {
    const at = denial.at;
    if (!Number.isFinite(at)) throw new RangeError('a denial has no valid time');
    if (at >= hoursFrom && at < hoursTo) {
      const hour = hours[Math.floor((at - hoursFrom) / HOUR_MS)] as HourRollup;
      hour.denials++;
      if (denial.retried) hour.retriedDenials++;
    }
    if (at >= lowest && at <= highest) {
      const k = dayIndexAt(zoneOf(denial.timeZone), at);
      if (k >= 0) {
        const day = days[k] as DayRollup;
        day.denials++;
        if (denial.retried) day.retriedDenials++;
      }
    }
  }

  // Person-day records, by userId then day index.
  const people = new Map<string, Map<number, PersonDay>>();
  function personDay(personDays: Map<number, PersonDay>, k: number): PersonDay {
    let record = personDays.get(k);
    if (!record) {
      record = { seatMs: 0, sessions: 0, idleCheckins: 0, lastUsedAt: Number.NEGATIVE_INFINITY };
      personDays.set(k, record);
    }
    return record;
  }
  function personDaysOf(userId: string): Map<number, PersonDay> {
    let personDays = people.get(userId);
    if (!personDays) {
      personDays = new Map();
      people.set(userId, personDays);
    }
    return personDays;
  }

  /** Counts a person's seat time up to `to`, split over the window's local days of their zone. */
  function countPerson(zone: ZoneState, person: PersonState, to: number): void {
    const from = person.since;
    person.since = to;
    if (person.seats === 0 || !(to > from)) return;
    const starts = zone.dayStarts;
    if (to <= (starts[0] as number) || from >= (starts[dayCount] as number)) return;
    for (let k = from < (starts[0] as number) ? 0 : dayIndexAt(zone, from); k < dayCount; k++) {
      const dayStart = starts[k] as number;
      if (dayStart >= to) break;
      const pieceFrom = Math.max(from, dayStart);
      const pieceTo = Math.min(to, starts[k + 1] as number);
      if (pieceTo <= pieceFrom) continue; // a day the zone's calendar skipped
      const record = personDay(person.days, k);
      record.seatMs += person.seats * (pieceTo - pieceFrom);
      if (pieceTo > record.lastUsedAt) record.lastUsedAt = pieceTo;
    }
  }

  // The sweep. Between instants every level is constant; seat time is counted lazily up to each change.
  let level = 0;
  let hourCursor = -1; // index of the current hour; -1 before the window, hourCount after it
  let nextHourBoundary = hourCount > 0 ? hoursFrom : Number.POSITIVE_INFINITY;
  let nextBoundary = nextHourBoundary;
  let countedTo = Number.NEGATIVE_INFINITY;
  // Zones touched at this instant, and the zero-length sessions of this instant (reused, never shrunk).
  const touched: ZoneState[] = [];
  let touchedCount = 0;
  const sameInstantZones: ZoneState[] = [];
  const sameInstantSeats: number[] = [];
  let sameInstantCount = 0;

  function recomputeNextBoundary(): void {
    let next = nextHourBoundary;
    for (const zone of swept) if (zone.nextBoundary < next) next = zone.nextBoundary;
    nextBoundary = next;
  }

  /** Counts the zone's seat time up to `now` and marks it for this instant's day peak check. */
  function touchZone(zone: ZoneState, now: number): void {
    if (zone.touchedAt === now) return;
    zone.touchedAt = now;
    const k = zone.cursor;
    if (k >= 0 && k < dayCount && now > zone.countedTo) (days[k] as DayRollup).seatMs += zone.level * (now - zone.countedTo);
    zone.countedTo = now;
    touched[touchedCount++] = zone;
  }

  /** Changes the seats held in `zone` (already touched at this instant). */
  function changeZoneLevel(zone: ZoneState, delta: number): void {
    level += delta;
    zone.level += delta;
    const k = zone.cursor;
    if (k >= 0 && k < dayCount) dayLevels[k] = (dayLevels[k] as number) + delta;
  }

  function startSweep(zone: ZoneState, now: number): void {
    zone.swept = true;
    const starts = zone.dayStarts;
    const cursor = now < (starts[0] as number) ? -1 : now >= (starts[dayCount] as number) ? dayCount : dayIndexAt(zone, now);
    zone.cursor = cursor;
    zone.nextBoundary = cursor < dayCount ? (starts[cursor + 1] as number) : Number.POSITIVE_INFINITY;
    zone.countedTo = now;
    swept.push(zone);
    if (zone.nextBoundary < nextBoundary) nextBoundary = zone.nextBoundary;
  }

  // Open sessions: a binary min-heap by end.
  const heap: OpenSession[] = [];
  function heapPush(item: OpenSession): void {
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = heap[parent] as OpenSession;
      if (up.end <= item.end) break;
      heap[i] = up;
      i = parent;
    }
    heap[i] = item;
  }
  function heapPop(): OpenSession {
    const top = heap[0] as OpenSession;
    const last = heap.pop() as OpenSession;
    const size = heap.length;
    if (size > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= size) break;
        const right = child + 1;
        if (right < size && (heap[right] as OpenSession).end < (heap[child] as OpenSession).end) child = right;
        const down = heap[child] as OpenSession;
        if (down.end >= last.end) break;
        heap[i] = down;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  // Sessions in start order: an array is sorted when it needs to be, anything else is checked as it streams.
  const ordered = Array.isArray(sessions) ? inStartOrder(sessions as RollupSession[]) : sessions;
  const iterator = ordered[Symbol.iterator]();
  let pending: RollupSession | null = null;
  let lastStart = Number.NEGATIVE_INFINITY;
  let exhausted = false;
  function readNext(): void {
    pending = null;
    while (!exhausted) {
      const step = iterator.next();
      if (step.done) {
        exhausted = true;
        return;
      }
      const session = step.value;
      checkSession(session);
      if (session.start < lastStart) {
        throw new RangeError('sessions must come in ascending start order (pass an array to have them sorted)');
      }
      lastStart = session.start;
      if (session.start > highest) {
        // Everything after this starts past the window too.
        exhausted = true;
        iterator.return?.();
        return;
      }
      if (session.end < lowest) continue;
      pending = session;
      return;
    }
  }

  readNext();
  for (;;) {
    let now = Number.POSITIVE_INFINITY;
    const next = pending as RollupSession | null;
    if (next && next.start < now) now = next.start;
    if (heap.length > 0 && (heap[0] as OpenSession).end < now) now = (heap[0] as OpenSession).end;
    if (nextBoundary < now) now = nextBoundary;
    if (now > highest) break;

    // 1. Count seat time up to now, then cross the hour and day boundaries that fall at now.
    if (hourCursor >= 0 && hourCursor < hourCount && now > countedTo) (hours[hourCursor] as HourRollup).seatMs += level * (now - countedTo);
    countedTo = now;
    if (nextBoundary === now) {
      while (nextHourBoundary <= now) {
        hourCursor++;
        nextHourBoundary = hourCursor < hourCount ? hoursFrom + (hourCursor + 1) * HOUR_MS : Number.POSITIVE_INFINITY;
      }
      for (const zone of swept) {
        if (zone.nextBoundary > now) continue;
        touchZone(zone, now);
        const starts = zone.dayStarts;
        let k = zone.cursor;
        if (k >= 0 && k < dayCount) dayLevels[k] = (dayLevels[k] as number) - zone.level;
        while (k < dayCount && (starts[k + 1] as number) <= now) k++;
        if (k >= 0 && k < dayCount) dayLevels[k] = (dayLevels[k] as number) + zone.level;
        zone.cursor = k;
        zone.nextBoundary = k < dayCount ? (starts[k + 1] as number) : Number.POSITIVE_INFINITY;
      }
      recomputeNextBoundary();
    }

    // 2. Sessions that started earlier give their seats back.
    while (heap.length > 0 && (heap[0] as OpenSession).end === now) {
      const open = heapPop();
      const zone = open.zone;
      touchZone(zone, now);
      changeZoneLevel(zone, -open.seats);
      const person = open.person;
      countPerson(zone, person, now);
      person.seats -= open.seats;
      // A person with nothing open needs no state (keeps memory to the open sessions).
      if (person.seats === 0) zone.persons.delete(person.userId);
      if (open.idle) {
        const k = dayIndexAt(zone, now - 1);
        if (k >= 0) personDay(person.days, k).idleCheckins++;
      }
    }

    // 3. Sessions starting now take theirs; zero-length ones only for this instant.
    while (pending !== null && (pending as RollupSession).start === now) {
      const session: RollupSession = pending;
      const zone = zoneOf(session.timeZone);
      if (!zone.swept) startSweep(zone, now);
      touchZone(zone, now);
      changeZoneLevel(zone, session.seats);
      const k = zone.cursor >= 0 && zone.cursor < dayCount ? zone.cursor : -1;
      const personDays = personDaysOf(session.userId);
      if (session.end === now) {
        sameInstantZones[sameInstantCount] = zone;
        sameInstantSeats[sameInstantCount++] = session.seats;
        if (k >= 0) {
          const record = personDay(personDays, k);
          record.sessions++;
          if (session.idle) record.idleCheckins++;
          if (now > record.lastUsedAt) record.lastUsedAt = now;
        }
      } else {
        let person = zone.persons.get(session.userId);
        if (!person || person.seats === 0) {
          person = { userId: session.userId, seats: 0, since: now, days: personDays };
          zone.persons.set(session.userId, person);
        } else {
          countPerson(zone, person, now);
        }
        person.seats += session.seats;
        if (k >= 0) personDay(personDays, k).sessions++;
        heapPush({ end: session.end, seats: session.seats, idle: session.idle, zone, person });
      }
      readNext();
    }

    // 4. Peaks at this instant, then the zero-length sessions leave.
    if (hourCursor >= 0 && hourCursor < hourCount) {
      const hour = hours[hourCursor] as HourRollup;
      if (level > hour.peak) {
        hour.peak = level;
        hour.peakAt = now;
      }
    }
    for (let i = 0; i < touchedCount; i++) {
      const zone = touched[i] as ZoneState;
      const k = zone.cursor;
      if (k >= 0 && k < dayCount) {
        const day = days[k] as DayRollup;
        const dayLevel = dayLevels[k] as number;
        if (dayLevel > day.peak) {
          day.peak = dayLevel;
          day.peakAt = now;
        }
      }
    }
    touchedCount = 0;
    for (let i = 0; i < sameInstantCount; i++) changeZoneLevel(sameInstantZones[i] as ZoneState, -(sameInstantSeats[i] as number));
    sameInstantCount = 0;
  }
  if (!exhausted) iterator.return?.();

  // Sessions still open past the window: their seat time runs to the end of the window's last day.
  for (const zone of swept) {
    for (const person of zone.persons.values()) countPerson(zone, person, Number.POSITIVE_INFINITY);
  }

  const personDays: PersonDayRollup[] = [];
  for (const [userId, byDay] of people) {
    for (const [k, record] of byDay) {
      (days[k] as DayRollup).users++;
      personDays.push({
        userId,
        day: dayNames[k] as string,
        seatMs: record.seatMs,
        sessions: record.sessions,
        idleCheckins: record.idleCheckins,
        lastUsedAt: record.lastUsedAt,
      });
    }
  }
  personDays.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  return { hours, days, personDays };
}

/** The day number (days since 1970-01-01) of a YYYY-MM-DD date; RangeError when it is not a real date. */
function parseDay(text: string, name: string): number {
  const match = typeof text === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null;
  if (match) {
    const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    if (new Date(ms).toISOString().slice(0, 10) === text) return ms / DAY_MS;
  }
  throw new RangeError(`${name} must be a date as YYYY-MM-DD, not ${JSON.stringify(text)}`);
}

function checkSession(session: RollupSession): void {
  const { start, end, seats } = session;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
    throw new RangeError('a session needs start and end as integer epoch milliseconds');
  }
  if (end < start) throw new RangeError('a session ends before it starts');
  if (!Number.isSafeInteger(seats) || seats < 1) throw new RangeError('a session needs a positive whole number of seats');
  if (typeof session.userId !== 'string') throw new RangeError('a session needs a userId');
}

/** The array itself when it is already in start order, else a sorted copy (the caller's array is left alone). */
function inStartOrder(sessions: RollupSession[]): RollupSession[] {
  for (let i = 1; i < sessions.length; i++) {
    if ((sessions[i] as RollupSession).start < (sessions[i - 1] as RollupSession).start) {
      return [...sessions].sort((a, b) => a.start - b.start);
    }
  }
  return sessions;
}
