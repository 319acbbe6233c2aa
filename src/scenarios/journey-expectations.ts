// The generic expectations of a journey, the same against the emulator alone and through an
// integrator's app: where the browser lands at the end (target, target_error, cancel_url or the result
// page, with the documented parameters), the session's result, and its webhook (delivered, signed,
// the bytes recorded, about the right session).
import type { Page } from 'puppeteer';
import type { LandingKind, StartedSession, WebhookCheck } from '../../scenarios/journey.js';
import { AdminApiError, type AdminClient, type SessionView, type WebhookDelivery } from '../admin-client.js';
import type { ApiClient, SessionResult } from '../api-client.js';
import { finalRedirect, type ReturnParameterNames } from '../core/redirect.js';
import type { SessionStatus } from '../schemas/common.js';
import type { CallbackServer } from './callbacks.js';

type Callbacks = ReturnType<CallbackServer['open']>;

export interface ExpectationsSetup {
  mode: 'emulator' | 'integrator';
  admin: AdminClient;
  api: ApiClient;
  callbacks: Callbacks;
  returnParameters: ReturnParameterNames;
  waitTimeoutMs: number;
}

interface SessionSettings {
  relay_state: string;
  target: string;
  target_error: string;
  cancel_url: string;
  webhook: string;
}

const settingsOf = (view: SessionView) => view.settings as unknown as SessionSettings;

/** The result object a webhook body carries: the body itself, or (webhook_format "event") its envelope's eventSpecificData. */
function resultIn(body: unknown): SessionResult {
  const envelope = body as { event?: unknown; result?: { eventSpecificData?: unknown } } | null;
  return (typeof envelope?.event === 'string' && envelope.result?.eventSpecificData ? envelope.result.eventSpecificData : body) as SessionResult;
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

export function journeyExpectations(setup: ExpectationsSetup) {
  const { admin, api, waitTimeoutMs } = setup;
  const { landing, receiver } = setup.callbacks;

  async function expectLanding(session: StartedSession, kind: LandingKind, on: Page = session.page): Promise<URL> {
    const settings = settingsOf(session.created);
    const resultPage = `/v3/scan/ui/${session.id}/result`;
    const expected = finalRedirect(settings, kind, session.id, resultPage, setup.returnParameters);
    const kinds = (['target', 'target_error', 'cancel_url'] as const).filter((k) => settings[k]);
    const kindAt = (url: URL) => kinds.filter((k) => samePage(url, new URL(settings[k])));
    const isDestination = (url: URL) => kindAt(url).length > 0 || url.pathname === resultPage;
    const landed = await waitForUrl(on, isDestination, waitTimeoutMs, async () => {
      const where = await on
        .$eval('[data-testid="scan-root"]', (el) => `step ${el.getAttribute('data-step')}, status ${el.getAttribute('data-status')}`)
        .catch(() => 'not in the scan UI');
      return new Error(`expected the browser to land on ${kind} (${expected.url}) within ${waitTimeoutMs} ms, but it is at ${on.url()} (${where})`);
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
    if (setup.mode === 'emulator' && landed.href.startsWith(`${landing.base}/`)) {
      await on.waitForSelector('[data-testid="landing"]');
    }
    return landed;
  }

  async function result(session: StartedSession): Promise<SessionResult> {
    if (setup.mode === 'integrator') return (await admin.sessions.get(session.id)).result;
    return api.getResult(session.id);
  }

  async function expectWebhook(session: StartedSession, status: SessionStatus): Promise<WebhookCheck> {
    const timeoutMs = waitTimeoutMs;
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
    if (setup.mode === 'emulator' && delivery.url === receiver.url) {
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

  return { expectLanding, result, expectWebhook };
}
