import type { Role } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';

export interface ActiveMember {
  role: Role;
  name: string;
  email: string;
}

/**
 * The caller's membership, if their session is alive, their account enabled and they still belong to
 * the transaction's organisation. One query, run on every authenticated request.
 */
export async function findActiveMember(tx: Queryable, userId: string, sessionId: string): Promise<ActiveMember | undefined> {
  const { rows } = await tx.query<ActiveMember>(
    `SELECT m.role, u.name, u.email
       FROM memberships m
       JOIN users u ON u.id = m.user_id AND u.disabled_at IS NULL
       JOIN auth_sessions s ON s.id = $2 AND s.user_id = u.id AND s.revoked_at IS NULL
      WHERE m.org_id = nullif(current_setting('app.org_id', true), '')::uuid AND m.user_id = $1`,
    [userId, sessionId],
  );
  return rows[0];
}
