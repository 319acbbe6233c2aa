// The scan page when the server fails on purpose (fault rules on the scan UI's API, and Puppeteer
// holding a request unanswered): the state poll backs off and recovers, stops with a message once
// the session or the page's access is gone, and gets past a request that hangs; a failed upload,
// face photo, analysis start or cancel says so in the live region and offers a retry that works.
import { fileURLToPath } from 'node:url';
import type { HTTPRequest, Page } from 'puppeteer';
import t from 'tap';
import { createSession, finishAnalysis, landedAt, press, startScanSuite, testid, until, waitForStep } from '../helpers/browser.js';

const { app, clock, baseUrl, request, newPage } = await startScanSuite(t, { relay_state: 'res-1', options: 'FrontSide', action: 'Smile' });

/** Makes the scan UI API of one session fail: `path` under /v3/scan/ui/<id>/, the next `times` calls. */
async function fault(id: string, method: string, path: string, action: Record<string, unknown>, times = 1): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { method, path: `/v3/scan/ui/${id}/${path}`, action, times } });
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`fault rule refused: ${res.statusCode} ${res.body}`);
}

const unavailable = { type: 'error', status: 503, code: 'Internal Exception', description: 'Injected fault: the service is unavailable.' };

async function open(extra: Record<string, unknown> = {}) {
  const { id, url } = await createSession(app, baseUrl, request(extra));
  const { page, errors } = await newPage();
  return { id, url, page, errors };
}

const text = (page: Page, id: string) => page.$eval(testid(id), (el) => el.textContent ?? '');
const retryShown = (page: Page) => page.$eval(testid('retry'), (el) => ((el as HTMLElement).hidden ? null : el.getAttribute('data-retry')));
const messageIs = (page: Page, expected: string) =>
  page.waitForFunction((sel, want) => document.querySelector(sel)?.textContent === want, { timeout: 30_000 }, testid('status-message'), expected);
/** Each state request of the page: when it started (the browser's own resource timing, in ms) and its status. */
const stateRequests = (page: Page) =>
  page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((entry) => new URL(entry.name).pathname.endsWith('/state'))
      .map((entry) => ({ at: entry.startTime, status: entry.responseStatus })),
  );

t.test('the state poll backs off while the server fails, says so, and recovers by itself', async (t) => {
  const { id, url, page } = await open();
  await page.goto(url);
  await waitForStep(page, 'start');
  await fault(id, 'GET', 'state', unavailable, 2);
  // The mobile step polls every 250 ms: the waits after failures stand out.
  await press(page, 'start-mobile');
  await page.waitForSelector(`${testid('scan-root')}[data-connection="retrying"]`, { timeout: 30_000 });
  t.equal(await text(page, 'status-message'), 'The connection to the server is not working (Injected fault: the service is unavailable.). Trying again…');
  await page.waitForSelector(`${testid('scan-root')}[data-connection="ok"]`, { timeout: 30_000 });
  t.equal(await text(page, 'status-message'), '', 'the message goes once the server answers');
  t.equal(await retryShown(page), null, 'nothing for the person to do');
  const requests = await stateRequests(page);
  const first = requests.findIndex((r) => r.status === 503);
  t.same(requests.slice(first, first + 3).map((r) => r.status), [503, 503, 200], JSON.stringify(requests));
  t.ok(requests[first + 1].at - requests[first].at >= 950, 'about 1 s after the first failure');
  t.ok(requests[first + 2].at - requests[first + 1].at >= 1950, 'about 2 s after the second (250 ms when all is well)');

  await fault(id, 'GET', 'state', { type: 'malformed' });
  await messageIs(page, "The connection to the server is not working (the server's answer could not be read). Trying again…");
  await page.waitForSelector(`${testid('scan-root')}[data-connection="ok"]`, { timeout: 30_000 });
  t.equal(await text(page, 'status-message'), '', 'a body cut short counts as a failure, and passes');
});

t.test('a session that is gone stops the poll with a message: removed or expired (404, 410), access lost (401, 403)', async (t) => {
  const sessionGone = 'This verification is no longer available: it was removed or has expired. Ask the service that sent you here for a new link.';
  const accessLost = 'This page has lost access to the verification (it was opened in another browser, or cookies were cleared). Ask the service that sent you here for a new link.';
  const ways: [string, string, (id: string, page: Page) => Promise<unknown>][] = [
    ['404: deleted', sessionGone, (id) => app.inject({ method: 'DELETE', url: `/__mock/sessions/${id}` })],
    ['410', sessionGone, (id) => fault(id, 'GET', 'state', { ...unavailable, status: 410 })],
    ['401: the cookie is gone', accessLost, async (_id, page) => page.deleteCookie(...(await page.cookies()))],
    ['403', accessLost, (id) => fault(id, 'GET', 'state', { ...unavailable, status: 403 })],
  ];
  for (const [how, message, breakIt] of ways) {
    const { id, url, page } = await open();
    await page.goto(url);
    await waitForStep(page, 'start');
    await breakIt(id, page);
    await page.waitForSelector(`${testid('scan-root')}[data-connection="lost"]`, { timeout: 30_000 });
    t.equal(await text(page, 'status-message'), message, how);
    t.equal(await retryShown(page), null, `${how}: no retry`);
    t.ok(await page.$eval(testid('start-browser'), (el) => (el as HTMLButtonElement).disabled), `${how}: the controls are off`);
    const polled = (await stateRequests(page)).length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    t.equal((await stateRequests(page)).length, polled, `${how}: no more polling`);
  }
});

