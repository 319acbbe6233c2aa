// One command for screenshots of the merchant portal's pages, into docs/screenshots/portal-*.png:
//   node --import tsx scripts/portal-screenshots.ts [outDir]
// Runs the emulator in-process on 127.0.0.1 (port 0) with a frozen clock (analyses end when the
// script moves time on), a local webhook receiver, and the system Chromium with a fake camera.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import puppeteer, { KnownDevices, type Browser, type BrowserContext, type Page } from 'puppeteer';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { AdjustableClock } from '../src/core/clock.js';
import { portalRoutes } from '../src/routes/portal/index.js';
import { browserArgs } from '../src/scenarios/browser.js';

const outDir = resolve(process.argv[2] ?? 'docs/screenshots');
mkdirSync(outDir, { recursive: true });

const clock = new AdjustableClock();
clock.freeze();
const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent' }), { clock, logger: false });
if (!app.hasRoute({ method: 'GET', url: '/portal/sign-in' })) await app.register(portalRoutes);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

// A merchant's webhook endpoint: the first call fails, so the detail page shows a retry.
let calls = 0;
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    calls += 1;
    response.writeHead(calls === 1 ? 503 : 200, { 'content-type': 'text/plain' }).end(calls === 1 ? 'busy, try later' : 'ok');
  });
});
await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/zignsec/webhook`;

const browser: Browser = await puppeteer.launch({
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
  headless: true,
  args: [...browserArgs],
});

const written: string[] = [];
const testid = (id: string) => `[data-testid="${id}"]`;

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  const file = `${outDir}/portal-${String(written.length + 1).padStart(2, '0')}-${name}.png`;
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: file, fullPage });
  written.push(file);
}

const stepIs = (page: Page, step: string) => page.waitForSelector(`${testid('scan-root')}[data-step="${step}"]`);

/** Through the scan UI with the test-mode sample images, to Analyzing. */
async function scanInBrowser(page: Page): Promise<void> {
  await stepIs(page, 'start');
  await page.click(testid('start-browser'));
  await stepIs(page, 'document-front');
  await page.click(testid('sample-id-card-front'));
  await stepIs(page, 'face-align');
  await page.waitForSelector(`${testid('scan-root')}[data-camera="on"]`);
  await page.click(testid('face-align-continue'));
  await stepIs(page, 'face-action');
  await page.click(testid('face-action-done'));
  await stepIs(page, 'analyzing');
}

async function finishAnalysis(id: string): Promise<void> {
  const session = () => app.emulator.sessions.findById(id);
  while (session()?.analysisDueAt == null) await new Promise((r) => setTimeout(r, 10));
  clock.advance(session()!.analysisDueAt! - clock.now());
}

async function startScan(page: Page, mode: 'browser' | 'mobile', options: { relayState?: string; outcome?: string } = {}): Promise<string> {
  await page.goto(`${base}/portal`);
  if (options.relayState) await page.type(testid('start-relay-state'), options.relayState);
  if (options.outcome) await page.select(testid('start-outcome'), options.outcome);
  await Promise.all([page.waitForNavigation(), page.click(testid(`start-${mode}`))]);
  const match = /\/(?:scan\/ui|scans)\/([0-9a-f-]{36})\//.exec(page.url());
  if (!match) throw new Error(`no session id in ${page.url()}`);
  return match[1];
}

// ---- QA console: webhooks and journal ------------------------------------------------------------
// Fixed names (portal-console-*.png) rather than numbers, so that other pages' shots can be added
// before or after these without renaming them.
async function consoleShot(page: Page, name: string, fullPage = true): Promise<void> {
  const file = `${outDir}/portal-console-${name}.png`;
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: file, fullPage });
  written.push(file);
}

/** The webhooks page (a delivery opened, a chaos rule just added) and the journal (an entry opened), on a desktop and on a phone. */
async function shootConsoleWebhooksAndJournal(context: BrowserContext, retriedSessionId: string): Promise<void> {
  const desktop = await context.newPage();
  await desktop.setViewport({ width: 1280, height: 860 });
  await desktop.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
  await desktop.goto(`${base}/portal/webhooks`);
  await desktop.$eval(testid('chaos-next'), (el) => ((el as HTMLInputElement).value = '3'));
  await desktop.type(testid('chaos-drop-first'), '2');
  await desktop.click(testid('chaos-duplicate'));
  await Promise.all([desktop.waitForNavigation(), desktop.click(testid('chaos-add'))]);
  const retried = `${testid('delivery')}[data-session-id="${retriedSessionId}"]`;
  await desktop.click(`${retried} ${testid('delivery-toggle')}`);
  await desktop.waitForSelector(`${retried} ${testid('delivery-attempt')}[data-attempt="2"]`, { visible: true });
  await consoleShot(desktop, 'webhooks');
  await desktop.goto(`${base}/portal/journal`);
  await desktop.click(testid('journal-entry-toggle'));
  await consoleShot(desktop, 'journal');
  await desktop.close();

  // On a phone, one screen of each list (the whole pages are many screens long).
  const phone = await context.newPage();
  await phone.emulate(KnownDevices['iPhone 13']);
  await phone.goto(`${base}/portal/webhooks#deliveries`);
  await phone.click(`${retried} ${testid('delivery-toggle')}`);
  await phone.$eval(retried, (el) => el.scrollIntoView());
  await consoleShot(phone, 'webhooks-phone', false);
  await phone.goto(`${base}/portal/journal#h-journal`);
  await consoleShot(phone, 'journal-phone', false);
  await phone.close();
}
// ---- end of QA console: webhooks and journal -----------------------------------------------------

