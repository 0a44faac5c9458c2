import { ROLES, type Role } from '@seatwise/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestSession } from '../../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const errorCode = (response: { json(): unknown }) => (response.json() as { error?: { code?: string } }).error?.code;

function getOrg(as: TestSession) {
  return t.request({ method: 'GET', url: '/api/org', as });
}

function rename(as: TestSession, payload: unknown) {
  return t.request({ method: 'PATCH', url: '/api/org', as, payload: payload as Record<string, unknown> });
}

/** The organisation's name as stored, read past the API. */
async function storedName(orgId: string): Promise<string | undefined> {
  const { rows } = await t.database.owner.transaction((tx) => tx.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [orgId]));
  return rows[0]?.name;
}

async function renameEvents(orgId: string) {
  const { rows } = await t.database.owner.transaction((tx) =>
    tx.query<{ actor_user_id: string; target_id: string; outcome: string; details: Record<string, unknown> }>(
      `SELECT actor_user_id, target_id, outcome, details FROM audit_events WHERE org_id = $1 AND action = 'org.update' ORDER BY seq`,
      [orgId],
    ),
  );
  return rows;
}

describe('the current organisation', () => {
  it('RBAC-01 every member reads the organisation they are signed in to', async () => {
    const owner = await t.newOrganization('reader');
    const response = await getOrg(owner);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: owner.orgId, name: 'Company of reader', createdAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(response.json().createdAt))).toBe(false);

    const employee = await t.addMember(owner, 'employee');
    expect((await getOrg(employee)).json()).toMatchObject({ id: owner.orgId, name: 'Company of reader' });
  });

  it('TEN-01 a member of two organisations reads the one their session works in', async () => {
    const first = await t.newOrganization('first');
    const second = await t.newOrganization('second');
    const invite = await t.request({ method: 'POST', url: '/api/invitations', as: second, payload: { email: first.email, role: 'viewer' } });
    expect(invite.statusCode).toBe(201);
    const accepted = await t.request({ method: 'POST', url: '/api/invitations/accept', as: first, payload: { token: await t.mailedToken(first.email) } });
    expect(accepted.statusCode).toBe(200);

    expect((await getOrg(first)).json()).toMatchObject({ id: first.orgId, name: 'Company of first' });
    const inSecond = await t.signIn(first.email, first.password, second.orgId);
    expect((await getOrg(inSecond)).json()).toMatchObject({ id: second.orgId, name: 'Company of second' });
  });
});

describe('renaming', () => {
  it('RBAC-01 only Owners and Admins rename the organisation, and each rename is audited', async () => {
    const owner = await t.newOrganization('renamer');
    const members = { owner } as Record<Role, TestSession>;
    for (const role of ROLES) if (role !== 'owner') members[role] = await t.addMember(owner, role);

    const byOwner = await rename(owner, { name: '  Harbour Instruments  ' });
    expect(byOwner.statusCode).toBe(200);
    expect(byOwner.json()).toMatchObject({ id: owner.orgId, name: 'Harbour Instruments' });
    expect((await getOrg(members.viewer)).json().name).toBe('Harbour Instruments');

    const byAdmin = await rename(members.admin, { name: 'Harbour Instruments Ltd' });
    expect(byAdmin.statusCode).toBe(200);
    expect(await storedName(owner.orgId)).toBe('Harbour Instruments Ltd');

    for (const role of ['manager', 'hr', 'viewer', 'employee'] as const) {
      const refused = await rename(members[role], { name: `Renamed by ${role}` });
      expect(refused.statusCode, role).toBe(403);
      expect(errorCode(refused), role).toBe('auth.forbidden');
    }
    expect(await storedName(owner.orgId)).toBe('Harbour Instruments Ltd');

    expect(await renameEvents(owner.orgId)).toEqual([
      {
        actor_user_id: owner.userId,
        target_id: owner.orgId,
        outcome: 'success',
        details: { from: 'Company of renamer', to: 'Harbour Instruments' },
      },
      {
        actor_user_id: members.admin.userId,
        target_id: owner.orgId,
        outcome: 'success',
        details: { from: 'Harbour Instruments', to: 'Harbour Instruments Ltd' },
      },
    ]);
  });

  it('SEC-01 invalid input gets a 400 with the field and changes nothing', async () => {
    const owner = await t.newOrganization('validator');
    const cases: { payload: unknown; path: string }[] = [
      { payload: { name: '' }, path: 'body.name' },
      { payload: { name: '    ' }, path: 'body.name' },
      { payload: { name: 'x'.repeat(201) }, path: 'body.name' },
      { payload: { name: 42 }, path: 'body.name' },
      { payload: {}, path: 'body.name' },
      { payload: { name: 'Sneaky Ltd', deletedAt: '2020-01-01T00:00:00Z' }, path: 'body' },
    ];
    for (const { payload, path } of cases) {
      const response = await rename(owner, payload);
      const label = JSON.stringify(payload).slice(0, 60);
      expect(response.statusCode, label).toBe(400);
      const error = response.json().error;
      expect(error.code, label).toBe('validation_failed');
      expect(error.issues.map((issue: { path: string }) => issue.path), label).toContain(path);
      expect(error.message, label).toContain(path);
    }
    const unknownField = await rename(owner, { name: 'Sneaky Ltd', deletedAt: '2020-01-01T00:00:00Z' });
    expect(unknownField.json().error.message).toContain('deletedAt');

    expect(await storedName(owner.orgId)).toBe('Company of validator');
    expect((await getOrg(owner)).json().name).toBe('Company of validator');
    expect(await renameEvents(owner.orgId)).toEqual([]);
  });

  it('TEN-01 renaming one organisation leaves every other unchanged', async () => {
    const mine = await t.newOrganization('mine');
    const theirs = await t.newOrganization('theirs');
    expect((await rename(mine, { name: 'Mine Renamed' })).statusCode).toBe(200);
    expect(await storedName(theirs.orgId)).toBe('Company of theirs');
    expect((await getOrg(theirs)).json()).toMatchObject({ id: theirs.orgId, name: 'Company of theirs' });
    expect(await renameEvents(theirs.orgId)).toEqual([]);
  });
});
