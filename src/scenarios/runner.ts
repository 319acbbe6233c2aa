// The scenario runner: picks journeys from the catalogue, gets an emulator (in-process, or --base-url),
// a browser and the callback server, runs the journeys in parallel pages (in integrator mode, where they
// share the app's key and so its clock, exclusive ones alone, last), and reports progress, a summary,
// JUnit XML and artifacts of failures.
import type { Browser } from 'puppeteer';
import type { Journey } from '../../scenarios/journey.js';
import { AdminApiError, createAdminClient, type AdminClient } from '../admin-client.js';
import { HEX_DIGITS, randomToken } from '../core/ids.js';
import type { ConfigInput } from '../config.js';
import { saveArtifacts } from './artifacts.js';
import { findBrowser, launchScenarioBrowser } from './browser.js';
import { startCallbackServer } from './callbacks.js';
import { CatalogueError, checkJourney, loadJourneys, scenariosDir } from './catalogue.js';
import { createJourneyRun, type JourneyRun, type RunEnvironment } from './journey-run.js';
import { failedStepOf } from './journey-steps.js';
import { startInProcessEmulator, type InProcessEmulator } from './in-process-emulator.js';
import { writeJUnit } from './junit.js';
import { checkOutputFolders } from './outputs.js';
import { consoleReporter, type Reporter } from './reporter.js';
import type { JourneyResult, RunSummary } from './results.js';

export { BrowserLaunchError, BrowserNotFoundError, findBrowser, launchScenarioBrowser, type LaunchOptions } from './browser.js';
export { CatalogueError, loadJourneys, scenariosDir } from './catalogue.js';
export { consoleReporter, silentReporter, summaryTable, type Reporter, type RunInfo } from './reporter.js';
export { toJUnitXml } from './junit.js';
export { OutputFolderError } from './outputs.js';
export type { JourneyResult, RunSummary, StepRecord } from './results.js';
export type { Journey, JourneyContext } from '../../scenarios/journey.js';

export interface ScenarioInfo {
  name: string;
  description: string;
  tags: string[];
  integrator: boolean;
  exclusive: boolean;
}

export interface RunOptions {
  /** Journey names to run (default: all, or all that match `tags`). */
  names?: string[];
  /** Run journeys carrying any of these tags. */
  tags?: string[];
  /** An emulator already running (TEST_MODE on); without it one is started in this process on a free port. */
  baseUrl?: string;
  /** X-Mock-Admin-Token for an emulator started with MOCK_ADMIN_TOKEN. */
  adminToken?: string;
  /** Integrator mode: the app page that sends the browser into the emulator's scan UI (needs `baseUrl`). */
  appUrl?: string;
  /** Integrator mode: a selector to click on `appUrl` to start the verification. */
  appStartSelector?: string;
  headful?: boolean;
  slowMo?: number;
  /** Write JUnit XML here. */
  junitFile?: string;
  /** Save a screenshot, the HTML, the console and the session records of each failed journey under this directory. */
  artifactsDir?: string;
  /** Journeys run at once, each in its own pages and under its own API key (default 1). */
  concurrency?: number;
  reporter?: Reporter;
  /** Journeys to run instead of the catalogue (a test's own, for example). */
  journeys?: Journey[];
  /** More directories of journey files, added to the package's scenarios/. */
  dirs?: string[];
  /** A running browser to use; it is left open. */
  browser?: Browser;
  /** The browser binary (default PUPPETEER_EXECUTABLE_PATH or a system Chromium). */
  executablePath?: string;
  /** Settings of the in-process emulator, by environment variable name. */
  emulatorSettings?: ConfigInput;
  /**
   * The host name the emulator reaches this machine by, for the landing pages, the webhook receiver and
   * servers journeys start (default 127.0.0.1): e.g. this container's name when the emulator runs in another.
   */
  callbackHost?: string;
  /** Bound of each wait on the page or the emulator, in milliseconds (default 10 000). */
  waitTimeoutMs?: number;
}

/** Bad names, tags or option combinations: nothing was run. */
export class ScenarioSelectionError extends Error {
  override name = 'ScenarioSelectionError';
}

export class JourneyTimeoutError extends Error {
  override name = 'JourneyTimeoutError';
}

const DEFAULT_JOURNEY_TIMEOUT_MS = 30_000;

const info = (j: Journey): ScenarioInfo => ({ name: j.name, description: j.description, tags: [...j.tags], integrator: Boolean(j.integrator), exclusive: Boolean(j.exclusive) });

