import { randomUUID } from 'node:crypto';
import type { CreateLicenseServerRequest, Feature, LicenseServer } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { auditActor, type AccessService, type AnyActor, type Principal, type RequestMeta } from '../access/access.service.ts';
import { recordAudit } from '../audit/audit.service.ts';
import {
  findLicenseServer,
  findLicenseServerByName,
  insertLicenseServer,
  listFeatures,
  listLicenseServers,
  updateFeatureSeats,
  updateLicenseServer,
  type FeatureRow,
  type LicenseServerRow,
} from './license-server.repo.ts';

export function presentLicenseServer(row: LicenseServerRow): LicenseServer {
  return { id: row.id, name: row.name, host: row.host, port: row.port, timeZone: row.time_zone, createdAt: row.created_at.toISOString() };
}

function presentFeature(row: FeatureRow): Feature {
  return { id: row.id, vendor: row.vendor, name: row.name, seatsOwned: row.seats_owned, createdAt: row.created_at.toISOString() };
}

/** Creates a license server in the transaction's organisation and audits it; a taken name is a conflict. */
export async function createLicenseServerIn(
  tx: Queryable,
  actor: AnyActor,
  request: { name: string; host: string; port: number | null; timeZone: string },
): Promise<LicenseServerRow> {
  const row = await insertLicenseServer(tx, { id: randomUUID(), ...request });
  if (!row) throw conflict('license_server.name_taken', `A license server named "${request.name}" already exists.`);
  await recordAudit(tx, {
    ...auditActor(actor),
    action: 'license_server.create',
    outcome: 'success',
    targetType: 'license_server',
    targetId: row.id,
    details: { name: row.name, timeZone: row.time_zone },
  });
  return row;
}

/** The license server an agent names, created on first sight with the time zone the agent states. */
export async function licenseServerForAgent(
  tx: Queryable,
  actor: AnyActor,
  server: { name: string; host: string; port: number | null; timeZone: string },
): Promise<LicenseServerRow> {
  return (await findLicenseServerByName(tx, server.name)) ?? (await createLicenseServerIn(tx, actor, server));
}

export type LicenseServerService = ReturnType<typeof createLicenseServerService>;

/** License servers and features: listing for anyone who reads usage, changes for license managers. */
export function createLicenseServerService(deps: { access: AccessService }) {
  const { access } = deps;
  return {
    async list(principal: Principal | null, meta: RequestMeta): Promise<LicenseServer[]> {
      return access.asMember(principal, meta, 'usage:read', async (tx) => (await listLicenseServers(tx)).map(presentLicenseServer));
    },

    async create(principal: Principal | null, meta: RequestMeta, request: CreateLicenseServerRequest & { host: string; port: number | null }): Promise<LicenseServer> {
      return access.asMember(principal, meta, 'license:manage', async (tx, actor) => presentLicenseServer(await createLicenseServerIn(tx, actor, request)));
    },

    async update(
      principal: Principal | null,
      meta: RequestMeta,
      id: string,
      change: { name?: string; host?: string; port?: number | null; timeZone?: string },
    ): Promise<LicenseServer> {
      return access.asMember(principal, meta, 'license:manage', async (tx, actor) => {
        const before = await findLicenseServer(tx, id);
        if (!before) throw notFound('The license server');
        if (change.name !== undefined && change.name.toLowerCase() !== before.name.toLowerCase() && (await findLicenseServerByName(tx, change.name))) {
          throw conflict('license_server.name_taken', `A license server named "${change.name}" already exists.`);
        }
        const row = (await updateLicenseServer(tx, id, change))!;
        await recordAudit(tx, {
          ...auditActor(actor),
          action: 'license_server.update',
          outcome: 'success',
          targetType: 'license_server',
          targetId: id,
          details: { change },
        });
        return presentLicenseServer(row);
      });
    },

    async listFeatures(principal: Principal | null, meta: RequestMeta): Promise<Feature[]> {
      return access.asMember(principal, meta, 'usage:read', async (tx) => (await listFeatures(tx)).map(presentFeature));
    },

    async setSeatsOwned(principal: Principal | null, meta: RequestMeta, id: string, seatsOwned: number | null): Promise<Feature> {
      return access.asMember(principal, meta, 'license:manage', async (tx, actor) => {
        const row = await updateFeatureSeats(tx, id, seatsOwned);
        if (!row) throw notFound('The feature');
        await recordAudit(tx, {
          ...auditActor(actor),
          action: 'feature.update',
          outcome: 'success',
          targetType: 'feature',
          targetId: id,
          details: { seatsOwned },
        });
        return presentFeature(row);
      });
    },
  };
}