// ---- QA console: next outcomes, API faults and clock ---------------------------------------------
/**
 * Next outcomes with a queue, API faults with rules (one of them for every key) and a refused form,
 * the clock after a move that timed sessions out; on a desktop, then one screen of each on a phone.
 */
async function shootConsoleOutcomesFaultsAndClock(context: BrowserContext): Promise<void> {
  const desktop = await context.newPage();
  await desktop.setViewport({ width: 1280, height: 860 });
  await desktop.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
  const submit = (selector: string) => Promise.all([desktop.waitForNavigation(), desktop.click(selector)]);

  await desktop.goto(`${base}/portal/outcomes`);
  await desktop.select(testid('queue-add-outcome'), 'liveness_failed');
  await desktop.$eval(testid('queue-add-count'), (el) => ((el as HTMLInputElement).value = '2'));
  await submit(testid('queue-add-submit'));
  await desktop.select(testid('queue-add-outcome'), 'face_mismatch');
  await submit(testid('queue-add-submit'));
  await consoleShot(desktop, 'outcomes');

  app.emulator.faults.add({ method: '*', path: '/v3/eid/**', action: { type: 'latency', ms: 300 }, times: null }, clock.now());
  await desktop.goto(`${base}/portal/faults`);
  await submit(`${testid('fault-preset')}[data-preset="create-503"] ${testid('fault-preset-add')}`);
  await desktop.click(testid('fault-form-type-rate_limit'));
  await desktop.$eval(testid('fault-form-times'), (el) => ((el as HTMLInputElement).value = '3'));
  await submit(testid('fault-form-submit'));
  await consoleShot(desktop, 'faults');
  await desktop.click(testid('fault-form-type-latency'));
  await desktop.$eval(testid('fault-form-path'), (el) => ((el as HTMLInputElement).value = 'v3/scanning'));
  await desktop.$eval(testid('fault-form-ms'), (el) => ((el as HTMLInputElement).value = '-5'));
  await submit(testid('fault-form-submit'));
  await consoleShot(desktop, 'faults-validation-error');

  // 31 minutes on the key's clock: its unfinished sessions time out; then a new session, due next.
  await startScan(desktop, 'browser', { relayState: 'order-1007' });
  await desktop.goto(`${base}/portal/clock`);
  await submit(testid('clock-advance-31m'));
  const afterMove = desktop.url();
  await startScan(desktop, 'browser', { relayState: 'order-1008' });
  await desktop.goto(afterMove);
  await consoleShot(desktop, 'clock');
  await desktop.close();

  // On a phone, one screen of each (a page of its own: a page in the background defers its form posts).
  const phone = await context.newPage();
  await phone.emulate(KnownDevices['iPhone 13']);
  for (const name of ['outcomes', 'faults', 'clock']) {
    await phone.goto(`${base}/portal/${name}`);
    await consoleShot(phone, `${name}-phone`, false);
  }
  await phone.close();
}
// ---- end of QA console: next outcomes, API faults and clock --------------------------------------

