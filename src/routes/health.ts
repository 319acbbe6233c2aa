// GET /health (the process is up) and GET /ready (fixtures loaded, accepting work); the same figures
// feed the front door.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ReadyState } from '../schemas/control.js';

const Health = z.object({ status: z.literal('ok'), uptime_ms: z.number() }).meta({ id: 'Health' });

export const healthOf = (emulator: { startedAt: number }) => ({ status: 'ok' as const, uptime_ms: Date.now() - emulator.startedAt });

interface Counted {
  sessions: { size: number };
  fixtures: { outcomes: { size: number } };
  merchants: { count: number };
}

export const readinessOf = (emulator: Counted) => ({
  status: 'ready' as const,
  sessions: emulator.sessions.size,
  outcomes: emulator.fixtures.outcomes.size,
  merchants: emulator.merchants.count,
});

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', { schema: { tags: ['Health'], summary: 'The process is up', response: { 200: Health } } }, async () => healthOf(app.emulator));
  app.get('/ready', { schema: { tags: ['Health'], summary: 'Fixtures are loaded and sessions can be created', response: { 200: ReadyState } } }, async () =>
    readinessOf(app.emulator),
  );
};
