// buildApp(config): the whole emulator as a Fastify instance that is ready but not listening. The
// services come from the composition root (emulator.ts); this file is the Fastify wiring around them:
// compilers, hooks (journal, faults, shutdown), the OpenAPI document and the route plugins.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifySchemaCompiler } from 'fastify';
import { jsonSchemaTransformObject, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { AdjustableClock } from './core/clock.js';
import { buildEmulator } from './emulator.js';
import { handleClientError, handleError, handleFrameworkError, requireHost } from './http/errors.js';
import { withSecretsMasked } from './http/log-masking.js';
import { notFoundHandler, RouteTable } from './http/route-table.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { openApiTransform } from './http/openapi.js';
import { checkingSerializerCompiler, exemptFromContract, refuseUndeclaredStatus } from './http/response-contracts.js';
import type { MachineNetwork } from './http/phone-reach.js';
import { frontDoorRoutes } from './routes/front-door.js';
import { healthRoutes } from './routes/health.js';
import { livenessRoutes } from './routes/liveness.js';
import { scanUiRoutes } from './routes/scan-ui/index.js';
import { scanningRoutes } from './routes/scanning.js';
import { scanningSessionRoutes } from './routes/scanning-sessions.js';
import { controlRoutes } from './routes/control/index.js';
import { portalRoutes } from './routes/portal/index.js';
import { applyFault } from './services/faults.js';
import type { SessionService } from './services/sessions.js';
import type { ChangeFeedLimits } from './services/change-feed.js';
import type { LiveStreamTimings } from './routes/portal/live.js';
import { closeConnectionsBy, refuseWhileShuttingDown } from './services/shutdown.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** When a journaled request started (performance.now()); null for requests the journal skips. */
    journalStartedAt: number | null;
    journalPayload: unknown;
  }
}

/** Stands for "the headers are valid" without handing Fastify a value to store (see validateWithZod). */
const HEADERS_VALID = Object.freeze({});

/**
 * zod validation for every request part. Fastify stores a validated part back on the request; for
 * headers that makes every later `request.headers` read merge two objects into a new one. Header
 * schemas here only check and document optional headers, so headers are checked and left as received.
 */
const validateWithZod: FastifySchemaCompiler<unknown> = (route) => {
  const validate = (validatorCompiler as FastifySchemaCompiler<unknown>)(route);
  if (route.httpPart !== 'headers') return validate;
  return (data) => {
    const result = validate(data) as { error?: unknown };
    return result.error ? result : HEADERS_VALID;
  };
};

/**
 * Whose clock stamps a journal entry: the request's API key (authenticated, or as sent when it was
 * refused or faulted first), else the key of the session the scan UI let it into.
 */
function journalKeyOf(request: FastifyRequest, sessions: SessionService): string {
  if (request.apiKey) return request.apiKey;
  const authorization = request.raw.headers.authorization;
  if (typeof authorization === 'string' && authorization.length > 0) return authorization.trim();
  return request.authorisedSessionId === null ? '' : (sessions.ownerOf(request.authorisedSessionId) ?? '');
}

/** The public surface: journaled and open to fault injection (the control API and docs are not). */
const publicApiPath = /^\/v3\/(?!scan\/swagger)/i;
const isPublicApi = (url: string) => publicApiPath.test(url);

export interface BuildOptions {
  /** A clock to share with the test (defaults to a fresh real-time clock). */
  clock?: AdjustableClock;
  /** Pino logger options or false; defaults follow LOG_LEVEL, pretty on a TTY. */
  logger?: boolean | object;
  /** The machine's network as the mobile hand-off sees it (tests stub it); the real one by default. */
  network?: Partial<MachineNetwork>;
  /** Bounds and timings of the portal's live streams (tests make them small); defaults otherwise. */
  live?: Partial<ChangeFeedLimits & LiveStreamTimings>;
  /** Real time one clock advance's window may take (ADVANCE_BUDGET_MS, 60 s): tests cut it short sooner. */
  advanceBudgetMs?: number;
  /**
   * Test mode: every JSON answer of the public and control API is checked against the schema its
   * route declares for its status; one that does not match answers 500 (http/response-contracts.ts).
   */
  checkResponses?: boolean;
}

