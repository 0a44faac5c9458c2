import type { PersonUsage } from '@seatwise/protocol';
import { describe, expect, it } from 'vitest';
import { idleUsers, topUsers } from './people.ts';

const person = (name: string, hours: number, idleCheckins = 0): PersonUsage => ({
  personId: name,
  name,
  pseudonymised: false,
  hours,
  sessions: 1,
  idleCheckins,
  lastUsedAt: '2026-03-01T10:00:00.000Z',
});

describe('topUsers', () => {
  it('lists the most hours first, ties by name, nobody without hours, at most the limit', () => {
    const people = [person('cleo', 2), person('ana', 7), person('ben', 2), person('dan', 0)];
    expect(topUsers(people).map((p) => p.name)).toEqual(['ana', 'ben', 'cleo']);
    expect(topUsers(people, 2).map((p) => p.name)).toEqual(['ana', 'ben']);
    expect(topUsers([])).toEqual([]);
  });
});

describe('idleUsers', () => {
  it('lists only people with idle check-ins, most first, then by hours', () => {
    const people = [person('ana', 7), person('ben', 1, 2), person('cleo', 5, 2), person('dan', 3, 9)];
    expect(idleUsers(people).map((p) => [p.name, p.idleCheckins])).toEqual([
      ['dan', 9],
      ['cleo', 2],
      ['ben', 2],
    ]);
    expect(idleUsers([person('ana', 7)])).toEqual([]);
  });
});
