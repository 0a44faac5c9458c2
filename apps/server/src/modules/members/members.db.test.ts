import { randomBytes } from 'node:crypto';
import type { Role } from '@seatwise/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, strongPassword, type TestApp, type TestSession } from '../../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const uniqueEmail = (label: string) => `${label}.${randomBytes(5).toString('hex')}@example.test`;

interface ListedMember {
  userId: string;
  email: string;
  role: Role;
}
interface ListedInvitation {
  id: string;
  email: string;
  role: Role;
}

async function listMembers(as: TestSession): Promise<ListedMember[]> {
  const response = await t.request({ method: 'GET', url: '/api/members', as });
  expect(response.statusCode).toBe(200);
  return response.json().members;
}

async function listInvitations(as: TestSession): Promise<ListedInvitation[]> {
  const response = await t.request({ method: 'GET', url: '/api/invitations', as });
  expect(response.statusCode).toBe(200);
  return response.json().invitations;
}

async function roleOf(as: TestSession, userId: string): Promise<Role | undefined> {
  return (await listMembers(as)).find((member) => member.userId === userId)?.role;
}

function invite(as: TestSession, email: string, role: Role) {
  return t.request({ method: 'POST', url: '/api/invitations', as, payload: { email, role } });
}

function accept(payload: Record<string, unknown>, as?: TestSession) {
  return t.request({ method: 'POST', url: '/api/invitations/accept', payload, ...(as ? { as } : {}) });
}

function changeRole(as: TestSession, userId: string, role: Role) {
  return t.request({ method: 'PATCH', url: `/api/members/${userId}`, as, payload: { role } });
}

function remove(as: TestSession, userId: string) {
  return t.request({ method: 'DELETE', url: `/api/members/${userId}`, as });
}

function leave(as: TestSession) {
  return t.request({ method: 'POST', url: '/api/members/leave', as });
}

const errorCode = (response: { json(): unknown }) => (response.json() as { error?: { code?: string } }).error?.code;

async function outbox(to: string): Promise<{ subject: string; body_text: string }[]> {
  const { rows } = await t.database.owner.transaction((tx) =>
    tx.query<{ subject: string; body_text: string }>('SELECT subject, body_text FROM email_outbox WHERE to_address = $1 ORDER BY id', [to]),
  );
  return rows;
}

