// A merchant page on loopback frames the scan UI and listens for its window.postMessage, as ZignSec
// documents for its scanning UI: `{ product: "SCANNING", payload: { sessionId, sessionStatus,
// relayState, errorCode, errorDetails } }` at the end of the flow, and LINK_EXPIRED for a link already
// used. The message goes to the merchant's own origins (those of target, target_error, cancel_url) only.
import type { Page } from 'puppeteer';
import t from 'tap';
import { createSession, finishAnalysis, press, startScanSuite, testid } from '../helpers/browser.js';

const { landing, app, clock, baseUrl, request, newPage } = await startScanSuite(t, { relay_state: 'order-77', options: 'NoDocument', action: 'Smile' });

interface Recorded {
  origin: string;
  data: unknown;
}

/** Opens the merchant page that frames `url`; returns the page and the scan UI's frame. */
async function framed(page: Page, parentBase: string, url: string) {
  await page.goto(`${parentBase}/embed?src=${encodeURIComponent(url)}`);
  const frame = (await (await page.waitForSelector('#zs'))!.contentFrame())!;
  return frame;
}

const messagesOf = (page: Page) => page.evaluate(() => (window as unknown as { frameMessages: Recorded[] }).frameMessages);

async function walkToAnalyzing(frame: Awaited<ReturnType<typeof framed>>) {
  await frame.waitForSelector('[data-testid="scan-root"][data-step="start"]');
  await press(frame, 'start-browser');
  await press(frame, 'face-align-continue');
  await press(frame, 'face-action-done');
  await frame.waitForSelector('[data-testid="scan-root"][data-step="analyzing"]');
}

t.test('at the end of the flow the framed UI posts the documented message to the merchant page, then goes to target', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request());
  const { page, errors } = await newPage();
  const frame = await framed(page, landing.base, url);
  await walkToAnalyzing(frame);
  t.strictSame(await messagesOf(page), [], 'nothing before the end');
  await finishAnalysis(app, clock, id);
  await frame.waitForSelector('[data-testid="landing"]');
  t.equal(new URL(frame.url()).pathname, '/success');
  t.strictSame(await messagesOf(page), [
    { origin: baseUrl, data: { product: 'SCANNING', payload: { sessionId: id, sessionStatus: 'Accepted', relayState: 'order-77', errorCode: null, errorDetails: null } } },
  ]);
  t.strictSame(errors, [], 'no CSP or script errors');
});

t.test('a cancel posts Cancelled with USER_CANCEL before going to cancel_url', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request());
  const { page } = await newPage();
  const frame = await framed(page, landing.base, url);
  await frame.waitForSelector('[data-testid="scan-root"][data-step="start"]');
  await press(frame, 'cancel');
  await frame.waitForSelector('[data-testid="landing"]');
  t.equal(new URL(frame.url()).pathname, '/cancel');
  t.strictSame((await messagesOf(page)).map((m) => m.data), [
    { product: 'SCANNING', payload: { sessionId: id, sessionStatus: 'Cancelled', relayState: 'order-77', errorCode: 'USER_CANCEL', errorDetails: 'Action cancelled' } },
  ]);
});

t.test('a link already used, opened in a frame, posts LINK_EXPIRED as documented', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request());
  const first = await newPage();
  await first.page.goto(url);
  await first.page.waitForSelector('[data-testid="scan-root"]');
  const { page, errors } = await newPage();
  const frame = await framed(page, landing.base, url);
  await frame.waitForSelector(testid('link-error'));
  t.equal(await frame.$eval(testid('link-error'), (el) => el.getAttribute('data-reason')), 'used');
  await page.waitForFunction(() => (window as unknown as { frameMessages: unknown[] }).frameMessages.length > 0);
  t.strictSame(await messagesOf(page), [
    {
      origin: baseUrl,
      data: { product: 'SCANNING', payload: { sessionId: id, sessionStatus: 'OperatorRequired', relayState: 'order-77', errorCode: 'LINK_EXPIRED', errorDetails: 'The link is already used or expired' } },
    },
  ]);
  t.strictSame(errors.filter((e) => !/status of 403/.test(e)), [], 'the link-error script runs within the CSP');
});

t.test("a page on another origin than the merchant's URLs is told nothing", async (t) => {
  // The merchant's URLs are on http://localhost (the landing server under another name: another
  // origin); the page that frames the UI is on 127.0.0.1.
  const elsewhere = landing.base.replace('127.0.0.1', 'localhost');
  const { id, url } = await createSession(app, baseUrl, request({ target: `${elsewhere}/success`, target_error: `${elsewhere}/error`, cancel_url: `${elsewhere}/cancel` }));
  const { page } = await newPage();
  const frame = await framed(page, landing.base, url);
  await walkToAnalyzing(frame);
  await finishAnalysis(app, clock, id);
  await frame.waitForSelector('[data-testid="landing"]');
  t.equal(new URL(frame.url()).origin, elsewhere, 'the frame went to target');
  t.strictSame(await messagesOf(page), [], 'the message went to the merchant origin only');
});
