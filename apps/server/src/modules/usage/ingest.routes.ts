import { AgentBatch, AgentBatchResult } from '@seatwise/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requestMeta } from '../../http/route-access.ts';
import type { IngestService } from './ingest.service.ts';

/** A full batch (3 × 5000 items of JSON) stays well inside this. */
const BATCH_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

export function registerIngestRoutes(app: FastifyInstance, ingest: IngestService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/api/ingest/batches', {
    config: { access: 'usage:ingest', apiKeyScope: 'ingest' },
    bodyLimit: BATCH_BODY_LIMIT_BYTES,
    schema: {
      tags: ['ingest'],
      summary: 'Store a batch of parsed usage from the on-prem agent (a re-sent batch id changes nothing)',
      body: AgentBatch,
      response: { 200: AgentBatchResult },
    },
    handler: async (request) => ingest.ingestBatch(request.principal, requestMeta(request), request.body),
  });
}