t.test('a state request that hangs is aborted after its timeout, and the page carries on', async (t) => {
  const { id, url, page } = await open();
  await page.setRequestInterception(true);
  const held: HTTPRequest[] = [];
  page.on('request', (req) => {
    if (held.length === 0 && new URL(req.url()).pathname.endsWith('/state')) held.push(req);
    else void req.continue();
  });
  await page.goto(url);
  await until(() => held.length === 1, 'the first state request');
  await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete`, payload: { outcome: 'approved' } });
  await messageIs(page, 'The connection to the server is not working (the server did not answer in time). Trying again…');
  t.equal(await page.$eval(testid('scan-root'), (el) => el.getAttribute('data-connection')), 'retrying');
  t.equal((await landedAt(page)).pathname, '/success', 'the next poll sees the session finished');
});

t.test('a failed upload says why and its retry sends the image again; a refused file offers no retry', async (t) => {
  const { id, url, page } = await open();
  await page.goto(url);
  await press(page, 'start-browser');
  await waitForStep(page, 'document-front');

  const input = await page.$('input[data-testid="file-input"]');
  await input!.uploadFile(fileURLToPath(import.meta.url));
  await page.waitForFunction((sel) => /image/.test(document.querySelector(sel)?.textContent ?? ''), {}, testid('status-message'));
  t.equal(await retryShown(page), null, 'the same file would be refused again: choose another');

  await fault(id, 'POST', 'documents', unavailable);
  await press(page, 'sample-id-card-front');
  await messageIs(page, 'The upload failed: Injected fault: the service is unavailable.');
  t.equal(await retryShown(page), 'upload');
  t.equal(await page.$eval(testid('scan-root'), (el) => el.getAttribute('data-step')), 'document-front', 'the step stays');
  t.equal(app.emulator.sessions.findById(id)!.documents.length, 0);
  await press(page, 'retry');
  await waitForStep(page, 'face-align');
  t.same(
    app.emulator.sessions.findById(id)!.documents.map((d) => d.documentType),
    ['DocumentFront'],
  );
  t.equal(await retryShown(page), null);
  t.equal(await text(page, 'status-message'), '');
});

t.test('a failed face photo says so and its retry sends the same photo', async (t) => {
  const { id, url, page } = await open({ options: 'NoDocument' });
  await page.goto(url);
  await press(page, 'start-browser');
  await waitForStep(page, 'face-align');
  await page.waitForSelector(`${testid('scan-root')}[data-camera="on"]`);
  await fault(id, 'POST', 'documents', { type: 'truncated' });
  await press(page, 'face-align-continue');
  await messageIs(page, "The face photo could not be sent: the server's answer could not be read");
  t.equal(await retryShown(page), 'selfie');
  t.equal(await page.$eval(testid('scan-root'), (el) => el.getAttribute('data-step')), 'face-align');
  await press(page, 'retry');
  await waitForStep(page, 'face-action');
  t.same(app.emulator.sessions.findById(id)!.documents.map((d) => [d.documentType, d.contentType]), [['Selfie', 'image/jpeg']]);
});

t.test('a failed analysis start says so, and its retry starts the analysis', async (t) => {
  const { id, url, page } = await open({ options: 'NoDocument' });
  await page.goto(url);
  await press(page, 'start-browser');
  await press(page, 'face-align-continue');
  await waitForStep(page, 'face-action');
  await fault(id, 'POST', 'analysis', unavailable);
  await press(page, 'face-action-done');
  await waitForStep(page, 'analyzing');
  await messageIs(page, 'The analysis could not be started: Injected fault: the service is unavailable.');
  t.equal(await retryShown(page), 'analysis');
  t.equal(app.emulator.sessions.findById(id)!.analysisDueAt, null, 'not started');
  await press(page, 'retry');
  await finishAnalysis(app, clock, id);
  t.equal((await landedAt(page)).pathname, '/success');
});

t.test('a failed cancel says so, and its retry cancels', async (t) => {
  const { id, url, page } = await open();
  await page.goto(url);
  await waitForStep(page, 'start');
  await fault(id, 'POST', 'cancel', unavailable, 2);
  await press(page, 'cancel');
  await messageIs(page, 'Cancelling did not work: Injected fault: the service is unavailable.');
  t.equal(await retryShown(page), 'cancel');
  await press(page, 'retry');
  await messageIs(page, 'Cancelling did not work: Injected fault: the service is unavailable.');
  t.equal(await retryShown(page), 'cancel', 'a second failure offers another try');
  t.equal(app.emulator.sessions.findById(id)!.status, 'Pending');
  await press(page, 'retry');
  t.equal((await landedAt(page)).pathname, '/cancel');
  t.equal(app.emulator.sessions.findById(id)!.status, 'Cancelled');
});
