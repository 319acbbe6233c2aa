// The portal's live pages in a real browser: a session page left open downloads nothing while idle
// and updates when the session changes; tabs of one browser share one stream; the page says when
// the emulator went away and comes back by itself when it returns; a sign-in that ended stops it
// with a message; past the bound of live pages it says so. One Chromium for the file; every wait is
// on a selector or on server state.
import type { AddressInfo } from 'node:net';
import type { BrowserContext, HTTPRequest, Page } from 'puppeteer';
import t, { type Test } from 'tap';
import { collectPortalErrors, launchBrowser, testid, until } from '../helpers/browser.js';
import { auth, exampleLivenessRequest } from '../helpers/app.js';
import { quietFor } from '../helpers/live.js';
import { signIn, startPortalApp, type PortalTestApp } from '../helpers/portal.js';

const browser = await launchBrowser(t);

async function createSession(app: PortalTestApp['app'], key: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: exampleLivenessRequest });
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** A fresh browser context signed in with `key` (the portal's cookie, as its sign-in form would set it). */
async function signedInContext(t: Test, started: PortalTestApp, key: string): Promise<BrowserContext> {
  const client = await signIn(started.app, key);
  const context = await browser.createBrowserContext();
  t.teardown(() => context.close());
  const [name, value] = client.cookie.split('=');
  await context.setCookie({ name, value, domain: '127.0.0.1', path: '/portal', httpOnly: true, sameSite: 'Lax' });
  return context;
}

interface OpenPage {
  page: Page;
  errors: string[];
  /** Every request the page made, in order. */
  requests: HTTPRequest[];
}

async function open(t: Test, context: BrowserContext, url: string): Promise<OpenPage> {
  const page = await context.newPage();
  t.teardown(() => page.close().catch(() => undefined));
  const errors = collectPortalErrors(page);
  const requests: HTTPRequest[] = [];
  page.on('request', (request) => requests.push(request));
  await page.goto(url);
  return { page, errors, requests };
}

const liveState = (p: Page) => p.$eval(testid('live-status'), (el) => el.getAttribute('data-state'));
const waitForState = (p: Page, state: string) => p.waitForSelector(`${testid('live-status')}[data-state="${state}"]`, { timeout: 30_000 });
const text = (p: Page, id: string) => p.$eval(testid(id), (el) => el.textContent?.trim() ?? '');
/** Requests other than the stream itself (what a page downloads). */
const downloads = (requests: HTTPRequest[]) => requests.filter((r) => !r.url().endsWith('/portal/live'));

t.test('a session page left open downloads nothing while idle, and updates when the session changes', async (t) => {
  const started = await startPortalApp(t, {}, { listen: true });
  const { app, baseUrl } = started;
  const id = await createSession(app, 'live-a');
  const context = await signedInContext(t, started, 'live-a');
  const { page, errors, requests } = await open(t, context, `${baseUrl}/portal/sessions/${id}`);
  await waitForState(page, 'live');
  t.equal(await page.$eval(testid('live-status'), (el) => (el as HTMLElement).hidden), true, 'connected: no banner');
  t.equal(await page.$eval(testid('live-status'), (el) => el.getAttribute('role')), 'status');
  await until(() => app.emulator.changes.count('live-a') === 1, 'the stream');
  // The page looks once when its stream opens (whatever changed since it was rendered): a 304.
  await until(() => requests.some((r) => r.headers()['if-none-match'] && r.response()?.status() === 304), 'the first look');

  const before = requests.length;
  await quietFor(3000);
  t.strictSame(
    requests.slice(before).map((r) => r.url()),
    [],
    'three idle seconds: not one request (the old script made five page downloads)',
  );

  const fingerprint = await page.$eval(testid('session-live'), (el) => el.getAttribute('data-fingerprint'));
  app.emulator.sessions.complete(app.emulator.sessions.findById(id)!, 'face_mismatch');
  await page.waitForSelector(`${testid('session-live')}[data-status="Declined"]`, { timeout: 10_000 });
  t.equal(await text(page, 'session-status'), 'Declined');
  t.equal(await text(page, 'live-announcer'), 'Status: Declined', 'the change is announced');
  const fetched = downloads(requests.slice(before));
  t.strictSame(
    fetched.map((r) => [new URL(r.url()).pathname, r.headers()['if-none-match'], r.response()?.status()]),
    [[`/portal/sessions/${id}`, `W/"${fingerprint}"`, 200]],
    'one conditional request for the change, answered with the page',
  );
  t.equal(await page.$eval(testid('session-live'), (el) => el.getAttribute('data-live')), 'off', 'finished, nothing owed: it holds still');
  await until(() => app.emulator.changes.count('live-a') === 0, 'the stream to be let go');
  t.strictSame(errors, []);
});

t.test('tabs of one browser share one stream; when the tab holding it closes, another takes over', async (t) => {
  const started = await startPortalApp(t, {}, { listen: true });
  const { app, baseUrl } = started;
  const id = await createSession(app, 'live-b');
  const context = await signedInContext(t, started, 'live-b');
  const first = await open(t, context, `${baseUrl}/portal/sessions/${id}`);
  const second = await open(t, context, `${baseUrl}/portal/journal`);
  const third = await open(t, context, `${baseUrl}/portal/sessions`);
  for (const { page } of [first, second, third]) await waitForState(page, 'live');
  await quietFor(300);
  t.equal(app.emulator.changes.count('live-b'), 1, 'three live tabs, one stream');
  t.equal([first, second, third].map((o) => o.requests.filter((r) => r.url().endsWith('/portal/live')).length).reduce((a, b) => a + b), 1, 'opened by one tab');

  // Only the tab in front is visible (Chromium, like any browser): the others wait until they are shown.
  await second.page.bringToFront();
  const total = () => second.page.$eval(testid('journal-live'), (el) => el.getAttribute('data-total'));
  const shown = Number(await total());
  const thirdBefore = downloads(third.requests).length;
  await app.inject({ url: `/v3/scanning/${id}`, headers: auth('live-b') });
  await second.page.waitForFunction((n) => document.querySelector('[data-testid="journal-live"]')?.getAttribute('data-total') === String(n), { timeout: 10_000 }, shown + 1);
  t.pass('the journal tab heard of the request through the tab holding the stream');
  await quietFor(500);
  t.equal(downloads(third.requests).length, thirdBefore, 'a hidden tab does not look meanwhile');

  await first.page.close();
  await until(() => app.emulator.changes.count('live-b') === 1 && second.requests.concat(third.requests).some((r) => r.url().endsWith('/portal/live')), 'another tab to take the stream over', 10_000);
  await createSession(app, 'live-b');
  await quietFor(500);
  await third.page.bringToFront();
  await third.page.waitForFunction(() => document.querySelectorAll('[data-testid="session-row"]').length === 2, { timeout: 10_000 });
  t.pass('the sessions tab, shown, catches up with the new session');
  t.equal(app.emulator.changes.count('live-b'), 1);
  t.strictSame([...second.errors, ...third.errors], []);
});

t.test('the emulator goes away: the page says so, and picks up what changed when it comes back', async (t) => {
  const started = await startPortalApp(t, {}, { listen: true });
  const { app, baseUrl } = started;
  const id = await createSession(app, 'live-c');
  const context = await signedInContext(t, started, 'live-c');
  const { page } = await open(t, context, `${baseUrl}/portal/sessions/${id}`);
  await waitForState(page, 'live');
  await until(() => app.emulator.changes.count('live-c') === 1, 'the stream');

  // The listener closes and every connection drops, as when the process stops.
  const port = (app.server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => {
    app.server.close(() => resolve());
    app.server.closeAllConnections();
  });
  await waitForState(page, 'lost');
  t.match(await text(page, 'live-status'), /^Lost the connection to the emulator: this page is not updating\. Trying again in \d+ seconds?\.$/);
  t.equal(await page.$eval(testid('live-status'), (el) => (el as HTMLElement).hidden), false, 'the banner shows');

  app.emulator.sessions.complete(app.emulator.sessions.findById(id)!);
  await quietFor(1500);
  t.equal(await liveState(page), 'lost', 'still away: still says so');
  await new Promise<void>((resolve) => app.server.listen(port, '127.0.0.1', () => resolve()));
  await page.waitForSelector(`${testid('session-live')}[data-status="Accepted"]`, { timeout: 30_000 });
  t.pass('back: the change made meanwhile is shown');
  t.equal(await page.$eval(testid('live-status'), (el) => (el as HTMLElement).hidden), true, 'the banner is gone');
});

t.test('signing out (in another tab) stops the page with a message and a way back; nothing is retried', async (t) => {
  const started = await startPortalApp(t, {}, { listen: true });
  const { app, baseUrl } = started;
  const id = await createSession(app, 'live-d');
  const context = await signedInContext(t, started, 'live-d');
  const { page, requests } = await open(t, context, `${baseUrl}/portal/sessions/${id}`);
  await waitForState(page, 'live');
  const other = await open(t, context, `${baseUrl}/portal/settings`);
  await Promise.all([other.page.waitForNavigation(), other.page.click(testid('sign-out'))]);

  await waitForState(page, 'stopped');
  t.equal(await text(page, 'live-status'), 'You are signed out: this page no longer updates. Sign in again');
  t.equal(
    await page.$eval(testid('live-status-link'), (el) => el.getAttribute('href')),
    `/portal/sign-in?next=${encodeURIComponent(`/portal/sessions/${id}`)}`,
  );
  const settled = requests.length;
  await quietFor(2500);
  t.strictSame(
    requests.slice(settled).map((r) => r.url()),
    [],
    'no retries once stopped',
  );
  t.equal(app.emulator.changes.count(), 0);
});

t.test('past the bound of live pages for a key, the page says so and keeps trying', async (t) => {
  const started = await startPortalApp(t, {}, { listen: true, live: { maxPerKey: 1 } });
  const { app, baseUrl } = started;
  const id = await createSession(app, 'live-e');
  // Two browsers (contexts) of one key: each needs its own stream.
  const first = await open(t, await signedInContext(t, started, 'live-e'), `${baseUrl}/portal/sessions/${id}`);
  await waitForState(first.page, 'live');
  const second = await open(t, await signedInContext(t, started, 'live-e'), `${baseUrl}/portal/sessions/${id}`);
  await waitForState(second.page, 'limited');
  t.match(await text(second.page, 'live-status'), /^Too many live pages are open for this API key: this page is not updating\. Trying again in \d+ seconds?\.$/);
  await first.page.close();
  await waitForState(second.page, 'live');
  t.pass('a place freed up: the page follows again');
});

t.test('past the bound of live pages of all keys, the page says the emulator is busy', async (t) => {
  const started = await startPortalApp(t, {}, { listen: true, live: { maxTotal: 1 } });
  const { app, baseUrl } = started;
  const first = await open(t, await signedInContext(t, started, 'live-g'), `${baseUrl}/portal/sessions/${await createSession(app, 'live-g')}`);
  await waitForState(first.page, 'live');
  const second = await open(t, await signedInContext(t, started, 'live-h'), `${baseUrl}/portal/sessions/${await createSession(app, 'live-h')}`);
  await waitForState(second.page, 'busy');
  t.match(await text(second.page, 'live-status'), /^The emulator follows as many live pages as it can: this page is not updating\. Trying again in \d+ seconds?\.$/);
});

t.test('without Web Locks (a page outside a secure context), a tab holds its own stream', async (t) => {
  const started = await startPortalApp(t, {}, { listen: true });
  const { app, baseUrl } = started;
  const id = await createSession(app, 'live-f');
  const context = await signedInContext(t, started, 'live-f');
  const page = await context.newPage();
  t.teardown(() => page.close().catch(() => undefined));
  const errors = collectPortalErrors(page);
  // As text: the test loader names the getter with a helper the page does not have.
  await page.evaluateOnNewDocument("Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined })");
  await page.goto(`${baseUrl}/portal/sessions/${id}`);
  await waitForState(page, 'live');
  app.emulator.sessions.complete(app.emulator.sessions.findById(id)!, 'liveness_failed');
  await page.waitForSelector(`${testid('session-live')}[data-status="Declined"]`, { timeout: 10_000 });
  t.pass('it updates');
  t.strictSame(errors, []);
});
