// GET /health (the process is up) and GET /ready (fixtures loaded, accepting work).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ReadyState } from '../schemas/control.js';

const Health = z.object({ status: z.literal('ok'), uptime_ms: z.number() }).meta({ id: 'Health' });

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', { schema: { tags: ['Health'], summary: 'The process is up', response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    uptime_ms: Date.now() - app.emulator.startedAt,
  }));
  app.get('/ready', { schema: { tags: ['Health'], summary: 'Fixtures are loaded and sessions can be created', response: { 200: ReadyState } } }, async () => ({
    status: 'ready' as const,
    sessions: app.emulator.sessions.size,
    outcomes: app.emulator.fixtures.outcomes.size,
    merchants: app.emulator.merchants.count,
  }));
};
