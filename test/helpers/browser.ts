// Browser tests: one shared Chromium per test file, the emulator on a real socket, a tiny landing
// server for target/cancel URLs, and helpers that wait on the page's data-step instead of sleeping.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import jsQRModule from 'jsqr';
import puppeteer, { KnownDevices, type Browser, type Frame, type Page } from 'puppeteer';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import { browserArgs } from '../../src/scenarios/browser.js';
import { auth, startTestApp } from './app.js';


export async function launchBrowser(t: Test, extraArgs: string[] = []): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
    headless: true,
    args: [...browserArgs, ...extraArgs],
    // A browser call that gets no answer fails within a minute (Puppeteer's default is 3 minutes,
    // as long as a whole test file may take), so a hang shows as the call that hung.
    protocolTimeout: 60_000,
  });
  t.teardown(() => browser.close());
  return browser;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** The emulator with the tests' fake clock (analyses finish when the test advances it), on a real socket. */
export async function startListeningTestApp(t: Test, settings: ConfigInput = {}) {
  const started = await startTestApp(t, settings);
  return { ...started, baseUrl: await listen(started.app) };
}

/** The emulator on real time, as a person would use it: analyses finish on the app's own tick. */
export async function startRealTimeApp(t: Test, settings: ConfigInput = {}) {
  const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent', ...settings }), { logger: false, checkResponses: true });
  t.teardown(() => app.close());
  return { app, baseUrl: await listen(app) };
}

export interface Landing {
  base: string;
  /** Every URL the browser arrived at, in order. */
  hits: URL[];
}

