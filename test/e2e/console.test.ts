// The QA console's webhooks and journal pages in a real browser, by their forms: open a delivery to its
// attempts, redeliver it and watch the new attempt arrive, add webhook chaos (and meet a field error),
// remove it, reveal the webhook secret by keyboard, filter the journal (and meet a bad glob), and keep
// an opened journal entry open while new requests arrive above it. One Chromium for the file; every
// wait is on a selector or on server state.
import type { Page } from 'puppeteer';
import t from 'tap';
import { auth, exampleLivenessRequest } from '../helpers/app.js';
import { collectPortalErrors, launchBrowser, testid, until } from '../helpers/browser.js';
import { startPortalApp } from '../helpers/portal.js';
import { startReceiver } from '../helpers/receiver.js';

const browser = await launchBrowser(t);
// The first delivery is refused (and retried later); every other one is taken.
const receiver = await startReceiver(t, (n) => (n === 1 ? { status: 503, headers: { 'retry-after': '60' }, body: 'busy, try later' } : { status: 200, body: 'ok' }));
const { app, baseUrl } = await startPortalApp(t, {}, { listen: true });
const KEY = 'console-e2e-merchant';

const context = await browser.createBrowserContext();
t.teardown(() => context.close());
const page = await context.newPage();
await page.setViewport({ width: 1280, height: 900 });
const pageErrors = collectPortalErrors(page);

const text = (p: Page, id: string) => p.$eval(testid(id), (el) => el.textContent?.replace(/\s+/g, ' ').trim() ?? '');
const navigate = async (p: Page, action: Promise<unknown>) => {
  await Promise.all([p.waitForNavigation(), action]);
};
const activeTestid = (p: Page) => p.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.id);

async function createFinishedSession(relayState: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(KEY), payload: { ...exampleLivenessRequest, relay_state: relayState, webhook: receiver.url } });
  const id = res.json().id as string;
  app.emulator.sessions.complete(app.emulator.sessions.findById(id)!);
  await until(() => app.emulator.webhooks.list({ sessionId: id }).some((d) => d.attempts.length > 0 && !d.inFlight), 'the first webhook attempt');
  return id;
}

t.test('sign in, then the webhooks page: a delivery opens to its attempts; redeliver, and the new attempt arrives live', async (t) => {
  const sessionId = await createFinishedSession('order-console-1');
  const delivery = app.emulator.webhooks.list({ sessionId })[0];
  await page.goto(`${baseUrl}/portal/webhooks`);
  await page.waitForSelector(testid('sign-in-form'));
  await page.type(testid('sign-in-key'), KEY);
  await navigate(page, page.keyboard.press('Enter'));
  t.equal(new URL(page.url()).pathname, '/portal/webhooks', 'back to the page asked for');

  const item = `${testid('delivery')}[data-delivery-id="${delivery.id}"]`;
  await page.waitForSelector(`${item}[data-status="pending"]`);
  t.equal(await page.$eval(`${item} ${testid('delivery-attempts')}`, (el) => el.checkVisibility()), false, 'closed at first');
  await page.click(`${item} ${testid('delivery-toggle')}`);
  await page.waitForSelector(`${item} ${testid('delivery-attempt')}[data-http-status="503"]`, { visible: true });
  t.equal(await text(page, 'delivery-attempt-error'), 'receiver answered 503');
  t.equal(await text(page, 'delivery-attempt-response'), 'busy, try later');
  t.equal(await text(page, 'delivery-attempt-retry-after'), '60.0 s');
  t.equal(await page.$eval(testid('delivery-body-raw'), (el) => el.textContent), delivery.body, 'the exact body');

  await navigate(page, page.click(`${item} ${testid('delivery-redeliver')}`));
  t.equal(await text(page, 'webhooks-notice'), `Delivery ${delivery.id} is being sent again now: the same id and body, signed again. Its new attempt shows below.`);
  if (!(await page.$eval(item, (el) => (el as HTMLDetailsElement).open))) await page.click(`${item} ${testid('delivery-toggle')}`);
  // The page follows the delivery until the second attempt is in, without a reload, and keeps it open.
  await page.waitForSelector(`${item}[data-status="succeeded"] ${testid('delivery-attempt')}[data-attempt="2"][data-http-status="200"]`, { visible: true });
  t.equal(delivery.attempts.length, 2);
  t.equal(receiver.received[1].headers['x-zignsec-webhook-id'], delivery.id, 'the same delivery again');
});

