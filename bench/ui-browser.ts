// Part of the scan UI stage (bench/ui-pages.ts): one headless Chromium walks every page through its steps
// by clicking the data-testid controls, and every request each page makes is recorded with the step the
// page showed (the document, its CSS and script count for the step it opens on). A request to any host
// other than 127.0.0.1 is recorded as external and aborted, so nothing leaves the machine.
//
// Walks, in parallel (own browser context each, sessions without merchant URLs, so they end on the
// emulator's result page; the emulator runs on real time: each analysis takes its preset's 1.5 s):
//   liveness FrontAndBack, NoDocument and the scanning flow on a desktop; the mobile hand-off of a
//   FrontSide session (desktop shows the QR code, an emulated iPhone opens the link and captures);
//   and the FrontAndBack link opened again in a fresh context (the link-error page).
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import puppeteer, { KnownDevices, type Browser, type HTTPRequest, type Page } from 'puppeteer';
import { BENCH_API_KEY } from './example.js';
import { browserArgs } from '../src/scenarios/browser.js';
import { httpRequest } from './support.js';
import type { StageRow } from './ui-pages.js';

const WALK_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 10_000;
const LOCAL_HOST = '127.0.0.1';
const PENDING = '(loading)';

interface Entry {
  request: HTTPRequest;
  step: string;
  kind: 'html' | 'css' | 'js' | 'json' | 'image' | 'other';
  bytes: number;
  status: number;
}

/** Every request of one page, by the step the page showed when it was made. */
class Recorder {
  step = PENDING;
  readonly entries: Entry[] = [];
  readonly external: string[] = [];
  readonly steps: string[] = [];
  readonly errors: string[] = [];

  constructor(readonly label: string) {}

  /**
   * The page shows `step`: `loaded` when a new document reports the step it opened on (the requests of its
   * loading are that step's), otherwise a step change in the page. A change reported while a navigation
   * is under way (done, then the result page) is listed but does not take the new document's requests.
   */
  enter(step: string, loaded: boolean): void {
    if (this.steps[this.steps.length - 1] !== step) this.steps.push(step);
    if (loaded) {
      for (const entry of this.entries) if (entry.step === PENDING) entry.step = step;
    } else if (this.step === PENDING) return;
    this.step = step;
  }

  async attach(page: Page): Promise<void> {
    page.on('pageerror', (error) => this.errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(message.text());
    });
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = request.url();
      const handled = () => request.isInterceptResolutionHandled();
      if (/^(data|blob):/.test(url)) {
        if (!handled()) request.continue().catch(() => undefined);
        return;
      }
      let host = '';
      try {
        host = new URL(url).hostname;
      } catch {
        // not a URL a request can go to
      }
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) this.step = PENDING;
      if (host !== LOCAL_HOST) {
        this.external.push(url);
        if (!handled()) request.abort('blockedbyclient').catch(() => undefined);
        return;
      }
      this.entries.push({ request, step: this.step, kind: 'other', bytes: 0, status: 0 });
      if (!handled()) request.continue().catch(() => undefined);
    });
    page.on('response', (response) => {
      const entry = this.entries.find((e) => e.request === response.request());
      if (!entry) return;
      const type = (response.headers()['content-type'] ?? '').toLowerCase();
      entry.status = response.status();
      entry.bytes = Number(response.headers()['content-length'] ?? 0);
      entry.kind = type.startsWith('image/')
        ? 'image'
        : type.includes('html')
          ? 'html'
          : type.includes('css')
            ? 'css'
            : type.includes('javascript')
              ? 'js'
              : type.includes('json')
                ? 'json'
                : 'other';
    });
    // The page reports each step it shows (data-step on the root), and the result and link-error pages.
    await page.exposeFunction('__benchStep', (step: string, loaded: boolean) => this.enter(step, loaded));
    // A string, not a function: tsx (esbuild keepNames) would wrap a function's inner names in a helper the page lacks.
    await page.evaluateOnNewDocument(`document.addEventListener('DOMContentLoaded', function () {
      var report = function (step, loaded) { window.__benchStep(step, loaded); };
      var root = document.querySelector('[data-testid="scan-root"]');
      if (root) {
        report(root.getAttribute('data-step') || '?', true);
        new MutationObserver(function () { report(root.getAttribute('data-step') || '?', false); }).observe(root, { attributes: true, attributeFilter: ['data-step'] });
      } else if (document.querySelector('[data-testid="result-page"]')) report('result page', true);
      else if (document.querySelector('[data-testid="link-error"]')) report('link-error page', true);
      else report('other page', true);
    });`);
  }
}