describe('invitations', () => {
  it('RBAC-01 an invitation by e-mail with a role is mailed, accepted with a new account, and lists the member with that role', async () => {
    const owner = await t.newOrganization('inviter');
    const email = uniqueEmail('newcomer');
    const invited = await invite(owner, email, 'manager');
    expect(invited.statusCode).toBe(201);
    expect(invited.json()).toMatchObject({ email, role: 'manager' });

    const mails = await outbox(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body_text).toContain('as manager');
    expect(mails[0]!.body_text).toContain('/accept-invite#token=');
    expect(await listInvitations(owner)).toEqual([expect.objectContaining({ id: invited.json().id, email, role: 'manager' })]);

    const password = strongPassword();
    const accepted = await accept({ token: await t.mailedToken(email), name: 'New Comer', password });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ orgId: owner.orgId, role: 'manager', newAccount: true });

    expect(await listMembers(owner)).toContainEqual(expect.objectContaining({ email, role: 'manager' }));
    expect(await listInvitations(owner)).toEqual([]);
    const newcomer = await t.signIn(email, password, owner.orgId);
    expect(newcomer.role).toBe('manager');
  });

  it('RBAC-01 accepting needs a name and a password when the address has no account yet', async () => {
    const owner = await t.newOrganization('inviter');
    const email = uniqueEmail('nameless');
    expect((await invite(owner, email, 'viewer')).statusCode).toBe(201);
    const token = await t.mailedToken(email);

    const missing = await accept({ token });
    expect(missing.statusCode).toBe(400);
    expect(errorCode(missing)).toBe('invitation.account_details_required');
    expect((await listMembers(owner)).map((m) => m.email)).not.toContain(email);

    const accepted = await accept({ token, name: 'Late Joiner', password: strongPassword() });
    expect(accepted.statusCode).toBe(200);
  });

  it('RBAC-01 an existing account must be signed in as the invited address to accept', async () => {
    const owner = await t.newOrganization('inviter');
    const existing = await t.newOrganization('existing');
    const stranger = await t.newOrganization('stranger');
    expect((await invite(owner, existing.email, 'viewer')).statusCode).toBe(201);
    const token = await t.mailedToken(existing.email);

    const anonymous = await accept({ token, name: 'Impostor', password: strongPassword() });
    expect(anonymous.statusCode).toBe(401);
    expect(errorCode(anonymous)).toBe('invitation.sign_in_required');

    const someoneElse = await accept({ token }, stranger);
    expect(someoneElse.statusCode).toBe(401);
    expect(errorCode(someoneElse)).toBe('invitation.sign_in_required');
    expect((await listMembers(owner)).map((m) => m.email)).not.toContain(existing.email);

    const accepted = await accept({ token }, existing);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ orgId: owner.orgId, role: 'viewer', newAccount: false });
    expect(await roleOf(owner, existing.userId)).toBe('viewer');
    // The account keeps its password and its own organisation.
    const again = await t.signIn(existing.email, existing.password, owner.orgId);
    expect(again.role).toBe('viewer');
    const me = await t.request({ method: 'GET', url: '/api/auth/me', as: again });
    expect(me.json().memberships.map((m: { orgId: string }) => m.orgId).sort()).toEqual([existing.orgId, owner.orgId].sort());
  });

  it('RBAC-01 a person signed in as someone else can still accept an invitation for a new address', async () => {
    const owner = await t.newOrganization('inviter');
    const bystander = await t.newOrganization('bystander');
    const email = uniqueEmail('shared-browser');
    expect((await invite(owner, email, 'employee')).statusCode).toBe(201);
    const accepted = await accept({ token: await t.mailedToken(email), name: 'Shared Browser', password: strongPassword() }, bystander);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ orgId: owner.orgId, role: 'employee', newAccount: true });
    expect((await listMembers(owner)).map((m) => m.email)).toContain(email);
    expect((await listMembers(owner)).map((m) => m.userId)).not.toContain(bystander.userId);
  });

  it('RBAC-01 an invitation token is single-use', async () => {
    const owner = await t.newOrganization('inviter');
    const email = uniqueEmail('once');
    expect((await invite(owner, email, 'employee')).statusCode).toBe(201);
    const token = await t.mailedToken(email);
    expect((await accept({ token, name: 'Once Only', password: strongPassword() })).statusCode).toBe(200);

    const replay = await accept({ token, name: 'Once Again', password: strongPassword() });
    expect(replay.statusCode).toBe(400);
    expect(errorCode(replay)).toBe('invitation.invalid');
    expect((await listMembers(owner)).filter((m) => m.email === email)).toHaveLength(1);
  });

  it('RBAC-01 an expired invitation cannot be accepted', async () => {
    const owner = await t.newOrganization('inviter');
    const email = uniqueEmail('late');
    const invited = await invite(owner, email, 'employee');
    expect(invited.statusCode).toBe(201);
    const token = await t.mailedToken(email);
    // Seven days pass.
    await t.database.owner.transaction((tx) =>
      tx.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [invited.json().id]),
    );

    const late = await accept({ token, name: 'Too Late', password: strongPassword() });
    expect(late.statusCode).toBe(400);
    expect(errorCode(late)).toBe('invitation.invalid');
    expect((await listMembers(owner)).map((m) => m.email)).not.toContain(email);
    expect(await listInvitations(owner)).toEqual([]);
  });

  it('RBAC-01 a revoked invitation cannot be accepted', async () => {
    const owner = await t.newOrganization('inviter');
    const email = uniqueEmail('withdrawn');
    const invited = await invite(owner, email, 'viewer');
    const token = await t.mailedToken(email);

    const revoked = await t.request({ method: 'DELETE', url: `/api/invitations/${invited.json().id}`, as: owner });
    expect(revoked.statusCode).toBe(200);
    expect(await listInvitations(owner)).toEqual([]);
    const again = await t.request({ method: 'DELETE', url: `/api/invitations/${invited.json().id}`, as: owner });
    expect(again.statusCode).toBe(404);

    const attempt = await accept({ token, name: 'Withdrawn', password: strongPassword() });
    expect(attempt.statusCode).toBe(400);
    expect(errorCode(attempt)).toBe('invitation.invalid');
    expect((await listMembers(owner)).map((m) => m.email)).not.toContain(email);
  });

  it('RBAC-01 inviting an address again replaces its pending invitation', async () => {
    const owner = await t.newOrganization('inviter');
    const email = uniqueEmail('twice');
    const first = await invite(owner, email, 'viewer');
    const firstToken = await t.mailedToken(email);
    const second = await invite(owner, email, 'hr');
    expect(second.statusCode).toBe(201);
    const secondToken = await t.mailedToken(email);
    expect(secondToken).not.toBe(firstToken);

    expect(await listInvitations(owner)).toEqual([expect.objectContaining({ id: second.json().id, email, role: 'hr' })]);
    expect(second.json().id).not.toBe(first.json().id);

    const stale = await accept({ token: firstToken, name: 'Stale Link', password: strongPassword() });
    expect(stale.statusCode).toBe(400);
    expect(errorCode(stale)).toBe('invitation.invalid');
    const fresh = await accept({ token: secondToken, name: 'Fresh Link', password: strongPassword() });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().role).toBe('hr');
  });

  it('RBAC-01 a member cannot be invited again', async () => {
    const owner = await t.newOrganization('inviter');
    const viewer = await t.addMember(owner, 'viewer');
    const response = await invite(owner, viewer.email, 'admin');
    expect(response.statusCode).toBe(409);
    expect(errorCode(response)).toBe('member.already_member');
    expect(await roleOf(owner, viewer.userId)).toBe('viewer');
  });

  it('RBAC-01 HR can invite Employees, Viewers and Managers but not Admins or Owners', async () => {
    const owner = await t.newOrganization('inviter');
    const hr = await t.addMember(owner, 'hr');
    for (const role of ['employee', 'viewer', 'manager'] as const) {
      const response = await invite(hr, uniqueEmail(`hr-${role}`), role);
      expect(response.statusCode, role).toBe(201);
    }
    const refused = [
      { role: 'admin', code: 'member.role_not_assignable' },
      { role: 'hr', code: 'member.role_not_assignable' },
      { role: 'owner', code: 'member.owner_only' },
    ] as const;
    for (const { role, code } of refused) {
      const email = uniqueEmail(`hr-${role}`);
      const response = await invite(hr, email, role);
      expect(response.statusCode, role).toBe(403);
      expect(errorCode(response), role).toBe(code);
      expect(await outbox(email)).toEqual([]);
    }
    expect((await listInvitations(owner)).map((i) => i.role).sort()).toEqual(['employee', 'manager', 'viewer']);
  });

  it('RBAC-01 HR cannot withdraw or replace a pending Admin invitation', async () => {
    const owner = await t.newOrganization('inviter');
    const hr = await t.addMember(owner, 'hr');
    const email = uniqueEmail('future-admin');
    const invited = await invite(owner, email, 'admin');
    const token = await t.mailedToken(email);

    const withdraw = await t.request({ method: 'DELETE', url: `/api/invitations/${invited.json().id}`, as: hr });
    expect(withdraw.statusCode).toBe(403);
    const replace = await invite(hr, email, 'employee');
    expect(replace.statusCode).toBe(403);
    expect(errorCode(replace)).toBe('member.role_not_assignable');

    expect(await listInvitations(owner)).toEqual([expect.objectContaining({ id: invited.json().id, role: 'admin' })]);
    const accepted = await accept({ token, name: 'Future Admin', password: strongPassword() });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().role).toBe('admin');
  });

  it('RBAC-01 HR changes roles up to Manager and removes those members, but not Admins', async () => {
    const owner = await t.newOrganization('inviter');
    const hr = await t.addMember(owner, 'hr');
    const admin = await t.addMember(owner, 'admin');
    const employee = await t.addMember(owner, 'employee');

    expect((await changeRole(hr, employee.userId, 'manager')).statusCode).toBe(200);
    expect(await roleOf(owner, employee.userId)).toBe('manager');
    const promote = await changeRole(hr, employee.userId, 'admin');
    expect(promote.statusCode).toBe(403);
    expect(errorCode(promote)).toBe('member.role_not_assignable');
    const demoteAdmin = await changeRole(hr, admin.userId, 'employee');
    expect(demoteAdmin.statusCode).toBe(403);
    expect(errorCode(demoteAdmin)).toBe('member.role_not_assignable');
    const removeAdmin = await remove(hr, admin.userId);
    expect(removeAdmin.statusCode).toBe(403);
    expect(await roleOf(owner, admin.userId)).toBe('admin');
    expect(await roleOf(owner, employee.userId)).toBe('manager');

    expect((await remove(hr, employee.userId)).statusCode).toBe(200);
    expect(await roleOf(owner, employee.userId)).toBeUndefined();
  });
});

