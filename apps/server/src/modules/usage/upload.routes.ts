import type { Readable } from 'node:stream';
import { CreateUploadRequest, Upload, UploadList, UploadParams } from '@seatwise/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requestMeta } from '../../http/route-access.ts';
import type { UploadService } from './upload.service.ts';

const tags = ['smart upload'];

export function registerUploadRoutes(app: FastifyInstance, uploads: UploadService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/api/uploads', {
    config: { access: 'usage:ingest', apiKeyScope: 'ingest' },
    schema: {
      tags,
      summary: 'Start an upload: name the license server (its time zone reads the log) and the file',
      body: CreateUploadRequest,
      response: { 201: Upload },
    },
    handler: async (request, reply) =>
      reply.code(201).send(await uploads.create(request.principal, requestMeta(request), request.body as Parameters<UploadService['create']>[2])),
  });
  r.get('/api/uploads', {
    config: { access: 'usage:ingest', apiKeyScope: 'ingest' },
    schema: { tags, summary: 'Recent uploads, newest first', response: { 200: UploadList } },
    handler: async (request) => ({ uploads: await uploads.list(request.principal, requestMeta(request)) }),
  });
  r.get('/api/uploads/:uploadId', {
    config: { access: 'usage:ingest', apiKeyScope: 'ingest' },
    schema: { tags, summary: 'An upload: progress while it runs, then its summary and diagnostics', params: UploadParams, response: { 200: Upload } },
    handler: async (request) => uploads.get(request.principal, requestMeta(request), request.params.uploadId),
  });

  // The file arrives as the raw body (application/octet-stream) and is streamed to the parser as it comes,
  // never buffered whole: the parser hands the request stream through untouched. Any JSON route that is
  // sent octet-stream gets a stream where its schema wants an object, and answers 400.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  r.put('/api/uploads/:uploadId/content', {
    config: { access: 'usage:ingest', apiKeyScope: 'ingest' },
    schema: {
      tags,
      summary: 'Send the file of an upload as the request body (application/octet-stream, up to 2 GiB); answers when it is stored',
      params: UploadParams,
      response: { 200: Upload },
    },
    handler: async (request) => uploads.receive(request.principal, requestMeta(request), request.params.uploadId, request.body as Readable),
  });
}
