import { createSeededRandom, createZoneClock, localMs } from '@seatwise/usage-engine';
import type { DenialInput, SessionInput, UsageInput } from '../modules/usage/ingest.service.ts';

/**
 * Generated, realistic usage for the demo organisation: several license servers, vendors and time zones,
 * a few hundred invented people, office-hour sessions on working days, quiet weekends, a summer and a
 * year-end dip, idle check-ins, pools that fill up (true and retried denials) and features nobody uses much
 * (the wasted seats a license manager looks for). Deterministic for a seed.
 */

export interface DemoFeature {
  vendor: string;
  name: string;
  seatsOwned: number;
  /** People who use it at all. */
  users: number;
  /** Chance that one of its people uses it on a working day. */
  dailyChance: number;
  /** Typical hours per session. */
  typicalHours: number;
  /** Seats one check-out takes (HPC packs take many). */
  seatsPerCheckout: number;
}

export interface DemoServer {
  name: string;
  host: string;
  port: number;
  timeZone: string;
  features: DemoFeature[];
}

const feature = (vendor: string, name: string, seatsOwned: number, users: number, dailyChance: number, typicalHours: number, seatsPerCheckout = 1): DemoFeature => ({
  vendor,
  name,
  seatsOwned,
  users,
  dailyChance,
  typicalHours,
  seatsPerCheckout,
});

export const DEMO_SERVERS: readonly DemoServer[] = [
  {
    name: '27000@flex-madrid',
    host: 'flex-madrid',
    port: 27000,
    timeZone: 'Europe/Madrid',
    features: [
      feature('MLM', 'MATLAB', 40, 110, 0.55, 3.5),
      feature('MLM', 'SIMULINK', 15, 45, 0.45, 3),
      feature('MLM', 'Optimization_Toolbox', 12, 30, 0.15, 1.5),
      feature('MLM', 'Distrib_Computing_Toolbox', 8, 12, 0.08, 2),
    ],
  },
  {
    name: '1055@ansys-boston',
    host: 'ansys-boston',
    port: 1055,
    timeZone: 'America/New_York',
    features: [
      feature('ansyslmd', 'cfd_base', 14, 40, 0.6, 5),
      feature('ansyslmd', 'ansys', 10, 25, 0.5, 4),
      feature('ansyslmd', 'anshpc', 256, 18, 0.35, 6, 32),
    ],
  },
  {
    name: '2080@autodesk-london',
    host: 'autodesk-london',
    port: 2080,
    timeZone: 'Europe/London',
    features: [feature('adskflex', '86985ACD_2024_0F', 60, 90, 0.4, 4), feature('adskflex', '87048INVPROSA_2024_0F', 20, 30, 0.5, 5)],
  },
  {
    name: '5053@rlm-berlin',
    host: 'rlm-berlin',
    port: 5053,
    timeZone: 'Europe/Berlin',
    features: [feature('altium', 'AltiumDesigner', 12, 20, 0.55, 5)],
  },
];

const FIRST = ['ana', 'ben', 'chloe', 'dario', 'elif', 'farid', 'greta', 'hugo', 'ines', 'jonas', 'kiri', 'luca', 'mara', 'nils', 'olga', 'pablo', 'quinn', 'rosa', 'sven', 'tomas', 'una', 'vera', 'wim', 'xenia', 'yusuf', 'zoe'];
const LAST = ['arden', 'brook', 'castell', 'dunmore', 'ellery', 'fenwick', 'garrow', 'hollis', 'iverson', 'jarrow', 'kestrel', 'lindell', 'marlow', 'norcott', 'oakes', 'pellow', 'quarry', 'ridley', 'stroud', 'tamsin'];

/** Invented people (first.last), the same list for a seed. */
export function demoPeople(count: number, random: () => number): string[] {
  const people = new Set<string>();
  while (people.size < count) {
    const first = FIRST[Math.floor(random() * FIRST.length)]!;
    const last = LAST[Math.floor(random() * LAST.length)]!;
    people.add(people.size % 9 === 0 ? `${first}.${last}${people.size}` : `${first}.${last}`);
  }
  return [...people];
}

