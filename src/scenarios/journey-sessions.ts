// How a journey gets a session: through the public API with its own key and callback URLs (emulator
// mode), or by opening the integrator's app and following it into the scan UI (integrator mode); and
// the API client it uses, which tracks every session it creates.
import type { Page } from 'puppeteer';
import type { StartedSession, StartOptions } from '../../scenarios/journey.js';
import { AdminApiError, type AdminClient, type SessionView } from '../admin-client.js';
import { createApiClient, ZignSecApiError, type ApiClient, type LivenessSessionRequest } from '../api-client.js';
import type { CallbackServer } from './callbacks.js';
import { HEX_DIGITS, randomToken } from '../core/ids.js';

type Callbacks = ReturnType<CallbackServer['open']>;

export interface SessionStarterSetup {
  mode: 'emulator' | 'integrator';
  baseUrl: string;
  admin: AdminClient;
  api: ApiClient;
  journeyName: string;
  /** Integrator mode: the app's start URL and an optional selector to click there. */
  app?: { url: string; startSelector?: string };
  callbacks: Callbacks;
  waitTimeoutMs: number;
  /** The journey's first page, where a session starts unless told otherwise. */
  page: Page;
  trackSession: (id: string) => void;
}

/** The public API client of the journey's key; the sessions it creates are tracked. */
export function trackingApiClient(baseUrl: string, apiKey: string, trackSession: (id: string) => void): ApiClient {
  const rawApi = createApiClient(baseUrl, apiKey);
  return {
    ...rawApi,
    createLivenessSession: async (...args) => {
      const created = await rawApi.createLivenessSession(...args);
      trackSession(created.id);
      return created;
    },
    createScanningSession: async (...args) => {
      const created = await rawApi.createScanningSession(...args);
      trackSession(created.id);
      return created;
    },
  };
}

/** The journey's `startSession()`. */
export function sessionStarter(setup: SessionStarterSetup): (options?: StartOptions) => Promise<StartedSession> {
  const { admin, api } = setup;
  const { landing, receiver } = setup.callbacks;

  /** The browser is in the scan UI: read the session, check the control API knows it. */
  async function arrived(target: Page, how: string): Promise<{ id: string; view: SessionView }> {
    try {
      await target.waitForSelector('[data-testid="scan-root"]', { timeout: setup.waitTimeoutMs + 5000 });
    } catch {
      const title = await target.title().catch(() => '');
      throw new Error(`${how}, the browser did not arrive in the scan UI: it is at ${target.url()}${title ? ` ("${title}")` : ''}`);
    }
    const id = await target.$eval('[data-testid="scan-root"]', (el) => el.getAttribute('data-session-id') ?? '');
    setup.trackSession(id);
    try {
      return { id, view: await admin.sessions.get(id) };
    } catch (error) {
      if (error instanceof AdminApiError && error.status === 404) {
        throw new Error(`${how}, the browser is in the scan UI of session ${id}, which the emulator at ${setup.baseUrl} does not know: is the app using the same emulator?`, { cause: error });
      }
      throw error;
    }
  }

  return async function startSession(options: StartOptions = {}): Promise<StartedSession> {
    const target = options.page ?? setup.page;
    if (setup.mode === 'integrator') {
      const app = setup.app!;
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

    const relayState = `${setup.journeyName}:${randomToken(8, HEX_DIGITS)}`;
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
  };
}
