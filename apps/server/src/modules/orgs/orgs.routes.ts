import { Organization, UpdateOrganizationRequest } from '@seatwise/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requestMeta } from '../../http/route-access.ts';
import type { OrgsService } from './orgs.service.ts';

const tags = ['organisation'];

export function registerOrgsRoutes(app: FastifyInstance, orgs: OrgsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/org', {
    config: { access: 'org:read' },
    schema: { tags, summary: 'Your current organisation', response: { 200: Organization } },
    handler: async (request) => orgs.getCurrent(request.principal, requestMeta(request)),
  });
  r.patch('/api/org', {
    config: { access: 'org:update' },
    schema: { tags, summary: 'Rename your organisation', body: UpdateOrganizationRequest, response: { 200: Organization } },
    handler: async (request) => orgs.rename(request.principal, requestMeta(request), request.body.name),
  });
}