describe('owners', () => {
  it('RBAC-01 only an Owner can add an Owner', async () => {
    const owner = await t.newOrganization('founder');
    const admin = await t.addMember(owner, 'admin');
    const employee = await t.addMember(owner, 'employee');

    const byAdmin = await invite(admin, uniqueEmail('would-be-owner'), 'owner');
    expect(byAdmin.statusCode).toBe(403);
    expect(errorCode(byAdmin)).toBe('member.owner_only');
    const promoteByAdmin = await changeRole(admin, employee.userId, 'owner');
    expect(promoteByAdmin.statusCode).toBe(403);
    expect(errorCode(promoteByAdmin)).toBe('member.owner_only');
    expect(await roleOf(owner, employee.userId)).toBe('employee');

    const co = await t.addMember(owner, 'owner', 'co-owner');
    expect(co.role).toBe('owner');
    expect((await changeRole(owner, employee.userId, 'owner')).statusCode).toBe(200);
    expect(await roleOf(owner, employee.userId)).toBe('owner');
  });

  it('RBAC-01 only an Owner can demote or remove an Owner', async () => {
    const owner = await t.newOrganization('founder');
    const second = await t.addMember(owner, 'owner', 'second-owner');
    const admin = await t.addMember(owner, 'admin');
    const hr = await t.addMember(owner, 'hr');

    for (const actor of [admin, hr]) {
      const demote = await changeRole(actor, second.userId, 'viewer');
      expect(demote.statusCode, actor.role).toBe(403);
      expect(errorCode(demote), actor.role).toBe('member.owner_only');
      const removal = await remove(actor, second.userId);
      expect(removal.statusCode, actor.role).toBe(403);
      expect(errorCode(removal), actor.role).toBe('member.owner_only');
    }
    expect(await roleOf(owner, second.userId)).toBe('owner');

    expect((await changeRole(owner, second.userId, 'admin')).statusCode).toBe(200);
    expect(await roleOf(owner, second.userId)).toBe('admin');
    expect((await changeRole(owner, second.userId, 'owner')).statusCode).toBe(200);
    expect((await remove(owner, second.userId)).statusCode).toBe(200);
    expect(await roleOf(owner, second.userId)).toBeUndefined();
  });

  it('RBAC-01 the last Owner cannot leave, be demoted or be removed', async () => {
    const owner = await t.newOrganization('sole');
    const admin = await t.addMember(owner, 'admin');

    const left = await leave(owner);
    expect(left.statusCode).toBe(409);
    expect(errorCode(left)).toBe('member.last_owner');
    const demoted = await changeRole(owner, owner.userId, 'admin');
    expect(demoted.statusCode).toBe(409);
    expect(errorCode(demoted)).toBe('member.last_owner');
    const removed = await remove(owner, owner.userId);
    expect(removed.statusCode).toBe(409);
    expect(errorCode(removed)).toBe('member.last_owner');
    expect(await roleOf(admin, owner.userId)).toBe('owner');

    // With a second Owner, the first may go.
    const second = await t.addMember(owner, 'owner', 'successor');
    expect((await leave(owner)).statusCode).toBe(200);
    expect((await listMembers(second)).filter((m) => m.role === 'owner').map((m) => m.userId)).toEqual([second.userId]);
    const lastLeaves = await leave(second);
    expect(lastLeaves.statusCode).toBe(409);
  });

  it('RBAC-01 two Owners demoting each other at the same moment leave exactly one Owner', async () => {
    // On PostgreSQL the two requests really run at once, on two connections; on PGlite they queue.
    for (let round = 0; round < 4; round += 1) {
      const first = await t.newOrganization(`rival-a${round}`);
      const second = await t.addMember(first, 'owner', `rival-b${round}`);
      const responses = await Promise.all([changeRole(first, second.userId, 'admin'), changeRole(second, first.userId, 'admin')]);
      const bodies = responses.map((response) => `${response.statusCode} ${response.body}`).join(' | ');
      expect(responses.filter((response) => response.statusCode === 200), bodies).toHaveLength(1);
      // The other is refused: the organisation would lose its last Owner, or (when the winner went first
      // entirely) its caller is no longer an Owner. Never a server error.
      const loser = responses.find((response) => response.statusCode !== 200)!;
      expect([`409 member.last_owner`, `403 member.owner_only`], bodies).toContain(`${loser.statusCode} ${errorCode(loser)}`);

      const { rows } = await t.database.owner.transaction((tx) =>
        tx.query<{ role: Role }>('SELECT role FROM memberships WHERE org_id = $1 ORDER BY role', [first.orgId]),
      );
      expect(rows.map((row) => row.role)).toEqual(['admin', 'owner']);
    }
  });

  it('RBAC-01 two Owners leaving at the same moment leave exactly one Owner', async () => {
    for (let round = 0; round < 3; round += 1) {
      const first = await t.newOrganization(`leaver-a${round}`);
      const second = await t.addMember(first, 'owner', `leaver-b${round}`);
      const responses = await Promise.all([leave(first), remove(second, second.userId)]);
      const bodies = responses.map((response) => `${response.statusCode} ${response.body}`).join(' | ');
      expect(responses.map((response) => `${response.statusCode} ${response.statusCode === 200 ? '' : errorCode(response)}`).sort(), bodies).toEqual([
        '200 ',
        '409 member.last_owner',
      ]);
      const { rows } = await t.database.owner.transaction((tx) =>
        tx.query<{ role: Role }>('SELECT role FROM memberships WHERE org_id = $1', [first.orgId]),
      );
      expect(rows.map((row) => row.role)).toEqual(['owner']);
    }
  });
});

