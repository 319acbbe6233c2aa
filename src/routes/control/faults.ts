// Fault rules on the public API: add, list, remove, clear; all or one API key's.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import { ControlErrorResponses, FaultOwnerQuery, FaultRule, FaultRuleInput } from '../../schemas/control.js';

const tags = ['Control: faults'];

export const faultRoutes: FastifyPluginAsyncZod = async (app) => {
  const { faults, clocks } = app.emulator;
  app.post(
    '/__mock/faults',
    { schema: { tags, summary: 'Add a fault rule (first matching rule wins)', body: FaultRuleInput, response: { 201: FaultRule, ...ControlErrorResponses } } },
    // A rule for one key is stamped on that key's clock, like everything else of that key.
    async (request, reply) => {
      const added = faults.add(request.body, clocks.now(request.body.api_key ?? ''));
      if (!added.ok) throw new ApiError('INVALID_REQUEST', added.refusal);
      return reply.status(201).send(added.rule);
    },
  );
  app.get(
    '/__mock/faults',
    { schema: { tags, summary: "Active fault rules, in the order they are matched (all, or one API key's)", querystring: FaultOwnerQuery, response: { 200: z.object({ faults: z.array(FaultRule) }) } } },
    async (request) => ({ faults: faults.list({ apiKey: request.query.api_key }) }),
  );
  app.delete(
    '/__mock/faults/:id',
    {
      schema: {
        tags,
        summary: 'Remove one rule (with api_key: only a rule of that key)',
        params: z.object({ id: z.string().max(100) }),
        querystring: FaultOwnerQuery,
        response: { 204: z.null(), ...ControlErrorResponses },
      },
    },
    async (request, reply) => {
      if (!faults.remove(request.params.id, { apiKey: request.query.api_key })) {
        const whose = request.query.api_key === undefined ? '' : ' of this api_key';
        throw new ApiError('NOT_FOUND', `No fault rule ${JSON.stringify(request.params.id)}${whose}.`);
      }
      return reply.status(204).send(null);
    },
  );
  app.delete(
    '/__mock/faults',
    { schema: { tags, summary: 'Remove every rule, or every rule of one API key', querystring: FaultOwnerQuery, response: { 200: z.object({ removed: z.number() }) } } },
    async (request) => ({ removed: faults.clear({ apiKey: request.query.api_key }) }),
  );
};
