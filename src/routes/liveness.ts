// POST /v3/scanning/liveness: the web-flow liveness session of the product document.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authenticate } from '../http/auth.js';
import { createErrorResponses } from '../schemas/common.js';
import { CreatedSessionResponse, LivenessRequest } from '../schemas/public.js';
import { createSessionFrom, OutcomeHeaders, uiUrl } from './public-session.js';

export const livenessRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onRequest', authenticate);
  // 200 is inferred (fixtures/wire.json); the OpenAPI document follows the file.
  const created = app.emulator.fixtures.wire.create_status.liveness as 200; // typed as the default, for the type provider
  app.post(
    '/v3/scanning/liveness',
    {
      schema: {
        tags: ['Liveness'],
        summary: 'Create a liveness session',
        description: 'Returns the one-time redirect_url of the hosted scan UI. relay_state defaults to the session id.',
        security: [{ apiKey: [] }],
        headers: OutcomeHeaders,
        body: LivenessRequest,
        response: { [created]: CreatedSessionResponse, ...createErrorResponses },
      },
    },
    // Synchronous on purpose: Fastify sends a plain return value at once, without a promise and a microtask.
    (request, reply) => {
      const session = createSessionFrom(request, reply.code(created), 'liveness');
      return { id: session.id, errors: [], redirect_url: uiUrl(request, session) };
    },
  );
};
