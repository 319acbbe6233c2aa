// The scenario runner itself: a failing journey gives a failed result, a JUnit <failure> and artifacts;
// the CLI's exit codes and messages; integrator mode against the sample merchant app in its own process.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { defineJourney, type Journey } from '../../scenarios/journey.js';
import { verifyEnding } from '../../scenarios/support/endings.js';
import { walkToAnalyzing } from '../../scenarios/support/scan-ui.js';
import { scenariosCommand } from '../../src/scenarios/cli.js';
import { createAdminClient } from '../../src/admin-client.js';
import { createApiClient } from '../../src/api-client.js';
import { startInProcessEmulator } from '../../src/scenarios/in-process-emulator.js';
import { BrowserNotFoundError, findBrowser, launchScenarioBrowser, runScenario, runScenarios, silentReporter, type JourneyResult } from '../../src/scenarios/runner.js';
import { findAll, parseXml, sink, spawnMerchantApp } from '../helpers/scenarios.js';

t.setTimeout(180_000);

const browser = await launchScenarioBrowser();
t.teardown(() => browser.close());
const scratch = mkdtempSync(join(tmpdir(), 'zsm-runner-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

/** Completes a session normally, then insists it should have been cancelled: a wrong landing expectation. */
const brokenLanding = defineJourney({
  name: 'broken-landing',
  description: 'Deliberately broken: finishes an approved session but expects the browser on cancel_url.',
  tags: ['broken'],
  async run(ctx) {
    const session = await ctx.step('open the scan UI', () => ctx.startSession({ request: { options: 'NoDocument' } }));
    await ctx.step('walk to Analyzing', () => walkToAnalyzing(session.page));
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await ctx.step('expect cancel_url (wrong on purpose)', () => ctx.expectLanding(session, 'cancel_url'));
  },
});

const passing = defineJourney({
  name: 'passing-noop',
  description: 'Passes without a browser step: checks the emulator is ready.',
  tags: ['noop'],
  async run(ctx) {
    await ctx.step('the emulator is ready', () => ctx.admin.ready());
  },
});

t.test('a broken journey fails with its step, a JUnit <failure> entry and the artifacts', async (t) => {
  const junitFile = join(scratch, 'junit', 'broken.xml');
  const artifactsDir = join(scratch, 'artifacts');
  const finished: JourneyResult[] = [];
  const summary = await runScenarios({
    journeys: [brokenLanding, passing],
    browser,
    junitFile,
    artifactsDir,
    reporter: { journeyFinished: (r) => finished.push(r) },
  });
  t.equal(summary.ok, false);
  t.equal(summary.failed, 1);
  t.equal(summary.passed, 1);
  t.same(
    finished.map((r) => [r.name, r.status]).sort(),
    [
      ['broken-landing', 'failed'],
      ['passing-noop', 'passed'],
    ],
    'the reporter heard both',
  );
  const broken = summary.results.find((r) => r.name === 'broken-landing')!;
  t.equal(broken.error?.step, 'expect cancel_url (wrong on purpose)');
  t.match(broken.error?.message, /expected the browser to land on cancel_url .* but it landed on target/);
  t.equal(broken.sessionIds.length, 1);
  const [sessionId] = broken.sessionIds;

  const xml = parseXml(readFileSync(junitFile, 'utf8'));
  t.equal(xml.name, 'testsuites');
  const [suite] = findAll(xml, 'testsuite');
  t.match(suite.attributes, { tests: '2', failures: '1', errors: '0', skipped: '0' });
  const cases = findAll(suite, 'testcase');
  t.same(cases.map((c) => c.attributes.name).sort(), ['broken-landing', 'passing-noop']);
  const failing = cases.find((c) => c.attributes.name === 'broken-landing')!;
  const [failure] = findAll(failing, 'failure');
  t.ok(failure, 'the broken journey has a <failure>');
  t.match(failure.attributes.message, /expected the browser to land on cancel_url/);
  t.equal(failure.attributes.type, 'Error');
  t.match(failure.text, 'Failed in step: expect cancel_url (wrong on purpose)');
  t.match(failure.text, `Sessions: ${sessionId}`);
  t.match(findAll(failing, 'system-out')[0].text, /ok {3}walk to Analyzing/);
  t.same(findAll(cases.find((c) => c.attributes.name === 'passing-noop')!, 'failure'), [], 'the passing journey has none');

  const dir = join(artifactsDir, 'broken-landing');
  t.equal(broken.artifactsDir, dir);
  const png = readFileSync(join(dir, 'screenshot.png'));
  t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG screenshot');
  const html = readFileSync(join(dir, 'page.html'), 'utf8');
  t.match(html, 'data-testid="landing"', 'the HTML of the page where the browser ended');
  t.match(html, `session_id=${sessionId}`, 'with its URL');
  t.match(readFileSync(join(dir, 'console.log'), 'utf8'), `navigated: `, 'the browser console and navigation log');
  const record = JSON.parse(readFileSync(join(dir, `session-${sessionId}.json`), 'utf8'));
  t.match(record, { id: sessionId, status: 'Accepted', outcome: { name: 'approved' } }, "the session's control-API record");
  t.ok(Array.isArray(record.timeline) && Array.isArray(record.webhooks));
  t.match(readFileSync(join(dir, 'error.txt'), 'utf8'), /Failed in step: expect cancel_url[\s\S]*FAIL expect cancel_url/);
  t.notOk(existsSync(join(artifactsDir, 'passing-noop')), 'no artifacts for a passing journey');
});

t.test('a journey that hangs is stopped by its timeout and reported with its last step', async (t) => {
  const hanging: Journey = {
    name: 'hangs',
    description: 'Waits for a selector that never appears.',
    tags: ['broken'],
    timeoutMs: 1500,
    async run(ctx) {
      await ctx.step('open the scan UI', () => ctx.startSession({ request: { options: 'NoDocument' } }));
      await ctx.page.waitForSelector('[data-testid="never-there"]', { timeout: 60_000 });
    },
  };
  const summary = await runScenarios({ journeys: [hanging], browser, reporter: silentReporter });
  t.equal(summary.results[0].status, 'failed');
  t.equal(summary.results[0].error?.name, 'JourneyTimeoutError');
  t.match(summary.results[0].error?.message, 'within 1500 ms (last finished step: "open the scan UI")');
});

t.test('with a callback host the landing pages and the receiver are served under that name', async (t) => {
  const underLocalhost = defineJourney({
    name: 'under-localhost',
    description: 'Landing and webhook URLs under the callback host, end to end.',
    tags: ['callback'],
    async run(ctx) {
      if (ctx.callbackHost !== 'localhost') throw new Error(`callbackHost is ${ctx.callbackHost}`);
      if (!ctx.landing.base.startsWith('http://localhost:') || !ctx.receiver.url.startsWith('http://localhost:')) throw new Error(`${ctx.landing.base} ${ctx.receiver.url}`);
      const session = await ctx.startSession({ request: { options: 'NoDocument' } });
      await walkToAnalyzing(session.page);
      await ctx.clock.finishAnalysis(session.id);
      await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted' });
    },
  });
  const summary = await runScenarios({ journeys: [underLocalhost], browser, callbackHost: 'localhost', reporter: silentReporter });
  t.equal(summary.results[0].status, 'passed', 'passes', { error: summary.results[0].error });
});

t.test('runScenario runs one journey of the catalogue by name', async (t) => {
  const result = await runScenario('happy-path', { browser, reporter: silentReporter });
  t.equal(result.status, 'passed', 'happy-path passes', { error: result.error });
  t.ok(result.steps.length >= 5);
});

const journeyFile = `export default {
  name: 'broken-cli',
  description: 'Deliberately broken, loaded from --dir.',
  tags: ['broken'],
  async run(ctx) {
    const session = await ctx.step('create a session', () => ctx.startSession({ open: false, request: { options: 'NoDocument' } }));
    await ctx.step('insist on the impossible', () => {
      if (session.created.status !== 'Accepted') throw new Error('deliberately broken: a new session is ' + session.created.status);
    });
  },
};
`;

t.test('the CLI: list, usage errors, exit 1 with a summary table and JUnit when a journey fails', async (t) => {
  const dir = join(scratch, 'journeys');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'broken-cli.mjs'), journeyFile);

  const list = { stdout: sink(), stderr: sink() };
  t.equal(await scenariosCommand(['list'], list), 0);
  t.match(list.stdout.text, /^Name +Tags +Description\n/);
  t.match(list.stdout.text, /happy-path +smoke, \(integrator\) +Scan the ID front/);
  t.match(list.stdout.text, /outcome-abandoned +outcome, clock, \(integrator\), \(exclusive\)/);

  const json = { stdout: sink() };
  t.equal(await scenariosCommand(['list', '--tag', 'options', '--json'], json), 0);
  t.same(
    JSON.parse(json.stdout.text).map((j: { name: string }) => j.name),
    ['options-front-and-back', 'options-front-side', 'options-no-document'],
  );

  const help = { stdout: sink() };
  t.equal(await scenariosCommand(['--help'], help), 0);
  t.match(help.stdout.text, '--app-start-selector');

  for (const [argv, message] of [
    [['run', 'no-such-journey'], 'unknown journey no-such-journey'],
    [['run', '--app-url', 'http://127.0.0.1:1/'], '--app-url needs --base-url'],
    [['run', '--concurrency', '0'], '--concurrency needs a whole number of at least 1'],
    [['run', '--frobnicate'], 'unknown option --frobnicate'],
    [['run', '--callback-host', 'http://x/'], '--callback-host needs a host name or IP address'],
    [['list', '--junit', 'x.xml'], '--junit is an option of scenarios run'],
    [['walk'], 'unknown scenarios command "walk"'],
  ] as const) {
    const io = { stdout: sink(), stderr: sink() };
    t.equal(await scenariosCommand([...argv], io), 2, argv.join(' '));
    t.match(io.stderr.text, message);
  }

  const junit = join(scratch, 'cli.xml');
  const io = { stdout: sink(), stderr: sink() };
  const code = await scenariosCommand(['run', 'broken-cli', '--dir', dir, '--junit', junit], io);
  t.equal(code, 1, 'exit 1 on a failed journey');
  t.match(io.stdout.text, /▶ broken-cli\n/);
  t.match(io.stdout.text, /✓ broken-cli › create a session/);
  t.match(io.stdout.text, /✗ broken-cli › insist on the impossible/);
  t.match(io.stdout.text, /Journey +Result +Time +Steps +Tags\n/);
  t.match(io.stdout.text, /broken-cli +FAIL +/);
  t.match(io.stdout.text, /1 journey: 0 passed, 1 failed, 0 skipped/);
  t.match(io.stdout.text, /Failures:\n {2}broken-cli \(step "insist on the impossible"\): deliberately broken/);
  t.equal(io.stderr.text, '');
  t.equal(findAll(parseXml(readFileSync(junit, 'utf8')), 'failure').length, 1);

  const ok = { stdout: sink(), stderr: sink() };
  t.equal(await scenariosCommand(['run', 'cancel-falls-back-to-target-error'], ok), 0, 'exit 0 when every journey passed');
  t.match(ok.stdout.text, /1 passed, 0 failed/);
});

