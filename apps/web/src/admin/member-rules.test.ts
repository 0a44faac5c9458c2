import { ROLES, type Role } from '@seatwise/protocol';
import { describe, expect, it } from 'vitest';
import { defaultInviteRole, mayManage, memberActions, rolesOffered } from './member-rules.ts';

const me = (role: Role | null) => ({ userId: 'me', role });
const member = (role: Role) => ({ userId: 'someone', role });

describe('roles offered per role', () => {
  it('Owners hand out every role, Admins all but Owner, HR up to Manager, the rest none', () => {
    expect(rolesOffered('owner')).toEqual(['owner', 'admin', 'manager', 'hr', 'viewer', 'employee']);
    expect(rolesOffered('admin')).toEqual(['admin', 'manager', 'hr', 'viewer', 'employee']);
    expect(rolesOffered('hr')).toEqual(['manager', 'viewer', 'employee']);
    for (const role of ['manager', 'viewer', 'employee'] as const) expect(rolesOffered(role)).toEqual([]);
    expect(rolesOffered(null)).toEqual([]);
  });

  it('only Owners touch Owners; HR does not touch Admins or other HR', () => {
    expect(mayManage('owner', 'owner')).toBe(true);
    expect(mayManage('admin', 'owner')).toBe(false);
    expect(mayManage('admin', 'admin')).toBe(true);
    expect(mayManage('hr', 'admin')).toBe(false);
    expect(mayManage('hr', 'hr')).toBe(false);
    expect(mayManage('hr', 'employee')).toBe(true);
    for (const role of ROLES) expect(mayManage('viewer', role)).toBe(false);
  });

  it('an invitation starts as Viewer, or the least privileged role offered', () => {
    expect(defaultInviteRole(rolesOffered('owner'))).toBe('viewer');
    expect(defaultInviteRole(['manager', 'employee'])).toBe('employee');
    expect(defaultInviteRole([])).toBeUndefined();
  });
});

describe('actions on a member row', () => {
  it('offers changes only to roles the caller may give, never the current one', () => {
    expect(memberActions(me('admin'), member('viewer'))).toEqual({ changeRoleTo: ['admin', 'manager', 'hr', 'employee'], remove: true });
    expect(memberActions(me('hr'), member('employee'))).toEqual({ changeRoleTo: ['manager', 'viewer'], remove: true });
  });

  it('offers nothing on a member the caller may not manage', () => {
    expect(memberActions(me('admin'), member('owner'))).toEqual({ changeRoleTo: [], remove: false });
    expect(memberActions(me('hr'), member('admin'))).toEqual({ changeRoleTo: [], remove: false });
    expect(memberActions(me('viewer'), member('employee'))).toEqual({ changeRoleTo: [], remove: false });
    expect(memberActions(me('manager'), member('employee'))).toEqual({ changeRoleTo: [], remove: false });
  });

  it('your own row offers nothing, whatever your role', () => {
    for (const role of ROLES) expect(memberActions(me(role), { userId: 'me', role })).toEqual({ changeRoleTo: [], remove: false });
  });
});