try {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 860 });
  await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);

  await page.goto(`${base}/portal/sign-in`);
  await shot(page, 'sign-in');
  await page.type(testid('sign-in-key'), 'shop-test-key-7f3a');
  await Promise.all([page.waitForNavigation(), page.click(testid('sign-in-submit'))]);

  // Settings: a bad webhook URL first, then good settings.
  await page.goto(`${base}/portal/settings`);
  await page.$eval(testid('settings-name'), (el) => ((el as HTMLInputElement).value = ''));
  await page.type(testid('settings-name'), 'Nordic Shop AB');
  await page.type(testid('settings-webhook'), 'ftp://shop.example/hook');
  await page.click(testid('settings-action-HeadLeft'));
  await page.click(testid('settings-action-Smile'));
  await Promise.all([page.waitForNavigation(), page.click(testid('settings-save'))]);
  await shot(page, 'settings-validation-error');
  await page.$eval(testid('settings-webhook'), (el) => ((el as HTMLInputElement).value = ''));
  await page.type(testid('settings-webhook'), webhookUrl);
  await Promise.all([page.waitForNavigation(), page.click(testid('settings-save'))]);
  await shot(page, 'settings-saved');

  // A few sessions with different endings, one still running.
  const accepted = await startScan(page, 'browser', { relayState: 'order-1001' });
  await scanInBrowser(page);
  await finishAnalysis(accepted);
  await page.waitForSelector(`${testid('session-returned')}[data-via="target"]`);
  for (const [relayState, outcome] of [
    ['order-1002', 'face_mismatch'],
    ['order-1003', 'document_expired'],
    ['order-1004', 'user_cancelled'],
  ]) {
    const id = await startScan(page, 'browser', { relayState, outcome });
    app.emulator.sessions.complete(app.emulator.sessions.findById(id)!);
  }
  await startScan(page, 'browser', { relayState: 'order-1005' });
  // Let the webhook engine retry the first (503) delivery.
  clock.advance(60_000);
  const session = () => app.emulator.webhooks.list({ sessionId: accepted });
  while (!session().some((d) => d.status === 'succeeded')) await new Promise((r) => setTimeout(r, 20));

  await page.goto(`${base}/portal`);
  await shot(page, 'start');
  await page.goto(`${base}/portal/sessions`);
  await shot(page, 'sessions');
  await page.goto(`${base}/portal/sessions?status=Declined`);
  await shot(page, 'sessions-filtered');
  await page.goto(`${base}/portal/sessions/${accepted}`);
  await page.waitForSelector(`${testid('session-live')}[data-live="off"]`);
  await page.$$eval('[data-testid="journal-entry"]', (all) => all.slice(0, 1).forEach((d) => ((d as HTMLDetailsElement).open = true)));
  await shot(page, 'session-detail');

  // The mobile hand-off: the scan UI's QR step inside the portal, following the phone.
  const mobile = await startScan(page, 'mobile', { relayState: 'order-1006' });
  const frame = (await (await page.waitForSelector(testid('mobile-scan-ui')))!.contentFrame())!;
  await frame.waitForSelector(`${testid('mobile-qr')}:not([hidden])`);
  await frame.waitForFunction(() => (document.querySelector('[data-testid="mobile-qr"]') as HTMLImageElement).naturalWidth > 0);
  await shot(page, 'mobile-qr', false);
  const link = await frame.$eval(testid('mobile-link'), (el) => (el as HTMLAnchorElement).href);
  const phone = await (await browser.createBrowserContext()).newPage();
  await phone.goto(link);
  await stepIs(phone, 'document-front');
  await phone.click(testid('sample-id-card-front'));
  await stepIs(phone, 'face-align');
  await page.waitForSelector(`${testid('mobile-progress')}[data-state="capturing"]`);
  await shot(page, 'mobile-phone-capturing', false);
  await phone.browserContext().close();
  app.emulator.sessions.complete(app.emulator.sessions.findById(mobile)!);
  await page.waitForSelector(`${testid('page-session')} ${testid('session-status')}[data-status="Accepted"]`);

  await page.goto(`${base}/portal/sessions/00000000-0000-4000-8000-000000000000`);
  await shot(page, 'session-not-found');

  // The same portal on a phone-sized screen.
  await page.emulate(KnownDevices['iPhone 13']);
  await page.goto(`${base}/portal/sessions`);
  await shot(page, 'sessions-phone');

  // QA console: webhooks and journal; next outcomes, API faults and clock.
  await shootConsoleWebhooksAndJournal(context, accepted);
  await shootConsoleOutcomesFaultsAndClock(context);

  await context.close();
  console.log(written.map((file) => `wrote ${file}`).join('\n'));
} finally {
  await browser.close();
  await app.close();
  receiver.close();
}