describe('removal and leaving', () => {
  it('AUTH-03 a removed member is refused on the next request', async () => {
    const owner = await t.newOrganization('remover');
    const employee = await t.addMember(owner, 'employee');
    expect((await t.request({ method: 'GET', url: '/api/org', as: employee })).statusCode).toBe(200);

    const removed = await remove(owner, employee.userId);
    expect(removed.statusCode).toBe(200);

    // The access token is still within its 15 minutes, and is refused all the same.
    for (const url of ['/api/org', '/api/members']) {
      const response = await t.request({ method: 'GET', url, as: employee });
      expect(response.statusCode, url).toBe(401);
      expect(errorCode(response), url).toBe('auth.session_ended');
    }
    expect((await listMembers(owner)).map((m) => m.userId)).not.toContain(employee.userId);

    const { rows } = await t.database.owner.transaction((tx) =>
      tx.query<{ action: string; target_id: string; actor_user_id: string }>(
        `SELECT action, target_id, actor_user_id FROM audit_events WHERE org_id = $1 AND action = 'member.remove'`,
        [owner.orgId],
      ),
    );
    expect(rows).toEqual([{ action: 'member.remove', target_id: employee.userId, actor_user_id: owner.userId }]);
  });

  it('RBAC-01 a member who leaves is refused on the next request', async () => {
    const owner = await t.newOrganization('host');
    const viewer = await t.addMember(owner, 'viewer');
    expect((await leave(viewer)).statusCode).toBe(200);
    const response = await t.request({ method: 'GET', url: '/api/org', as: viewer });
    expect(response.statusCode).toBe(401);
    expect(errorCode(response)).toBe('auth.session_ended');
    expect(await roleOf(owner, viewer.userId)).toBeUndefined();
  });
});

