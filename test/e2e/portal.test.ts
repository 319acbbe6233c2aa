// The merchant portal in a real browser: sign in by keyboard, change settings (and meet a validation
// error), start a scan in this browser and one on a phone, complete both, find them with their
// outcome, timeline and webhook attempts, redeliver, and a second key in its own incognito context
// that sees none of it. One Chromium for the file; every wait is on a selector or on server state.
import { KnownDevices, type Page } from 'puppeteer';
import t, { type Test } from 'tap';
import { collectPortalErrors, finishAnalysis, launchBrowser, testid, waitForStep, walkToAnalyzing } from '../helpers/browser.js';
import { startPortalApp } from '../helpers/portal.js';
import { startReceiver } from '../helpers/receiver.js';

const browser = await launchBrowser(t);
const receiver = await startReceiver(t);
const { app, clock, baseUrl } = await startPortalApp(t, {}, { listen: true });
const KEY_A = 'portal-e2e-merchant-a';
const KEY_B = 'portal-e2e-merchant-b';

const merchant = await browser.createBrowserContext();
t.teardown(() => merchant.close());
const page = await merchant.newPage();
await page.setViewport({ width: 1280, height: 900 });
const pageErrors = collectPortalErrors(page);

const text = (p: Page, id: string) => p.$eval(testid(id), (el) => el.textContent?.trim() ?? '');

async function navigate(p: Page, action: Promise<unknown>): Promise<void> {
  await Promise.all([p.waitForNavigation(), action]);
}

/** Types into a field after clearing what it held. */
async function replaceValue(p: Page, id: string, value: string): Promise<void> {
  await p.$eval(testid(id), (el) => ((el as HTMLInputElement).value = ''));
  await p.type(testid(id), value);
}

async function signIn(t: Test, p: Page, key: string): Promise<void> {
  await p.goto(`${baseUrl}/portal`);
  await p.waitForSelector(testid('sign-in-form'));
  t.equal(new URL(p.url()).pathname, '/portal/sign-in', 'a browser that is not signed in lands on the sign-in form');
  // By keyboard: the skip link first, then the key field, then Enter submits.
  await p.keyboard.press('Tab');
  t.equal(await p.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'skip-link');
  await p.focus(testid('sign-in-key'));
  await p.keyboard.type(key);
  await navigate(p, p.keyboard.press('Enter'));
  await p.waitForSelector(testid('page-start'));
}

const sessions: { browser?: string; mobile?: string } = {};

t.test('sign in, then settings: a bad webhook URL is shown next to the field, a good one is saved', async (t) => {
  await signIn(t, page, KEY_A);
  t.equal(await text(page, 'portal-key'), 'por****-a', 'the key is masked in the header');
  const cookies = await merchant.cookies();
  const portalCookie = cookies.find((c) => c.name === 'zsm_portal')!;
  t.same([portalCookie.httpOnly, portalCookie.sameSite, portalCookie.path], [true, 'Lax', '/portal']);
  t.notOk(cookies.some((c) => c.value.includes(KEY_A)), 'no cookie holds the key');
  t.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the portal cookie');

  await navigate(page, page.click(testid('nav-settings')));
  await replaceValue(page, 'settings-name', 'Portal E2E Shop');
  await page.click(testid('settings-options-FrontSide'));
  await page.click(testid('settings-action-HeadLeft'));
  await replaceValue(page, 'settings-webhook', 'not a url');
  await navigate(page, page.click(testid('settings-save')));
  await page.waitForSelector(testid('settings-error-webhook'));
  t.equal(await text(page, 'settings-error-webhook'), 'The webhook URL must be an absolute http or https URL, or an empty string');
  t.equal(await page.$eval(testid('settings-webhook'), (el) => el.getAttribute('aria-invalid')), 'true');
  t.equal(
    await page.$eval(testid('settings-error-webhook'), (el) => el.closest('[data-testid="field-webhook"]') !== null),
    true,
    'the error sits inside the webhook field',
  );
  t.equal(await page.$eval(testid('settings-webhook'), (el) => (el as HTMLInputElement).value), 'not a url', 'what was typed is kept');
  t.equal(await page.$eval(testid('settings-action-HeadLeft'), (el) => (el as HTMLInputElement).checked), true);
  t.equal(app.emulator.merchants.isKnown(KEY_A), false, 'nothing saved');

  // The summary's link takes keyboard users to the field.
  await page.click(testid('settings-error-link-webhook'));
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'settings-webhook');

  await replaceValue(page, 'settings-webhook', receiver.url);
  await navigate(page, page.click(testid('settings-save')));
  await page.waitForSelector(testid('settings-saved'));
  t.equal(await text(page, 'portal-merchant-name'), 'Portal E2E Shop');
  const saved = app.emulator.merchants.settingsFor(KEY_A)!;
  t.same([saved.name, saved.options, saved.available_actions, saved.webhook], ['Portal E2E Shop', 'FrontSide', ['HeadLeft'], receiver.url]);
});

