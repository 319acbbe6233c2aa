// Graceful shutdown on SIGINT/SIGTERM: stop taking new work first, then settle what is owed, and end
// within SHUTDOWN_GRACE (plus a moment for the last answers) whatever connections are open.
// 1. New requests are refused: the listener closes, requests still arriving on kept-alive
//    connections get 503 SERVICE_UNAVAILABLE in the ZignSec error shape, and every answer from now
//    on carries Connection: close (Node would keep the connection open after it).
//    The portal's live streams end at once (ChangeFeed.close): they would otherwise hold their connections open.
// 2. The due-work scheduler runs once more at this instant (analyses and timeouts already due
//    decide now, so their webhooks are owed) and then stops: nothing else changes afterwards.
// 3. Every webhook delivery still open, and every one created since, gets a final attempt within
//    SHUTDOWN_GRACE; whatever is not delivered by then is returned, to be printed.
// 4. What holds a connection open until it ends by itself (a long poll, an event stream) is ended:
//    each registers with the ShutdownRegistry. Connections still open when the grace is over (a
//    client that never finishes its request) are closed.
import type { Server } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../http/error-catalogue.js';
import type { Delivery } from './webhooks.js';

/** The last answers (the long polls' 503s) get at least this long to be written before connections are cut. */
const LAST_ANSWERS_MS = 250;

/**
 * Things that hold a connection open until they end (long polls, event streams): each registers how
 * to end it, and shutdown ends them all, so that it never waits for them.
 */
export class ShutdownRegistry {
  private readonly ends = new Set<() => void>();
  private ended = false;

  /** Registers `end`, called once at shutdown (at once, if shutdown has begun); returns what unregisters it. */
  add(end: () => void): () => void {
    if (this.ended) {
      end();
      return () => undefined;
    }
    this.ends.add(end);
    return () => void this.ends.delete(end);
  }

  /** Ends everything registered, and anything registered from now on. */
  endAll(): void {
    this.ended = true;
    const ends = [...this.ends];
    this.ends.clear();
    for (const end of ends) end();
  }
}

/** onRequest hook: once shutdown has begun, no request gets in. */
export function refuseWhileShuttingDown(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
  if (!request.server.emulator.shuttingDown) return done();
  const refusal = new ApiError('SERVICE_UNAVAILABLE', 'The emulator is shutting down and takes no new requests.');
  reply.header('connection', 'close').status(refusal.status).type('application/json; charset=utf-8').send(refusal.body());
}

/**
 * Closes the connections still open: the idle ones now, the rest (a client still sending its
 * request, an answer still being written) at `deadline` (performance.now()), or a moment from now.
 */
export function closeConnectionsBy(server: Server, deadline: number): void {
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), Math.max(LAST_ANSWERS_MS, deadline - performance.now()));
  timer.unref();
}

/** Steps 1 to 4 above; resolves with the deliveries that were not delivered. The app is closed afterwards by the caller. */
export async function settleForShutdown(app: FastifyInstance): Promise<Delivery[]> {
  const deadline = performance.now() + app.emulator.config.SHUTDOWN_GRACE;
  app.emulator.shuttingDown = true;
  app.emulator.changes.close();
  // Stops accepting connections and closes the idle kept-alive ones; busy ones get the 503 above.
  if (app.server.listening) app.server.close();
  app.emulator.dueWork.stop();
  const undelivered = await app.emulator.webhooks.close();
  app.emulator.endAtShutdown.endAll();
  closeConnectionsBy(app.server, deadline);
  return undelivered;
}
