// The front door in Chromium: it renders within its CSP with nothing from another origin, works from
// the keyboard, copies the example command, and fits a phone.
import { KnownDevices } from 'puppeteer';
import t from 'tap';
import { collectErrors, launchBrowser, startListeningTestApp, testid } from '../helpers/browser.js';

const browser = await launchBrowser(t);
const { baseUrl } = await startListeningTestApp(t);

async function openFrontDoor(phone = false) {
  const context = await browser.createBrowserContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  if (phone) await page.emulate(KnownDevices['iPhone 13']);
  const errors = collectErrors(page);
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  const response = await page.goto(`${baseUrl}/`);
  await page.waitForSelector(`${testid('front-door-copy')}:not([hidden])`);
  return { page, context, errors, requested, response };
}

t.test('renders with its script and stylesheet, and every request stays on the emulator', async (t) => {
  const { page, errors, requested, response } = await openFrontDoor();
  t.equal(response!.status(), 200);
  t.equal(await page.title(), 'zignsec-mock · ZignSec API emulator');
  t.equal(await page.$eval(testid('front-door-base-url'), (el) => el.textContent), baseUrl);
  t.ok(await page.$eval(testid('front-door-portal'), (el) => getComputedStyle(el).backgroundColor !== 'rgba(0, 0, 0, 0)'), 'styled');
  t.same(errors, [], 'no script errors, no CSP violations');
  t.ok(requested.length >= 3);
  t.same(requested.filter((url) => !url.startsWith(`${baseUrl}/`)), [], 'nothing from another origin');
});

t.test('the keyboard reaches every control in order, and Copy puts the example command on the clipboard', async (t) => {
  const { page, context } = await openFrontDoor();
  await context.overridePermissions(baseUrl, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
  const focusOrder: (string | null)[] = [];
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press('Tab');
    focusOrder.push(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null));
  }
  t.same(focusOrder, ['front-door-skip', 'front-door-portal', 'front-door-swagger', 'front-door-copy', 'front-door-curl', 'front-door-health', 'front-door-ready']);
  await page.focus(testid('front-door-copy'));
  await page.keyboard.press('Enter');
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent !== '', {}, testid('front-door-copy-status'));
  t.equal(await page.$eval(testid('front-door-copy-status'), (el) => el.textContent), 'Copied to the clipboard.');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  t.equal(copied, await page.$eval(testid('front-door-curl'), (el) => el.textContent));
  t.match(copied, `curl -s -X POST '${baseUrl}/v3/scanning/liveness'`);
  await page.focus(testid('front-door-portal'));
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  t.match(new URL(page.url()).pathname, /^\/portal/, 'the portal link leads to the portal');
});

t.test('fits a phone: no sideways scrolling of the page, the command scrolls in its own box', async (t) => {
  const { page, errors } = await openFrontDoor(true);
  t.equal(await page.evaluate(() => window.innerWidth), 390);
  t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page fits');
  t.ok(await page.$eval(testid('front-door-curl'), (el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).overflowX === 'auto'), 'the long command scrolls inside its box');
  t.same(errors, []);
});
