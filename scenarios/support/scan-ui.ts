// Drives the hosted scan UI through its public automation contract only: data-testid elements and the
// attributes the README documents on them (data-step, data-camera, data-applied, data-reason, ...).
// Every wait is on page state; nothing sleeps.
import type { Frame, Page } from 'puppeteer';

export const testid = (id: string) => `[data-testid="${id}"]`;
export const atStep = (name: string) => `[data-testid="scan-root"][data-step="${name}"]`;

export type ScanStep = 'start' | 'document-front' | 'document-back' | 'face-align' | 'face-action' | 'analyzing' | 'done' | 'mobile' | 'mobile-done';

/**
 * Clicks a control once it is visible, as a person would (a real pointer click). The layout can move
 * under the pointer between Puppeteer's scroll and its click (the camera preview appearing above the
 * button): then the click is tried again on the element where it now is.
 */
export async function press(target: Page | Frame, id: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const element = await target.waitForSelector(testid(id), { visible: true });
    try {
      await element!.click();
      return;
    } catch (error) {
      if (attempt >= 5 || !/not clickable|not an Element|detached/i.test((error as Error).message)) throw error;
      await element!.scrollIntoView().catch(() => undefined);
    }
  }
}

export async function waitForStep(page: Page, name: ScanStep): Promise<void> {
  await page.waitForSelector(atStep(name));
}

/** The current step, or null when the page is not the scan UI. */
export async function currentStep(page: Page): Promise<string | null> {
  return page.$eval(testid('scan-root'), (el) => el.getAttribute('data-step')).catch(() => null);
}

export async function rootAttribute(page: Page, name: string): Promise<string | null> {
  return page.$eval(testid('scan-root'), (el, attribute) => el.getAttribute(attribute), name);
}

export async function attributeOf(page: Page, id: string, name: string): Promise<string | null> {
  return page.$eval(testid(id), (el, attribute) => el.getAttribute(attribute), name);
}

export async function textOf(page: Page, id: string): Promise<string> {
  return page.$eval(testid(id), (el) => el.textContent ?? '');
}

/**
 * Waits until the camera has settled (on, denied or unavailable): while it starts, the preview appears
 * above the step's buttons and pushes them down, so a click aimed before that lands on nothing.
 * A person waits for the camera too.
 */
export async function cameraSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-testid="scan-root"]')?.getAttribute('data-camera') !== 'starting');
}

async function leaveStep(page: Page, from: string): Promise<void> {
  await page.waitForFunction((step) => document.querySelector('[data-testid="scan-root"]')?.getAttribute('data-step') !== step, {}, from);
}

/** How a document step is completed: the camera's shot, a file from disk, or a test-mode sample. */
export type DocumentSource = { kind: 'camera' } | { kind: 'file'; front: string; back?: string } | { kind: 'sample' };

/** Completes the current document step and waits until the page moved on. */
export async function captureDocument(page: Page, source: DocumentSource): Promise<void> {
  const step = await currentStep(page);
  if (step !== 'document-front' && step !== 'document-back') throw new Error(`not on a document step (on ${step})`);
  const back = step === 'document-back';
  if (source.kind === 'camera') {
    await page.waitForSelector('[data-testid="scan-root"][data-camera="on"]');
    await press(page, 'camera-capture');
  } else if (source.kind === 'file') {
    const input = await page.waitForSelector('input[data-testid="file-input"]');
    await input!.uploadFile(back ? (source.back ?? source.front) : source.front);
  } else {
    await cameraSettled(page);
    if (!(await page.$(testid('samples')))) throw new Error('the scan UI offers no test-mode sample documents: this journey needs the emulator running with TEST_MODE=true');
    await press(page, back ? 'sample-id-card-back' : 'sample-id-card-front');
  }
  await leaveStep(page, step);
}

export interface WalkOptions {
  /** How document steps are completed (default: the test-mode samples). */
  documents?: DocumentSource;
  /** Called on the face-action step before "Done", with the action the page asks for. */
  onAction?: (action: string | null) => Promise<void> | void;
}

/**
 * From wherever the page is, through start, documents and face steps, to Analyzing (or past it when the
 * session ends at once). Returns the steps seen, in order.
 */
export async function walkToAnalyzing(page: Page, options: WalkOptions = {}): Promise<string[]> {
  const seen: string[] = [];
  for (let guard = 0; guard < 12; guard++) {
    const step = await currentStep(page);
    // The session can end while the walk reads the page (a clock moved by someone else): it has left the UI.
    if (step === null && seen.length > 0) return seen;
    if (step === null) throw new Error(`the page is not the scan UI (at ${page.url()})`);
    if (seen.at(-1) !== step) seen.push(step);
    if (step === 'analyzing' || step === 'done' || step === 'mobile-done') return seen;
    if (step === 'start') {
      await press(page, 'start-browser');
      await leaveStep(page, step);
    } else if (step === 'document-front' || step === 'document-back') {
      await captureDocument(page, options.documents ?? { kind: 'sample' });
    } else if (step === 'face-align') {
      await cameraSettled(page);
      await press(page, 'face-align-continue');
      await leaveStep(page, step);
    } else if (step === 'face-action') {
      if (options.onAction) await options.onAction(await attributeOf(page, 'action-prompt', 'data-action'));
      await cameraSettled(page);
      await press(page, 'face-action-done');
      await leaveStep(page, step);
    } else {
      throw new Error(`unexpected step ${step} (seen ${seen.join(' > ')})`);
    }
  }
  throw new Error(`did not reach analyzing: ${seen.join(' > ')}`);
}

/** Opens the tester panel (TEST_MODE) and fails clearly when the emulator runs without it. */
export async function openTesterPanel(page: Page): Promise<void> {
  if (!(await page.$(testid('tester-panel')))) {
    throw new Error('the scan UI has no tester panel: this journey needs the emulator running with TEST_MODE=true');
  }
  const open = await page.$eval(testid('tester-panel'), (el) => (el as HTMLDetailsElement).open);
  if (!open) await press(page, 'tester-toggle');
}

/** Picks this run's outcome in the tester panel and checks the emulator applied it. */
export async function chooseOutcome(page: Page, outcome: string): Promise<void> {
  await openTesterPanel(page);
  await page.select(testid('tester-outcome'), outcome);
  await press(page, 'tester-apply');
  await page.waitForSelector(`${testid('tester-message')}[data-applied]`);
  if ((await attributeOf(page, 'tester-message', 'data-applied')) !== 'true') {
    throw new Error(`the tester panel could not choose ${outcome}: ${await textOf(page, 'tester-message')}`);
  }
}