t.test('a scan in this browser: through the scan UI and back to the session with outcome, timeline and webhook', async (t) => {
  await page.goto(`${baseUrl}/portal`);
  await page.type(testid('start-relay-state'), 'order-browser-1');
  await navigate(page, page.click(testid('start-browser')));
  await waitForStep(page, 'start');
  const id = await page.$eval(testid('scan-root'), (el) => el.getAttribute('data-session-id')!);
  sessions.browser = id;
  t.match(page.url(), `${baseUrl}/v3/scan/ui/${id}/liveness?otp=`);

  t.same(await walkToAnalyzing(page, 'sample'), ['start', 'document-front', 'face-align', 'face-action', 'analyzing']);
  await finishAnalysis(app, clock, id);

  // The scan UI sends the browser to target, which is the portal's session page.
  await page.waitForSelector(`${testid('session-returned')}[data-via="target"]`);
  t.equal(new URL(page.url()).pathname, `/portal/sessions/${id}`);
  t.equal(await page.$eval(testid('session-status'), (el) => el.getAttribute('data-status')), 'Accepted');
  t.equal(await text(page, 'outcome-name'), 'approved');
  t.equal(await page.$eval(testid('outcome-rule'), (el) => el.getAttribute('data-rule')), 'default');
  t.equal(await text(page, 'session-action'), 'HeadLeft', 'the action comes from the saved settings');
  t.same(
    await page.$$eval(testid('timeline-event'), (els) => els.map((el) => el.textContent)),
    ['session created', 'scan UI opened', 'analysis started', 'analysis finished: approved'],
  );
  t.same(
    await page.$$eval(testid('session-document'), (els) => els.map((el) => el.getAttribute('data-document-type'))),
    ['DocumentFront', 'Selfie'],
  );
  t.ok(
    await page.$$eval(testid('session-document-image'), (imgs) => imgs.every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)),
    'the captured images load',
  );

  // The webhook goes out after the session ends; the page shows the attempt when it has happened.
  await page.waitForSelector(`${testid('webhook-delivery')}[data-status="succeeded"] ${testid('webhook-attempt')}[data-ok="true"]`);
  t.equal(await text(page, 'webhook-attempt-status'), '200');
  t.match(await text(page, 'webhook-attempt-duration'), /^\d+(\.\d+)? ms$/);
  t.equal(await text(page, 'webhook-url'), receiver.url);
  t.equal(receiver.received.length, 1);
  t.equal(JSON.parse(receiver.received[0].rawBody).id, id);
  await page.waitForSelector(`${testid('session-live')}[data-live="off"]`);
  t.ok((await page.$$(testid('journal-entry'))).length >= 4, 'the scan UI calls are in the journal');

  await navigate(page, page.click(testid('back-to-sessions')));
  const row = await page.waitForSelector(`${testid('session-row')}[data-session-id="${id}"]`);
  t.same(await row!.evaluate((el) => [el.getAttribute('data-status'), el.getAttribute('data-outcome')]), ['Accepted', 'approved']);
  t.equal(await row!.$eval(testid('session-row-relay-state'), (el) => el.textContent), 'order-browser-1');
});

