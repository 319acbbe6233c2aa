// The QA console in a real browser with JavaScript turned off: the Next outcomes, API faults and
// Clock pages work through their forms alone (keyboard included), a refused form puts the focus on
// its field, only the chosen fault answer's fields show, and Tab moves through each page in a sane
// order. A second key, in its own incognito context, sees none of the first key's queue, rules or
// clock moves.
// One Chromium for the file; every wait is on a navigation or a selector.
import type { Page } from 'puppeteer';
import t from 'tap';
import { auth, exampleLivenessRequest } from '../helpers/app.js';
import { launchBrowser, testid } from '../helpers/browser.js';
import { startPortalApp } from '../helpers/portal.js';

const browser = await launchBrowser(t);
const { app, baseUrl } = await startPortalApp(t, {}, { listen: true });
const KEY_A = 'console-e2e-merchant-a';
const KEY_B = 'console-e2e-merchant-b';

async function openAs(key: string): Promise<Page> {
  const context = await browser.createBrowserContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.setJavaScriptEnabled(false);
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.type(testid('sign-in-key'), key);
  await submit(page, page.keyboard.press('Enter'));
  return page;
}

const submit = async (page: Page, action: Promise<unknown>) => {
  await Promise.all([page.waitForNavigation(), action]);
};
const text = (page: Page, id: string) => page.$eval(testid(id), (el) => el.textContent?.trim() ?? '');
const texts = (page: Page, id: string) => page.$$eval(testid(id), (all) => all.map((el) => el.textContent?.trim() ?? ''));
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);
const visible = (page: Page, id: string) => page.$eval(testid(id), (el) => (el as HTMLElement).offsetParent !== null);

/** The data-testids the focus visits from the current element on, one Tab at a time. */
async function tabStops(page: Page, count: number): Promise<(string | null)[]> {
  const stops: (string | null)[] = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Tab');
    stops.push(await focused(page));
  }
  return stops;
}

const pageA = await openAs(KEY_A);

t.test('the navigation comes first in the tab order, in its two groups', async (t) => {
  await pageA.goto(`${baseUrl}/portal/outcomes`);
  t.strictSame(await tabStops(pageA, 11), [
    'skip-link', 'portal-home', 'nav-start', 'nav-sessions', 'nav-settings', 'nav-outcomes', 'nav-faults', 'nav-webhooks', 'nav-journal', 'nav-clock', 'sign-out',
  ]);
  t.equal(await pageA.$eval(testid('nav-outcomes'), (el) => el.getAttribute('aria-current')), 'page');
});

t.test('Next outcomes: add, reorder, remove and set the default through forms, by keyboard too', async (t) => {
  await pageA.goto(`${baseUrl}/portal/outcomes`);
  t.equal(await pageA.$$eval(`${testid('preset')}`, (rows) => rows.length), 12, 'the catalogue is on the page before choosing');
  await pageA.select(testid('queue-add-outcome'), 'liveness_failed');
  await pageA.$eval(testid('queue-add-count'), (el) => ((el as HTMLInputElement).value = ''));
  await pageA.type(testid('queue-add-count'), '2');
  await submit(pageA, pageA.click(testid('queue-add-submit')));
  t.equal(await text(pageA, 'console-notice-text'), 'Added liveness_failed for 2 sessions at the end of the queue (positions 1 to 2 of 2).');

  // A bad count: the error sits in the field, the field has the focus, what was typed stays.
  await pageA.select(testid('queue-add-outcome'), 'face_mismatch');
  await pageA.$eval(testid('queue-add-count'), (el) => ((el as HTMLInputElement).value = ''));
  await pageA.type(testid('queue-add-count'), '-3');
  await submit(pageA, pageA.click(testid('queue-add-submit')));
  t.equal(await text(pageA, 'queue-error-count'), 'Enter a whole number from 1 to 100');
  t.equal(await pageA.$eval(testid('queue-error-count'), (el) => el.closest('[data-testid="field-queue-count"]') !== null), true);
  t.equal(await focused(pageA), 'queue-add-count', 'the field in error has the focus, without any script');
  t.equal(await pageA.$eval(testid('queue-add-count'), (el) => (el as HTMLInputElement).value), '-3');
  t.equal(await pageA.$eval(testid('queue-add-outcome'), (el) => (el as HTMLSelectElement).value), 'face_mismatch');

  // By keyboard: fix the count and press Enter in the field.
  await pageA.$eval(testid('queue-add-count'), (el) => ((el as HTMLInputElement).value = ''));
  await pageA.type(testid('queue-add-count'), '1');
  await submit(pageA, pageA.keyboard.press('Enter'));
  t.strictSame(await texts(pageA, 'queue-entry-name'), ['liveness_failed', 'liveness_failed', 'face_mismatch']);

  // Up on the last entry, focused and activated with the keyboard.
  await pageA.focus(`${testid('queue-entry')}[data-index="2"] ${testid('queue-up')}`);
  await submit(pageA, pageA.keyboard.press('Enter'));
  t.equal(await text(pageA, 'console-notice-text'), 'Moved face_mismatch up to position 2.');
  await submit(pageA, pageA.click(`${testid('queue-entry')}[data-index="0"] ${testid('queue-remove')}`));
  t.strictSame(await texts(pageA, 'queue-entry-name'), ['face_mismatch', 'liveness_failed']);
  t.strictSame(app.emulator.sessions.queuedFor(KEY_A), ['face_mismatch', 'liveness_failed']);

  // Within the queue, Tab goes entry by entry; the last entry's Down is disabled, so skipped.
  await pageA.focus(`${testid('queue-entry')}[data-index="0"] ${testid('queue-down')}`);
  t.strictSame(await tabStops(pageA, 4), ['queue-remove', 'queue-up', 'queue-remove', 'queue-clear']);

  await pageA.select(testid('default-outcome'), 'document_expired');
  await submit(pageA, pageA.click(testid('default-save')));
  t.equal(await text(pageA, 'default-current'), 'document_expired');
  t.equal(app.emulator.merchants.settingsFor(KEY_A)!.default_outcome, 'document_expired');
});

