// GET /__mock/wire: the inferred wire details in effect, so tests and journeys that check what the
// emulator put on the wire (redirect parameters, error codes, create statuses) read them, not guess.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ControlErrorResponses, WireDetails } from '../../schemas/control.js';

export const wireRoutes: FastifyPluginAsyncZod = async (app) => {
  const { wire } = app.emulator.fixtures;
  const details = {
    create_status: wire.create_status,
    redirect: wire.redirect,
    errors: wire.errors,
    webhook: { retry_delays_ms: wire.webhook.retry_delays, extension_headers: wire.webhook.extension_headers, event_envelope: wire.webhook.event_envelope },
    scan_ui: wire.scan_ui,
  };
  app.get(
    '/__mock/wire',
    { schema: { tags: ['Control: wire'], summary: 'The inferred wire details in effect (fixtures/wire.json with WIRE_FILE laid over it)', response: { 200: WireDetails, ...ControlErrorResponses } } },
    async () => details,
  );
};