// ---------------------------------------------------------------------------------------------
// Driving the page

const stepSelector = (name: string) => `[data-testid="scan-root"][data-step="${name}"]`;

async function press(page: Page, id: string): Promise<void> {
  const element = await page.waitForSelector(`[data-testid="${id}"]`, { visible: true, timeout: STEP_TIMEOUT_MS });
  await element!.click();
}

async function currentStep(page: Page): Promise<string | null> {
  return page.$eval('[data-testid="scan-root"]', (el) => el.getAttribute('data-step')).catch(() => null);
}

async function leave(page: Page, from: string): Promise<void> {
  await page.waitForFunction((step) => document.querySelector('[data-testid="scan-root"]')?.getAttribute('data-step') !== step, { timeout: STEP_TIMEOUT_MS }, from);
}

/** From wherever the page is, click through the capture steps; then wait for the end (result page, or mobile-done on a phone). */
async function walk(page: Page): Promise<void> {
  for (let guard = 0; guard < 12; guard++) {
    const step = await currentStep(page);
    if (step === 'start') {
      await press(page, 'start-browser');
      await leave(page, step);
    } else if (step === 'document-front' || step === 'document-back') {
      await press(page, step === 'document-back' ? 'sample-id-card-back' : 'sample-id-card-front');
      await leave(page, step);
    } else if (step === 'face-align') {
      await press(page, 'face-align-continue');
      await leave(page, step);
    } else if (step === 'face-action') {
      await press(page, 'face-action-done');
      await leave(page, step);
    } else if (step === 'mobile-done') {
      return;
    } else if (step === 'analyzing' || step === 'done') {
      const role = await page.$eval('[data-testid="scan-root"]', (el) => el.getAttribute('data-role')).catch(() => 'desktop');
      await page.waitForSelector(role === 'mobile' ? stepSelector('mobile-done') : '[data-testid="result-page"]', { timeout: STEP_TIMEOUT_MS });
      return;
    } else if (step === null) {
      await page.waitForSelector('[data-testid="result-page"]', { timeout: STEP_TIMEOUT_MS });
      return;
    } else {
      throw new Error(`unexpected step ${step}`);
    }
  }
  throw new Error('the walk did not end');
}

