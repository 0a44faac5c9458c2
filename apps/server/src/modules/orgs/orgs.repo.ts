import type { Queryable } from '../../db/connect.ts';

export interface OrganizationRow {
  id: string;
  name: string;
  created_at: Date;
}

export async function insertOrganization(tx: Queryable, org: { id: string; name: string }): Promise<void> {
  await tx.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [org.id, org.name]);
}

/** The transaction's own organisation (RLS shows no other). */
export async function findCurrentOrganization(tx: Queryable): Promise<OrganizationRow | undefined> {
  const { rows } = await tx.query<OrganizationRow>('SELECT id, name, created_at FROM organizations WHERE deleted_at IS NULL');
  return rows[0];
}

/**
 * Locks the transaction's organisation row until commit, so that changes which must see each other
 * (who the Owners are) take turns. Foreign-key checks from new rows (KEY SHARE) are not blocked.
 */
export async function lockCurrentOrganization(tx: Queryable): Promise<void> {
  await tx.query(`SELECT id FROM organizations WHERE id = nullif(current_setting('app.org_id', true), '')::uuid FOR NO KEY UPDATE`);
}

export async function updateOrganizationName(tx: Queryable, orgId: string, name: string): Promise<void> {
  await tx.query('UPDATE organizations SET name = $2 WHERE id = $1', [orgId, name]);
}
