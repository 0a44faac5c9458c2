import type { Role } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';

export interface MemberRow {
  user_id: string;
  name: string;
  email: string;
  role: Role;
  created_at: Date;
}

export async function insertMembership(tx: Queryable, membership: { orgId: string; userId: string; role: Role }): Promise<void> {
  await tx.query('INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)', [
    membership.orgId,
    membership.userId,
    membership.role,
  ]);
}

export async function findMembers(tx: Queryable): Promise<MemberRow[]> {
  const { rows } = await tx.query<MemberRow>(
    `SELECT m.user_id, u.name, u.email, m.role, m.created_at
       FROM memberships m JOIN users u ON u.id = m.user_id
      ORDER BY u.name, u.email`,
  );
  return rows;
}

/** One member, locked for the rest of the transaction (role changes and removals). */
export async function findMemberForUpdate(tx: Queryable, userId: string): Promise<MemberRow | undefined> {
  const { rows } = await tx.query<MemberRow>(
    `SELECT m.user_id, u.name, u.email, m.role, m.created_at
       FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.user_id = $1
      FOR UPDATE OF m`,
    [userId],
  );
  return rows[0];
}

/** How many Owners the organisation has. Callers hold the organisation lock, so the count stays true. */
export async function countOwners(tx: Queryable): Promise<number> {
  const { rows } = await tx.query<{ owners: number }>(`SELECT count(*)::int AS owners FROM memberships WHERE role = 'owner'`);
  return rows[0]?.owners ?? 0;
}

export async function updateMemberRole(tx: Queryable, userId: string, role: Role): Promise<void> {
  await tx.query('UPDATE memberships SET role = $2 WHERE user_id = $1', [userId, role]);
}

export async function deleteMembership(tx: Queryable, userId: string): Promise<void> {
  await tx.query('DELETE FROM memberships WHERE user_id = $1', [userId]);
}

export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  invited_by_name: string | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  token_hash: Uint8Array;
}

const INVITATION_COLUMNS = `i.id, i.email, i.role, u.name AS invited_by_name, i.created_at, i.expires_at, i.accepted_at,
  i.revoked_at, i.token_hash`;

export async function insertInvitation(
  tx: Queryable,
  invitation: { orgId: string; id: string; email: string; role: Role; tokenHash: Buffer; invitedBy: string; expiresAt: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO invitations (org_id, id, email, role, token_hash, invited_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [invitation.orgId, invitation.id, invitation.email, invitation.role, invitation.tokenHash, invitation.invitedBy, invitation.expiresAt],
  );
}

export async function findPendingInvitations(tx: Queryable): Promise<InvitationRow[]> {
  const { rows } = await tx.query<InvitationRow>(
    `SELECT ${INVITATION_COLUMNS} FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
      WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
      ORDER BY i.created_at DESC`,
  );
  return rows;
}

export async function findInvitationForUpdate(tx: Queryable, id: string): Promise<InvitationRow | undefined> {
  const { rows } = await tx.query<InvitationRow>(
    `SELECT ${INVITATION_COLUMNS} FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
      WHERE i.id = $1 FOR UPDATE OF i`,
    [id],
  );
  return rows[0];
}

/** The address's pending invitation, if any, locked so that a new invitation can replace it. */
export async function findPendingInvitationForUpdate(tx: Queryable, email: string): Promise<InvitationRow | undefined> {
  const { rows } = await tx.query<InvitationRow>(
    `SELECT ${INVITATION_COLUMNS} FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
      WHERE i.email = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL FOR UPDATE OF i`,
    [email],
  );
  return rows[0];
}

/** Ends any pending invitation for the address (a new invitation replaces it). */
export async function revokePendingInvitationsFor(tx: Queryable, email: string): Promise<void> {
  await tx.query('UPDATE invitations SET revoked_at = now() WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL', [email]);
}

export async function revokeInvitation(tx: Queryable, id: string): Promise<void> {
  await tx.query('UPDATE invitations SET revoked_at = now() WHERE id = $1', [id]);
}

export async function markInvitationAccepted(tx: Queryable, id: string, userId: string): Promise<void> {
  await tx.query('UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1', [id, userId]);
}

export async function isMember(tx: Queryable, userId: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM memberships WHERE user_id = $1', [userId]);
  return rows.length > 0;
}
