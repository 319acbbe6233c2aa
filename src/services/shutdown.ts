// Graceful shutdown on SIGINT/SIGTERM: stop taking new work first, then settle what is owed.
// 1. New requests are refused: the listener closes, and requests still arriving on kept-alive
//    connections get 503 SERVICE_UNAVAILABLE in the ZignSec error shape, with Connection: close.
//    The portal's live streams end at once: they would otherwise hold their connections open.
// 2. The due-work scheduler runs once more at this instant (analyses and timeouts already due
//    decide now, so their webhooks are owed) and then stops: nothing else changes afterwards.
// 3. Every webhook delivery still open, and every one created since, gets a final attempt within
//    SHUTDOWN_GRACE; whatever is not delivered by then is returned, to be printed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import type { Delivery } from './webhooks.js';

/** onRequest hook: once shutdown has begun, no request gets in. */
export function refuseWhileShuttingDown(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
  if (!request.server.emulator.shuttingDown) return done();
  const refusal = new ApiError('SERVICE_UNAVAILABLE', 'The emulator is shutting down and takes no new requests.');
  reply.header('connection', 'close').status(refusal.status).type('application/json; charset=utf-8').send(refusal.body());
}

/** Steps 1 to 3 above; resolves with the deliveries that were not delivered. The app is closed afterwards by the caller. */
export async function settleForShutdown(app: FastifyInstance): Promise<Delivery[]> {
  app.emulator.shuttingDown = true;
  app.emulator.changes.close();
  // Stops accepting connections and closes the idle kept-alive ones; busy ones get the 503 above.
  if (app.server.listening) app.server.close();
  app.emulator.dueWork.stop();
  return app.emulator.webhooks.close();
}
