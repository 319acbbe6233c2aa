// The browser flow end to end: each `options` value, fixed and Random actions, camera, file upload
// and test-mode samples, ending on the merchant's target with relay_state and the session id.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import {
  createSession,
  finishAnalysis,
  landedAt,
  press,
  startRealTimeApp,
  startScanSuite,
  testid,
  waitForStep,
  walkToAnalyzing,
} from '../helpers/browser.js';

const sample = (name: string) => fileURLToPath(new URL(`../../fixtures/sample-documents/${name}`, import.meta.url));

const { landing, app, clock, baseUrl, request, newPage } = await startScanSuite(t, { relay_state: 'r-42', options: 'FrontSide', action: 'HeadLeft' });


t.test('FrontSide with the camera: front photo, face, action, Analyzing, then target with relay_state and id', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request());
  const { page, errors } = await newPage();
  await page.goto(url);
  await waitForStep(page, 'start');
  const seen = await walkToAnalyzing(page, 'camera');
  t.same(seen, ['start', 'document-front', 'face-align', 'face-action', 'analyzing']);
  await finishAnalysis(app, clock, id);
  const landed = await landedAt(page);
  t.equal(landed.pathname, '/success');
  t.equal(landed.searchParams.get('q'), 'Success', "the target's own query is kept");
  t.equal(landed.searchParams.get('relay_state'), 'r-42');
  t.equal(landed.searchParams.get('session_id'), id);
  const session = app.emulator.sessions.findById(id)!;
  t.equal(session.status, 'Accepted');
  t.same(
    session.documents.map((d) => [d.documentType, d.contentType]),
    [
      ['DocumentFront', 'image/jpeg'],
      ['Selfie', 'image/jpeg'],
    ],
    'the camera shot of the front and a selfie frame are stored',
  );
  t.same(errors, [], 'no console errors or CSP violations');
});

t.test('FrontAndBack with file uploads: front then back', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request({ options: 'FrontAndBack', action: 'Smile' }));
  const { page } = await newPage();
  await page.goto(url);
  await press(page, 'start-browser');
  await waitForStep(page, 'document-front');
  t.match(await page.$eval('[data-testid="step-document-front"] .counter', (el) => el.textContent), 'Step 1 of 4');
  const seen = await walkToAnalyzing(page, 'file', sample('id-card-front.jpg'));
  t.same(seen, ['document-front', 'document-back', 'face-align', 'face-action', 'analyzing']);
  await finishAnalysis(app, clock, id);
  t.equal((await landedAt(page)).pathname, '/success');
  const documents = app.emulator.sessions.findById(id)!.documents;
  t.same(
    documents.map((d) => d.documentType),
    ['DocumentFront', 'DocumentBack', 'Selfie'],
  );
  t.equal(documents[0].size, (await import('node:fs')).statSync(sample('id-card-front.jpg')).size, 'the uploaded file arrives whole');
});

t.test('NoDocument goes straight to the face', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request({ options: 'NoDocument', action: 'FollowText' }));
  const { page } = await newPage();
  await page.goto(url);
  const seen = await walkToAnalyzing(page);
  t.same(seen, ['start', 'face-align', 'face-action', 'analyzing']);
  await finishAnalysis(app, clock, id);
  t.equal((await landedAt(page)).pathname, '/success');
  t.equal(app.emulator.sessions.findById(id)!.documents.filter((d) => d.documentType.startsWith('Document')).length, 0);
});

t.test('a fixed action shows its prompt and cue; FollowText moves text', async (t) => {
  const { url } = await createSession(app, baseUrl, request({ options: 'NoDocument', action: 'FollowText' }));
  const { page } = await newPage();
  await page.goto(url);
  await press(page, 'start-browser');
  await press(page, 'face-align-continue');
  await waitForStep(page, 'face-action');
  t.equal(await page.$eval(testid('action-prompt'), (el) => el.getAttribute('data-action')), 'FollowText');
  t.equal(await page.$eval(testid('action-prompt'), (el) => el.textContent), 'Follow the moving text with your eyes');
  t.equal(await page.$eval(testid('action-cue'), (el) => el.getAttribute('data-cue')), 'FollowText');
  t.equal(await page.$eval('.follow-text', (el) => getComputedStyle(el).animationName), 'zsm-follow', 'the text is animated');
});

