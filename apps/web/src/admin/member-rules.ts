/**
 * What a person may do on the Members page, from their role. The server enforces the same rules
 * (ASSIGNABLE_ROLES, and only Owners touch Owners); the page offers only what would be allowed.
 */
import { ASSIGNABLE_ROLES, roleCan, type Member, type Role } from '@seatwise/protocol';

/** The roles `myRole` may hand out, by invitation or a change of role, most privileged first. */
export function rolesOffered(myRole: Role | null): readonly Role[] {
  return myRole ? ASSIGNABLE_ROLES[myRole] : [];
}

/** True when `myRole` may change, remove or withdraw an invitation for someone who has `targetRole`. */
export function mayManage(myRole: Role | null, targetRole: Role): boolean {
  return rolesOffered(myRole).includes(targetRole);
}

/** The role an invitation starts with: Viewer (read-only) when offered, else the least privileged offered. */
export function defaultInviteRole(offered: readonly Role[]): Role | undefined {
  return offered.includes('viewer') ? 'viewer' : offered.at(-1);
}

export interface MemberActions {
  /** Roles the member can be changed to (never their current one); empty when the role cannot be changed. */
  changeRoleTo: Role[];
  remove: boolean;
}

/**
 * What the page offers on one member's row. Your own row offers nothing: a change of your own role is for
 * someone else to make, so nobody locks themselves out by a slip; leaving has its own place on the page.
 */
export function memberActions(me: { userId: string; role: Role | null }, member: Pick<Member, 'userId' | 'role'>): MemberActions {
  if (member.userId === me.userId) return { changeRoleTo: [], remove: false };
  const role = me.role;
  const manageable = mayManage(role, member.role);
  return {
    changeRoleTo: role && manageable && roleCan(role, 'member:update') ? rolesOffered(role).filter((offered) => offered !== member.role) : [],
    remove: Boolean(role && manageable && roleCan(role, 'member:remove')),
  };
}
