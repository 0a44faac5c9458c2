import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INSTANCE_ORG_ID, type Tenancy } from '../../db/tenant.ts';

const tags = ['operations'];
const Health = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() });

/** MON-04: liveness (the process answers) and readiness (the database answers too). */
export function registerHealthRoutes(app: FastifyInstance, deps: { tenancy: Tenancy }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/healthz', {
    config: { access: 'public' },
    schema: { tags, summary: 'Liveness: the process is up', response: { 200: Health } },
    handler: async () => ({ status: 'ok' as const }),
  });
  r.get('/readyz', {
    config: { access: 'public' },
    schema: { tags, summary: 'Readiness: the database answers', response: { 200: Health, 503: Health } },
    handler: async (request, reply) => {
      try {
        await deps.tenancy.withTenantTx({ orgId: INSTANCE_ORG_ID, userId: null }, (tx) => tx.query('SELECT 1'));
        return { status: 'ok' as const, checks: { database: 'ok' } };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply.status(503).send({ status: 'unavailable' as const, checks: { database: 'unavailable' } });
      }
    },
  });
}
