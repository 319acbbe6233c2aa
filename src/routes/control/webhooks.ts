// Webhook deliveries for tests: list, inspect, redeliver, wait without sleeping, and break on purpose.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../core/errors.js';
import { isoInstant, isoInstantOrNull } from '../../core/time-limits.js';
import { SessionStatus } from '../../schemas/common.js';
import { ChaosRuleInput, ChaosRuleView, ControlErrorResponses, DeliveryView } from '../../schemas/control.js';
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
  const { webhooks } = app.emulator;

  app.get(
    '/__mock/webhooks',
    {
      schema: {
        tags,
        summary: 'Deliveries with every attempt, oldest first',
        querystring: z.object({ api_key: z.string().optional(), session_id: z.string().optional(), status: z.enum(['pending', 'held', 'succeeded', 'failed', 'stopped']).optional() }),
        response: { 200: z.object({ deliveries: z.array(DeliveryView) }), ...ControlErrorResponses },
      },
    },
    async (request) => ({
      deliveries: webhooks.list({ apiKey: request.query.api_key, sessionId: request.query.session_id?.toLowerCase(), status: request.query.status }).map(deliveryView),
    }),
  );

  app.get(
    '/__mock/webhooks/wait',
    {
      schema: {
        tags,
        summary: 'Long-poll until a delivery of the session has succeeded (408 on timeout)',
        querystring: z.object({
          session_id: z.string().min(1),
          status: SessionStatus.optional().meta({ description: 'Only a delivery carrying this session status' }),
          timeout_ms: z.coerce.number().int().min(0).max(120_000).default(10_000),
        }),
        response: { 200: DeliveryView, 408: ControlErrorResponses[400], ...ControlErrorResponses },
      },
    },
    async (request, reply) => {
      const { session_id, status, timeout_ms } = request.query;
      const delivery = await webhooks.waitFor(session_id.toLowerCase(), status, timeout_ms);
      if (delivery) return deliveryView(delivery);
      return reply.status(408).send({
        errors: [{ code: 'WAIT_TIMEOUT', description: `No successful webhook delivery for session ${session_id}${status ? ` with status ${status}` : ''} within ${timeout_ms} ms.` }],
      });
    },
  );

  app.get('/__mock/webhooks/:id', { schema: { tags, summary: 'One delivery', params: z.object({ id: z.string() }), response: { 200: DeliveryView, ...ControlErrorResponses } } }, async (request) =>
    deliveryView(webhooks.get(request.params.id)),
  );

  app.post(
    '/__mock/webhooks/:id/redeliver',
    { schema: { tags, summary: 'Send a delivery again now (same id and body)', params: z.object({ id: z.string() }), response: { 200: DeliveryView, ...ControlErrorResponses } } },
    async (request) => deliveryView(webhooks.redeliver(request.params.id)),
  );

  app.post(
    '/__mock/webhooks/chaos',
    { schema: { tags, summary: 'Break deliveries on purpose: for one session, or the next N of an API key', body: ChaosRuleInput, response: { 201: ChaosRuleView, ...ControlErrorResponses } } },
    async (request, reply) => {
      const { session_id, api_key, next, chaos } = request.body;
      if (session_id && !app.emulator.sessions.findAny(session_id.toLowerCase())) throw new ApiError('SESSION_NOT_FOUND', `No session with id ${JSON.stringify(session_id)} was found.`);
      const rule = webhooks.addChaos({ session_id: session_id?.toLowerCase(), api_key, remaining: api_key ? (next ?? null) : null, chaos });
      return reply.status(201).send(rule);
    },
  );
  app.get('/__mock/webhooks/chaos', { schema: { tags, summary: 'Active chaos rules', response: { 200: z.object({ rules: z.array(ChaosRuleView) }) } } }, async () => ({ rules: webhooks.listChaos() }));
  app.delete('/__mock/webhooks/chaos', { schema: { tags, summary: 'Remove every chaos rule', response: { 200: z.object({ removed: z.number() }) } } }, async () => ({ removed: webhooks.clearChaos() }));
};
