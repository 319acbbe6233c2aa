// buildApp(config): the whole emulator as a Fastify instance that is ready but not listening.
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { AdjustableClock } from './core/clock.js';
import { handleError, handleFrameworkError, handleNotFound } from './http/errors.js';
import { healthRoutes } from './routes/health.js';
import { livenessRoutes } from './routes/liveness.js';
import { scanUiRoutes } from './routes/scan-ui.js';
import { scanningRoutes } from './routes/scanning.js';
import { scanningSessionRoutes } from './routes/scanning-sessions.js';
import { loadFixtures, type Fixtures } from './services/fixtures.js';
import { controlRoutes } from './routes/control/index.js';
import { portalRoutes } from './routes/portal/index.js';
import { applyFault, FaultInjector } from './services/faults.js';
import { RequestJournal } from './services/journal.js';
import { MerchantRegistry } from './services/merchants.js';
import { SessionService } from './services/sessions.js';
import { WebhookDispatcher } from './services/webhooks.js';

export interface Emulator {
  config: Config;
  clock: AdjustableClock;
  fixtures: Fixtures;
  sessions: SessionService;
  merchants: MerchantRegistry;
  journal: RequestJournal;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  startedAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    journalStartedAt?: number;
    journalPayload?: unknown;
  }
}

/** The public surface: journaled and open to fault injection (the control API and docs are not). */
const isPublicApi = (url: string) => url.startsWith('/v3/') && !url.startsWith('/v3/scan/swagger');

declare module 'fastify' {
  interface FastifyInstance {
    emulator: Emulator;
  }
}

export interface BuildOptions {
  /** A clock to share with the test (defaults to a fresh real-time clock). */
  clock?: AdjustableClock;
  /** Pino logger options or false; defaults follow LOG_LEVEL, pretty on a TTY. */
  logger?: boolean | object;
}

const DUE_WORK_INTERVAL_MS = 200;

function loggerOptions(config: Config): object | boolean {
  if (config.LOG_LEVEL === 'silent') return false;
  const base = { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] };
  return process.stdout.isTTY ? { ...base, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : base;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const fixtures = loadFixtures(config);
  const clock = options.clock ?? new AdjustableClock();
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config),
    bodyLimit: config.MAX_BODY_BYTES,
    // Ids in paths are GUIDs; anything longer is rejected by the router before our handlers.
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    trustProxy: true,
    frameworkErrors: handleFrameworkError,
    // Per-request lines only at debug/trace: at info the log stays readable (and bodies are never logged).
    logController: new LogController({ disableRequestLogging: config.LOG_LEVEL !== 'debug' && config.LOG_LEVEL !== 'trace' }),
  }).withTypeProvider<ZodTypeProvider>();

  const merchants = new MerchantRegistry(config, fixtures.merchants);
  const sessions = new SessionService(config, fixtures, clock, merchants);
  const journal = new RequestJournal(config.JOURNAL_SIZE);
  const faults = new FaultInjector();
  const webhooks = new WebhookDispatcher(config, sessions, clock, app.log);
  const emulator: Emulator = { config, clock, fixtures, sessions, merchants, journal, faults, webhooks, startedAt: Date.now() };
  app.decorate('emulator', emulator);

  app.setValidatorCompiler(validatorCompiler);
  // Responses are built by our own typed code; checking them again with zod on every request costs
  // most of the throughput budget, so they are serialized directly. The schemas still document them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(handleError);
  // The API speaks JSON only: a text/plain body is an unsupported type, not a malformed object.
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler(handleNotFound);

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
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/v3/scan/swagger', staticCSP: true });
  await app.register(multipart, { limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6 } });

  // Journal and fault hooks run on every request, so they use callbacks (no promise per hook)
  // and take the async path only when a fault rule actually matches.
  app.addHook('onRequest', (request, reply, done) => {
    if (!isPublicApi(request.url)) return done();
    request.journalStartedAt = performance.now();
    const rule = faults.size > 0 ? faults.take(request.method, request.url.split('?')[0], request.headers.authorization?.trim()) : undefined;
    if (!rule) return done();
    applyFault(rule, request, reply).then(
      (answered) => (answered ? undefined : done()),
      (error: Error) => done(error),
    );
  });
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (request.journalStartedAt !== undefined) request.journalPayload = payload;
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (request.journalStartedAt !== undefined) {
      journal.record(request, reply, request.journalPayload, clock.now(), performance.now() - request.journalStartedAt);
    }
    done();
  });

  await app.register(healthRoutes);
  await app.register(livenessRoutes);
  await app.register(scanningRoutes);
  await app.register(scanningSessionRoutes);
  await app.register(scanUiRoutes);
  await app.register(portalRoutes);
  await app.register(controlRoutes);

  // Due work (analysis results, timeouts) runs on a short real-time tick and at once when the clock moves.
  const tick = setInterval(() => sessions.processDue(), DUE_WORK_INTERVAL_MS);
  tick.unref();
  const stopListening = clock.onChange(() => sessions.processDue());
  app.addHook('onClose', async () => {
    clearInterval(tick);
    stopListening();
    await webhooks.close();
  });
  return app;
}