/** The catalogue: every journey's name, description, tags and modes. */
export async function listScenarios(options: { dirs?: string[] } = {}): Promise<ScenarioInfo[]> {
  return (await loadJourneys([scenariosDir, ...(options.dirs ?? [])])).map(info);
}

/** Journeys handed over as objects get the same checks as files of the catalogue. */
function checkJourneys(journeys: Journey[]): Journey[] {
  const names = new Set<string>();
  for (const journey of journeys) {
    checkJourney(journey, `journey ${JSON.stringify((journey as Partial<Journey>)?.name)}`);
    if (names.has(journey.name)) throw new CatalogueError(`journey names must be unique; ${journey.name} is given twice`);
    names.add(journey.name);
  }
  return journeys;
}

interface Selection {
  run: Journey[];
  skipped: { journey: Journey; reason: string }[];
}

/** Which journeys run: by name and tag, and in integrator mode only those written for it. */
function select(all: Journey[], options: RunOptions, mode: 'own-sessions' | 'integrator'): Selection {
  const integrator = mode === 'integrator';
  const byName = new Map(all.map((j) => [j.name, j]));
  const unknown = (options.names ?? []).filter((n) => !byName.has(n));
  if (unknown.length > 0) throw new ScenarioSelectionError(`unknown journey${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (see \`zignsec-mock scenarios list\`)`);
  let chosen = options.names && options.names.length > 0 ? [...new Set(options.names)].map((n) => byName.get(n)!) : all;
  if (options.tags && options.tags.length > 0) {
    const tags = new Set(options.tags);
    chosen = chosen.filter((j) => j.tags.some((t) => tags.has(t)));
  }
  const skipped: Selection['skipped'] = [];
  if (integrator) {
    const named = Boolean(options.names && options.names.length > 0);
    for (const journey of chosen.filter((j) => !j.integrator && named)) skipped.push({ journey, reason: 'not written for integrator mode (it creates its own sessions)' });
    chosen = chosen.filter((j) => j.integrator);
  }
  if (chosen.length === 0 && skipped.length === 0) {
    throw new ScenarioSelectionError(`no journeys match${options.tags?.length ? ` tags ${options.tags.join(', ')}` : ''}${integrator ? ' in integrator mode' : ''}`);
  }
  return { run: chosen, skipped };
}

/** Runs `items` in order with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

async function preflight(admin: AdminClient, baseUrl: string): Promise<void> {
  try {
    await admin.ready();
    await admin.clock.get();
  } catch (error) {
    if (error instanceof AdminApiError && error.status === 401) {
      throw new ScenarioSelectionError(`the emulator at ${baseUrl} protects its control API: pass its MOCK_ADMIN_TOKEN (--admin-token)`);
    }
    throw new ScenarioSelectionError(`cannot reach the emulator's control API at ${baseUrl}: ${(error as Error).message}`);
  }
}

/** Runs the selected journeys and resolves with the summary; journey failures never reject, setup problems do. */
export async function runScenarios(options: RunOptions = {}): Promise<RunSummary> {
  const reporter = options.reporter ?? consoleReporter();
  const integrator = Boolean(options.appUrl);
  if (integrator && !options.baseUrl) throw new ScenarioSelectionError('--app-url needs --base-url: the emulator your app talks to (its control API drives the journeys)');
  if (options.appStartSelector && !integrator) throw new ScenarioSelectionError('--app-start-selector needs --app-url');
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const all = options.journeys ? checkJourneys(options.journeys) : await loadJourneys([scenariosDir, ...(options.dirs ?? [])]);
  const selection = select(all, options, integrator ? 'integrator' : 'own-sessions');

  const startedAt = new Date();
  const started = performance.now();
  let browser: Browser | undefined = options.browser;
  const ownBrowser = !browser;
  // Before anything starts: a missing browser is the most common setup problem, and says how to fix it.
  const executablePath = browser ? undefined : findBrowser(process.env, options.executablePath);
  // So is an output folder this user cannot write (a container's mounted report folder).
  checkOutputFolders(options);
  let emulator: InProcessEmulator | undefined;
  const callbacks = await startCallbackServer({ publicHost: options.callbackHost });
  try {
    emulator = options.baseUrl ? undefined : await startInProcessEmulator(options.emulatorSettings);
    const baseUrl = (options.baseUrl ?? emulator!.url).replace(/\/+$/, '');
    const admin = createAdminClient(baseUrl, { adminToken: options.adminToken });
    await preflight(admin, baseUrl);
    const outcomes = new Map((await admin.outcomes.list()).map((o) => [o.name, o]));
    const returnParameters = (await admin.wire()).redirect;
    browser ??= await launchScenarioBrowser({ headful: options.headful, slowMo: options.slowMo, executablePath });

    const env: RunEnvironment = {
      mode: integrator ? 'integrator' : 'emulator',
      baseUrl,
      admin,
      browser,
      outcomes,
      returnParameters,
      callbacks,
      runId: randomToken(6, HEX_DIGITS),
      app: integrator ? { url: options.appUrl!, startSelector: options.appStartSelector } : undefined,
      waitTimeoutMs: options.waitTimeoutMs ?? 10_000,
    };
    reporter.runStarted?.({ journeys: selection.run.map((j) => j.name), mode: env.mode, baseUrl, appUrl: options.appUrl, concurrency, inProcess: Boolean(emulator) });

    const results = new Map<string, JourneyResult>();
    for (const { journey, reason } of selection.skipped) {
      const result: JourneyResult = { name: journey.name, description: journey.description, tags: [...journey.tags], status: 'skipped', durationMs: 0, steps: [], sessionIds: [], skipReason: reason };
      results.set(journey.name, result);
      reporter.journeyFinished?.(result);
    }
    let slots = 0;
    const runOne = async (journey: Journey) => {
      const result = await runJourney(env, journey, `j${++slots}`, reporter, options.artifactsDir);
      results.set(journey.name, result);
    };
    // Each journey moves its own key's clock; only in integrator mode do journeys share one (the app's).
    const alone = (j: Journey) => integrator && Boolean(j.exclusive);
    await pool(
      selection.run.filter((j) => !alone(j)),
      concurrency,
      runOne,
    );
    for (const journey of selection.run.filter(alone)) await runOne(journey);

    const ordered = all.map((j) => results.get(j.name)).filter((r): r is JourneyResult => r !== undefined);
    const count = (status: JourneyResult['status']) => ordered.filter((r) => r.status === status).length;
    const summary: RunSummary = {
      ok: count('failed') === 0,
      mode: env.mode,
      baseUrl,
      appUrl: options.appUrl,
      concurrency,
      results: ordered,
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
      durationMs: performance.now() - started,
      startedAt: startedAt.toISOString(),
    };
    if (options.junitFile) writeJUnit(options.junitFile, summary);
    reporter.runFinished?.(summary);
    return summary;
  } finally {
    if (ownBrowser && browser) await browser.close().catch(() => undefined);
    await callbacks.close();
    await emulator?.close();
  }
}

