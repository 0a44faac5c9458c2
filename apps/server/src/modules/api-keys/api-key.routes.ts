import { ApiKey, ApiKeyList, ApiKeyParams, CreateApiKeyRequest, CreatedApiKey, CurrentApiKey } from '@seatwise/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requestMeta } from '../../http/route-access.ts';
import type { ApiKeyService } from './api-key.service.ts';

const tags = ['api-keys'];

export function registerApiKeyRoutes(app: FastifyInstance, apiKeys: ApiKeyService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/api-keys', {
    config: { access: 'apikey:manage' },
    schema: {
      tags,
      summary: 'Create an API key (the plain key is in this response only)',
      body: CreateApiKeyRequest,
      response: { 201: CreatedApiKey },
    },
    handler: async (request, reply) => {
      const created = await apiKeys.issueApiKey(request.principal, requestMeta(request), request.body);
      return reply.status(201).header('cache-control', 'no-store').send(created);
    },
  });

  r.get('/api/api-keys', {
    config: { access: 'apikey:manage' },
    schema: { tags, summary: "Your organisation's API keys, revoked ones included", response: { 200: ApiKeyList } },
    handler: async (request) => ({ apiKeys: await apiKeys.listApiKeys(request.principal, requestMeta(request)) }),
  });

  r.delete('/api/api-keys/:keyId', {
    config: { access: 'apikey:manage' },
    schema: { tags, summary: 'Revoke an API key (refused from the next request on)', params: ApiKeyParams, response: { 200: ApiKey } },
    handler: async (request) => apiKeys.revokeApiKey(request.principal, requestMeta(request), request.params.keyId),
  });

  r.get('/api/api-keys/current', {
    config: { access: 'api_key' },
    schema: {
      tags,
      summary: 'The API key making this request and its organisation (any scope)',
      security: [{ bearer: [] }],
      response: { 200: CurrentApiKey },
    },
    handler: async (request) => apiKeys.describeCurrentKey(request.principal, requestMeta(request)),
  });
}
