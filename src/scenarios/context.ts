// Builds the JourneyContext one journey runs with: its API key, incognito pages, landing pages and
// webhook receiver, progress steps, clock helpers and the generic expectations (landing, result, webhook)
// that work the same against the emulator alone and through an integrator's app.
import { randomBytes } from 'node:crypto';
import { KnownDevices, type Browser, type BrowserContext, type Device, type Page } from 'puppeteer';
import type {
  ConsoleEntry,
  Journey,
  JourneyClock,
  JourneyContext,
  LandingKind,
  NewPageOptions,
  StartedSession,
  StartOptions,
  WebhookCheck,
} from '../../scenarios/journey.js';
import { AdminApiError, type AdminClient, type ClockScope, type OutcomeSummary, type SessionView, type WebhookDelivery } from '../admin-client.js';
import { createApiClient, ZignSecApiError, type ApiClient, type LivenessSessionRequest, type SessionResult } from '../api-client.js';
import { finalRedirect, type ReturnParameterNames } from '../core/redirect.js';
import type { SessionStatus } from '../schemas/common.js';
import type { CallbackServer } from './callbacks.js';
import { waitUntil } from './wait.js';

/** What every journey of a run shares. */
export interface RunEnvironment {
  mode: 'emulator' | 'integrator';
  baseUrl: string;
  admin: AdminClient;
  browser: Browser;
  outcomes: ReadonlyMap<string, OutcomeSummary>;
  /** The emulator's redirect parameter names (GET /__mock/wire), which the landing checks expect. */
  returnParameters: ReturnParameterNames;
  callbacks: CallbackServer;
  runId: string;
  /** Integrator mode: the app's start URL and an optional selector to click there. */
  app?: { url: string; startSelector?: string };
  /** Default timeout of each wait on the page, in milliseconds. */
  waitTimeoutMs: number;
}

export interface StepRecord {
  name: string;
  status: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

export interface JourneyEvents {
  onStep(step: StepRecord): void;
  onLog(message: string): void;
}

/** A journey's context plus what the runner needs afterwards: steps, pages, sessions, cleanup. */
export interface JourneyRun {
  context: JourneyContext;
  steps: StepRecord[];
  pages: Page[];
  sessionIds: Set<string>;
  console: ConsoleEntry[];
  abort(reason: Error): void;
  /** Deferred cleanups (last first), then every browser context of the journey. */
  dispose(): Promise<void>;
}

const SESSION_IN_URL = /\/v3\/scan\/ui\/([0-9a-f-]{36})\//i;
const isFinalStatus = (status: string) => ['Accepted', 'Declined', 'Failed', 'Timeout', 'Cancelled'].includes(status);

/** The result object a webhook body carries: the body itself, or (webhook_format "event") its envelope's eventSpecificData. */
function resultIn(body: unknown): SessionResult {
  const envelope = body as { event?: unknown; result?: { eventSpecificData?: unknown } } | null;
  return (typeof envelope?.event === 'string' && envelope.result?.eventSpecificData ? envelope.result.eventSpecificData : body) as SessionResult;
}

/** Marks an error with the step it failed in (the first, innermost step wins). */
export function failedStepOf(error: unknown): string | undefined {
  return (error as { journeyStep?: string } | null)?.journeyStep;
}

function samePage(a: URL, b: URL): boolean {
  return a.origin === b.origin && a.pathname === b.pathname;
}

/** Resolves with the main frame's URL once `matches` accepts it: now, or at a later navigation. */
function waitForUrl(page: Page, matches: (url: URL) => boolean, timeoutMs: number, onTimeout: () => Promise<Error>): Promise<URL> {
  const current = (): URL | undefined => {
    try {
      const url = new URL(page.url());
      return matches(url) ? url : undefined;
    } catch {
      return undefined;
    }
  };
  const already = current();
  if (already) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    const stop = () => {
      page.off('framenavigated', onNavigated);
      page.off('close', onClose);
      clearTimeout(timer);
    };
    const onNavigated = () => {
      const url = current();
      if (url) {
        stop();
        resolve(url);
      }
    };
    const onClose = () => {
      stop();
      reject(new Error('the page was closed while waiting for it to land'));
    };
    const timer = setTimeout(() => {
      stop();
      onTimeout().then(reject, reject);
    }, timeoutMs);
    page.on('framenavigated', onNavigated);
    page.on('close', onClose);
  });
}

function describeDeliveries(deliveries: WebhookDelivery[]): string {
  if (deliveries.length === 0) return 'none';
  return deliveries
    .map((d) => `${d.id} ${d.session_status} ${d.status} [${d.attempts.map((a) => a.status ?? a.error ?? '?').join(', ')}] to ${d.url}`)
    .join('; ');
}

