import type { Queryable } from '../../db/connect.ts';
import { CURRENT_ORG_SQL } from '../../db/tenant.ts';

export interface LicenseServerRow {
  id: string;
  name: string;
  host: string;
  port: number | null;
  time_zone: string;
  created_at: Date;
}

export interface FeatureRow {
  id: string;
  vendor: string;
  name: string;
  seats_owned: number | null;
  created_at: Date;
}

const SERVER_COLUMNS = 'id, name, host, port, time_zone, created_at';

export async function listLicenseServers(tx: Queryable): Promise<LicenseServerRow[]> {
  const { rows } = await tx.query<LicenseServerRow>(`SELECT ${SERVER_COLUMNS} FROM license_servers ORDER BY lower(name)`);
  return rows;
}

export async function findLicenseServer(tx: Queryable, id: string): Promise<LicenseServerRow | undefined> {
  const { rows } = await tx.query<LicenseServerRow>(`SELECT ${SERVER_COLUMNS} FROM license_servers WHERE id = $1`, [id]);
  return rows[0];
}

export async function findLicenseServerByName(tx: Queryable, name: string): Promise<LicenseServerRow | undefined> {
  const { rows } = await tx.query<LicenseServerRow>(`SELECT ${SERVER_COLUMNS} FROM license_servers WHERE lower(name) = lower($1)`, [name]);
  return rows[0];
}

/** Inserts a license server; undefined when the name is taken (names compare case-insensitively). */
export async function insertLicenseServer(
  tx: Queryable,
  server: { id: string; name: string; host: string; port: number | null; timeZone: string },
): Promise<LicenseServerRow | undefined> {
  const { rows } = await tx.query<LicenseServerRow>(
    `INSERT INTO license_servers (org_id, id, name, host, port, time_zone)
     VALUES (${CURRENT_ORG_SQL}, $1, $2, $3, $4, $5)
     ON CONFLICT (org_id, lower(name)) DO NOTHING
     RETURNING ${SERVER_COLUMNS}`,
    [server.id, server.name, server.host, server.port, server.timeZone],
  );
  return rows[0];
}

export async function updateLicenseServer(
  tx: Queryable,
  id: string,
  change: { name?: string; host?: string; port?: number | null; timeZone?: string },
): Promise<LicenseServerRow | undefined> {
  const { rows } = await tx.query<LicenseServerRow>(
    `UPDATE license_servers SET
       name = coalesce($2, name),
       host = coalesce($3, host),
       port = CASE WHEN $4::boolean THEN $5::int ELSE port END,
       time_zone = coalesce($6, time_zone)
     WHERE id = $1
     RETURNING ${SERVER_COLUMNS}`,
    [id, change.name ?? null, change.host ?? null, change.port !== undefined, change.port ?? null, change.timeZone ?? null],
  );
  return rows[0];
}

export async function listFeatures(tx: Queryable): Promise<FeatureRow[]> {
  const { rows } = await tx.query<FeatureRow>('SELECT id, vendor, name, seats_owned, created_at FROM features ORDER BY lower(vendor), lower(name)');
  return rows;
}

export async function updateFeatureSeats(tx: Queryable, id: string, seatsOwned: number | null): Promise<FeatureRow | undefined> {
  const { rows } = await tx.query<FeatureRow>(
    'UPDATE features SET seats_owned = $2 WHERE id = $1 RETURNING id, vendor, name, seats_owned, created_at',
    [id, seatsOwned],
  );
  return rows[0];
}
