// The contract between a journey (one file in scenarios/) and the runner (src/scenarios/runner.ts):
// what a journey declares about itself, and everything the runner hands it to drive the scan UI.
import type { Browser, Device, Page } from 'puppeteer';
import type { AdminClient, ClockState, OutcomeSummary, SessionView, WebhookDelivery } from '../src/admin-client.js';
import type { ApiClient, LivenessSessionRequest, ScanningSessionRequest, SessionResult } from '../src/api-client.js';
import type { SessionStatus } from '../src/schemas/common.js';

/** Where a finished scan UI sends the browser (the merchant URL of that name, with its fallbacks). */
export type LandingKind = 'target' | 'target_error' | 'cancel_url';

export interface Journey {
  /** Unique, kebab-case, the same as the file name (without .ts). */
  name: string;
  /** One sentence: what the journey proves. */
  description: string;
  /** For `--tag`: the area (options, action, outcome, webhook, ...) and `smoke` for the quick set. */
  tags: readonly string[];
  /**
   * Written only against `context.startSession` and the generic expectations, so it also runs in
   * integrator mode, where the integrator's own app creates the session.
   */
  integrator?: boolean;
  /**
   * Moves its session's clock in a way that other sessions of the same API key would notice (or is
   * disturbed when they move it). Each journey has its own key and clock, except in integrator mode,
   * where every session belongs to the app's one key: there the runner runs it alone, after the others.
   */
  exclusive?: boolean;
  /** Whole-journey bound in milliseconds (default 30 000). */
  timeoutMs?: number;
  run(context: JourneyContext): Promise<void>;
}

/** A page the journey opened (the runner keeps its console output for artifacts). */
export interface NewPageOptions {
  /** Emulate a phone, e.g. 'iPhone 13' (puppeteer's KnownDevices) or a Device object. */
  device?: string | Device;
}

export interface ConsoleEntry {
  /** 1 for `context.page`, then 2, 3, ... for pages from `newPage`. */
  page: number;
  type: string;
  text: string;
  at: number;
}

/** The runner's stand-in for the merchant site: every path under `base` answers a page with data-testid="landing". */
export interface LandingServer {
  /** This journey's own prefix on the shared landing server, e.g. http://127.0.0.1:41234/landing/j3 */
  base: string;
  /** An absolute URL under `base`: url('/success?shop=1'). */
  url(pathAndQuery: string): string;
  /** Every URL a browser arrived at under `base`, in order. */
  readonly hits: readonly URL[];
}

export interface ReceivedWebhook {
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** X-ZignSec-Hmac-SHA256 verified with the journey's API key. */
  verified: boolean;
  /** The status the receiver answered. */
  answered: number;
  at: number;
}

export interface ScriptedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** A local webhook endpoint for this journey only. */
export interface WebhookReceiver {
  url: string;
  readonly received: readonly ReceivedWebhook[];
  /** How to answer the n-th request (1-based); the default answers 200. */
  respondWith(script: (n: number) => ScriptedAnswer): void;
}

export interface JourneyClock {
  /**
   * The journey's domain time: its own API key's clock (in integrator mode, the clock of the app's key,
   * found through the journey's latest session). Other journeys and other users never see it move.
   */
  get(): Promise<ClockState>;
  /** Moves the journey's clock forward by milliseconds or a duration ('90s', '31m'); its due work runs at once. */
  advance(by: number | string): Promise<ClockState>;
  /** Waits until the session's analysis has started (or the session has ended) and returns its record. */
  analysisStarted(sessionId: string): Promise<SessionView>;
  /** Waits for the analysis to start, then moves the clock past the outcome's analysis_duration_ms. */
  finishAnalysis(sessionId: string): Promise<void>;
}