t.test('Random with restricted available_actions picks one of them and stores it', async (t) => {
  const allowed = ['BlinkEyes', 'HeadUp'];
  for (let i = 0; i < 3; i++) {
    const { id, url } = await createSession(app, baseUrl, request({ options: 'NoDocument', action: 'Random', available_actions: allowed }));
    const chosen = app.emulator.sessions.findById(id)!.chosenAction;
    t.ok(allowed.includes(chosen!), `chosen ${chosen}`);
    const { page } = await newPage();
    await page.goto(url);
    await walkToAnalyzing(page);
    t.equal(await page.$eval(testid('scan-root'), (el) => el.getAttribute('data-action')), chosen, 'the page asks for the stored action');
    await finishAnalysis(app, clock, id);
    await landedAt(page);
    const result = (await app.inject({ url: `/v3/scanning/${id}`, headers: { authorization: 'e2e-key' } })).json();
    t.match(JSON.stringify(result), chosen!, 'the result names the action');
    await page.close();
  }
});

t.test('test-mode sample documents can be chosen instead of the camera', async (t) => {
  const { id, url } = await createSession(app, baseUrl, request());
  const { page } = await newPage();
  await page.goto(url);
  await walkToAnalyzing(page, 'sample');
  const front = app.emulator.sessions.findById(id)!.documents[0];
  t.equal(front.documentType, 'DocumentFront');
  t.equal(front.contentType, 'image/jpeg');
});

t.test('/v3/scanning sessions follow analysis_types', async (t) => {
  const { id, url } = await createSession(app, baseUrl, { target: `${landing.base}/scan-ok`, analysis_types: ['document', 'selfie', 'liveness'] }, { path: '/v3/scanning' });
  const { page } = await newPage();
  await page.goto(url);
  t.equal(await page.$eval(testid('scan-root'), (el) => el.getAttribute('data-flow')), 'scanning');
  const seen = await walkToAnalyzing(page);
  t.same(seen, ['start', 'document-front', 'face-align', 'face-action', 'analyzing']);
  await finishAnalysis(app, clock, id);
  const landed = await landedAt(page);
  t.equal(landed.pathname, '/scan-ok');
  t.equal(landed.searchParams.get('relay_state'), id, 'relay_state defaults to the session id');
});

t.test('on real time the Analyzing screen waits for the result by itself', { timeout: 90_000 }, async (t) => {
  const real = await startRealTimeApp(t);
  const { url } = await createSession(real.app, real.baseUrl, request({ options: 'NoDocument', action: 'Smile' }));
  const { page } = await newPage();
  // The page logs each progress value as it changes; console messages reach the test as events, so
  // the check cannot race the redirect and needs no call back into the page.
  const seen: number[] = [];
  page.on('console', (message) => {
    const match = /^progress (\d+)$/.exec(message.text());
    if (match) seen.push(Number(match[1]));
  });
  await page.goto(url);
  await page.evaluate(() => {
    const bar = document.querySelector('[data-testid="analyzing-progress"]')!;
    new MutationObserver(() => console.log(`progress ${bar.getAttribute('aria-valuenow')}`)).observe(bar, {
      attributes: true,
      attributeFilter: ['aria-valuenow'],
    });
  });
  await walkToAnalyzing(page);
  t.equal((await landedAt(page)).pathname, '/success');
  t.ok(seen.length > 0 && Math.max(...seen) > 0, `the progress bar moved (${seen.join(', ')})`);
  t.equal(seen.at(-1), 100, 'and shows 100% before the redirect');
});
