// How a scan UI session ends besides success: cancel, errors from the tester panel, no camera,
// no merchant URLs; and the page's safety: the one-time link, escaping, CSP, language, keyboard.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import {
  createSession,
  finishAnalysis,
  landedAt,
  press,
  startScanSuite,
  testid,
  waitForStep,
  walkToAnalyzing,
} from '../helpers/browser.js';

const frontImage = fileURLToPath(new URL('../../fixtures/sample-documents/id-card-front.jpg', import.meta.url));

const { landing, app, clock, baseUrl, request, newPage } = await startScanSuite(t, { relay_state: 'state-7', options: 'FrontSide', action: 'BlinkEyes' });


const status = (id: string) => app.emulator.sessions.findById(id)!.status;

t.test('cancel is on every step and lands on cancel_url with relay_state and the id', async (t) => {
  for (const where of ['start', 'document-front', 'face-align', 'face-action']) {
    const { id, url } = await createSession(app, baseUrl, request());
    const { page } = await newPage();
    await page.goto(url);
    await waitForStep(page, 'start');
    if (where !== 'start') {
      await press(page, 'start-browser');
      await waitForStep(page, 'document-front');
    }
    if (where === 'face-align' || where === 'face-action') await press(page, 'sample-id-card-front');
    if (where === 'face-action') {
      await waitForStep(page, 'face-align');
      await press(page, 'face-align-continue');
    }
    await waitForStep(page, where);
    await press(page, 'cancel');
    const landed = await landedAt(page);
    t.equal(landed.pathname, '/cancel', `cancel from ${where}`);
    t.equal(landed.searchParams.get('q'), 'Cancel');
    t.equal(landed.searchParams.get('relay_state'), 'state-7');
    t.equal(landed.searchParams.get('session_id'), id);
    t.equal(status(id), 'Cancelled');
  }
});

t.test('cancel without cancel_url falls back to target_error', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request({ cancel_url: '' }));
  const { page } = await newPage();
  await page.goto(url);
  await press(page, 'cancel');
  const landed = await landedAt(page);
  t.equal(landed.pathname, '/error');
  t.equal(landed.searchParams.get('session_id'), id);
});

t.test('with no merchant URLs at all the browser ends on the result page', async (t) => {
  const { id, url } = await createSession(app, baseUrl, { options: 'NoDocument', action: 'Smile' });
  const { page } = await newPage();
  await page.goto(url);
  await walkToAnalyzing(page);
  await finishAnalysis(app, clock, id);
  await page.waitForSelector(testid('result-page'));
  t.equal(await page.$eval(testid('result-status'), (el) => el.textContent), 'Accepted');
  t.equal(new URL(page.url()).pathname, `/v3/scan/ui/${id}/result`);
});

t.test('the tester panel outcome provider_error lands on target_error', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request());
  const { page } = await newPage();
  await page.goto(url);
  await press(page, 'tester-toggle');
  await page.select(testid('tester-outcome'), 'provider_error');
  await press(page, 'tester-apply');
  await page.waitForSelector(`${testid('tester-message')}[data-applied="true"]`);
  t.equal(await page.$eval(testid('tester-current-outcome'), (el) => el.textContent), 'provider_error (tester_panel)');
  await walkToAnalyzing(page);
  await finishAnalysis(app, clock, id);
  const landed = await landedAt(page);
  t.equal(landed.pathname, '/error');
  t.equal(landed.searchParams.get('q'), 'targetError');
  t.equal(landed.searchParams.get('relay_state'), 'state-7');
  t.equal(status(id), 'Failed');
});

t.test('"Simulate analysis error" fails the analysis and lands on target_error', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request({ options: 'NoDocument' }));
  const { page } = await newPage();
  await page.goto(url);
  await press(page, 'tester-toggle');
  await press(page, 'tester-analysis-error');
  await page.waitForSelector(`${testid('tester-message')}[data-applied="true"]`);
  await walkToAnalyzing(page);
  await finishAnalysis(app, clock, id);
  t.equal((await landedAt(page)).pathname, '/error');
  t.equal(app.emulator.sessions.findById(id)!.outcome.name, 'provider_error');
});

t.test('the tester panel cannot override an outcome chosen by the X-Mock-Outcome header', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request(), { headers: { 'x-mock-outcome': 'face_mismatch' } });
  const { page } = await newPage();
  await page.goto(url);
  await press(page, 'tester-toggle');
  await press(page, 'tester-analysis-error');
  await page.waitForSelector(`${testid('tester-message')}[data-applied="false"]`);
  t.match(await page.$eval(testid('tester-message'), (el) => el.textContent), 'face_mismatch');
  t.equal(app.emulator.sessions.findById(id)!.outcome.name, 'face_mismatch');
});

t.test('"Simulate camera denied" switches to the file upload, which completes the step', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request());
  const { page } = await newPage();
  await page.goto(url);
  await press(page, 'start-browser');
  await page.waitForSelector('[data-testid="scan-root"][data-camera="on"]');
  await press(page, 'tester-toggle');
  await press(page, 'tester-camera-denied');
  await page.waitForSelector('[data-testid="scan-root"][data-camera="denied"]');
  t.equal(await page.$eval(testid('camera-notice'), (el) => el.textContent), 'Camera access was denied. Upload a photo instead.');
  t.ok(await page.$eval(testid('camera-capture'), (el) => (el as HTMLElement).hidden), 'no capture button without a camera');
  const input = await page.$('input[data-testid="file-input"]');
  await input!.uploadFile(frontImage);
  await waitForStep(page, 'face-align');
  t.equal(app.emulator.sessions.findById(id)!.documents[0].documentType, 'DocumentFront');
});