t.test('without a browser the runner says how to get one', async (t) => {
  t.throws(() => findBrowser({ PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chromium' }), BrowserNotFoundError);
  try {
    findBrowser({ PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chromium' });
  } catch (error) {
    t.match((error as Error).message, /No browser at \/nonexistent\/chromium \(PUPPETEER_EXECUTABLE_PATH\)/);
    t.match((error as Error).message, 'apt-get install chromium');
  }
  const saved = process.env.PUPPETEER_EXECUTABLE_PATH;
  process.env.PUPPETEER_EXECUTABLE_PATH = '/nonexistent/chromium';
  t.teardown(() => {
    if (saved === undefined) delete process.env.PUPPETEER_EXECUTABLE_PATH;
    else process.env.PUPPETEER_EXECUTABLE_PATH = saved;
  });
  const io = { stdout: sink(), stderr: sink() };
  t.equal(await scenariosCommand(['run', 'happy-path'], io), 1);
  t.match(io.stderr.text, /zignsec-mock scenarios: No browser at \/nonexistent\/chromium .*apt-get install chromium.*PUPPETEER_EXECUTABLE_PATH/);
});

t.test('integrator mode passes against the sample merchant app running in its own process', async (t) => {
  const emulator = await startInProcessEmulator();
  t.teardown(() => emulator.close());
  const shop = await spawnMerchantApp(t, emulator.url, 'integrator-test-key');
  const summary = await runScenarios({
    names: ['happy-path', 'cancel', 'error-target-error', 'outcome-face-mismatch', 'mobile-handoff', 'options-front-side'],
    baseUrl: emulator.url,
    appUrl: `${shop}/`,
    appStartSelector: '[data-testid="start-verification"]',
    browser,
    concurrency: 2,
    reporter: silentReporter,
  });
  for (const result of summary.results.filter((r) => r.status !== 'skipped')) t.equal(result.status, 'passed', result.name, { error: result.error });
  t.equal(summary.passed, 5);
  t.match(summary.results.find((r) => r.name === 'options-front-side'), { status: 'skipped', skipReason: /not written for integrator mode/ });
  t.equal(summary.mode, 'integrator');

  const { events, rejected } = (await (await fetch(`${shop}/events`)).json()) as { events: { status: string; relay_state: string }[]; rejected: number };
  t.equal(rejected, 0, 'every webhook verified');
  t.same(events.map((e) => e.status).sort(), ['Accepted', 'Accepted', 'Cancelled', 'Declined', 'Failed'], "the app's own record of the webhooks");
  t.ok(events.every((e) => /^order-/.test(e.relay_state)), "with the app's own relay_state");

  const admin = createAdminClient(emulator.url);
  t.match(await admin.clock.get(), { offset_ms: 0, keys_with_own_clock: 1 }, 'the global clock never moved');
  t.match(await admin.clock.get('integrator-test-key'), { own_clock: true }, "the journeys moved the app key's clock, through their sessions");
});

t.test("journeys against a shared emulator move only their own keys' clocks, side by side, and leave none behind", async (t) => {
  const emulator = await startInProcessEmulator();
  t.teardown(() => emulator.close());
  const admin = createAdminClient(emulator.url);
  // Another pipeline's session, created before the run: 30 minutes to live.
  const theirs = await createApiClient(emulator.url, 'another-pipeline').createLivenessSession({ relay_state: 'theirs', options: 'NoDocument', action: 'Smile' });
  const summary = await runScenarios({
    names: ['outcome-abandoned', 'outcome-slow-analysis', 'webhook-retry-recovers'],
    baseUrl: emulator.url,
    browser,
    concurrency: 3,
    reporter: silentReporter,
  });
  for (const result of summary.results) t.equal(result.status, 'passed', result.name, { error: result.error });
  t.equal((await admin.sessions.get(theirs.id)).status, 'Created', "the abandoned journey's 31-minute move did not time out another key's session");
  t.strictSame(await admin.clock.get().then((c) => [c.offset_ms, c.keys_with_own_clock]), [0, 0], 'the global clock never moved, and every journey key is back on it');
});

t.test("integrator mode fails a journey when the app's webhook does not answer 2xx", async (t) => {
  const emulator = await startInProcessEmulator();
  t.teardown(() => emulator.close());
  // A merchant backend whose webhook handler is broken (500), otherwise correct.
  const app = createServer((request, response) => void handle(request, response));
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const self = `http://${request.headers.host}`;
    if (request.url === '/start') {
      const created = await fetch(`${emulator.url}/v3/scanning/liveness`, {
        method: 'POST',
        headers: { authorization: 'broken-webhook-key', 'content-type': 'application/json' },
        body: JSON.stringify({ relay_state: 'order-1', target: `${self}/done`, cancel_url: `${self}/cancelled`, target_error: `${self}/failed`, webhook: `${self}/webhook`, options: 'NoDocument', action: 'Smile' }),
      });
      const { redirect_url } = (await created.json()) as { redirect_url: string };
      response.writeHead(302, { location: redirect_url }).end();
    } else if (request.url === '/webhook') {
      request.resume();
      response.writeHead(500).end('handler crashed');
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>shop</title><p>landing</p>');
    }
  }
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    app.closeAllConnections();
    app.close();
  });
  const summary = await runScenarios({
    names: ['happy-path'],
    baseUrl: emulator.url,
    appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}/start`,
    browser,
    reporter: silentReporter,
    waitTimeoutMs: 2000,
  });
  const [result] = summary.results;
  t.equal(result.status, 'failed');
  t.equal(result.error?.step, 'the webhook delivers Accepted, signed');
  t.match(result.error?.message, /no successful webhook delivery with status Accepted .* deliveries: whd_\w+ Accepted pending \[500\]/);
});
