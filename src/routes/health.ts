// GET /health (the process is up) and GET /ready (fixtures loaded, accepting work).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const Health = z.object({ status: z.literal('ok'), uptime_ms: z.number() }).meta({ id: 'Health' });
const Ready = z
  .object({ status: z.literal('ready'), sessions: z.number().int(), outcomes: z.number().int(), merchants: z.number().int() })
  .meta({ id: 'Ready' });

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', { schema: { tags: ['Health'], summary: 'The process is up', response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    uptime_ms: Date.now() - app.emulator.startedAt,
  }));
  app.get('/ready', { schema: { tags: ['Health'], summary: 'Fixtures are loaded and sessions can be created', response: { 200: Ready } } }, async () => ({
    status: 'ready' as const,
    sessions: app.emulator.sessions.size,
    outcomes: app.emulator.fixtures.outcomes.size,
    merchants: app.emulator.merchants.count,
  }));
};
