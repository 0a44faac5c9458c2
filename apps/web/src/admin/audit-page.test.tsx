// @vitest-environment happy-dom
import type { AuditEvent, Role } from '@seatwise/protocol';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditPage } from '../pages/AuditPage.tsx';
import { SessionProvider, sessionFrom } from '../session.tsx';
import { localInputToIso } from './audit-filter.ts';
import { fakeApi, meAs } from './fake-api.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

const OLGA = 'c3d1a4f0-0000-4000-8000-000000000011';
const EVE = 'c3d1a4f0-0000-4000-8000-000000000012';

function event(seq: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    seq,
    occurredAt: '2025-03-01T10:00:00Z',
    actorUserId: OLGA,
    actorLabel: 'olga@example.test',
    action: 'member.role_change',
    targetType: 'user',
    targetId: EVE,
    outcome: 'success',
    ip: '203.0.113.9',
    userAgent: 'Firefox',
    details: { from: 'employee', to: 'viewer' },
    ...overrides,
  };
}

/** The audit requests the page sent, as their query parameters. */
const auditQueries = (sent: { method: string; url: string }[]) =>
  sent.filter((request) => request.url.startsWith('/api/audit-events?')).map((request) => Object.fromEntries(new URLSearchParams(request.url.split('?')[1])));

function renderAt(address: string, role: Role = 'admin', events: (query: URLSearchParams) => { events: AuditEvent[]; nextBefore: number | null } = () => ({ events: [event(41)], nextBefore: null })) {
  const api = fakeApi({
    'GET /api/audit-events': (request) => ({ body: events(new URLSearchParams(request.url.split('?')[1])) }),
    'GET /api/members': () => ({
      body: {
        members: [
          { userId: OLGA, name: 'Olga Owner', email: 'olga@example.test', role: 'owner', joinedAt: '2025-01-01T00:00:00Z' },
          { userId: EVE, name: 'Eve Employee', email: 'eve@example.test', role: 'employee', joinedAt: '2025-01-01T00:00:00Z' },
        ],
      },
    }),
  });
  vi.stubGlobal('fetch', api.fetch);
  window.history.replaceState(null, '', address);
  render(
    <SessionProvider session={sessionFrom(meAs(role), () => undefined)}>
      <AuditPage params={{}} />
    </SessionProvider>,
  );
  return api;
}

describe('the audit log', () => {
  it('reads its filters from the address, shows them in the form and asks the server for them', async () => {
    const api = renderAt(`/audit?actor=${OLGA}&action=member`);
    const table = await screen.findByRole('table', { name: 'Audit events' });
    expect(auditQueries(api.sent)).toEqual([{ actor: OLGA, action: 'member', limit: '50' }]);
    expect(screen.getByLabelText('Action')).toHaveProperty('value', 'member');
    await waitFor(() => expect(screen.getByLabelText('Actor')).toHaveProperty('value', OLGA));
    // People are named; the export carries the same filters.
    await within(table).findByText('Olga Owner');
    expect(within(table).getByText('Eve Employee')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(`/api/audit-events/export.csv?actor=${OLGA}&action=member`);
  });

  it('applying filters writes them into the address (times with the viewer’s offset) and loads that view', async () => {
    const api = renderAt('/audit');
    await screen.findByRole('table', { name: 'Audit events' });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'Auth' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2025-03-01T08:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    const from = localInputToIso('2025-03-01T08:30')!;
    await waitFor(() => expect(auditQueries(api.sent)).toHaveLength(2));
    expect(auditQueries(api.sent)[1]).toEqual({ action: 'auth', from, limit: '50' });
    expect(new URLSearchParams(window.location.search).get('from')).toBe(from);
    expect(new URLSearchParams(window.location.search).get('action')).toBe('auth');
    expect(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toContain('action=auth');
  });

  it('says what is wrong with a filter beside it and changes nothing', async () => {
    const api = renderAt('/audit?action=member');
    await screen.findByRole('table', { name: 'Audit events' });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'member role' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2025-03-02T00:00' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2025-03-01T00:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByText(/Action may contain only letters/)).toBeTruthy();
    expect(screen.getByText('To must not be before From.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Action'));
    expect(screen.getByLabelText('Action').getAttribute('aria-invalid')).toBe('true');
    expect(window.location.search).toBe('?action=member');
    expect(auditQueries(api.sent)).toHaveLength(1);
  });

  it('pages to older events with nextBefore and back to the newest', async () => {
    const api = renderAt('/audit?action=member', 'admin', (query) =>
      query.get('before') ? { events: [event(12)], nextBefore: null } : { events: [event(41), event(40)], nextBefore: 40 },
    );
    await screen.findByRole('table', { name: 'Audit events' });
    expect(screen.queryByRole('button', { name: 'Newest events' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Older events' }));
    await waitFor(() => expect(auditQueries(api.sent).at(-1)).toEqual({ action: 'member', before: '40', limit: '50' }));
    expect(window.location.search).toBe('?action=member&before=40');
    expect(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe('/api/audit-events/export.csv?action=member');
    fireEvent.click(await screen.findByRole('button', { name: 'Newest events' }));
    await waitFor(() => expect(window.location.search).toBe('?action=member'));
    expect(auditQueries(api.sent).at(-1)).toEqual({ action: 'member', limit: '50' });
  });

  it('shows an event’s details on request, as text, never as markup', async () => {
    renderAt('/audit', 'admin', () => ({ events: [event(7, { details: { name: '<img src=x onerror=alert(1)>' } })], nextBefore: null }));
    const table = await screen.findByRole('table', { name: 'Audit events' });
    const toggle = within(table).getByRole('button', { name: 'Show the details of event 7' });
    const details = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(details.hidden).toBe(true);
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(details.hidden).toBe(false);
    expect(table.querySelector('img')).toBeNull();
    expect(details.querySelector('pre')?.textContent).toContain('"name": "<img src=x onerror=alert(1)>"');
  });

  it('offers the export only to roles that may export', async () => {
    // No built-in role reads the log without exporting it, so the check is made against a role without audit:export.
    renderAt('/audit', 'viewer');
    await screen.findByRole('table', { name: 'Audit events' });
    expect(screen.queryByRole('link', { name: 'Export CSV' })).toBeNull();
  });
});