/** A stand-in for the merchant's site: any path answers with a page carrying data-testid="landing". */
export async function startLanding(t: Test): Promise<Landing> {
  const hits: URL[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.endsWith('.css')) {
      // A merchant stylesheet for the branding tests.
      response.writeHead(200, { 'content-type': 'text/css' });
      response.end('.zsm .card { border-top: 7px solid rgb(200, 30, 60); }');
      return;
    }
    if (url.pathname === '/embed') {
      // A merchant page that embeds the scan UI in an iframe and records what the frame posts to it
      // (window.frameMessages: each message's origin and data), as a merchant's listener would.
      const src = (url.searchParams.get('src') ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        '<!doctype html><title>shop</title><script>window.frameMessages = []; window.addEventListener("message", (event) => window.frameMessages.push({ origin: event.origin, data: event.data }));</script>' +
          `<iframe id="zs" src="${src}" width="600" height="700" allow="camera"></iframe>`,
      );
      return;
    }
    if (url.pathname !== '/favicon.ico') hits.push(url);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>merchant</title><main data-testid="landing">${url.pathname}</main>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.unref();
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** Creates a session through the public API and returns its id and redirect_url rebased on the listening app. */
export async function createSession(
  app: FastifyInstance,
  baseUrl: string,
  body: Record<string, unknown>,
  options: { path?: string; key?: string; headers?: Record<string, string> } = {},
): Promise<{ id: string; url: string }> {
  const res = await app.inject({
    method: 'POST',
    url: options.path ?? '/v3/scanning/liveness',
    headers: { ...auth(options.key ?? 'e2e-key'), ...options.headers },
    payload: body,
  });
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  const json = res.json();
  const redirect = new URL(json.redirect_url);
  return { id: json.id, url: `${baseUrl}${redirect.pathname}${redirect.search}` };
}

/** Bounded waits on state; generous because CI runs two browser files at once on two cores. */
export const step = (name: string) => `[data-testid="scan-root"][data-step="${name}"]`;
export const testid = (id: string) => `[data-testid="${id}"]`;

/** Clicks a control once it is visible: a click right after a step change must not race the re-render. */
export async function press(target: Page | Frame, id: string): Promise<void> {
  const element = await target.waitForSelector(testid(id), { visible: true, timeout: 30_000 });
  try {
    await element!.click();
  } catch (error) {
    // Inside an iframe the control can be laid out but not yet scrolled into the frame's
    // viewport (or be re-rendered under us): bring it into view, look it up again, click once more.
    if (!/not clickable|detached/i.test(String(error))) throw error;
    await target.$eval(testid(id), (el) => el.scrollIntoView({ block: 'center' })).catch(() => undefined);
    const again = await target.waitForSelector(testid(id), { visible: true, timeout: 30_000 });
    await again!.click();
  }
}

export async function waitForStep(page: Page, name: string): Promise<void> {
  await page.waitForSelector(step(name), { timeout: 30_000 });
}

export async function currentStep(page: Page): Promise<string | null> {
  return page.$eval('[data-testid="scan-root"]', (el) => el.getAttribute('data-step'));
}

/** Waits until a condition on server state holds (polls the process memory, not the clock). */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** With the fake clock: once the page has started the analysis, move time past it so the result is fixed. */
export async function finishAnalysis(app: FastifyInstance, clock: { advance(ms: number): number }, id: string): Promise<void> {
  const session = () => app.emulator.sessions.findById(id);
  await until(() => session()?.analysisDueAt != null, 'the analysis to start');
  clock.advance(Math.max(0, session()!.analysisDueAt! - app.emulator.clock.now()));
}

/** Waits for the browser to arrive at the landing server and returns the URL it arrived at. */
export async function landedAt(page: Page): Promise<URL> {
  await page.waitForSelector('[data-testid="landing"]', { timeout: 30_000 });
  return new URL(page.url());
}

export type DocumentSource = 'camera' | 'file' | 'sample';

/** Walks one capture step the way a person would: camera shot, file upload or test-mode sample. */
export async function captureDocument(page: Page, source: DocumentSource, file?: string): Promise<void> {
  const before = await currentStep(page);
  if (source === 'camera') {
    await page.waitForSelector('[data-testid="scan-root"][data-camera="on"]');
    await press(page, 'camera-capture');
  } else if (source === 'file') {
    const input = await page.waitForSelector('input[data-testid="file-input"]');
    await input!.uploadFile(file!);
  } else {
    await press(page, 'sample-id-card-front');
  }
  await page.waitForFunction((from) => document.querySelector('[data-testid="scan-root"]')?.getAttribute('data-step') !== from, {}, before);
}

/**
 * From wherever the page is, through the document and face steps to Analyzing. Returns the steps seen.
 * `source` picks how documents are captured.
 */
export async function walkToAnalyzing(page: Page, source: DocumentSource = 'sample', file?: string): Promise<string[]> {
  const seen: string[] = [];
  for (let guard = 0; guard < 10; guard++) {
    const name = await currentStep(page);
    if (name === null) throw new Error('no scan-root');
    if (seen[seen.length - 1] !== name) seen.push(name);
    if (name === 'analyzing' || name === 'done' || name === 'mobile-done') return seen;
    if (name === 'start') {
      await press(page, 'start-browser');
      await page.waitForFunction(() => document.querySelector('[data-testid="scan-root"]')?.getAttribute('data-step') !== 'start');
    } else if (name.startsWith('document-')) {
      await captureDocument(page, source, file);
    } else if (name === 'face-align') {
      await press(page, 'face-align-continue');
      await page.waitForFunction(() => document.querySelector('[data-testid="scan-root"]')?.getAttribute('data-step') !== 'face-align');
    } else if (name === 'face-action') {
      await press(page, 'face-action-done');
      await page.waitForFunction(() => document.querySelector('[data-testid="scan-root"]')?.getAttribute('data-step') !== 'face-action');
    } else {
      throw new Error(`unexpected step ${name}`);
    }
  }
  throw new Error(`did not reach analyzing: ${seen.join(' > ')}`);
}

/** Collects console errors and page errors (CSP violations show up there). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/**
 * Script errors, CSP violations and failed sub-resources of a portal page. A page answered 400 (a
 * refused form) or 404 is a documented answer, not an error; the console line Chromium logs for it is
 * left out, and so is a request a navigation cancelled (a poll, a video frame).
 */
export function collectPortalErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' && response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  return errors;
}

/** jsQR is a CommonJS module whose default export is the function; typed through its `default`. */
export const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/**
 * What every scan-UI browser test file starts with: one shared browser, a landing server for the
 * merchant URLs, a listening emulator on the test clock, request bodies pointing at the landing
 * server, and fresh incognito pages (optionally an emulated phone).
 */
export async function startScanSuite(t: Test, defaults: Record<string, unknown>) {
  const browser = await launchBrowser(t);
  const landing = await startLanding(t);
  const { app, clock, baseUrl } = await startListeningTestApp(t);
  const request = (extra: Record<string, unknown> = {}) => ({
    target: `${landing.base}/success?q=Success`,
    target_error: `${landing.base}/error?q=targetError`,
    cancel_url: `${landing.base}/cancel?q=Cancel`,
    ...defaults,
    ...extra,
  });
  const newPage = async (options: { phone?: boolean } = {}) => {
    const context = await browser.createBrowserContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    if (options.phone) await page.emulate(KnownDevices['iPhone 13']);
    return { page, context, errors: collectErrors(page) };
  };
  return { browser, landing, app, clock, baseUrl, request, newPage };
}