t.test('API faults: a preset, then a form that shows only the chosen answer\'s fields', async (t) => {
  await pageA.goto(`${baseUrl}/portal/faults`);
  await submit(pageA, pageA.click(`${testid('fault-preset')}[data-preset="create-503"] ${testid('fault-preset-add')}`));
  t.equal(await text(pageA, 'console-notice-text'), 'Added fault-1: error 503 Internal Exception on the next call of your key to POST /v3/scanning/liveness.');

  t.strictSame([await visible(pageA, 'fault-form-status'), await visible(pageA, 'fault-form-ms'), await visible(pageA, 'fault-form-retry-after-s')], [true, false, false], 'error: its status and code only');
  await pageA.click(testid('fault-form-type-latency'));
  t.strictSame([await visible(pageA, 'fault-form-status'), await visible(pageA, 'fault-form-ms'), await visible(pageA, 'fault-form-retry-after-s')], [false, true, false], 'latency: its delays only');

  // Tab order through the form: method, path, the answer (one stop for the radio group), its fields, times, submit.
  await pageA.focus(testid('fault-form-method'));
  t.strictSame(await tabStops(pageA, 5), ['fault-form-path', 'fault-form-type-latency', 'fault-form-ms', 'fault-form-max-ms', 'fault-form-times']);
  await pageA.keyboard.press('Tab');
  t.equal(await focused(pageA), 'fault-form-submit');

  await pageA.select(testid('fault-form-method'), 'GET');
  await pageA.$eval(testid('fault-form-path'), (el) => ((el as HTMLInputElement).value = ''));
  await pageA.type(testid('fault-form-path'), '/v4/scanning/*');
  await pageA.$eval(testid('fault-form-ms'), (el) => ((el as HTMLInputElement).value = ''));
  await pageA.type(testid('fault-form-ms'), '150');
  await submit(pageA, pageA.click(testid('fault-form-submit')));
  t.equal(await text(pageA, 'fault-error-path'), 'The path glob can never match: fault rules see only the public API, whose paths start with /v3/');
  t.equal(await focused(pageA), 'fault-form-path');
  t.equal(await pageA.$eval(testid('fault-form-type-latency'), (el) => (el as HTMLInputElement).checked), true, 'the chosen answer is kept');
  await pageA.$eval(testid('fault-form-path'), (el) => ((el as HTMLInputElement).value = ''));
  await pageA.type(testid('fault-form-path'), '/v3/scanning/*');
  await submit(pageA, pageA.keyboard.press('Enter'));
  t.strictSame(await texts(pageA, 'fault-action'), ['error 503 Internal Exception', '150 ms slower']);
  t.strictSame(
    app.emulator.faults.list({ apiKey: KEY_A }).map((rule) => [rule.method, rule.path, rule.action.type]),
    [
      ['POST', '/v3/scanning/liveness', 'error'],
      ['GET', '/v3/scanning/*', 'latency'],
    ],
  );

  // The rule fires for this key's call, and the page counts it.
  const refused = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(KEY_A), payload: exampleLivenessRequest });
  t.equal(refused.statusCode, 503);
  await pageA.reload();
  t.strictSame(await texts(pageA, 'fault-action'), ['150 ms slower'], 'a used-up rule is gone');
  await submit(pageA, pageA.click(testid('fault-remove')));
  t.match(await text(pageA, 'console-notice-text'), /^Removed fault-2 \(150 ms slower on GET \/v3\/scanning\/\*, fired 0 times\)\.$/);
  t.equal(await text(pageA, 'faults-empty'), "No rules: your key's calls are answered normally.");
});

