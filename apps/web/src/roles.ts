import { ROLE_DESCRIPTIONS, type Role } from '@seatwise/protocol';

const LABELS: Readonly<Record<Role, string>> = {
  owner: 'Owner',
  admin: 'Admin',
  manager: 'Manager',
  hr: 'HR',
  viewer: 'Viewer',
  employee: 'Employee',
};

/** A role's name as people read it ("HR", "Owner"). */
export function roleLabel(role: Role): string {
  return LABELS[role];
}

/** What the role may do, in a sentence. */
export function roleDescription(role: Role): string {
  return ROLE_DESCRIPTIONS[role];
}
