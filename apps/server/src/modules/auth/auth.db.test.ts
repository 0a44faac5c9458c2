import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('sign-up and sign-in', () => {
  it('IN-01 sign-up creates the organisation with its first Owner', async () => {
    const owner = await t.newOrganization('ada');
    expect(owner.role).toBe('owner');
    const me = await t.request({ method: 'GET', url: '/api/auth/me', as: owner });
    expect(me.statusCode).toBe(200);
    expect(me.json().memberships).toEqual([{ orgId: owner.orgId, orgName: 'Company of ada', role: 'owner' }]);
  });
});
