// The library API for integrators' test suites (tap, Jest, Vitest, Mocha): start the emulator in-process,
// drive it with the typed control-API client, and verify webhook signatures exactly as it signs them.
// Nothing here loads Puppeteer: the journey runner is the separate entry `zignsec-mock/scenarios`.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createAdminClient, type AdminClient } from './admin-client.js';
import { createApiClient, type ApiClient } from './api-client.js';
import { ConfigError, configKeys, loadConfig, type Config, type ConfigInput } from './config.js';

/**
 * Any setting by its environment variable name (see `zignsec-mock --help`), as a string, number or
 * boolean, plus `logger`. The process environment is not read: a test gets exactly what it asks for.
 * Defaults differ from the server's in three places: HOST 127.0.0.1, PORT 0 (a free port), LOG_LEVEL silent.
 */
export type StartMockOptions = { [Key in keyof ConfigInput]?: string | number | boolean } & {
  /** Pino logger options, true, or false; by default logging follows LOG_LEVEL. */
  logger?: boolean | object;
};

export interface RunningMock {
  /** Base URL of the listening emulator, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** Typed client of the control API (/__mock). */
  admin: AdminClient;
  /** A client of the public v3 API for one API key. */
  apiClient(apiKey: string): ApiClient;
  /** The Fastify instance, for `app.inject()` and direct access to `app.emulator`. */
  app: FastifyInstance;
  config: Config;
  /** Stops listening and the webhook engine; safe to call more than once. */
  close(): Promise<void>;
}

const knownKeys = new Set<string>(configKeys);

/** Starts the emulator on a free port of 127.0.0.1 and resolves once it is listening. */
export async function startMock(options: StartMockOptions = {}): Promise<RunningMock> {
  const { logger, ...settings } = options;
  const input: ConfigInput = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' };
  for (const [key, value] of Object.entries(settings)) {
    if (!knownKeys.has(key)) throw new ConfigError(`Unknown setting ${key}; the settings are ${configKeys.join(', ')}.`);
    if (value !== undefined) input[key as keyof ConfigInput] = String(value);
  }
  const config = loadConfig({}, input);
  // Loaded on the first call, not on import: a project that imports only the clients or the signature
  // helpers (an emulator in Docker) does not load Fastify and the whole emulator.
  const { buildApp } = await import('./app.js');
  const app = await buildApp(config, { logger });
  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    await app.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    admin: createAdminClient(url, { adminToken: config.MOCK_ADMIN_TOKEN }),
    apiClient: (apiKey: string) => createApiClient(url, apiKey),
    app,
    config,
    close: () => (closing ??= app.close().then(() => undefined)),
  };
}

export { AdminApiError, createAdminClient } from './admin-client.js';
export type {
  AdminClient,
  AdminClientOptions,
  ChaosRule,
  ClockAdvanced,
  ClockState,
  FaultRule,
  FaultRuleRequest,
  JournalEntry,
  JournalFilter,
  MerchantSettings,
  MerchantSettingsInput,
  MerchantsFile,
  OutcomeQueue,
  OutcomeSummary,
  ReadyState,
  SessionFilter,
  SessionView,
  WebhookChaos,
  WebhookChaosRequest,
  WebhookDelivery,
  WebhookDeliveryStatus,
} from './admin-client.js';
export { createApiClient, HttpApiError, ZignSecApiError } from './api-client.js';
export type { ApiClient, ApiClientOptions, ApiErrorEntry, CreatedSession, CreateSessionOptions, LivenessSessionRequest, ScanningSessionRequest, SessionResult } from './api-client.js';
export { ConfigError } from './config.js';
export type { Config } from './config.js';
export { signTimestamped, signZignSecHmac, verifyTimestampedSignature, verifyZignSecSignature } from './core/webhook-signature.js';
