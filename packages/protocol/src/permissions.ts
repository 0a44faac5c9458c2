/**
 * The role and permission catalog shared by the server (which enforces it) and the web app (which only
 * offers what a role allows). Permissions are `resource:action`.
 */
export const ROLES = ['owner', 'admin', 'manager', 'hr', 'viewer', 'employee'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'org:read',
  'org:update',
  'member:read',
  'member:invite',
  'member:update',
  'member:remove',
  'audit:read',
  'audit:export',
  'usage:read',
  'usage:ingest',
  'license:manage',
  'apikey:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const everything: readonly Permission[] = PERMISSIONS;

/** What each role may do. Owner-only rules (adding, demoting or removing an Owner) are enforced on top. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  owner: everything,
  admin: everything,
  manager: ['org:read', 'member:read', 'usage:read'],
  hr: ['org:read', 'member:read', 'member:invite', 'member:update', 'member:remove', 'usage:read'],
  viewer: ['org:read', 'member:read', 'usage:read'],
  employee: ['org:read'],
};

/** Roles that a role may hand out or take away (HR manages people, but not privileged roles). */
export const ASSIGNABLE_ROLES: Readonly<Record<Role, readonly Role[]>> = {
  owner: ROLES,
  admin: ['admin', 'manager', 'hr', 'viewer', 'employee'],
  manager: [],
  hr: ['manager', 'viewer', 'employee'],
  viewer: [],
  employee: [],
};

/** Plain-language descriptions of the roles, shown wherever a role is chosen. */
export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  owner: 'Everything, including managing other Owners and organisation-wide security settings.',
  admin: 'Everything except adding, demoting or removing Owners.',
  manager: "Sees the organisation and its members; approves their own team's requests.",
  hr: 'Manages people: invites, changes roles up to Manager, and removes members (on- and off-boarding).',
  viewer: 'Read-only access to the organisation.',
  employee: 'Sees their own data and submits access requests.',
};

/** True when the role grants the permission. */
export function roleCan(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
