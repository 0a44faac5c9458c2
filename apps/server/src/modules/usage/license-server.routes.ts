import {
  CreateLicenseServerRequest,
  Feature,
  FeatureList,
  FeatureParams,
  LicenseServer,
  LicenseServerList,
  LicenseServerParams,
  UpdateFeatureRequest,
  UpdateLicenseServerRequest,
} from '@seatwise/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requestMeta } from '../../http/route-access.ts';
import type { LicenseServerService } from './license-server.service.ts';

const tags = ['license servers'];

export function registerLicenseServerRoutes(app: FastifyInstance, servers: LicenseServerService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/license-servers', {
    config: { access: 'usage:read', apiKeyScope: 'read' },
    schema: { tags, summary: 'License servers of your organisation', response: { 200: LicenseServerList } },
    handler: async (request) => ({ licenseServers: await servers.list(request.principal, requestMeta(request)) }),
  });
  r.post('/api/license-servers', {
    config: { access: 'license:manage' },
    schema: { tags, summary: 'Add a license server (its time zone reads its logs)', body: CreateLicenseServerRequest, response: { 201: LicenseServer } },
    handler: async (request, reply) => reply.code(201).send(await servers.create(request.principal, requestMeta(request), request.body)),
  });
  r.patch('/api/license-servers/:licenseServerId', {
    config: { access: 'license:manage' },
    schema: { tags, summary: 'Change a license server', params: LicenseServerParams, body: UpdateLicenseServerRequest, response: { 200: LicenseServer } },
    handler: async (request) => servers.update(request.principal, requestMeta(request), request.params.licenseServerId, request.body),
  });
  r.get('/api/features', {
    config: { access: 'usage:read', apiKeyScope: 'read' },
    schema: { tags, summary: 'Features seen in usage, with seats owned', response: { 200: FeatureList } },
    handler: async (request) => ({ features: await servers.listFeatures(request.principal, requestMeta(request)) }),
  });
  r.patch('/api/features/:featureId', {
    config: { access: 'license:manage' },
    schema: { tags, summary: 'Enter the seats owned of a feature', params: FeatureParams, body: UpdateFeatureRequest, response: { 200: Feature } },
    handler: async (request) => servers.setSeatsOwned(request.principal, requestMeta(request), request.params.featureId, request.body.seatsOwned),
  });
}
