// POST /v3/scanning (browser scanning flow) and GET /v3/scanning/{id} (the result of any session).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authenticate } from '../http/auth.js';
import { createErrorResponses, publicErrorResponses } from '../schemas/common.js';
import { CreatedSessionResponse, ScanningRequest, SessionIdParams, SessionResult } from '../schemas/public.js';
import { createSessionFrom, OutcomeHeaders, sendResult, sessionOfCaller, uiUrl } from './public-session.js';

export const scanningRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onRequest', authenticate);
  // 200, as a public client requires (fixtures/wire.json); the OpenAPI document follows the file.
  const created = app.emulator.fixtures.wire.create_status.scanning as 200; // typed as the default, for the type provider
  app.post(
    '/v3/scanning',
    {
      schema: {
        tags: ['Scanning'],
        summary: 'Create a browser scanning session',
        description: 'Every field is optional; `{}` gives a document-only session.',
        security: [{ apiKey: [] }],
        headers: OutcomeHeaders,
        body: ScanningRequest,
        response: { [created]: CreatedSessionResponse, ...createErrorResponses },
      },
    },
    // Synchronous on purpose: Fastify sends a plain return value at once, without a promise and a microtask.
    (request, reply) => {
      const session = createSessionFrom(request, reply.code(created), 'scanning');
      return { id: session.id, errors: [], redirect_url: uiUrl(request, session) };
    },
  );

  app.get(
    '/v3/scanning/:id',
    {
      schema: {
        tags: ['Scanning'],
        summary: 'Get the result of a session (any flow)',
        security: [{ apiKey: [] }],
        params: SessionIdParams,
        response: { 200: SessionResult, ...publicErrorResponses },
      },
    },
    // Synchronous, and it returns nothing: the reply is sent inside (returning it would send it twice).
    (request, reply) => {
      sendResult(request, reply, sessionOfCaller(request, request.params.id));
    },
  );
};
