import { describe, expect, it } from 'vitest';
import {
  apiFilterOf,
  auditViewFromForm,
  auditViewFromSearch,
  formFromAuditView,
  hasFilters,
  isoToLocalInput,
  isoWithLocalOffset,
  localInputToIso,
  searchFromAuditView,
  type AuditView,
} from './audit-filter.ts';

const ACTOR = '0b6f3c1e-4d2a-4c8e-9f1a-2b3c4d5e6f70';
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

describe('datetime-local and ISO instants', () => {
  it('reads a datetime-local value as the viewer’s wall-clock time and writes it with their offset', () => {
    for (const value of ['2025-03-12T14:05', '2025-07-01T00:00', '2024-02-29T23:59', '2025-10-26T02:30']) {
      const iso = localInputToIso(value);
      expect(iso, value).toMatch(WITH_OFFSET);
      // The same instant as the browser's own reading of the local time.
      expect(Date.parse(iso!)).toBe(new Date(value).getTime());
      expect(iso!.slice(0, 16)).toBe(value);
    }
    expect(localInputToIso('2025-03-12T14:05:30')!.slice(0, 19)).toBe('2025-03-12T14:05:30');
  });

  it('refuses what is not a real date and time', () => {
    for (const value of ['', 'yesterday', '2025-03-12', '2025-04-31T10:00', '2025-02-29T10:00', '2025-13-01T10:00', '12/03/2025 14:05']) {
      expect(localInputToIso(value), value).toBeUndefined();
    }
  });

  it('shows an instant from any zone as the viewer’s local time, and back to the same instant', () => {
    for (const iso of ['2025-03-12T13:05:00Z', '2025-03-12T14:05:00+01:00', '2025-06-30T22:15:00-07:00', '2025-01-01T00:00:45Z']) {
      const local = isoToLocalInput(iso);
      expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/);
      expect(Date.parse(localInputToIso(local)!)).toBe(Date.parse(iso));
    }
    expect(isoToLocalInput('not a date')).toBe('');
    expect(isoWithLocalOffset(new Date(2025, 2, 12, 9, 7, 3)).slice(0, 19)).toBe('2025-03-12T09:07:03');
  });
});

describe('audit view ↔ query string', () => {
  it('round-trips every filter and the paging position', () => {
    const views: AuditView[] = [
      {},
      { actor: ACTOR },
      { action: 'member.role_change' },
      { from: '2025-03-01T00:00:00+01:00', to: '2025-03-31T23:59:00+02:00' },
      { actor: ACTOR, action: 'apikey', from: '2025-03-01T00:00:00Z', to: '2025-04-01T00:00:00Z', before: 1234 },
    ];
    for (const view of views) {
      const search = searchFromAuditView(view);
      expect(auditViewFromSearch(new URLSearchParams(search.toString()))).toEqual(view);
    }
    expect(searchFromAuditView({ before: 7, action: 'auth', actor: ACTOR }).toString()).toBe(`actor=${ACTOR}&action=auth&before=7`);
  });

  it('leaves out what the server would refuse in a hand-edited address', () => {
    const search = new URLSearchParams({ actor: 'nobody', action: 'DROP TABLE;', from: 'yesterday', to: '2025-03-01T00:00', before: '-3' });
    expect(auditViewFromSearch(search)).toEqual({});
    expect(auditViewFromSearch(new URLSearchParams({ before: '0' }))).toEqual({});
    expect(auditViewFromSearch(new URLSearchParams({ action: 'a'.repeat(101) }))).toEqual({});
  });

  it('paging alone is not a filter; the API filter never carries the paging position', () => {
    expect(hasFilters({ before: 10 })).toBe(false);
    expect(hasFilters({ action: 'auth' })).toBe(true);
    expect(apiFilterOf({ actor: ACTOR, action: 'auth', before: 10 })).toEqual({ actor: ACTOR, action: 'auth' });
  });
});

describe('the filter form', () => {
  it('turns its values into a view that starts again from the newest events', () => {
    const { view, problems } = auditViewFromForm({ actor: ACTOR, action: '  Member.Role_Change ', from: '2025-03-01T00:00', to: '2025-03-31T23:59' });
    expect(problems).toEqual({});
    expect(view).toEqual({ actor: ACTOR, action: 'member.role_change', from: localInputToIso('2025-03-01T00:00'), to: localInputToIso('2025-03-31T23:59') });
    expect(view.before).toBeUndefined();
    expect(auditViewFromForm({ actor: '', action: '', from: '', to: '' })).toEqual({ view: {}, problems: {} });
  });

  it('says what is wrong beside each field', () => {
    const { problems } = auditViewFromForm({ actor: '', action: 'member-role', from: '2025-02-30T10:00', to: '' });
    expect(problems.action).toMatch(/only letters a–z, _ and \./);
    expect(problems.from).toMatch(/must be a date and time/);
    expect(auditViewFromForm({ actor: '', action: '', from: '2025-03-02T00:00', to: '2025-03-01T00:00' }).problems).toEqual({ to: 'To must not be before From.' });
    expect(auditViewFromForm({ actor: '', action: 'x'.repeat(101), from: '', to: '' }).problems.action).toMatch(/at most 100/);
  });

  it('shows a view’s times in the form as local values', () => {
    const view = { actor: ACTOR, action: 'auth', from: '2025-03-01T00:00:00Z' };
    const form = formFromAuditView(view);
    expect(form).toMatchObject({ actor: ACTOR, action: 'auth', to: '' });
    expect(Date.parse(localInputToIso(form.from)!)).toBe(Date.parse(view.from));
  });
});