t.test('Clock: quick and typed advances, freeze, resume and reset through forms', async (t) => {
  const id = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(KEY_A), payload: exampleLivenessRequest })).json().id as string;
  await pageA.goto(`${baseUrl}/portal/clock`);
  t.match(await text(pageA, 'clock-scope'), /^Your key follows the emulator's global clock/);
  await submit(pageA, pageA.click(testid('clock-advance-31m')));
  t.match(await text(pageA, 'console-notice-text'), /^Advanced your key's clock by 31 min to 2026-01-15 09:31:00\.000 UTC\./);
  t.strictSame(await texts(pageA, 'console-notice-item'), [`Session ${id.slice(0, 8)}…: Created → Timeout`]);

  await pageA.type(testid('clock-duration'), '45d');
  await submit(pageA, pageA.keyboard.press('Enter'));
  t.equal(await text(pageA, 'clock-error-duration'), 'One move is at most 2592000000 ms (30 days): move the clock in several steps.');
  t.equal(await focused(pageA), 'clock-duration');
  t.equal(await pageA.$eval(testid('clock-duration'), (el) => (el as HTMLInputElement).value), '45d');
  await pageA.$eval(testid('clock-duration'), (el) => ((el as HTMLInputElement).value = ''));
  await pageA.type(testid('clock-duration'), '2h');
  // Tab from the field: Advance, then the state buttons.
  t.strictSame(await tabStops(pageA, 3), ['clock-advance', 'clock-freeze', 'clock-reset']);
  await pageA.focus(testid('clock-advance'));
  await submit(pageA, pageA.keyboard.press('Enter'));
  t.match(await text(pageA, 'console-notice-text'), /^Advanced your key's clock by 2 h to 2026-01-15 11:31:00\.000 UTC\./);

  await submit(pageA, pageA.click(testid('clock-freeze')));
  t.equal(await text(pageA, 'clock-state'), 'frozen: moves only when advanced');
  await submit(pageA, pageA.click(testid('clock-resume')));
  t.equal(await text(pageA, 'clock-state'), 'running (its own clock)');
  await submit(pageA, pageA.click(testid('clock-reset')));
  t.equal(await text(pageA, 'clock-offset'), 'none: real time');
  t.equal(await text(pageA, 'clock-state'), 'running (the global clock)');
});

t.test("a second key sees none of the first key's queue or rules, and moves its own clock only", async (t) => {
  app.emulator.sessions.queueOutcomes(KEY_A, ['user_cancelled']);
  app.emulator.faults.add({ method: '*', path: '/v3/**', api_key: KEY_A, action: { type: 'reset' }, times: null }, app.emulator.clock.now());
  const pageB = await openAs(KEY_B);
  await pageB.goto(`${baseUrl}/portal/outcomes`);
  t.strictSame(await texts(pageB, 'queue-entry-name'), []);
  t.equal(await text(pageB, 'default-current'), 'none (approved)');
  await pageB.goto(`${baseUrl}/portal/faults`);
  t.equal(await pageB.$(testid('fault-rule')), null);
  await submit(pageB, pageB.click(`${testid('fault-preset')}[data-preset="read-malformed"] ${testid('fault-preset-add')}`));
  t.strictSame(await texts(pageB, 'fault-id'), ['fault-4']);
  t.strictSame(app.emulator.faults.list({ apiKey: KEY_A }).map((rule) => rule.action.type), ['reset'], "the first key's rule is untouched");
  await pageB.goto(`${baseUrl}/portal/clock`);
  await submit(pageB, pageB.click(testid('clock-advance-48h')));
  t.equal(await text(pageB, 'clock-now'), '2026-01-17 09:00:00.000 UTC');
  t.equal(app.emulator.clocks.now(KEY_A), Date.UTC(2026, 0, 15, 9), "the first key's clock did not move");
});