describe('tenancy', () => {
  it("TEN-01 another organisation's object answers 404", async () => {
    const ownerA = await t.newOrganization('tenant-a');
    const ownerB = await t.newOrganization('tenant-b');
    const memberB = await t.addMember(ownerB, 'employee');
    const invitationB = await invite(ownerB, uniqueEmail('tenant-b-invitee'), 'viewer');
    expect(invitationB.statusCode).toBe(201);

    for (const target of [memberB.userId, ownerB.userId]) {
      const patch = await changeRole(ownerA, target, 'admin');
      expect(patch.statusCode).toBe(404);
      expect(errorCode(patch)).toBe('not_found');
      const del = await remove(ownerA, target);
      expect(del.statusCode).toBe(404);
      expect(errorCode(del)).toBe('not_found');
    }
    const withdraw = await t.request({ method: 'DELETE', url: `/api/invitations/${invitationB.json().id}`, as: ownerA });
    expect(withdraw.statusCode).toBe(404);
    expect(errorCode(withdraw)).toBe('not_found');

    // The same answer as for an id that exists nowhere.
    const nowhere = await changeRole(ownerA, '00000000-0000-4000-8000-000000000000', 'admin');
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json()).toEqual((await changeRole(ownerA, memberB.userId, 'admin')).json());

    // Nothing changed in organisation B.
    expect(await roleOf(ownerB, memberB.userId)).toBe('employee');
    expect(await roleOf(ownerB, ownerB.userId)).toBe('owner');
    expect(await listInvitations(ownerB)).toEqual([expect.objectContaining({ id: invitationB.json().id })]);
    expect((await listMembers(ownerA)).map((m) => m.userId)).toEqual([ownerA.userId]);
  });
});
