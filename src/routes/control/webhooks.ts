// Webhook deliveries for tests: list, inspect, redeliver, wait without sleeping, and break on purpose.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import { isoInstant, isoInstantOrNull } from '../../core/time-limits.js';
import { ErrorBody, SessionStatus } from '../../schemas/common.js';
import { ChaosRuleInput, ChaosRuleView, ControlErrorResponses, DeliveryListQuery, DeliveryView, KeyScopeQuery } from '../../schemas/control.js';
import type { Delivery } from '../../services/webhooks.js';

const tags = ['Control: webhooks'];

export function deliveryView(d: Delivery) {
  return {
    id: d.id,
    session_id: d.sessionId,
    url: d.url,
    event: d.event,
    session_status: d.sessionStatus,
    status: d.status,
    in_flight: d.inFlight,
    created: isoInstant(d.createdAt),
    next_attempt: isoInstantOrNull(d.nextAttemptAt),
    body: d.body,
    chaos: d.chaos,
    attempts: d.attempts.map((a) => ({ ...a, at: isoInstant(a.at) })),
  };
}

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const { webhooks, endAtShutdown } = app.emulator;

  app.get(
    '/__mock/webhooks',
    {
      schema: {
        tags,
        summary: 'Deliveries with every attempt, oldest first (or newest first), a page at a time; total counts every match',
        querystring: DeliveryListQuery,
        response: { 200: z.object({ deliveries: z.array(DeliveryView), total: z.number() }), ...ControlErrorResponses },
      },
    },
    async (request) => {
      const { api_key, session_id, status, event, order, offset, limit } = request.query;
      const { total, deliveries } = webhooks.select({ apiKey: api_key, sessionId: session_id, status, event }, { order, offset, limit });
      return { deliveries: deliveries.map(deliveryView), total };
    },
  );

  app.get(
    '/__mock/webhooks/wait',
    {
      schema: {
        tags,
        summary: 'Long-poll until a delivery of the session has succeeded (408 on timeout, 503 when the emulator shuts down first)',
        querystring: z.object({
          session_id: z.string().min(1),
          status: SessionStatus.optional().meta({ description: 'Only a delivery carrying this session status' }),
          timeout_ms: z.coerce.number().int().min(0).max(120_000).default(10_000),
        }),
        response: { 200: DeliveryView, 408: ErrorBody, 503: ErrorBody, ...ControlErrorResponses },
      },
    },
    async (request, reply) => {
      const { session_id, status, timeout_ms } = request.query;
      const shutdown = new AbortController();
      const unregister = endAtShutdown.add(() => shutdown.abort());
      const delivery = await webhooks.waitFor(session_id.toLowerCase(), status, timeout_ms, shutdown.signal).finally(unregister);
      if (delivery) return deliveryView(delivery);
      if (shutdown.signal.aborted) {
        reply.header('connection', 'close');
        throw new ApiError('SERVICE_UNAVAILABLE', 'The emulator is shutting down: it stopped waiting before a delivery of the session succeeded.');
      }
      throw new ApiError('WAIT_TIMEOUT', `No successful webhook delivery for session ${session_id}${status ? ` with status ${status}` : ''} within ${timeout_ms} ms.`);
    },
  );

  app.get('/__mock/webhooks/:id', { schema: { tags, summary: 'One delivery', params: z.object({ id: z.string() }), response: { 200: DeliveryView, ...ControlErrorResponses } } }, async (request) =>
    deliveryView(webhooks.get(request.params.id)),
  );

  app.post(
    '/__mock/webhooks/:id/redeliver',
    {
      schema: {
        tags,
        summary: 'Send a delivery again now (same id and body); with api_key, only a delivery of that key',
        params: z.object({ id: z.string() }),
        querystring: KeyScopeQuery,
        response: { 200: DeliveryView, ...ControlErrorResponses },
      },
    },
    async (request) => deliveryView(webhooks.redeliver(request.params.id, request.query.api_key)),
  );

  app.post(
    '/__mock/webhooks/chaos',
    { schema: { tags, summary: 'Break deliveries on purpose: for one session, or the next N of an API key', body: ChaosRuleInput, response: { 201: ChaosRuleView, ...ControlErrorResponses } } },
    async (request, reply) => reply.status(201).send(webhooks.addChaos(request.body)),
  );
  app.get(
    '/__mock/webhooks/chaos',
    {
      schema: {
        tags,
        summary: "Active chaos rules; with api_key, that key's own (its next-N rules and its sessions' rules)",
        querystring: KeyScopeQuery,
        response: { 200: z.object({ rules: z.array(ChaosRuleView) }), ...ControlErrorResponses },
      },
    },
    async (request) => ({ rules: webhooks.listChaos(request.query.api_key) }),
  );
  app.delete(
    '/__mock/webhooks/chaos/:id',
    {
      schema: {
        tags,
        summary: 'Remove one chaos rule; with api_key, only a rule of that key',
        params: z.object({ id: z.string().max(100) }),
        querystring: KeyScopeQuery,
        response: { 204: z.null(), ...ControlErrorResponses },
      },
    },
    async (request, reply) => {
      if (!webhooks.removeChaos(request.params.id, request.query.api_key)) throw new ApiError('NOT_FOUND', `No chaos rule ${JSON.stringify(request.params.id)}.`);
      return reply.status(204).send(null);
    },
  );
  app.delete(
    '/__mock/webhooks/chaos',
    { schema: { tags, summary: "Remove every chaos rule, or one key's", querystring: KeyScopeQuery, response: { 200: z.object({ removed: z.number() }), ...ControlErrorResponses } } },
    async (request) => ({ removed: webhooks.clearChaos(request.query.api_key) }),
  );
};
