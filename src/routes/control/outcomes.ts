// GET /__mock/outcomes and the outcome queue per API key.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ControlErrorResponses, OutcomeQueue, OutcomeSummary, QueueBody } from '../../schemas/control.js';

const tags = ['Control: outcomes'];

export const outcomeRoutes: FastifyPluginAsyncZod = async (app) => {
  const { sessions, fixtures } = app.emulator;

  app.get('/__mock/outcomes', { schema: { tags, summary: 'The outcome catalogue', response: { 200: z.object({ outcomes: z.array(OutcomeSummary) }) } } }, async () => ({
    outcomes: [...fixtures.outcomes.values()].map((p) => ({
      name: p.name,
      description: p.description,
      source: p.source,
      session_status: p.session_status,
      analyses: p.analyses,
      redirect: p.redirect,
      analysis_duration_ms: p.analysis_duration_ms,
      api_flow_waits: p.api_flow_waits,
      never_finishes: p.never_finishes,
      failed_document_fields: p.failed_document_fields,
      reason: p.reason,
    })),
  }));

  app.post(
    '/__mock/outcomes/queue',
    { schema: { tags, summary: 'Queue outcomes for the next sessions of an API key', body: QueueBody, response: { 200: OutcomeQueue, ...ControlErrorResponses } } },
    async (request) => ({ api_key: request.body.api_key, queued: sessions.queueOutcomes(request.body.api_key, request.body.outcomes) }),
  );
  app.get(
    '/__mock/outcomes/queue',
    { schema: { tags, summary: 'What is queued for an API key', querystring: z.object({ api_key: z.string().min(1) }), response: { 200: OutcomeQueue, ...ControlErrorResponses } } },
    async (request) => ({ api_key: request.query.api_key, queued: sessions.queuedFor(request.query.api_key) }),
  );
};
