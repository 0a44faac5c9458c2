import {
  AnalyticsConcurrencyQuery,
  AnalyticsPeopleQuery,
  AnalyticsSummary,
  AnalyticsSummaryQuery,
  AnalyticsTimelineQuery,
  FeatureConcurrency,
  FeatureParams,
  FeaturePeople,
  FeatureTimeline,
} from '@seatwise/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requestMeta } from '../../http/route-access.ts';
import type { AnalyticsService } from './analytics.service.ts';

const tags = ['usage analytics'];
/** People with a role that reads usage, and API keys with the read scope. */
const config = { access: 'usage:read', apiKeyScope: 'read' } as const;

export function registerAnalyticsRoutes(app: FastifyInstance, analytics: AnalyticsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/usage/summary', {
    config,
    schema: {
      tags,
      summary: 'Per feature over a range of days: peak, average in use, daily users, seat-hours, denials and use of owned seats',
      querystring: AnalyticsSummaryQuery,
      response: { 200: AnalyticsSummary },
    },
    handler: async (request) => analytics.summary(request.principal, requestMeta(request), request.query),
  });
  r.get('/api/usage/features/:featureId/timeline', {
    config,
    schema: {
      tags,
      summary: 'One feature by hour (UTC), day, ISO week or month (local days of each server), empty buckets as zeros',
      params: FeatureParams,
      querystring: AnalyticsTimelineQuery,
      response: { 200: FeatureTimeline },
    },
    handler: async (request) => analytics.timeline(request.principal, requestMeta(request), request.params.featureId, request.query),
  });
  r.get('/api/usage/features/:featureId/concurrency', {
    config,
    schema: {
      tags,
      summary: 'One feature: seats in use at every instant of a range of UTC days (each change and the count from then on), from the sessions',
      params: FeatureParams,
      querystring: AnalyticsConcurrencyQuery,
      response: { 200: FeatureConcurrency },
    },
    handler: async (request) => analytics.concurrency(request.principal, requestMeta(request), request.params.featureId, request.query),
  });
  r.get('/api/usage/features/:featureId/people', {
    config,
    schema: {
      tags,
      summary: 'Who used one feature over a range of days (all servers), most hours first',
      params: FeatureParams,
      querystring: AnalyticsPeopleQuery,
      response: { 200: FeaturePeople },
    },
    handler: async (request) => analytics.people(request.principal, requestMeta(request), request.params.featureId, request.query),
  });
}