/** How busy a local calendar day is, 0–1: weekends, August and the last week of the year are quiet. */
function busyness(year: number, month: number, day: number): number {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (weekday === 0 || weekday === 6) return 0.04;
  if (month === 8) return 0.45;
  if (month === 12 && day >= 23) return 0.15;
  return 1;
}

const HOUR_MS = 3_600_000;

/**
 * One server's usage for `days` local days ending the day before `until` (epoch ms), a day per yield.
 * Pools are enforced: a check-out that finds the pool full is denied, and retried a minute later, which
 * either gets a seat (a retried denial) or is a true denial.
 */
export function* generateServerUsage(server: DemoServer, people: readonly string[], days: number, until: number, seed: number): Generator<UsageInput> {
  const random = createSeededRandom(seed);
  const clock = createZoneClock(server.timeZone);
  const assigned = server.features.map((f) => {
    const start = Math.floor(random() * people.length);
    return Array.from({ length: Math.min(f.users, people.length) }, (_, i) => people[(start + i * 7) % people.length]!);
  });
  const heldByFeature = server.features.map((): { start: number; end: number; seats: number }[] => []);
  const lastDay = new Date(until + clock.offsetAt(until));
  for (let back = days; back >= 1; back--) {
    const date = new Date(Date.UTC(lastDay.getUTCFullYear(), lastDay.getUTCMonth(), lastDay.getUTCDate() - back));
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    const busy = busyness(year, month, day);
    const sessions: SessionInput[] = [];
    const denials: DenialInput[] = [];
    server.features.forEach((f, index) => {
      const requests: { user: string; start: number; hours: number }[] = [];
      for (const user of assigned[index]!) {
        if (random() > f.dailyChance * busy) continue;
        const pieces = random() < 0.25 ? 2 : 1;
        let hour = 7.5 + random() * 3;
        for (let piece = 0; piece < pieces; piece++) {
          const hours = Math.min(11, Math.max(0.1, f.typicalHours * (0.3 + random() * 1.4) / pieces));
          const startSecond = Math.floor(hour * 3600 + random() * 60);
          const local = localMs(year, month, day, 0, 0, startSecond);
          requests.push({ user, start: clock.toUtc(local), hours });
          hour += hours + 0.5 + random() * 1.5;
        }
      }
      requests.sort((a, b) => a.start - b.start);
      // Check-outs still held from earlier days count against the pool too.
      const held = heldByFeature[index]!;
      /** Seats held at an instant (check-outs started by then and not yet ended). */
      const inUseAt = (at: number) => held.reduce((sum, h) => (h.start <= at && at < h.end ? sum + h.seats : sum), 0);
      /** Whether a check-out over [from, to) fits the pool, counting retries already placed later in time. */
      const fits = (from: number, to: number) =>
        [from, ...held.filter((h) => h.start > from && h.start < to).map((h) => h.start)].every((at) => inUseAt(at) + f.seatsPerCheckout <= f.seatsOwned);
      for (const request of requests) {
        // Requests come in time order: what ended before this one can be forgotten.
        for (let i = held.length - 1; i >= 0; i--) if (held[i]!.end <= request.start) held.splice(i, 1);
        const host = `${request.user.split('.')[0]}-ws`;
        const duration = Math.round(request.hours * HOUR_MS);
        let start = request.start;
        if (!fits(start, start + duration)) {
          const retry = start + 60_000;
          const retried = fits(retry, retry + duration) && random() < 0.6;
          denials.push({ vendor: f.vendor, feature: f.name, user: request.user, host, at: start, ordinal: 0, reason: 'Licensed number of users already reached. (-4,342)', retried });
          if (!retried) continue;
          start = retry;
        }
        const end = start + duration;
        held.push({ start, end, seats: f.seatsPerCheckout });
        const idle = random() < 0.12;
        sessions.push({
          vendor: f.vendor,
          feature: f.name,
          user: request.user,
          host,
          start,
          ordinal: 0,
          end,
          lastSeen: end,
          seats: f.seatsPerCheckout,
          closedBy: 'checkin',
          endReason: idle ? 'INACTIVE' : null,
        });
      }
    });
    yield { sessions, denials, snapshots: [] };
  }
}