t.test('a browser that refuses the camera gets the upload fallback and can finish', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request());
  const { page } = await newPage();
  await page.evaluateOnNewDocument(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await page.goto(url);
  await press(page, 'start-browser');
  await page.waitForSelector('[data-testid="scan-root"][data-camera="denied"]');
  const seen = await walkToAnalyzing(page, 'file', frontImage);
  t.same(seen, ['document-front', 'face-align', 'face-action', 'analyzing']);
  await finishAnalysis(app, clock, id);
  t.equal((await landedAt(page)).pathname, '/success');
});

t.test('a non-image upload is refused with a message and the step stays', async (t) => {
  const { url } = await createSession(app, baseUrl, request());
  const { page } = await newPage();
  await page.goto(url);
  await press(page, 'start-browser');
  const input = await page.$('input[data-testid="file-input"]');
  await input!.uploadFile(fileURLToPath(import.meta.url));
  await page.waitForFunction(() => /image/.test(document.querySelector('[data-testid="status-message"]')?.textContent ?? ''));
  t.equal(await page.$eval(testid('scan-root'), (el) => el.getAttribute('data-step')), 'document-front');
});

t.test('the one-time link reused in a fresh browser context shows the error page', async (t) => {
  const { url } = await createSession(app, baseUrl, request());
  const first = await newPage();
  await first.page.goto(url);
  await waitForStep(first.page, 'start');
  const reload = await first.page.reload();
  t.equal(reload!.status(), 200, 'the first browser can reload');
  const second = await newPage();
  const response = await second.page.goto(url);
  t.equal(response!.status(), 403);
  t.equal(await second.page.$eval(testid('link-error'), (el) => el.getAttribute('data-reason')), 'used');
});

t.test('a <script> in relay_state stays inert: shown as text, returned intact', async (t) => {
  const evil = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"\'&';
  const { id, url } = await createSession(app, baseUrl, request({ relay_state: evil, options: 'NoDocument' }));
  const { page, errors } = await newPage();
  await page.goto(url);
  await press(page, 'tester-toggle');
  t.equal(await page.$eval(testid('tester-relay-state'), (el) => el.textContent), evil, 'shown as text');
  t.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'never run');
  t.equal(await page.$$eval('img[src="x"]', (els) => els.length), 0, 'no injected element');
  await walkToAnalyzing(page);
  await finishAnalysis(app, clock, id);
  const landed = await landedAt(page);
  t.equal(landed.searchParams.get('relay_state'), evil, 'relay_state arrives unchanged (URL-encoded on the way)');
  t.same(errors, []);
});

t.test('locale se gives Swedish, an unknown locale English; the merchant css is linked after ours', async (t) => {
  const { url } = await createSession(app, baseUrl, request({ locale: 'se', css: [`${landing.base}/brand.css`] }));
  const { page, errors } = await newPage();
  const response = await page.goto(url);
  t.match(response!.headers()['content-security-policy'], `style-src 'self' ${landing.base}`);
  t.equal(await page.$eval('html', (el) => el.lang), 'sv');
  t.equal(await page.$eval(testid('start-browser'), (el) => el.textContent), 'Skanna i den här webbläsaren');
  t.equal(await page.$eval('.card', (el) => getComputedStyle(el).borderTopColor), 'rgb(200, 30, 60)', 'the merchant stylesheet applies');
  t.same(errors, []);

  const other = await createSession(app, baseUrl, request({ locale: 'xx' }));
  const { page: english } = await newPage();
  await english.goto(other.url);
  t.equal(await english.$eval(testid('start-browser'), (el) => el.textContent), 'Scan in this browser');
});

t.test('the flow is keyboard operable', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request({ options: 'NoDocument' }));
  const { page } = await newPage();
  await page.goto(url);
  await waitForStep(page, 'start');
  // Tab from the top of the page reaches the cancel control and then the start button.
  await page.keyboard.press('Tab');
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'cancel');
  await page.keyboard.press('Tab');
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'start-browser');
  await page.keyboard.press('Enter');
  await waitForStep(page, 'face-align');
  t.equal(await page.evaluate(() => document.activeElement?.id), 'h-face-align', 'focus moves to the new step heading');
  await page.keyboard.press('Tab');
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'face-align-continue');
  await page.keyboard.press('Enter');
  await waitForStep(page, 'face-action');
  await page.keyboard.press('Tab');
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'face-action-done');
  await page.keyboard.press('Space');
  await waitForStep(page, 'analyzing');
  await finishAnalysis(app, clock, id);
  t.equal((await landedAt(page)).pathname, '/success');
});

t.test('the page can be embedded in an iframe of the merchant site and completes there', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request({ options: 'NoDocument' }));
  const { page } = await newPage();
  await page.goto(`${landing.base}/embed?src=${encodeURIComponent(url)}`);
  const frame = (await (await page.waitForSelector('#zs'))!.contentFrame())!;
  await frame.waitForSelector('[data-testid="scan-root"][data-step="start"]');
  await press(frame, 'start-browser');
  await press(frame, 'face-align-continue');
  await press(frame, 'face-action-done');
  await frame.waitForSelector('[data-testid="scan-root"][data-step="analyzing"]');
  await finishAnalysis(app, clock, id);
  await frame.waitForSelector('[data-testid="landing"]');
  t.equal(new URL(frame.url()).pathname, '/success', 'the iframe itself goes to target');
});