t.test('a scan on a mobile phone: the QR code in the portal, a phone completes, the portal follows', async (t) => {
  await page.goto(`${baseUrl}/portal`);
  await page.type(testid('start-relay-state'), 'order-mobile-1');
  await page.select(testid('start-outcome'), 'face_mismatch');
  await navigate(page, page.click(testid('start-mobile')));
  await page.waitForSelector(testid('page-mobile'));
  const id = /\/portal\/scans\/([0-9a-f-]{36})\/mobile$/.exec(page.url())![1];
  sessions.mobile = id;

  // The portal opens the framed scan UI's "Continue on mobile" step: its QR code and link.
  const frame = (await (await page.waitForSelector(testid('mobile-scan-ui')))!.contentFrame())!;
  await frame.waitForSelector(`${testid('mobile-qr')}:not([hidden])`);
  const link = await frame.$eval(testid('mobile-link'), (el) => (el as HTMLAnchorElement).href);
  t.match(link, new RegExp(`^${baseUrl}/v3/scan/ui/${id}/mobile\\?t=`));
  t.equal(await page.$eval(testid('mobile-progress'), (el) => el.getAttribute('data-state')), 'waiting');

  const phoneContext = await browser.createBrowserContext();
  t.teardown(() => phoneContext.close());
  const phone = await phoneContext.newPage();
  await phone.emulate(KnownDevices['iPhone 13']);
  await phone.goto(link);
  await waitForStep(phone, 'document-front');
  await page.waitForSelector(`${testid('mobile-progress')}[data-state="opened"]`);
  await frame.waitForSelector(`${testid('mobile-status')}[data-mobile="opened"]`);

  await walkToAnalyzing(phone, 'sample');
  await page.waitForSelector(`${testid('mobile-progress')}[data-state="analyzing"]`);
  t.equal(await text(page, 'mobile-step-captured'), 'Images captured (2)');
  await finishAnalysis(app, clock, id);

  // The portal moves on to the session page by itself when the session ends.
  await page.waitForSelector(`${testid('page-session')} ${testid('session-status')}[data-status="Declined"]`);
  t.equal(new URL(page.url()).pathname, `/portal/sessions/${id}`);
  await waitForStep(phone, 'mobile-done');
  t.equal(await text(page, 'outcome-name'), 'face_mismatch');
  t.equal(await page.$eval(testid('outcome-rule'), (el) => el.getAttribute('data-rule')), 'armed');
  t.same(
    await page.$$eval(testid('session-document'), (els) => els.map((el) => el.textContent?.includes('scan-ui:mobile'))),
    [true, true],
    'the images came from the phone',
  );
  await page.waitForSelector(`${testid('webhook-attempt')}[data-ok="true"]`);
  t.equal(await text(page, 'webhook-attempt-status'), '200');

  await navigate(page, page.click(testid('nav-sessions')));
  await page.select(testid('filter-status'), 'Declined');
  await navigate(page, page.click(testid('filter-apply')));
  t.same(
    await page.$$eval(testid('session-row'), (rows) => rows.map((r) => [r.getAttribute('data-session-id'), r.getAttribute('data-outcome')])),
    [[id, 'face_mismatch']],
  );
  await page.select(testid('filter-status'), '');
  await navigate(page, page.click(testid('filter-apply')));
  t.same(
    await page.$$eval(testid('session-row'), (rows) => rows.map((r) => [r.getAttribute('data-session-id'), r.getAttribute('data-status')])),
    [
      [id, 'Declined'],
      [sessions.browser, 'Accepted'],
    ],
    'both scans, newest first',
  );
});

t.test('a running session page updates by itself; redeliver sends the webhook again', async (t) => {
  const id = sessions.browser!;
  await page.goto(`${baseUrl}/portal/sessions/${id}`);
  await page.click(testid('toc-session-webhooks'));
  const delivery = app.emulator.webhooks.list({ sessionId: id })[0];
  await navigate(page, page.click(testid('webhook-redeliver')));
  await page.waitForSelector(testid('webhook-redelivered'));
  // The page stays live until the second attempt is in, without a reload.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="webhook-attempt"]').length === 2);
  t.equal(delivery.attempts.length, 2);
  t.equal(receiver.received.length >= 3, true, 'browser scan, mobile scan, and the redelivery');
  t.equal(receiver.received[receiver.received.length - 1].headers['x-zignsec-webhook-id'], delivery.id, 'the same delivery id again');

  // A session still running: its page follows the status without a reload.
  const running = app.emulator.sessions.create(KEY_A, 'liveness', { options: 'NoDocument', action: 'Smile', relay_state: 'order-live' });
  await page.goto(`${baseUrl}/portal/sessions/${running.id}`);
  await page.waitForSelector(`${testid('session-live')}[data-live="on"]`);
  const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  app.emulator.sessions.complete(running, 'document_unreadable');
  await page.waitForSelector(`${testid('session-status')}[data-status="${running.status}"]`);
  t.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), marker, 'updated in place, not reloaded');
  t.equal(await text(page, 'outcome-name'), 'document_unreadable');
});

t.test("a second key in another incognito context sees none of the first key's sessions", async (t) => {
  const other = await browser.createBrowserContext();
  t.teardown(() => other.close());
  const second = await other.newPage();
  await signIn(t, second, KEY_B);
  await navigate(second, second.click(testid('nav-sessions')));
  t.equal(await text(second, 'session-count'), 'No sessions yet.');
  t.equal((await second.$$(testid('session-row'))).length, 0);

  for (const id of [sessions.browser!, sessions.mobile!]) {
    const response = await second.goto(`${baseUrl}/portal/sessions/${id}`);
    t.equal(response!.status(), 404);
    t.equal(await second.$eval(testid('problem'), (el) => el.getAttribute('data-status')), '404');
    const image = app.emulator.sessions.findById(id)!.documents[0];
    const imageResponse = await second.goto(`${baseUrl}/portal/sessions/${id}/documents/${image.id}`);
    t.equal(imageResponse!.status(), 404, "another key's image is not served");
  }
  // The first merchant still sees its sessions.
  await page.goto(`${baseUrl}/portal/sessions`);
  t.equal((await page.$$(testid('session-row'))).length, 3);
  t.same(pageErrors, [], 'no script or CSP errors on the portal pages');
});
