// @vitest-environment happy-dom
import type { Invitation, Member, Role } from '@seatwise/protocol';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MembersPage } from '../pages/MembersPage.tsx';
import { SessionProvider, sessionFrom } from '../session.tsx';
import { fakeApi, meAs, type Routes } from './fake-api.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ME = 'c3d1a4f0-0000-4000-8000-000000000001';
let next = 10;
function member(name: string, role: Role, userId = `c3d1a4f0-0000-4000-8000-0000000000${next++}`): Member {
  return { userId, name, email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.test`, role, joinedAt: '2025-01-15T08:00:00Z' };
}

const owner = member('Olga Owner', 'owner');
const admin = member('Adam Admin', 'admin');
const employee = member('Eve Employee', 'employee');
const invitation: Invitation = {
  id: 'd4e5f6a7-0000-4000-8000-000000000001',
  email: 'new.person@example.test',
  role: 'viewer',
  invitedBy: 'Olga Owner',
  createdAt: '2025-03-01T10:00:00Z',
  expiresAt: '2025-03-08T10:00:00Z',
};
const adminInvitation: Invitation = { ...invitation, id: 'd4e5f6a7-0000-4000-8000-000000000002', email: 'boss@example.test', role: 'admin' };

function renderAs(role: Role, routes: Routes = {}) {
  const api = fakeApi({
    'GET /api/members': () => ({ body: { members: [member('Ana Test', role, ME), owner, admin, employee] } }),
    'GET /api/invitations': () => ({ body: { invitations: [invitation, adminInvitation] } }),
    ...routes,
  });
  vi.stubGlobal('fetch', api.fetch);
  render(
    <SessionProvider session={sessionFrom(meAs(role, ME), () => undefined)}>
      <MembersPage params={{}} />
    </SessionProvider>,
  );
  return api;
}

const optionValues = (select: HTMLElement) => Array.from((select as HTMLSelectElement).options).map((option) => option.value);

describe('inviting', () => {
  it('offers HR only the roles HR may hand out, each with what it may do', async () => {
    renderAs('hr');
    const role = await screen.findByLabelText('Role');
    expect(optionValues(role)).toEqual(['manager', 'viewer', 'employee']);
    expect((role as HTMLSelectElement).value).toBe('viewer');
    expect(within(role).getByRole('option', { name: /^Viewer: Read-only access/ })).toBeTruthy();
  });

  it('offers an Admin every role but Owner, and an Owner every role', async () => {
    renderAs('admin');
    expect(optionValues(await screen.findByLabelText('Role'))).toEqual(['admin', 'manager', 'hr', 'viewer', 'employee']);
    cleanup();
    renderAs('owner');
    expect(optionValues(await screen.findByLabelText('Role'))).toEqual(['owner', 'admin', 'manager', 'hr', 'viewer', 'employee']);
  });

  it('sends the invitation, says so, and lists it as pending', async () => {
    const api = renderAs('hr', {
      'POST /api/invitations': (request) => {
        const body = request.body as { email: string; role: Role };
        return { status: 201, body: { ...invitation, id: 'd4e5f6a7-0000-4000-8000-000000000003', email: body.email, role: body.role, invitedBy: 'Ana Test' } };
      },
    });
    fireEvent.change(await screen.findByLabelText('E-mail'), { target: { value: ' Max@Example.test ' } });
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'manager' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send invitation' }));
    expect(await screen.findByText(/Invitation sent to Max@Example.test as Manager/)).toBeTruthy();
    expect(api.sent.filter((request) => request.method === 'POST').map((request) => request.body)).toEqual([{ email: 'Max@Example.test', role: 'manager' }]);
    const pending = screen.getByRole('table', { name: 'Pending invitations' });
    expect(within(pending).getByText('Max@Example.test')).toBeTruthy();
    expect(screen.getByLabelText('E-mail')).toHaveProperty('value', '');
  });

  it('shows the server’s refusal and keeps the address typed', async () => {
    renderAs('owner', {
      'POST /api/invitations': () => ({ status: 409, body: { error: { code: 'member.already_member', message: 'eve.employee@example.test is already a member of this organisation.' } } }),
    });
    fireEvent.change(await screen.findByLabelText('E-mail'), { target: { value: 'eve.employee@example.test' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send invitation' }));
    expect(await screen.findByText('eve.employee@example.test is already a member of this organisation.')).toBeTruthy();
    expect(screen.getByLabelText('E-mail')).toHaveProperty('value', 'eve.employee@example.test');
  });

  it('a Viewer is offered no invitation, no changes and no withdrawals, but sees both lists', async () => {
    renderAs('viewer');
    const members = await screen.findByRole('table', { name: 'Members' });
    expect(within(members).getAllByRole('row')).toHaveLength(5);
    expect(await screen.findByRole('table', { name: 'Pending invitations' })).toBeTruthy();
    expect(screen.queryByLabelText('E-mail')).toBeNull();
    expect(screen.queryByRole('button', { name: /^(Change role|Remove|Withdraw)/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Leave organisation' })).toBeTruthy();
  });
});

describe('changing and removing members', () => {
  it('HR may change and remove an Employee, but not touch an Owner or Admin, nor withdraw an Admin’s invitation', async () => {
    renderAs('hr');
    await screen.findByRole('table', { name: 'Members' });
    expect(screen.getByRole('button', { name: 'Change role of Eve Employee' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Remove Eve Employee' })).toBeTruthy();
    for (const name of ['Olga Owner', 'Adam Admin', 'Ana Test']) {
      expect(screen.queryByRole('button', { name: `Change role of ${name}` })).toBeNull();
      expect(screen.queryByRole('button', { name: `Remove ${name}` })).toBeNull();
    }
    await screen.findByRole('table', { name: 'Pending invitations' });
    expect(screen.getByRole('button', { name: 'Withdraw the invitation for new.person@example.test' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Withdraw the invitation for boss@example.test' })).toBeNull();
  });

  it('changes a role after confirmation, offering only other roles the caller may give', async () => {
    const api = renderAs('hr', {
      [`PATCH /api/members/${employee.userId}`]: (request) => ({ body: { ...employee, role: (request.body as { role: Role }).role } }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Change role of Eve Employee' }));
    const dialog = document.querySelector('dialog[open]') as HTMLDialogElement;
    const newRole = within(dialog).getByLabelText('New role');
    expect(optionValues(newRole)).toEqual(['manager', 'viewer']);
    // The least privileged role is chosen to start with.
    expect((newRole as HTMLSelectElement).value).toBe('viewer');
    fireEvent.change(newRole, { target: { value: 'manager' } });
    fireEvent.change(newRole, { target: { value: 'viewer' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Change role' }));
    await waitFor(() => expect(dialog.open).toBe(false));
    expect(api.sent.find((request) => request.method === 'PATCH')?.body).toEqual({ role: 'viewer' });
    const row = screen.getByRole('row', { name: /Eve Employee/ });
    expect(within(row).getByText('Viewer')).toBeTruthy();
    expect(screen.getByText('Eve Employee is now Viewer.')).toBeTruthy();
  });

  it('removes a member after confirmation; the row goes', async () => {
    renderAs('admin', { [`DELETE /api/members/${employee.userId}`]: () => ({ body: { ok: true } }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Remove Eve Employee' }));
    const dialog = document.querySelector('dialog[open]') as HTMLDialogElement;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove member' }));
    await waitFor(() => expect(dialog.open).toBe(false));
    expect(screen.queryByRole('row', { name: /Eve Employee/ })).toBeNull();
  });
});

describe('leaving', () => {
  it('shows why the last Owner cannot leave, in the dialog, and stays', async () => {
    renderAs('owner', {
      'POST /api/members/leave': () => ({
        status: 409,
        body: { error: { code: 'member.last_owner', message: 'The organisation needs at least one Owner: make someone else an Owner first.' } },
      }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Leave organisation' }));
    const dialog = document.querySelector('dialog[open]') as HTMLDialogElement;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Leave organisation' }));
    expect(await within(dialog).findByText(/needs at least one Owner/)).toBeTruthy();
    expect(dialog.open).toBe(true);
  });
});
