// The control API under /__mock: outcomes, sessions, journal, faults and clock, for tests and QA.
// Never subject to fault injection; optionally protected by MOCK_ADMIN_TOKEN.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../http/error-catalogue.js';
import { controlHeaders, securityHeaders } from '../../http/security-headers.js';
import { timingSafeEqualText } from '../../core/otp.js';
import { controlRouteErrorResponses } from '../../schemas/control.js';
import { clockRoutes } from './clock.js';
import { faultRoutes } from './faults.js';
import { journalRoutes } from './journal.js';
import { merchantRoutes } from './merchants.js';
import { outcomeRoutes } from './outcomes.js';
import { sessionControlRoutes } from './sessions.js';
import { webhookRoutes } from './webhooks.js';
import { wireRoutes } from './wire.js';

export const controlRoutes: FastifyPluginAsyncZod = async (app) => {
  // Declared once here rather than on each route: the OpenAPI document and the test suite's response check both read them.
  app.addHook('onRoute', (route) => {
    if (route.schema?.response) route.schema = { ...route.schema, response: { ...controlRouteErrorResponses, ...route.schema.response } };
  });
  app.addHook('onSend', securityHeaders(controlHeaders));
  const token = app.emulator.config.MOCK_ADMIN_TOKEN;
  if (token) {
    app.addHook('onRequest', async (request: FastifyRequest) => {
      const given = request.headers['x-mock-admin-token'];
      if (typeof given !== 'string' || !timingSafeEqualText(given, token)) {
        throw new ApiError('UNAUTHORIZED', 'The control API needs the X-Mock-Admin-Token header (MOCK_ADMIN_TOKEN is set).');
      }
    });
  }
  await app.register(outcomeRoutes);
  await app.register(sessionControlRoutes);
  await app.register(journalRoutes);
  await app.register(faultRoutes);
  await app.register(clockRoutes);
  await app.register(webhookRoutes);
  await app.register(merchantRoutes);
  await app.register(wireRoutes);
};
