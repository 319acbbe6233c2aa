// Builds the JourneyContext one journey runs with, from its parts: its API key and callback servers,
// its pages (journey-pages.ts), the sessions it starts (journey-sessions.ts), its clock
// (journey-clock.ts), its steps (journey-steps.ts) and the generic expectations (landing, result,
// webhook: journey-expectations.ts), and what the runner needs afterwards to report and clean up.
import type { Browser, Page } from 'puppeteer';
import type { ConsoleEntry, Journey, JourneyContext } from '../../scenarios/journey.js';
import type { AdminClient, OutcomeSummary } from '../admin-client.js';
import type { ReturnParameterNames } from '../core/redirect.js';
import type { CallbackServer } from './callbacks.js';
import { journeyClock } from './journey-clock.js';
import { journeyExpectations } from './journey-expectations.js';
import { JourneyPages } from './journey-pages.js';
import { sessionStarter, trackingApiClient } from './journey-sessions.js';
import { stepRecorder, type StepRecord } from './journey-steps.js';
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

export async function createJourneyRun(env: RunEnvironment, journey: Journey, slot: string, events: JourneyEvents): Promise<JourneyRun> {
  const apiKey = `zsm-${env.runId}-${slot}-${journey.name}`.slice(0, 200);
  const callbacks = env.callbacks.open(slot, apiKey);
  const steps: StepRecord[] = [];
  const sessionIds = new Set<string>();
  const cleanups: (() => unknown)[] = [];
  const controller = new AbortController();
  const { admin } = env;

  const track = (id: string) => {
    sessionIds.add(id.toLowerCase());
  };
  const pages = new JourneyPages(env.browser, env.waitTimeoutMs, track);
  const page = await pages.open();
  const api = trackingApiClient(env.baseUrl, apiKey, track);
  const wait = <T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = env.waitTimeoutMs) =>
    waitUntil(check, what, { timeoutMs, signal: controller.signal });
  const { clock, movedOwnClock } = journeyClock({ mode: env.mode, admin, outcomes: env.outcomes, apiKey, sessionIds, wait });
  const startSession = sessionStarter({
    mode: env.mode,
    baseUrl: env.baseUrl,
    admin,
    api,
    journeyName: journey.name,
    app: env.app,
    callbacks,
    waitTimeoutMs: env.waitTimeoutMs,
    page,
    trackSession: track,
  });
  const expectations = journeyExpectations({ mode: env.mode, admin, api, callbacks, returnParameters: env.returnParameters, waitTimeoutMs: env.waitTimeoutMs });

  const context: JourneyContext = {
    name: journey.name,
    mode: env.mode,
    baseUrl: env.baseUrl,
    apiKey,
    admin,
    api,
    browser: env.browser,
    page,
    newPage: (options) => pages.open(options),
    landing: callbacks.landing,
    receiver: callbacks.receiver,
    callbackHost: env.callbacks.publicHost,
    outcomes: env.outcomes,
    clock,
    console: pages.console,
    step: stepRecorder(steps, (record) => events.onStep(record)),
    startSession,
    expectLanding: expectations.expectLanding,
    result: expectations.result,
    expectWebhook: expectations.expectWebhook,
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
    pages: pages.pages,
    sessionIds,
    console: pages.console,
    abort: (reason) => controller.abort(reason),
    async dispose() {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          events.onLog(`cleanup failed: ${(error as Error).message}`);
        }
      }
      await pages.closeAll();
      // The journey's key goes back on the global clock: an emulator that runs for many runs keeps no
      // clock per finished journey (the app's key, in integrator mode, is the integrator's to reset).
      if (movedOwnClock()) await admin.clock.reset(apiKey).catch((error: Error) => events.onLog(`resetting the journey's clock failed: ${error.message}`));
    },
  };
}