function loggerOptions(config: Config): object | boolean {
  if (config.LOG_LEVEL === 'silent') return false;
  const base = { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] };
  return process.stdout.isTTY ? { ...base, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : base;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: withSecretsMasked(options.logger ?? loggerOptions(config)),
    bodyLimit: config.MAX_BODY_BYTES,
    // Ids in paths are GUIDs; anything longer is rejected by the router before our handlers.
    // Paths match whatever their letter case, as on ZignSec's .NET service (ids keep theirs).
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true, caseSensitive: false },
    trustProxy: true,
    // Requests arriving while closing get the ZignSec-shaped 503 of refuseWhileShuttingDown, not Fastify's own.
    return503OnClosing: false,
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
    // A request without Host reaches requireHost, which answers in the ZignSec shape (Node's check sends an empty 400).
    http: { requireHostHeader: false },
    // Per-request lines only at debug/trace: at info the log stays readable (and bodies are never logged).
    logController: new LogController({ disableRequestLogging: config.LOG_LEVEL !== 'debug' && config.LOG_LEVEL !== 'trace' }),
  }).withTypeProvider<ZodTypeProvider>();

  const emulator = buildEmulator(config, app.log, { clock: options.clock, changeFeed: options.live, advanceBudgetMs: options.advanceBudgetMs });
  const { sessions, journal, faults, clocks, changes, dueWork, webhooks } = emulator;
  app.decorate('emulator', emulator);

  app.setValidatorCompiler(validateWithZod);
  // Responses are built by our own typed code; checking them again with zod on every request costs
  // most of the throughput budget, so they are serialized directly. The schemas still document them,
  // and the test suite holds every answer against them (checkResponses).
  if (options.checkResponses) {
    app.setSerializerCompiler(checkingSerializerCompiler);
    app.addHook('onSend', refuseUndeclaredStatus);
  } else {
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  }
  app.setErrorHandler(handleError);
  app.addHook('onRequest', requireHost);
  // The API speaks JSON only: a text/plain body is an unsupported type, not a malformed object.
  app.removeContentTypeParser('text/plain');
  const routes = new RouteTable();
  app.addHook('onRoute', (route) => routes.add(route));
  app.setNotFoundHandler(notFoundHandler(routes));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'zignsec-mock',
        description: "Local emulator of ZignSec's v3 scanning and liveness API. Authorization: the raw API key.",
        version: '0.1.0',
      },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'Authorization' } } },
      tags: [
        { name: 'Liveness', description: 'Web-flow liveness sessions' },
        { name: 'Scanning', description: 'Browser scanning sessions and results' },
        { name: 'Scanning sessions', description: 'API flow for apps that capture images themselves' },
        { name: 'Scan UI', description: 'The hosted pages behind redirect_url' },
        { name: 'Health', description: 'Liveness and readiness of the emulator' },
        { name: 'Control: outcomes', description: 'Emulator only: the outcome catalogue and per-key queues' },
        { name: 'Control: sessions', description: 'Emulator only: inspect, arm, complete, delete and reset sessions' },
        { name: 'Control: journal', description: 'Emulator only: recorded public API requests' },
        { name: 'Control: faults', description: 'Emulator only: make the public API misbehave' },
        { name: 'Control: clock', description: 'Emulator only: the virtual clock' },
        { name: 'Control: merchants', description: 'Emulator only: merchant settings at runtime' },
        { name: 'Control: webhooks', description: 'Emulator only: webhook deliveries, waiting, redelivery and chaos' },
        { name: 'Control: wire', description: 'Emulator only: the inferred wire details in effect (fixtures/wire.json, WIRE_FILE)' },
      ],
    },
    transform: openApiTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/v3/scan/swagger', staticCSP: true });
  // Everything the hooks and the body parser put on a request is declared here, so every request
  // object has one shape from the start: V8 then keeps Fastify's own property reads monomorphic.
  app.decorateRequest('apiKey', '');
  app.decorateRequest('bodyText', null);
  app.decorateRequest('journalStartedAt', null);
  app.decorateRequest('journalPayload', null);
  app.decorateRequest('authorisedSessionId', null);
  registerJsonBodyParser(app);

  app.addHook('onRequest', refuseWhileShuttingDown);
  // Journal and fault hooks run on every request, so they use callbacks (no promise per hook)
  // and take the async path only when a fault rule actually matches.
  app.addHook('onRequest', (request, reply, done) => {
    if (!isPublicApi(request.url)) return done();
    request.journalStartedAt = performance.now();
    const rule = faults.size > 0 ? faults.take(request.method, request.url.split('?')[0], request.headers.authorization?.trim()) : undefined;
    if (!rule) return done();
    if (rule.action.type !== 'latency') exemptFromContract(request);
    applyFault(rule, request, reply).then(
      (answered) => (answered ? undefined : done()),
      (error: Error) => done(error),
    );
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.journalStartedAt !== null) request.journalPayload = payload;
    // Shutting down: a connection closes once its answer is sent (Node would keep it open for more).
    if (emulator.shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (request.journalStartedAt !== null) {
      journal.record(request, reply, request.journalPayload, clocks.now(journalKeyOf(request, sessions)), performance.now() - request.journalStartedAt);
    }
    done();
  });

  await app.register(healthRoutes);
  await app.register(frontDoorRoutes);
  await app.register(livenessRoutes);
  await app.register(scanningRoutes);
  await app.register(scanningSessionRoutes);
  await app.register(scanUiRoutes, { config, fixtures: emulator.fixtures, sessions, scanFlow: emulator.scanFlow, network: options.network });
  await app.register(portalRoutes, { live: options.live });
  await app.register(controlRoutes);

  app.addHook('preClose', async () => {
    emulator.shuttingDown = true;
    // Open live streams would hold the server open: they end first (routes/portal/live.ts).
    changes.close();
    // Closing in-process (startMock's close()) waits for no long poll, and for no connection past the grace.
    emulator.endAtShutdown.endAll();
    if (app.server.listening) closeConnectionsBy(app.server, performance.now() + config.SHUTDOWN_GRACE);
  });
  app.addHook('onClose', async () => {
    dueWork.stop();
    await webhooks.close();
  });
  return app;
}
