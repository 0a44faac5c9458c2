import type { Role } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  email_verified_at: Date | null;
  disabled_at: Date | null;
}

const USER_COLUMNS = 'id, email, name, password_hash, email_verified_at, disabled_at';

export async function findUserByEmail(tx: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
  return rows[0];
}

/** A person's account without credentials: what an organisation may see of its members and invitees. */
export type AccountRow = Omit<UserRow, 'password_hash'>;

export async function findAccountByEmail(tx: Queryable, email: string): Promise<AccountRow | undefined> {
  const { rows } = await tx.query<AccountRow>('SELECT id, email, name, email_verified_at, disabled_at FROM users WHERE email = $1', [email]);
  return rows[0];
}

export async function findUserById(tx: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

export async function insertUser(
  tx: Queryable,
  user: { id: string; email: string; name: string; passwordHash: string; emailVerified: boolean },
): Promise<void> {
  await tx.query(
    `INSERT INTO users (id, email, name, password_hash, email_verified_at)
     VALUES ($1, $2, $3, $4, CASE WHEN $5::boolean THEN now() END)`,
    [user.id, user.email, user.name, user.passwordHash, user.emailVerified],
  );
}

export async function updateUserPassword(tx: Queryable, userId: string, passwordHash: string): Promise<void> {
  await tx.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [userId, passwordHash]);
}

export async function markUserEmailVerified(tx: Queryable, userId: string): Promise<void> {
  await tx.query('UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1', [userId]);
}

export interface MembershipOfUser {
  org_id: string;
  org_name: string;
  role: Role;
}

/** Every organisation a person belongs to (cross-tenant: call it in a system transaction). */
export async function findMembershipsByUser(tx: Queryable, userId: string): Promise<MembershipOfUser[]> {
  const { rows } = await tx.query<MembershipOfUser>(
    `SELECT m.org_id, o.name AS org_name, m.role
       FROM memberships m JOIN organizations o ON o.id = m.org_id AND o.deleted_at IS NULL
      WHERE m.user_id = $1
      ORDER BY m.created_at, o.name`,
    [userId],
  );
  return rows;
}

export async function insertSession(
  tx: Queryable,
  session: { id: string; userId: string; orgId: string | null; ip: string | null; userAgent: string | null },
): Promise<void> {
  await tx.query('INSERT INTO auth_sessions (id, user_id, active_org_id, ip, user_agent) VALUES ($1, $2, $3, $4, $5)', [
    session.id,
    session.userId,
    session.orgId,
    session.ip,
    session.userAgent,
  ]);
}

export interface SessionRow {
  id: string;
  user_id: string;
  active_org_id: string | null;
  revoked_at: Date | null;
}

export async function findSession(tx: Queryable, sessionId: string): Promise<SessionRow | undefined> {
  const { rows } = await tx.query<SessionRow>('SELECT id, user_id, active_org_id, revoked_at FROM auth_sessions WHERE id = $1', [sessionId]);
  return rows[0];
}

export async function updateSessionOrg(tx: Queryable, sessionId: string, orgId: string | null): Promise<void> {
  await tx.query('UPDATE auth_sessions SET active_org_id = $2, last_used_at = now() WHERE id = $1', [sessionId, orgId]);
}

export async function revokeSession(tx: Queryable, sessionId: string, reason: string): Promise<void> {
  await tx.query(
    'UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL',
    [sessionId, reason],
  );
}

/** Revokes every live session of a person except `keepSessionId`; returns how many. */
export async function revokeUserSessions(tx: Queryable, userId: string, reason: string, keepSessionId: string | null): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3)`,
    [userId, reason, keepSessionId],
  );
  return rowCount;
}

export async function insertRefreshToken(tx: Queryable, token: { hash: Buffer; sessionId: string; expiresAt: Date }): Promise<void> {
  await tx.query('INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)', [
    token.hash,
    token.sessionId,
    token.expiresAt,
  ]);
}

export interface RefreshTokenRow {
  session_id: string;
  expires_at: Date;
  used_at: Date | null;
  user_id: string;
  active_org_id: string | null;
  session_revoked_at: Date | null;
  user_disabled_at: Date | null;
}

/** The token with its session, locked so that two concurrent refreshes are decided one after the other. */
export async function findRefreshTokenForUpdate(tx: Queryable, hash: Buffer): Promise<RefreshTokenRow | undefined> {
  const { rows } = await tx.query<RefreshTokenRow>(
    `SELECT t.session_id, t.expires_at, t.used_at, s.user_id, s.active_org_id,
            s.revoked_at AS session_revoked_at, u.disabled_at AS user_disabled_at
       FROM refresh_tokens t
       JOIN auth_sessions s ON s.id = t.session_id
       JOIN users u ON u.id = s.user_id
      WHERE t.token_hash = $1
      FOR UPDATE OF t, s`,
    [hash],
  );
  return rows[0];
}

export async function markRefreshTokenUsed(tx: Queryable, hash: Buffer): Promise<void> {
  await tx.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [hash]);
}

export async function insertEmailToken(
  tx: Queryable,
  token: { hash: Buffer; userId: string; purpose: 'verify_email' | 'reset_password'; expiresAt: Date },
): Promise<void> {
  await tx.query('INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)', [
    token.hash,
    token.userId,
    token.purpose,
    token.expiresAt,
  ]);
}

/** Spends a single-use e-mail token: returns its user once, and never again (nor after expiry). */
export async function consumeEmailToken(
  tx: Queryable,
  hash: Buffer,
  purpose: 'verify_email' | 'reset_password',
): Promise<string | undefined> {
  const { rows } = await tx.query<{ user_id: string }>(
    `UPDATE email_tokens SET used_at = now()
      WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
      RETURNING user_id`,
    [hash, purpose],
  );
  return rows[0]?.user_id;
}

/** The user of an unspent, unexpired token, without spending it. */
export async function findLiveEmailTokenUser(
  tx: Queryable,
  hash: Buffer,
  purpose: 'verify_email' | 'reset_password',
): Promise<string | undefined> {
  const { rows } = await tx.query<{ user_id: string }>(
    'SELECT user_id FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()',
    [hash, purpose],
  );
  return rows[0]?.user_id;
}

/** Ends a person's other unspent tokens of a purpose (a new reset link replaces older ones). */
export async function expireEmailTokens(tx: Queryable, userId: string, purpose: 'verify_email' | 'reset_password'): Promise<void> {
  await tx.query('UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL', [userId, purpose]);
}