async function createSession(base: string, path: string, body: Record<string, unknown>): Promise<string> {
  const response = await httpRequest(`${base}${path}`, { method: 'POST', headers: { authorization: BENCH_API_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`creating a session failed: HTTP ${response.status} ${response.body.slice(0, 200)}`);
  const redirect = new URL((JSON.parse(response.body) as { redirect_url: string }).redirect_url);
  return `${base}${redirect.pathname}${redirect.search}`;
}

interface Walked {
  recorders: Recorder[];
  ms: number;
}

async function timed(work: () => Promise<Recorder[]>): Promise<Walked> {
  const started = performance.now();
  const recorders = await work();
  return { recorders, ms: performance.now() - started };
}

async function runWalks(browser: Browser, base: string): Promise<{ label: string; walked: Walked }[]> {
  // No merchant URLs: every walk ends on the emulator's own result page.
  const noUrls = { relay_state: 'bench', target: '', target_error: '', cancel_url: '' };
  const liveness = (options: string, action: string) => createSession(base, '/v3/scanning/liveness', { ...noUrls, options, action });

  async function newPage(label: string, phone = false): Promise<{ page: Page; recorder: Recorder }> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    if (phone) await page.emulate(KnownDevices['iPhone 13']);
    const recorder = new Recorder(label);
    await recorder.attach(page);
    return { page, recorder };
  }

  let firstOpened!: () => void;
  const frontAndBackOpened = new Promise<void>((resolve) => (firstOpened = resolve));
  const frontAndBackUrl = await liveness('FrontAndBack', 'HeadLeft');

  const desktopWalk = (label: string, url: Promise<string> | string, onOpened?: () => void) =>
    timed(async () => {
      const { page, recorder } = await newPage(label);
      await page.goto(await url);
      await page.waitForSelector(stepSelector('start'), { timeout: STEP_TIMEOUT_MS });
      onOpened?.();
      await walk(page);
      return [recorder];
    });

  const handOff = () =>
    timed(async () => {
      const desktop = await newPage('desktop');
      await desktop.page.goto(await liveness('FrontSide', 'Smile'));
      await press(desktop.page, 'start-mobile');
      await desktop.page.waitForSelector('[data-testid="mobile-qr"]:not([hidden])', { timeout: STEP_TIMEOUT_MS });
      await desktop.page.waitForFunction(() => document.querySelector<HTMLImageElement>('[data-testid="mobile-qr"]')?.complete === true, { timeout: STEP_TIMEOUT_MS });
      const link = await desktop.page.$eval('[data-testid="mobile-link"]', (el) => (el as HTMLAnchorElement).href);
      const phone = await newPage('phone', true);
      await phone.page.goto(link);
      await walk(phone.page);
      await desktop.page.waitForSelector('[data-testid="result-page"]', { timeout: STEP_TIMEOUT_MS });
      return [desktop.recorder, phone.recorder];
    });

  const usedLink = () =>
    timed(async () => {
      await frontAndBackOpened;
      const { page, recorder } = await newPage('second browser');
      const response = await page.goto(frontAndBackUrl);
      if (response?.status() !== 403) throw new Error(`the used link answered HTTP ${response?.status()} in a second browser (expected 403)`);
      await page.waitForSelector('[data-testid="link-error"]', { timeout: STEP_TIMEOUT_MS });
      return [recorder];
    });

  const walks = [
    ['liveness FrontAndBack, desktop', desktopWalk('desktop', frontAndBackUrl, () => firstOpened())],
    ['liveness NoDocument, desktop', desktopWalk('desktop', liveness('NoDocument', 'FollowText'))],
    ['scanning flow, desktop', desktopWalk('desktop', createSession(base, '/v3/scanning', { ...noUrls, cancel_url: undefined, analysis_types: ['document', 'selfie', 'liveness'] }))],
    ['mobile hand-off (FrontSide)', handOff()],
    ['used link, fresh context', usedLink()],
  ] as const;
  const settled = await Promise.allSettled(walks.map(([, promise]) => promise));
  const failed = settled.map((s, i) => (s.status === 'rejected' ? `${walks[i][0]}: ${(s.reason as Error)?.message ?? s.reason}` : null)).filter(Boolean);
  if (failed.length) throw new Error(`browser walk failed: ${failed.join('; ')}`);
  return settled.map((s, i) => ({ label: walks[i][0], walked: (s as PromiseFulfilledResult<Walked>).value }));
}

// ---------------------------------------------------------------------------------------------

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ALL_STEPS = ['start', 'document-front', 'document-back', 'face-align', 'face-action', 'analyzing', 'done', 'mobile', 'mobile-done'];

function describeStep(recorder: Recorder, step: string): string {
  const entries = recorder.entries.filter((e) => e.step === step);
  const text = entries.filter((e) => e.kind !== 'image').reduce((n, e) => n + e.bytes, 0);
  const images = entries.filter((e) => e.kind === 'image');
  const imageBytes = images.reduce((n, e) => n + e.bytes, 0);
  return `${step} ${entries.length} req ${kb(text)}${images.length ? ` +${images.length} img ${kb(imageBytes)}` : ''}`;
}

/** Walks every page in headless Chromium; prints the requests by step; returns the summary row. */
export async function walkScanUi(base: string): Promise<StageRow> {
  const measurement = 'scan UI browser walk';
  const target = `every request to ${LOCAL_HOST}`;
  const executablePath = process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.log(`    skipped: no Chromium at ${executablePath} (set PUPPETEER_EXECUTABLE_PATH)`);
    return { measurement, result: `skipped: no Chromium at ${executablePath}`, target, status: 'SKIP' };
  }
  const started = performance.now();
  const browser = await puppeteer.launch({ executablePath, headless: true, args: [...browserArgs] });
  const launchMs = performance.now() - started;
  let watchdog: NodeJS.Timeout | undefined;
  try {
    const walks = await Promise.race([
      runWalks(browser, base),
      new Promise<never>((_, reject) => {
        watchdog = setTimeout(() => reject(new Error(`browser walk did not finish within ${WALK_TIMEOUT_MS / 1000} s`)), WALK_TIMEOUT_MS);
        watchdog.unref();
      }),
    ]);
    let requests = 0;
    const external: string[] = [];
    const errors: string[] = [];
    const failedResponses: string[] = [];
    const seen = new Set<string>();
    for (const { label, walked } of walks) {
      console.log(`    ${label} (${(walked.ms / 1000).toFixed(1)} s):`);
      for (const recorder of walked.recorders) {
        requests += recorder.entries.length + recorder.external.length;
        external.push(...recorder.external.map((url) => `${label}, ${recorder.label}: ${url}`));
        errors.push(...recorder.errors.filter((e) => !(label.startsWith('used link') && /403/.test(e))).map((e) => `${label}, ${recorder.label}: ${e}`));
        for (const entry of recorder.entries) {
          const expected = label.startsWith('used link') && entry.kind === 'html' && entry.status === 403;
          if (entry.status >= 400 && !expected) failedResponses.push(`${entry.status} ${entry.request.method()} ${new URL(entry.request.url()).pathname}`);
        }
        recorder.steps.forEach((step) => seen.add(step));
        const width = 7;
        console.log(`      ${recorder.label.padEnd(width)} ${recorder.steps.join(' > ')}`);
        console.log(`      ${''.padEnd(width)} ${recorder.steps.map((step) => describeStep(recorder, step)).join(' | ')}`);
      }
    }
    const missing = ALL_STEPS.filter((step) => !seen.has(step));
    const totalS = (performance.now() - started) / 1000;
    console.log(
      `    ${requests} requests in ${walks.length} walks, ${external.length === 0 ? `all to ${LOCAL_HOST}` : `${external.length} EXTERNAL (aborted)`}; ` +
        `steps seen: ${missing.length === 0 ? `all ${ALL_STEPS.length}` : `all but ${missing.join(', ')}`}; ` +
        `${totalS.toFixed(1)} s with the Chromium launch (${(launchMs / 1000).toFixed(1)} s)`,
    );
    console.log('    (req = requests made while the step showed, the loading page counted for the step it opens on; KB = HTML, CSS, script and JSON bodies; img apart)');
    for (const url of external) console.log(`    EXTERNAL ${url}`);
    for (const line of failedResponses) console.log(`    failed response: ${line}`);
    for (const line of errors) console.log(`    page error: ${line}`);
    const status = external.length === 0 && failedResponses.length === 0 && errors.length === 0 ? 'PASS' : 'FAIL';
    console.log(`    target: ${target} -> ${status}`);
    const problems = [external.length ? `${external.length} external` : '', failedResponses.length ? `${failedResponses.length} failed responses` : '', errors.length ? `${errors.length} page errors` : '']
      .filter(Boolean)
      .join(', ');
    return {
      measurement,
      result: `${requests} requests, ${walks.length} walks, ${problems || `all to ${LOCAL_HOST}`} (${totalS.toFixed(1)} s)`,
      target,
      status,
    };
  } finally {
    clearTimeout(watchdog);
    await browser.close().catch(() => undefined);
  }
}
