// One command for screenshots of every scan UI step, desktop and phone, and of the front door, into docs/screenshots/:
//   node --import tsx scripts/screenshots.ts [outDir]
// Runs the emulator in-process on 127.0.0.1 (port 0) with a frozen clock, so the Analyzing step
// stays on screen until the script moves time on, and drives the system Chromium with a fake camera.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import puppeteer, { KnownDevices, type Browser, type Page } from 'puppeteer';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { AdjustableClock } from '../src/core/clock.js';
import { browserArgs } from '../src/scenarios/browser.js';

const outDir = resolve(process.argv[2] ?? 'docs/screenshots');
mkdirSync(outDir, { recursive: true });

const clock = new AdjustableClock();
clock.freeze();
const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent' }), { clock, logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

const browser: Browser = await puppeteer.launch({
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
  headless: true,
  args: [...browserArgs],
});

const written: string[] = [];

async function create(body: Record<string, unknown>, path = '/v3/scanning/liveness'): Promise<{ id: string; url: string }> {
  const res = await app.inject({ method: 'POST', url: path, headers: { authorization: 'screenshots' }, payload: body });
  const json = res.json<{ id: string; redirect_url: string }>();
  const url = new URL(json.redirect_url);
  return { id: json.id, url: `${base}${url.pathname}${url.search}` };
}

async function newPage(device: 'desktop' | 'phone'): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  if (device === 'phone') await page.emulate(KnownDevices['iPhone 13']);
  else await page.setViewport({ width: 1280, height: 860 });
  await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
  return page;
}

async function shot(page: Page, device: string, name: string): Promise<void> {
  const file = `${outDir}/${device}-${String(written.length + 1).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
  written.push(file);
}

/** Clicks once the control is visible, so a click never races the step change before it. */
async function press(page: Page, selector: string): Promise<void> {
  await (await page.waitForSelector(selector, { visible: true }))!.click();
}

const atStep = (page: Page, step: string) => page.waitForSelector(`[data-testid="scan-root"][data-step="${step}"]`);
const cameraOn = (page: Page) => page.waitForSelector('[data-testid="scan-root"][data-camera="on"]');

async function browserFlow(device: 'desktop' | 'phone'): Promise<void> {
  const { id, url } = await create({ relay_state: 'screenshots', options: 'FrontAndBack', action: 'HeadLeft', target: '', target_error: '' });
  const page = await newPage(device);
  await page.goto(url);
  await atStep(page, 'start');
  await shot(page, device, 'start');
  await press(page, '[data-testid="start-browser"]');
  await atStep(page, 'document-front');
  await cameraOn(page);
  await shot(page, device, 'document-front');
  await press(page, '[data-testid="sample-id-card-front"]');
  await atStep(page, 'document-back');
  await cameraOn(page);
  await press(page, '[data-testid="tester-toggle"]');
  await shot(page, device, 'document-back-with-tester-panel');
  await press(page, '[data-testid="tester-toggle"]');
  await press(page, '[data-testid="sample-id-card-back"]');
  await atStep(page, 'face-align');
  await cameraOn(page);
  await shot(page, device, 'face-align');
  await press(page, '[data-testid="face-align-continue"]');
  await atStep(page, 'face-action');
  await shot(page, device, 'face-action');
  await press(page, '[data-testid="face-action-done"]');
  await atStep(page, 'analyzing');
  const session = app.emulator.sessions.findById(id)!;
  while (session.analysisDueAt === null) await new Promise((r) => setTimeout(r, 10));
  clock.advance(Math.floor((session.analysisDueAt - clock.now()) / 2));
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="analyzing-progress"]')?.getAttribute('aria-valuenow')) >= 50);
  await shot(page, device, 'analyzing');
  clock.advance(session.analysisDueAt - clock.now());
  await page.waitForSelector('[data-testid="result-page"]');
  await shot(page, device, 'result-page');
  await page.browserContext().close();
}

async function followTextSwedish(device: 'desktop' | 'phone'): Promise<void> {
  const { url } = await create({ options: 'NoDocument', action: 'FollowText', locale: 'se' });
  const page = await newPage(device);
  await page.goto(url);
  await press(page, '[data-testid="start-browser"]');
  await press(page, '[data-testid="face-align-continue"]');
  await atStep(page, 'face-action');
  await shot(page, device, 'face-action-followtext-swedish');
  await page.browserContext().close();
}

async function mobileHandOff(): Promise<void> {
  const { url } = await create({ options: 'FrontSide', action: 'Smile' });
  const desktop = await newPage('desktop');
  await desktop.goto(url);
  await press(desktop, '[data-testid="start-mobile"]');
  await desktop.waitForSelector('[data-testid="mobile-qr"]:not([hidden])');
  await desktop.waitForFunction(() => (document.querySelector('[data-testid="mobile-qr"]') as HTMLImageElement).naturalWidth > 0);
  await shot(desktop, 'desktop', 'mobile-qr');
  const link = await desktop.$eval('[data-testid="mobile-link"]', (el) => (el as HTMLAnchorElement).href);
  const phone = await newPage('phone');
  await phone.goto(link);
  await atStep(phone, 'document-front');
  await desktop.waitForSelector('[data-testid="mobile-status"][data-mobile="opened"]');
  await shot(desktop, 'desktop', 'mobile-phone-connected');
  await shot(phone, 'phone', 'mobile-document-front');
  await press(phone, '[data-testid="cancel"]');
  await atStep(phone, 'mobile-done');
  await shot(phone, 'phone', 'mobile-done');
  const second = await newPage('phone');
  await second.goto(link);
  await shot(second, 'phone', 'mobile-link-used');
  for (const page of [desktop, phone, second]) await page.browserContext().close();
}

// The front door and the hand-off's message for a page opened on 127.0.0.1 ------------------------
// Fixed names (not numbered), so that the pictures above keep theirs.

async function shotAs(page: Page, name: string): Promise<void> {
  const file = `${outDir}/${name}.png`;
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: file, fullPage: true });
  written.push(file);
}

async function frontDoor(device: 'desktop' | 'phone'): Promise<void> {
  const page = await newPage(device);
  await page.goto(`${base}/`);
  await page.waitForSelector('[data-testid="front-door-copy"]:not([hidden])');
  await shotAs(page, `front-door-${device}`);
  await page.browserContext().close();
}

/** The emulator listens on 127.0.0.1 here, so the hand-off says how a phone could reach it. */
async function handOffMessage(device: 'desktop' | 'phone'): Promise<void> {
  const { url } = await create({ options: 'FrontSide', action: 'Smile' });
  const page = await newPage(device);
  await page.goto(url);
  await press(page, '[data-testid="start-mobile"]');
  await page.waitForSelector('[data-testid="mobile-reach"][data-reach="loopback"]', { visible: true });
  await page.waitForFunction(() => (document.querySelector('[data-testid="mobile-qr"]') as HTMLImageElement).naturalWidth > 0);
  await shotAs(page, `${device}-mobile-hand-off-unreachable`);
  await page.browserContext().close();
}

try {
  await browserFlow('desktop');
  await browserFlow('phone');
  await followTextSwedish('desktop');
  await followTextSwedish('phone');
  await mobileHandOff();
  await frontDoor('desktop');
  await frontDoor('phone');
  await handOffMessage('desktop');
  await handOffMessage('phone');
  console.log(written.map((file) => `wrote ${file}`).join('\n'));
} finally {
  await browser.close();
  await app.close();
}