t.test('webhook chaos from the form: a bad count is shown next to its field; a good rule applies to the next delivery; then removed', async (t) => {
  await page.goto(`${baseUrl}/portal/webhooks`);
  await page.$eval(testid('chaos-next'), (el) => ((el as HTMLInputElement).value = ''));
  await page.type(testid('chaos-next'), '-2');
  await page.click(testid('chaos-duplicate'));
  await navigate(page, page.click(testid('chaos-add')));
  await page.waitForSelector(testid('chaos-error-next'));
  t.equal(await text(page, 'chaos-error-next'), 'The number of deliveries must be at least 1');
  t.equal(await activeTestid(page), 'chaos-errors', 'the summary of the errors has the focus');
  t.equal(await page.$eval(testid('chaos-next'), (el) => (el as HTMLInputElement).value), '-2', 'what was typed is kept');
  t.equal(await page.$eval(testid('chaos-duplicate'), (el) => (el as HTMLInputElement).checked), true);
  await page.click(testid('chaos-error-link-next'));
  t.equal(await activeTestid(page), 'chaos-next', 'the link takes the keyboard to the field');
  t.equal(app.emulator.webhooks.listChaos(KEY).length, 0, 'nothing was added');

  await page.$eval(testid('chaos-next'), (el) => ((el as HTMLInputElement).value = ''));
  await page.type(testid('chaos-next'), '2');
  await page.type(testid('chaos-drop-first'), '1');
  await navigate(page, page.click(testid('chaos-add')));
  const [rule] = app.emulator.webhooks.listChaos(KEY);
  t.strictSame(rule.chaos, { drop_first: 1, duplicate: true });
  t.equal(await text(page, 'webhooks-notice'), `Added chaos rule ${rule.id}: first 1 attempt dropped (not sent); sent twice, for your next 2 deliveries.`);
  const ruleRow = `${testid('chaos-rule')}[data-rule-id="${rule.id}"]`;
  t.equal(await page.$eval(ruleRow, (el) => el.getAttribute('data-remaining')), '2');

  // The next delivery meets the rule, and the page shows what is left of it by itself.
  const sessionId = await createFinishedSession('order-console-2');
  await page.waitForSelector(`${ruleRow}[data-remaining="1"]`);
  const broken = `${testid('delivery')}[data-session-id="${sessionId}"]`;
  await page.click(`${broken} ${testid('delivery-toggle')}`);
  t.equal(await page.$eval(`${broken} ${testid('delivery-attempt-error')}`, (el) => el.textContent), 'dropped on purpose by webhook chaos (drop_first): not sent');

  await navigate(page, page.click(`${ruleRow} ${testid('chaos-rule-remove')}`));
  t.equal(await text(page, 'webhooks-notice'), `Removed chaos rule ${rule.id}. Deliveries from now on are sent without it.`);
  t.equal(await text(page, 'chaos-rules-empty'), 'No chaos rules: your deliveries are sent as they should be (unless your merchant settings say otherwise).');
  t.strictSame(app.emulator.webhooks.listChaos(KEY), []);
});

t.test('the webhook secret is masked until revealed, by keyboard, with no script needed', async (t) => {
  await page.goto(`${baseUrl}/portal/webhooks#webhook-signing`);
  const secret = app.emulator.merchants.webhookSecretFor(KEY);
  t.equal(await text(page, 'signing-secret-masked'), `${secret.slice(0, 3)}****${secret.slice(-2)}`);
  t.equal(await page.$eval(testid('signing-secret-value'), (el) => el.checkVisibility()), false, 'hidden');
  await page.focus(testid('signing-secret-toggle'));
  await page.keyboard.press('Enter');
  await page.waitForSelector(testid('signing-secret-value'), { visible: true });
  t.equal(await page.$eval(testid('signing-secret-value'), (el) => (el as HTMLInputElement).value), secret);
  await navigate(page, page.click(testid('signing-settings-link')));
  t.equal(new URL(page.url()).pathname, '/portal/settings');
});

t.test('the journal: filtered by its form, a bad glob shown next to the field, an entry opened and kept open while new requests arrive', async (t) => {
  await page.goto(`${baseUrl}/portal/journal`);
  await page.select(testid('journal-filter-method'), 'POST');
  await navigate(page, page.click(testid('journal-filter-apply')));
  t.same(
    await page.$$eval(testid('journal-entry'), (els) => [...new Set(els.map((el) => el.getAttribute('data-method')))]),
    ['POST'],
  );
  t.equal(await text(page, 'journal-count'), 'Showing 1–2 of 2, newest first');

  await page.type(testid('journal-filter-path'), 'v3/**');
  await navigate(page, page.click(testid('journal-filter-apply')));
  t.equal(await text(page, 'journal-filter-error-path'), 'The path glob must start with / (request paths do), or with *');
  t.equal(await page.$eval(testid('journal-filter-path'), (el) => (el as HTMLInputElement).value), 'v3/**');
  await navigate(page, page.click(testid('journal-filter-clear')));

  // Open the newest entry, then let new requests arrive: they come in above it, and it stays open.
  const newest = await page.$eval(testid('journal-entry'), (el) => el.id);
  await page.click(`#${newest} ${testid('journal-entry-toggle')}`);
  await page.waitForSelector(`#${newest} ${testid('journal-headers')}`, { visible: true });
  t.match(await page.$eval(`#${newest} ${testid('journal-headers')}`, (el) => el.textContent), '"authorization": "con****nt"', 'the key masked');
  const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
  const reads = await app.inject({ url: '/v3/scanning/00000000-0000-4000-8000-000000000001', headers: auth(KEY) });
  t.equal(reads.statusCode, 404);
  await page.waitForFunction(() => document.querySelector('[data-testid="journal-entry"]')?.getAttribute('data-http-status') === '404');
  t.equal(await page.$eval(`#${newest}`, (el) => (el as HTMLDetailsElement).open), true, 'the opened entry is still open');
  t.not(await page.$eval(testid('journal-entry'), (el) => el.id), newest, 'the new request is on top');
  t.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), marker, 'updated in place, not reloaded');
  t.same(pageErrors, [], 'no script or CSP errors on the console pages');
});
