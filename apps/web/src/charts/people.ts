/**
 * Who uses a feature: the heaviest users by seat-hours, and the people whose sessions were taken back for
 * inactivity (idle check-ins) — the seats a shorter idle timeout or a word with the person would free.
 */
import type { PersonUsage } from '@seatwise/protocol';

/** How many people each list shows. */
export const PEOPLE_LIST_LENGTH = 10;

const byName = (a: PersonUsage, b: PersonUsage) => a.name.localeCompare(b.name);

/** The people with the most seat-hours, most first (ties by name); nobody with no hours. */
export function topUsers(people: readonly PersonUsage[], limit = PEOPLE_LIST_LENGTH): PersonUsage[] {
  return people
    .filter((person) => person.hours > 0)
    .sort((a, b) => b.hours - a.hours || byName(a, b))
    .slice(0, limit);
}

/** The people with idle check-ins, most first (then most hours, then by name). */
export function idleUsers(people: readonly PersonUsage[], limit = PEOPLE_LIST_LENGTH): PersonUsage[] {
  return people
    .filter((person) => person.idleCheckins > 0)
    .sort((a, b) => b.idleCheckins - a.idleCheckins || b.hours - a.hours || byName(a, b))
    .slice(0, limit);
}