export interface StartOptions {
  /** Emulator mode: fields merged over the defaults (landing URLs, receiver webhook, FrontSide, Random). */
  request?: Partial<LivenessSessionRequest>;
  /**
   * Emulator mode: create a browser scanning session (POST /v3/scanning) with these fields, over the
   * same landing URLs and receiver webhook, instead of a liveness session.
   */
  scanning?: Partial<ScanningSessionRequest>;
  /** Emulator mode: sent as X-Mock-Outcome. */
  headerOutcome?: string;
  /** The page to open the scan UI in (default `context.page`). */
  page?: Page;
  /** false: create the session but do not open it. */
  open?: boolean;
}

export interface StartedSession {
  id: string;
  relayState: string;
  /** The scan UI URL the browser was sent to (redirect_url, or where the integrator's app sent it). */
  redirectUrl: string;
  page: Page;
  /** The control API's record right after creation (settings, requested analyses, chosen action). */
  created: SessionView;
}

export interface WebhookCheck {
  delivery: WebhookDelivery;
  /** The delivered result object. */
  body: SessionResult;
}

export interface JourneyContext {
  /** The journey's name. */
  name: string;
  /**
   * emulator: the journey creates sessions through the public API with its own key and URLs.
   * integrator: `startSession` goes through the integrator's app (`--app-url`).
   */
  mode: 'emulator' | 'integrator';
  /** Base URL of the emulator (no trailing slash). */
  baseUrl: string;
  /** This journey's own API key (a namespace of its own in AUTH_MODE=any). */
  apiKey: string;
  admin: AdminClient;
  /** The public API under `apiKey` (sessions created with it are tracked for artifacts). */
  api: ApiClient;
  browser: Browser;
  /** A page in a fresh incognito browser context of this journey. */
  page: Page;
  /** Another page in another fresh incognito context (a second browser, or a phone). */
  newPage(options?: NewPageOptions): Promise<Page>;
  landing: LandingServer;
  receiver: WebhookReceiver;
  /**
   * The host name the emulator reaches this runner by (127.0.0.1 unless `--callback-host`): a server a
   * journey starts for the emulator to call (a merchant app) listens for it and puts it in its URLs.
   */
  callbackHost: string;
  /** The emulator's outcome catalogue by name (GET /__mock/outcomes). */
  outcomes: ReadonlyMap<string, OutcomeSummary>;
  clock: JourneyClock;
  /** Every console message, page error and failed request of this journey's pages. */
  readonly console: readonly ConsoleEntry[];
  /** Runs one named step: reported as progress, timed, and named in the failure when it throws. */
  step<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /**
   * Emulator mode: creates a liveness session (landing URLs under `landing`, webhook `receiver.url`)
   * and opens redirect_url. Integrator mode: opens the app and follows it into the scan UI.
   */
  startSession(options?: StartOptions): Promise<StartedSession>;
  /**
   * Waits until the browser leaves the scan UI and asserts it arrived at the URL of `kind` (with the
   * emulator's fallbacks), with the merchant URL's own query, relay_state and session_id.
   */
  expectLanding(session: StartedSession, kind: LandingKind, page?: Page): Promise<URL>;
  /** The result object: GET /v3/scanning/{id} with the journey's key (integrator mode: the control API's copy). */
  result(session: StartedSession): Promise<SessionResult>;
  /**
   * Waits for a successful delivery carrying `status` and checks it: answered 2xx; in emulator mode
   * also received by `receiver`, signed with the journey's key, byte for byte the recorded body.
   */
  expectWebhook(session: StartedSession, status: SessionStatus): Promise<WebhookCheck>;
  /** Adds a session id to the ones whose control-API record is saved as an artifact on failure. */
  track(sessionId: string): void;
  /** Runs after the journey, pass or fail, last registered first. */
  defer(cleanup: () => unknown): void;
  /** A progress note under the current journey. */
  log(message: string): void;
  /** Aborted when the journey times out. */
  signal: AbortSignal;
}

/** Lets a journey file declare itself with full type checking: `export default defineJourney({ ... })`. */
export function defineJourney(journey: Journey): Journey {
  return journey;
}
