import { AuditPage, AuditQuery, AuditVerifyResponse } from '@seatwise/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestMeta } from '../../http/route-access.ts';
import type { AuditService } from './audit.service.ts';

const tags = ['audit'];
const ExportQuery = AuditQuery.omit({ before: true, limit: true });

export function registerAuditRoutes(app: FastifyInstance, audit: AuditService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/audit-events', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'The audit log, newest first, filtered by actor, action and time', querystring: AuditQuery, response: { 200: AuditPage } },
    handler: async (request) => audit.list(request.principal, requestMeta(request), request.query),
  });

  r.get('/api/audit-events/export.csv', {
    config: { access: 'audit:export' },
    schema: {
      tags,
      summary: 'Export the filtered audit log as CSV',
      querystring: ExportQuery,
      produces: ['text/csv'],
      response: { 200: z.string() },
    },
    handler: async (request, reply) => {
      const csv = await audit.exportCsv(request.principal, requestMeta(request), request.query);
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="seatwise-audit-${stamp}.csv"`)
        .send(csv);
    },
  });

  r.get('/api/audit-events/verify', {
    config: { access: 'audit:read' },
    schema: { tags, summary: 'Check the hash chain of the audit log and report the first broken link', response: { 200: AuditVerifyResponse } },
    handler: async (request) => audit.verify(request.principal, requestMeta(request)),
  });
}