interface SessionSettings {
  relay_state: string;
  target: string;
  target_error: string;
  cancel_url: string;
  webhook: string;
}

const settingsOf = (view: SessionView) => view.settings as unknown as SessionSettings;

export async function createJourneyRun(env: RunEnvironment, journey: Journey, slot: string, events: JourneyEvents): Promise<JourneyRun> {
  const apiKey = `zsm-${env.runId}-${slot}-${journey.name}`.slice(0, 200);
  const { landing, receiver } = env.callbacks.open(slot, apiKey);
  const steps: StepRecord[] = [];
  const pages: Page[] = [];
  const contexts: BrowserContext[] = [];
  const sessionIds = new Set<string>();
  const consoleEntries: ConsoleEntry[] = [];
  const cleanups: (() => unknown)[] = [];
  const controller = new AbortController();
  const { admin } = env;

  const track = (id: string) => {
    sessionIds.add(id.toLowerCase());
  };

  async function openPage(options: NewPageOptions = {}): Promise<Page> {
    const context = await env.browser.createBrowserContext();
    contexts.push(context);
    const page = await context.newPage();
    const number = pages.length + 1;
    pages.push(page);
    page.setDefaultTimeout(env.waitTimeoutMs);
    page.setDefaultNavigationTimeout(env.waitTimeoutMs + 5000);
    const note = (type: string, text: string) => consoleEntries.push({ page: number, type, text, at: Date.now() });
    page.on('console', (message) => note(message.type(), message.text()));
    page.on('pageerror', (error) => note('pageerror', String(error)));
    page.on('requestfailed', (request) => note('requestfailed', `${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
    page.on('framenavigated', (frame) => {
      note('navigated', frame.url());
      const match = SESSION_IN_URL.exec(frame.url());
      if (match) track(match[1]);
    });
    if (options.device) {
      const device: Device | undefined = typeof options.device === 'string' ? KnownDevices[options.device as keyof typeof KnownDevices] : options.device;
      if (!device) throw new Error(`unknown device ${JSON.stringify(options.device)}; use a name of puppeteer's KnownDevices such as 'iPhone 13'`);
      await page.emulate(device);
    }
    return page;
  }

  const page = await openPage();

  const rawApi = createApiClient(env.baseUrl, apiKey);
  const api: ApiClient = {
    ...rawApi,
    createLivenessSession: async (...args) => {
      const created = await rawApi.createLivenessSession(...args);
      track(created.id);
      return created;
    },
    createScanningSession: async (...args) => {
      const created = await rawApi.createScanningSession(...args);
      track(created.id);
      return created;
    },
  };

  const wait = <T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = env.waitTimeoutMs) =>
    waitUntil(check, what, { timeoutMs, signal: controller.signal });

  /**
   * The clock a journey reads and moves is its own key's, so journeys never disturb each other or other
   * users of a shared emulator. In integrator mode the sessions belong to the app's key, which the runner
   * does not know: the clock is then that of the key owning the journey's latest session.
   */
  let movedOwnClock = false;
  const clockScope = (sessionId?: string): ClockScope => {
    const session = sessionId ?? [...sessionIds].at(-1);
    return env.mode === 'integrator' && session !== undefined ? { session_id: session } : apiKey;
  };
  const moveClock = (by: number | string, sessionId?: string) => {
    const scope = clockScope(sessionId);
    if (scope === apiKey) movedOwnClock = true;
    return admin.clock.advance(by, scope);
  };
  const clock: JourneyClock = {
    get: () => admin.clock.get(clockScope()),
    advance: (by) => moveClock(by),
    analysisStarted: (sessionId) =>
      wait(async () => {
        const view = await admin.sessions.get(sessionId);
        const started = isFinalStatus(view.status) || Object.values(view.analyses).includes('Pending') || view.timeline.some((e) => e.event === 'analysis started');
        return started ? view : undefined;
      }, `the analysis of session ${sessionId} to start`),
    async finishAnalysis(sessionId) {
      const view = await clock.analysisStarted(sessionId);
      if (isFinalStatus(view.status)) return;
      const preset = env.outcomes.get(view.outcome.name);
      if (!preset) throw new Error(`the session's outcome ${view.outcome.name} is not in the emulator's catalogue`);
      if (preset.never_finishes) throw new Error(`outcome ${preset.name} never finishes: advance the clock past the session's expiry instead`);
      if (preset.analysis_duration_ms > 0) await moveClock(preset.analysis_duration_ms, sessionId);
    },
  };

  /** The browser is in the scan UI: read the session, check the control API knows it. */
  async function arrived(target: Page, how: string): Promise<{ id: string; view: SessionView }> {
    try {
      await target.waitForSelector('[data-testid="scan-root"]', { timeout: env.waitTimeoutMs + 5000 });
    } catch {
      const title = await target.title().catch(() => '');
      throw new Error(`${how}, the browser did not arrive in the scan UI: it is at ${target.url()}${title ? ` ("${title}")` : ''}`);
    }
    const id = await target.$eval('[data-testid="scan-root"]', (el) => el.getAttribute('data-session-id') ?? '');
    track(id);
    try {
      return { id, view: await admin.sessions.get(id) };
    } catch (error) {
      if (error instanceof AdminApiError && error.status === 404) {
        throw new Error(`${how}, the browser is in the scan UI of session ${id}, which the emulator at ${env.baseUrl} does not know: is the app using the same emulator?`, { cause: error });
      }
      throw error;
    }
  }

  async function startSession(options: StartOptions = {}): Promise<StartedSession> {
    const target = options.page ?? page;
    if (env.mode === 'integrator') {
      const app = env.app!;
      // A start URL that answers an error page is reported by arrived(), which names where the browser is.
      await target.goto(app.url);
      let how = `after opening ${app.url}`;
      if (app.startSelector) {
        const control = await target.waitForSelector(app.startSelector, { visible: true }).catch(() => null);
        if (!control) throw new Error(`the app page ${target.url()} has no visible ${app.startSelector} to click`);
        await control.click();
        how += ` and clicking ${app.startSelector}`;
      }
      const { id, view } = await arrived(target, how);
      return { id, relayState: view.relay_state, redirectUrl: target.url(), page: target, created: view };
    }

    const relayState = `${journey.name}:${randomBytes(4).toString('hex')}`;
    const body: LivenessSessionRequest = {
      relay_state: relayState,
      target: landing.url('/success?shop=demo'),
      target_error: landing.url('/error?shop=demo'),
      cancel_url: landing.url('/cancel?shop=demo'),
      webhook: receiver.url,
      options: 'FrontSide',
      action: 'Random',
      ...options.request,
    };
    const creating = options.scanning
      ? api.createScanningSession(
          { relay_state: relayState, target: body.target, target_error: body.target_error, webhook: body.webhook, ...options.scanning },
          { outcome: options.headerOutcome },
        )
      : api.createLivenessSession(body, { outcome: options.headerOutcome });
    const created = await creating.catch((error: unknown) => {
      if (error instanceof ZignSecApiError && error.status === 401) {
        throw new Error(`the emulator refused the journey's API key (${error.message}); journeys need AUTH_MODE=any, where every key is its own namespace`);
      }
      throw error;
    });
    const view = await admin.sessions.get(created.id);
    if (options.open !== false) {
      const response = await target.goto(created.redirect_url);
      if (!response || response.status() !== 200) throw new Error(`opening redirect_url ${created.redirect_url} answered ${response?.status() ?? 'nothing'}`);
      await arrived(target, `after opening redirect_url`);
    }
    return { id: created.id, relayState: view.relay_state, redirectUrl: created.redirect_url, page: target, created: view };
  }

  async function expectLanding(session: StartedSession, kind: LandingKind, on: Page = session.page): Promise<URL> {
    const settings = settingsOf(session.created);
    const resultPage = `/v3/scan/ui/${session.id}/result`;
    const expected = finalRedirect(settings, kind, session.id, resultPage, env.returnParameters);
    const kinds = (['target', 'target_error', 'cancel_url'] as const).filter((k) => settings[k]);
    const kindAt = (url: URL) => kinds.filter((k) => samePage(url, new URL(settings[k])));
    const isDestination = (url: URL) => kindAt(url).length > 0 || url.pathname === resultPage;
    const landed = await waitForUrl(on, isDestination, env.waitTimeoutMs, async () => {
      const where = await on
        .$eval('[data-testid="scan-root"]', (el) => `step ${el.getAttribute('data-step')}, status ${el.getAttribute('data-status')}`)
        .catch(() => 'not in the scan UI');
      return new Error(`expected the browser to land on ${kind} (${expected.url}) within ${env.waitTimeoutMs} ms, but it is at ${on.url()} (${where})`);
    });
    if (expected.via === 'result_page') {
      if (landed.pathname !== resultPage) throw new Error(`expected the emulator's result page (no URL for ${kind}), but the browser landed on ${kindAt(landed).join('/')} (${landed.href})`);
      return landed;
    }
    const want = new URL(expected.url);
    if (!samePage(landed, want)) {
      const actual = landed.pathname === resultPage ? 'the result page' : kindAt(landed).join('/');
      throw new Error(`expected the browser to land on ${kind} (${want.origin}${want.pathname}) but it landed on ${actual} (${landed.href})`);
    }
    for (const [name, value] of want.searchParams) {
      const got = landed.searchParams.get(name);
      if (got !== value) throw new Error(`landed on ${landed.href}: query parameter ${name} is ${JSON.stringify(got)}, expected ${JSON.stringify(value)}`);
    }
    if (env.mode === 'emulator' && landed.href.startsWith(`${landing.base}/`)) {
      await on.waitForSelector('[data-testid="landing"]');
    }
    return landed;
  }

  async function result(session: StartedSession): Promise<SessionResult> {
    if (env.mode === 'integrator') return (await admin.sessions.get(session.id)).result;
    return api.getResult(session.id);
  }

  async function expectWebhook(session: StartedSession, status: SessionStatus): Promise<WebhookCheck> {
    const timeoutMs = env.waitTimeoutMs;
    let delivery: WebhookDelivery;
    try {
      delivery = await admin.webhooks.wait(session.id, { status, timeout_ms: timeoutMs });
    } catch (error) {
      if (!(error instanceof AdminApiError) || error.status !== 408) throw error;
      const deliveries = await admin.webhooks.list({ session_id: session.id });
      throw new Error(`no successful webhook delivery with status ${status} for session ${session.id} within ${timeoutMs} ms; deliveries: ${describeDeliveries(deliveries)}`, { cause: error });
    }
    const last = delivery.attempts.at(-1);
    if (!last || last.status === null || last.status < 200 || last.status > 299) {
      throw new Error(`webhook delivery ${delivery.id} is marked succeeded but its last attempt answered ${last?.status ?? last?.error ?? 'nothing'}`);
    }
    const settings = settingsOf(session.created);
    if (settings.webhook && delivery.url !== settings.webhook) throw new Error(`the webhook went to ${delivery.url}, not the session's ${settings.webhook}`);
    if (env.mode === 'emulator' && delivery.url === receiver.url) {
      const got = receiver.received.find((r) => r.headers['x-zignsec-webhook-id'] === delivery.id && r.answered < 300);
      if (!got) throw new Error(`the receiver never acknowledged delivery ${delivery.id}`);
      if (!got.verified) throw new Error(`delivery ${delivery.id}: X-ZignSec-Hmac-SHA256 does not verify with the journey's API key`);
      if (got.rawBody !== delivery.body) throw new Error(`delivery ${delivery.id}: the bytes received differ from the recorded body`);
    }
    const body = resultIn(JSON.parse(delivery.body));
    if (body.id !== session.id) throw new Error(`the webhook body is about session ${body.id}, not ${session.id}`);
    if (body.status !== status) throw new Error(`the webhook body says ${body.status}, expected ${status}`);
    if (body.relay_state !== session.relayState) throw new Error(`the webhook body carries relay_state ${JSON.stringify(body.relay_state)}, expected ${JSON.stringify(session.relayState)}`);
    return { delivery, body };
  }

  async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      const value = await fn();
      const record: StepRecord = { name, status: 'passed', durationMs: performance.now() - started };
      steps.push(record);
      events.onStep(record);
      return value;
    } catch (error) {
      const record: StepRecord = { name, status: 'failed', durationMs: performance.now() - started, error: (error as Error)?.message ?? String(error) };
      steps.push(record);
      events.onStep(record);
      if (error && typeof error === 'object' && !('journeyStep' in error)) Object.assign(error, { journeyStep: name });
      throw error;
    }
  }

  const context: JourneyContext = {
    name: journey.name,
    mode: env.mode,
    baseUrl: env.baseUrl,
    apiKey,
    admin,
    api,
    browser: env.browser,
    page,
    newPage: openPage,
    landing,
    receiver,
    callbackHost: env.callbacks.publicHost,
    outcomes: env.outcomes,
    clock,
    console: consoleEntries,
    step,
    startSession,
    expectLanding,
    result,
    expectWebhook,
    track,
    defer: (cleanup) => {
      cleanups.push(cleanup);
    },
    log: (message) => events.onLog(message),
    signal: controller.signal,
  };

  return {
    context,
    steps,
    pages,
    sessionIds,
    console: consoleEntries,
    abort: (reason) => controller.abort(reason),
    async dispose() {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          events.onLog(`cleanup failed: ${(error as Error).message}`);
        }
      }
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      // The journey's key goes back on the global clock: an emulator that runs for many runs keeps no
      // clock per finished journey (the app's key, in integrator mode, is the integrator's to reset).
      if (movedOwnClock) await admin.clock.reset(apiKey).catch((error: Error) => events.onLog(`resetting the journey's clock failed: ${error.message}`));
    },
  };
}
