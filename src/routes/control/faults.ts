// Fault rules on the public API: add, list, remove, clear.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../core/errors.js';
import { ControlErrorResponses, FaultRule, FaultRuleInput } from '../../schemas/control.js';

const tags = ['Control: faults'];

export const faultRoutes: FastifyPluginAsyncZod = async (app) => {
  const { faults, clocks } = app.emulator;
  app.post(
    '/__mock/faults',
    { schema: { tags, summary: 'Add a fault rule (first matching rule wins)', body: FaultRuleInput, response: { 201: FaultRule, ...ControlErrorResponses } } },
    // A rule for one key is stamped on that key's clock, like everything else of that key.
    async (request, reply) => reply.status(201).send(faults.add(request.body, clocks.now(request.body.api_key ?? ''))),
  );
  app.get('/__mock/faults', { schema: { tags, summary: 'Active fault rules', response: { 200: z.object({ faults: z.array(FaultRule) }) } } }, async () => ({ faults: faults.list() }));
  app.delete(
    '/__mock/faults/:id',
    { schema: { tags, summary: 'Remove one rule', params: z.object({ id: z.string().max(100) }), response: { 204: z.null(), ...ControlErrorResponses } } },
    async (request, reply) => {
      if (!faults.remove(request.params.id)) throw new ApiError('NOT_FOUND', `No fault rule ${JSON.stringify(request.params.id)}.`);
      return reply.status(204).send(null);
    },
  );
  app.delete('/__mock/faults', { schema: { tags, summary: 'Remove every rule', response: { 200: z.object({ removed: z.number() }) } } }, async () => ({ removed: faults.clear() }));
};