async function runJourney(env: RunEnvironment, journey: Journey, slot: string, reporter: Reporter, artifactsDir: string | undefined): Promise<JourneyResult> {
  reporter.journeyStarted?.(journey.name);
  const started = performance.now();
  let run: JourneyRun | undefined;
  let failure: Error | undefined;
  try {
    run = await createJourneyRun(env, journey, slot, {
      onStep: (step) => reporter.step?.(journey.name, step),
      onLog: (message) => reporter.log?.(journey.name, message),
    });
    const timeoutMs = journey.timeoutMs ?? DEFAULT_JOURNEY_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const last = run?.steps.at(-1);
        reject(new JourneyTimeoutError(`the journey did not finish within ${timeoutMs} ms${last ? ` (last finished step: "${last.name}")` : ''}`));
      }, timeoutMs);
    });
    const running = journey.run(run.context);
    // After a timeout the journey's own promise may still reject (its pages get closed): not a second failure.
    running.catch(() => undefined);
    try {
      await Promise.race([running, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    failure = asError(error);
    run?.abort(failure);
  }
  const result: JourneyResult = {
    name: journey.name,
    description: journey.description,
    tags: [...journey.tags],
    status: failure ? 'failed' : 'passed',
    durationMs: performance.now() - started,
    steps: run ? [...run.steps] : [],
    sessionIds: run ? [...run.sessionIds] : [],
  };
  if (failure) {
    result.error = { name: failure.name, message: failure.message.split('\n')[0], stack: failure.stack, step: failedStepOf(failure) };
    if (artifactsDir && run) {
      try {
        result.artifactsDir = await saveArtifacts({ dir: artifactsDir, result, pages: run.pages, console: run.console, sessionIds: run.sessionIds, admin: env.admin });
      } catch (error) {
        reporter.log?.(journey.name, `artifacts could not be saved: ${(error as Error).message}`);
      }
    }
  }
  await run?.dispose();
  reporter.journeyFinished?.(result);
  return result;
}

/** Runs one journey by name (same options as runScenarios) and resolves with its result. */
export async function runScenario(name: string, options: Omit<RunOptions, 'names' | 'tags'> = {}): Promise<JourneyResult> {
  const summary = await runScenarios({ ...options, names: [name] });
  return summary.results.find((r) => r.name === name)!;
}
