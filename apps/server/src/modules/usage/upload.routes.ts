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
    config: { access: 'usage:ingest' },
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
    config: { access: 'usage:ingest' },
    schema: { tags, summary: 'Recent uploads, newest first', response: { 200: UploadList } },
    handler: async (request) => ({ uploads: await uploads.list(request.principal, requestMeta(request)) }),
  });
  r.get('/api/uploads/:uploadId', {
    config: { access: 'usage:ingest' },
    schema: { tags, summary: 'An upload: progress while it runs, then its summary and diagnostics', params: UploadParams, response: { 200: Upload } },
    handler: async (request) => uploads.get(request.principal, requestMeta(request), request.params.uploadId),
  });

  // The file itself arrives as the raw request body, whatever its content type, and is streamed to the
  // parser as it comes: never buffered whole, so this scope hands the stream through untouched.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.withTypeProvider<ZodTypeProvider>().put('/api/uploads/:uploadId/content', {
      config: { access: 'usage:ingest' },
      schema: {
        tags,
        summary: 'Send the file of an upload as the request body (up to 2 GiB); answers when it is stored',
        params: UploadParams,
        response: { 200: Upload },
      },
      handler: async (request) =>
        uploads.receive(request.principal, requestMeta(request), request.params.uploadId, request.body as Readable),
    });
  });
}
