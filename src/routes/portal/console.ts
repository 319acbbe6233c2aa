// The QA console: the emulator's dials for the signed-in key, in the portal. Next outcomes, API
// faults and the clock are here; every action is also in the control API, with the same validation.
import type { FastifyPluginAsync } from 'fastify';
import { clockConsoleRoutes } from './console-clock.js';
import { faultsConsoleRoutes } from './console-faults.js';
import { outcomesConsoleRoutes } from './console-outcomes.js';
import type { PortalContext } from './signed-in.js';

export const consoleRoutes =
  (context: PortalContext): FastifyPluginAsync =>
  async (app) => {
    await app.register(outcomesConsoleRoutes(context));
    await app.register(faultsConsoleRoutes(context));
    await app.register(clockConsoleRoutes(context));
  };
