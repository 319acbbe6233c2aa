// `npm run bench`: throughput, latency, cold start and memory of the emulator, as a printed report.
//
// Layout (this machine has 2 cores):
// - Every HTTP server under test runs in its own child process: the emulator as users run it, compiled
//   (`node dist/src/server.js`; `npm run bench` builds first), the bare-Fastify baseline through tsx
//   (`node --import tsx bench/baseline-server.ts`: the loader changes start-up, not a warmed-up server).
//   autocannon generates the load from this parent process, so server and load generator each get a
//   core and never share an event loop.
// - Each load stage gets a fresh server, a 1 s warm-up run (discarded) and then a 5 s measured run
//   with 10 connections. All traffic goes to 127.0.0.1.
// - Cold start: time from spawn() of `node dist/src/server.js` to the first 200 from GET /ready, polled
//   every ~10 ms, then the resident memory (VmRSS) of that process after 2 s idle; 5 runs, the medians
//   are the figures (best and all runs are printed too).
// - Command line and library: wall time from spawn() to exit of `node bin/zignsec-mock.js --help` and of
//   a process that only imports { startMock } from 'zignsec-mock' (the package's own name, so dist/),
//   5 runs each, the median is the figure.
// - Memory: a separate child (`--expose-gc`) builds the app in-process and creates 10,000 sessions with
//   app.inject; RSS and heapUsed after full GCs, before and after. 3 fresh children, the median is the figure
//   (RSS moves by several MB between identical runs; heapUsed is steadier).
// - Scan UI pages (bench/ui-pages.ts, bench/ui-browser.ts): a fresh emulator; every hosted page (liveness
//   FrontSide, FrontAndBack, NoDocument, the scanning flow, the phone page, the desktop page at its later
//   steps, the result and link-error pages) opened through its one-time link with a raw HTTP client:
//   median TTFB of 20 reloads, HTML + referenced CSS and script < 50 KB, no URL to another origin. Then
//   headless Chromium walks every page through its steps and records each request (7-15 s).
// - Soak (bench/soak.ts, bench/soak-child.ts): a fresh emulator with small caps; sessions created, completed
//   and delivered by 8 connections against a receiver failing every 5th attempt, once the journal and caps
//   are full for 15 s more: deliveries lost, duplicated, 5xx answers, memory after full GCs (about 30 s).
// - Scenarios: bench/scenarios.ts, when present, as a child process; its happy-path journey and
//   catalogue wall times are read from its output (bench/scenario-figures.ts).
//
// Targets are reported PASS/FAIL; the exit code is 0 whatever they say (this is a report). It is 1 only
// when a stage could not run at all (ERROR in the summary). The whole run takes about 90 s, plus the
// scenario catalogue when bench/scenarios.ts is present.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import { configKeys } from '../src/config.js';
import { BENCH_API_KEY, exampleLivenessRequest } from './example.js';
import { parseScenarioFigures } from './scenario-figures.js';
import {
  awaitExit,
  freePort,
  HOST,
  httpRequest,
  installCleanup,
  RESULT_MARKER,
  ROOT,
  runLoad,
  spawnNode,
  stopChild,
  waitFor200,
  type LoadFigures,
  type NodeChild,
} from './support.js';
import { rssGrowthOk, runSoak, SOAK_SETTINGS } from './soak.js';
import { PAGE_BUDGET_BYTES, uiPagesStage } from './ui-pages.js';

const CONNECTIONS = 10;
const DURATION_S = 5;
const WARMUP_S = 1;
const GET_SESSIONS = 1000;
const COLD_START_RUNS = 5;
const COMMAND_RUNS = 5;
/** How long the server idles after /ready before its resident memory is read. */
const IDLE_MS = 2000;
const MEMORY_RUNS = 3;
const STARTUP_TIMEOUT_MS = 20_000;
/** bench/scenarios.ts, run as the last stage when it exists; killed after SCENARIOS_TIMEOUT_MS. */
const SCENARIOS_ENTRY = 'bench/scenarios.ts';
const SCENARIOS_TIMEOUT_MS = 180_000;
/** Hard bound on the whole run: whatever hangs, children are killed and the process ends. */
const WATCHDOG_MS = 180_000 + SCENARIOS_TIMEOUT_MS;

const TARGET_RATIO = 0.5;
const TARGET_COLD_START_MS = 400;
const TARGET_IDLE_RSS_MB = 80;
const TARGET_HELP_MS = 300;
const TARGET_IMPORT_MS = 250;
const TARGET_MEMORY_MB = 30;
const TARGET_JOURNEY_MS = 2000;
const TARGET_CATALOGUE_MS = 60_000;
const MB = 1024 * 1024;

type Status = 'PASS' | 'FAIL' | 'ERROR' | 'REF' | 'SKIP';
interface Row {
  measurement: string;
  result: string;
  target: string;
  status: Status;
}
const rows: Row[] = [];

// ---------------------------------------------------------------------------------------------
// Helpers

/** The parent's environment without any emulator setting (a stray AUTH_MODE=strict must not skew the run). */
function childEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of configKeys) delete env[key];
  return { ...env, ...settings };
}

/** Below this share of a core the server was not the bottleneck of a load run. */
const SATURATED = 0.85;
let unsaturated = 0;
const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => `${fmt(n, n < 10 ? 2 : 1)} ms`;

function section(title: string): void {
  console.log(`\n== ${title} ${'='.repeat(Math.max(0, 76 - title.length))}`);
}

function describeLoad(figures: LoadFigures): string {
  const lines = [
    `  requests/s : ${fmt(figures.rps)} (mean of 1 s samples; ${fmt(figures.total)} requests in ${figures.durationS.toFixed(1)} s)`,
    `  latency    : p50 ${ms(figures.p50)}, p99 ${ms(figures.p99)}`,
    `  responses  : ${figures.statusCodes || 'none'}; non-2xx ${figures.non2xx}, errors ${figures.errors}, timeouts ${figures.timeouts}`,
    `  CPU        : server ${figures.serverCpu === undefined ? 'n/a' : `${Math.round(figures.serverCpu * 100)}%`}, load generator ${Math.round(figures.generatorCpu * 100)}% (of one core)`,
  ];
  if (figures.serverCpu !== undefined && figures.serverCpu < SATURATED) {
    const note = `the server used only ${Math.round(figures.serverCpu * 100)}% of a core: the machine is busy (load average ${loadAverage()}) or the load generator is the limit, so this understates the server`;
    lines.push(`  NOTE       : ${note}`);
    unsaturated++;
  }
  return lines.join('\n');
}

/** The compiled emulator, as `npm start` and the Docker image run it. */
const EMULATOR = ['dist/src/server.js'];
const BASELINE = ['--import', 'tsx', 'bench/baseline-server.ts'];

/** Starts `node <args>` on a free port, waits for `readyPath` to answer 200, runs `work`, always stops it. */
async function withServer<T>(
  label: string,
  args: string[],
  settings: Record<string, string>,
  readyPath: string,
  work: (base: string, pid: number | undefined, child: NodeChild) => Promise<T>,
): Promise<T> {
  const port = await freePort();
  const child = spawnNode(label, args, childEnv({ ...settings, PORT: String(port), HOST }));
  try {
    await waitFor200(`http://${HOST}:${port}${readyPath}`, child, STARTUP_TIMEOUT_MS);
    return await work(`http://${HOST}:${port}`, child.proc.pid, child);
  } finally {
    await stopChild(child);
  }
}

// Room for every session a load stage creates, all under one key (the per-key share would otherwise refuse them).
const emulatorSettings = { LOG_LEVEL: 'warn', MAX_SESSIONS: '1000000', MAX_SESSIONS_PER_KEY: '1000000' };
const jsonHeaders = { authorization: BENCH_API_KEY, 'content-type': 'application/json' };
const livenessBody = JSON.stringify(exampleLivenessRequest);

/** A short discarded run so the server's hot paths are compiled before the measured one. */
async function measure(options: Parameters<typeof runLoad>[0], serverPid: number | undefined): Promise<LoadFigures> {
  await runLoad({ ...options, duration: WARMUP_S });
  return runLoad({ ...options, duration: DURATION_S }, serverPid);
}

function loadRow(measurement: string, figures: LoadFigures, baseline: LoadFigures | undefined): Row {
  const failed = figures.non2xx + figures.errors;
  const ratio = baseline ? figures.rps / baseline.rps : NaN;
  const result = `${fmt(figures.rps)} req/s, p50 ${ms(figures.p50)}, p99 ${ms(figures.p99)}` + (baseline ? `, ${ratio.toFixed(2)}x baseline` : '');
  if (!baseline) return { measurement, result: `${result} (no baseline)`, target: `>= ${TARGET_RATIO}x baseline`, status: 'ERROR' };
  // Fast error responses would flatter the figure: any non-2xx or connection error fails the stage.
  if (failed > 0) return { measurement, result: `${result}; ${failed} failed requests`, target: `>= ${TARGET_RATIO}x baseline, all 2xx`, status: 'FAIL' };
  return { measurement, result, target: `>= ${TARGET_RATIO}x baseline`, status: ratio >= TARGET_RATIO ? 'PASS' : 'FAIL' };
}

async function stage(title: string, measurement: string, target: string, body: () => Promise<void>): Promise<void> {
  section(title);
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.log(`  ERROR: ${message}`);
    rows.push({ measurement, result: `error: ${message.split('\n')[0]}`, target, status: 'ERROR' });
  }
}

// ---------------------------------------------------------------------------------------------
// Stages

let baseline: LoadFigures | undefined;
/** The bare route for POSTs: same body parsed, constant JSON back. create-session is held to this one. */
let postBaseline: LoadFigures | undefined;

async function baselineStage(): Promise<void> {
  await stage('1. Baseline: bare Fastify, GET / and POST / (the example body) -> constant JSON', 'baseline (bare Fastify)', 'reference', async () => {
    await withServer('baseline server', BASELINE, {}, '/', async (base, pid) => {
      baseline = await measure({ url: `${base}/`, connections: CONNECTIONS, duration: DURATION_S }, pid);
      console.log(`  GET / (reference for get-result)\n${describeLoad(baseline)}`);
      postBaseline = await measure({ url: `${base}/`, connections: CONNECTIONS, duration: DURATION_S, method: 'POST', headers: jsonHeaders, body: livenessBody }, pid);
      console.log(`  POST / with the example body (reference for create-session)\n${describeLoad(postBaseline)}`);
    });
    rows.push({ measurement: 'baseline GET (bare Fastify)', result: `${fmt(baseline!.rps)} req/s, p50 ${ms(baseline!.p50)}, p99 ${ms(baseline!.p99)}`, target: 'reference', status: 'REF' });
    rows.push({ measurement: 'baseline POST (bare Fastify)', result: `${fmt(postBaseline!.rps)} req/s, p50 ${ms(postBaseline!.p50)}, p99 ${ms(postBaseline!.p99)}`, target: 'reference', status: 'REF' });
  });
}

async function createStage(): Promise<void> {
  await stage('2. create-session: POST /v3/scanning/liveness', 'create-session', `>= ${TARGET_RATIO}x baseline`, async () => {
    const figures = await withServer('emulator', EMULATOR, emulatorSettings, '/ready', async (base, pid) => {
      const probe = await httpRequest(`${base}/v3/scanning/liveness`, { method: 'POST', headers: jsonHeaders, body: livenessBody });
      if (probe.status !== 200) throw new Error(`the example request is not accepted: HTTP ${probe.status} ${probe.body.slice(0, 300)}`);
      return measure({ url: `${base}/v3/scanning/liveness`, connections: CONNECTIONS, duration: DURATION_S, method: 'POST', headers: jsonHeaders, body: livenessBody }, pid);
    });
    console.log(describeLoad(figures));
    const row = loadRow('create-session', figures, postBaseline);
    console.log(`  vs POST baseline: ${postBaseline ? (figures.rps / postBaseline.rps).toFixed(2) : '?'}x (target >= ${TARGET_RATIO}x) -> ${row.status}`);
    if (baseline) console.log(`  (vs the GET baseline, which parses no body: ${(figures.rps / baseline.rps).toFixed(2)}x)`);
    rows.push(row);
  });
}

async function getStage(): Promise<void> {
  await stage('3. get-result: GET /v3/scanning/<id>', 'get-result', `>= ${TARGET_RATIO}x baseline`, async () => {
    const figures = await withServer('emulator', EMULATOR, emulatorSettings, '/ready', async (base, pid) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
      const ids: string[] = [];
      try {
        for (let i = 0; i < GET_SESSIONS; i += CONNECTIONS) {
          const batch = await Promise.all(
            Array.from({ length: Math.min(CONNECTIONS, GET_SESSIONS - i) }, () =>
              httpRequest(`${base}/v3/scanning/liveness`, { method: 'POST', headers: jsonHeaders, body: livenessBody, agent }),
            ),
          );
          for (const response of batch) {
            if (response.status !== 200) throw new Error(`creating a session failed: HTTP ${response.status} ${response.body.slice(0, 300)}`);
            ids.push((JSON.parse(response.body) as { id: string }).id);
          }
        }
        const probe = await httpRequest(`${base}/v3/scanning/${ids[0]}`, { headers: { authorization: BENCH_API_KEY }, agent });
        if (probe.status !== 200) throw new Error(`reading a session back failed: HTTP ${probe.status} ${probe.body.slice(0, 300)}`);
      } finally {
        agent.destroy();
      }
      console.log(`  pre-created ${ids.length} sessions; requests rotate over their ids`);
      let next = 0;
      return measure({
        url: base,
        connections: CONNECTIONS,
        duration: DURATION_S,
        requests: [
          {
            method: 'GET',
            headers: { authorization: BENCH_API_KEY },
            setupRequest: (request) => ({ ...request, path: `/v3/scanning/${ids[next++ % ids.length]}` }),
          },
        ],
      }, pid);
    });
    console.log(describeLoad(figures));
    const row = loadRow('get-result', figures, baseline);
    console.log(`  vs baseline: ${baseline ? (figures.rps / baseline.rps).toFixed(2) : '?'}x (target >= ${TARGET_RATIO}x) -> ${row.status}`);
    rows.push(row);
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mbOf = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

/** CPU time (user + system) a process has used so far, in ms (Linux, 10 ms steps), or undefined. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name; clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** VmRSS of a process in kB (Linux), or undefined. */
function residentKb(pid: number | undefined): number | undefined {
  try {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) || undefined;
  } catch {
    return undefined;
  }
}

async function coldStartStage(): Promise<void> {
  const target = `<= ${TARGET_COLD_START_MS} ms; idle RSS <= ${TARGET_IDLE_RSS_MB} MB (medians of ${COLD_START_RUNS})`;
  await stage(`4. Cold start: spawn \`node ${EMULATOR.join(' ')}\` -> first 200 from GET /ready; its RSS after ${IDLE_MS / 1000} s idle`, 'cold start', target, async () => {
    const times: number[] = [];
    const cpu: number[] = [];
    const rss: number[] = [];
    for (let run = 1; run <= COLD_START_RUNS; run++) {
      const port = await freePort();
      const env = childEnv({ ...emulatorSettings, PORT: String(port), HOST });
      const started = performance.now();
      const child: NodeChild = spawnNode(`emulator (cold start ${run})`, EMULATOR, env);
      try {
        const readyAt = await waitFor200(`http://${HOST}:${port}/ready`, child, STARTUP_TIMEOUT_MS);
        const used = cpuMs(child.proc.pid);
        times.push(readyAt - started);
        if (used !== undefined) cpu.push(used);
        await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
        const kb = residentKb(child.proc.pid);
        if (kb === undefined) throw new Error('cannot read the resident memory of the server (/proc/<pid>/status)');
        rss.push(kb);
        console.log(`  run ${run}: ready after ${ms(readyAt - started)} (CPU time ${used === undefined ? 'n/a' : `${used} ms`}); idle RSS ${mbOf(kb)}`);
      } finally {
        await stopChild(child);
      }
    }
    const sorted = [...times].sort((a, b) => a - b);
    const ready = median(times);
    const idle = median(rss);
    const status: Status = ready <= TARGET_COLD_START_MS ? 'PASS' : 'FAIL';
    const rssStatus: Status = idle / 1024 <= TARGET_IDLE_RSS_MB ? 'PASS' : 'FAIL';
    console.log(`  to /ready: median ${ms(ready)} (the figure), best ${ms(sorted[0])}, worst ${ms(sorted[sorted.length - 1])}; target <= ${TARGET_COLD_START_MS} ms -> ${status}`);
    // CPU time does not grow with other work on the machine the way wall time does (all threads counted).
    if (cpu.length > 0) console.log(`  CPU time to /ready: median ${median(cpu)} ms (load average ${loadAverage()})`);
    console.log(`  idle RSS: median ${mbOf(idle)} (the figure), lowest ${mbOf(Math.min(...rss))}, highest ${mbOf(Math.max(...rss))}; target <= ${TARGET_IDLE_RSS_MB} MB -> ${rssStatus}`);
    const cpuNote = cpu.length > 0 ? `; ${median(cpu)} ms CPU` : '';
    rows.push({ measurement: 'cold start to /ready', result: `${ms(ready)} median (best ${ms(sorted[0])}${cpuNote})`, target: `<= ${TARGET_COLD_START_MS} ms`, status });
    rows.push({ measurement: 'idle RSS of the server', result: `${mbOf(idle)} median`, target: `<= ${TARGET_IDLE_RSS_MB} MB`, status: rssStatus });
  });
}

/** Median wall time from spawn() to exit of `node <args>` (which must exit 0). */
async function commandTime(label: string, args: string[]): Promise<{ median: number; best: number }> {
  const times: number[] = [];
  for (let run = 1; run <= COMMAND_RUNS; run++) {
    const started = performance.now();
    const child = spawnNode(`${label} ${run}`, args, childEnv({}));
    const exit = await awaitExit(child, 30_000);
    const took = performance.now() - started;
    if (exit.code !== 0) throw new Error(`${label} exited with ${exit.code ?? exit.signal}\n${child.tail()}`);
    times.push(took);
  }
  console.log(`  ${label}: ${times.map((t) => ms(t)).join(', ')}`);
  return { median: median(times), best: Math.min(...times) };
}

async function commandStage(): Promise<void> {
  const target = `--help <= ${TARGET_HELP_MS} ms; import <= ${TARGET_IMPORT_MS} ms (medians of ${COMMAND_RUNS})`;
  await stage('5. Command line and library: spawn -> exit of `zignsec-mock --help` and of `import { startMock }`', 'command line', target, async () => {
    const help = await commandTime('zignsec-mock --help', ['bin/zignsec-mock.js', '--help']);
    const imported = await commandTime("import { startMock } from 'zignsec-mock'", ['--input-type=module', '-e', "import { startMock } from 'zignsec-mock'; if (typeof startMock !== 'function') process.exit(1);"]);
    const helpStatus: Status = help.median <= TARGET_HELP_MS ? 'PASS' : 'FAIL';
    const importStatus: Status = imported.median <= TARGET_IMPORT_MS ? 'PASS' : 'FAIL';
    console.log(`  --help: median ${ms(help.median)}; target <= ${TARGET_HELP_MS} ms -> ${helpStatus}`);
    console.log(`  import { startMock }: median ${ms(imported.median)} (the whole process: Node's own start-up included); target <= ${TARGET_IMPORT_MS} ms -> ${importStatus}`);
    rows.push({ measurement: 'zignsec-mock --help', result: `${ms(help.median)} median (best ${ms(help.best)})`, target: `<= ${TARGET_HELP_MS} ms`, status: helpStatus });
    rows.push({ measurement: 'import { startMock }', result: `${ms(imported.median)} median (best ${ms(imported.best)})`, target: `<= ${TARGET_IMPORT_MS} ms`, status: importStatus });
  });
}

interface MemoryResult {
  sessions: number;
  stored: number;
  failures: number;
  firstFailure: string;
  createMs: number;
  before: { rss: number; heapUsed: number; external: number };
  after: { rss: number; heapUsed: number; external: number };
}

/** One memory child: a fresh process, so every run starts from the same state. */
async function memoryRun(run: number): Promise<MemoryResult> {
  const child = spawnNode(`memory child ${run}`, ['--expose-gc', '--import', 'tsx', 'bench/memory-child.ts'], childEnv({}));
  let exit;
  try {
    exit = await awaitExit(child, 60_000);
  } finally {
    await stopChild(child);
  }
  const line = child
    .stdout()
    .split('\n')
    .find((l) => l.startsWith(RESULT_MARKER));
  if (exit.code !== 0 || !line) throw new Error(`memory child failed (exit ${exit.code ?? exit.signal})\n${child.tail()}`);
  const result = JSON.parse(line.slice(RESULT_MARKER.length)) as MemoryResult;
  if (result.failures > 0 || result.stored !== result.sessions) {
    throw new Error(`only ${result.stored} of ${result.sessions} sessions stored, ${result.failures} failed requests (${result.firstFailure})`);
  }
  return result;
}

async function memoryStage(): Promise<void> {
  const target = `RSS delta < ${TARGET_MEMORY_MB} MB (median of ${MEMORY_RUNS})`;
  await stage(`6. Memory: 10,000 sessions via app.inject (in-process app, --expose-gc), ${MEMORY_RUNS} runs`, 'memory / 10k sessions', target, async () => {
    const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
    const signedMb = (bytes: number) => {
      const rounded = (bytes / MB).toFixed(1);
      return Number(rounded) === 0 ? '+0.0 MB' : `${bytes > 0 ? '+' : ''}${rounded} MB`;
    };
    const runs: { rss: number; heap: number }[] = [];
    for (let run = 1; run <= MEMORY_RUNS; run++) {
      const result = await memoryRun(run);
      const rss = (result.after.rss - result.before.rss) / MB;
      const heap = (result.after.heapUsed - result.before.heapUsed) / MB;
      runs.push({ rss, heap });
      console.log(
        `  run ${run}: RSS ${mb(result.before.rss)} -> ${mb(result.after.rss)} (delta ${rss.toFixed(1)} MB); ` +
          `heapUsed ${mb(result.before.heapUsed)} -> ${mb(result.after.heapUsed)} (delta ${heap.toFixed(1)} MB, ~${fmt((heap * MB) / result.sessions)} bytes/session); ` +
          `external ${signedMb(result.after.external - result.before.external)}; ${fmt(result.sessions)} creates in ${ms(result.createMs)}`,
      );
    }
    const rssDelta = median(runs.map((r) => r.rss));
    const heapDelta = median(runs.map((r) => r.heap));
    const status: Status = rssDelta < TARGET_MEMORY_MB ? 'PASS' : 'FAIL';
    console.log(`  median: RSS +${rssDelta.toFixed(1)} MB (the figure), heapUsed +${heapDelta.toFixed(1)} MB per 10,000 sessions`);
    console.log('  (heapUsed is what the sessions retain; RSS adds V8 old-space headroom and allocator pages, so it varies more between runs)');
    console.log(`  target: RSS delta per 10,000 sessions < ${TARGET_MEMORY_MB} MB -> ${status}`);
    rows.push({ measurement: 'memory / 10k sessions', result: `RSS +${rssDelta.toFixed(1)} MB, heapUsed +${heapDelta.toFixed(1)} MB (median)`, target, status });
  });
}

async function scanUiStage(): Promise<void> {
  const target = `each page < ${PAGE_BUDGET_BYTES / 1024} KB, no external requests`;
  await stage('7. Scan UI pages: weight and time to first byte per step', 'scan UI page weight', target, async () => {
    rows.push(...(await withServer('emulator', EMULATOR, emulatorSettings, '/ready', (base) => uiPagesStage(base))));
  });
}

async function soakStage(): Promise<void> {
  await stage('8. Soak: sessions created, completed and delivered continuously; a receiver failing every 5th attempt', 'soak', 'no loss, no duplicates, no 5xx, flat RSS', async () => {
    const figures = await withServer('emulator (soak)', ['--expose-gc', '--import', 'tsx', 'bench/soak-child.ts'], SOAK_SETTINGS, '/ready', (base, _pid, child) => runSoak(base, child, (line) => console.log(line)));
    const mb = (n: number) => `${n.toFixed(1)} MB`;
    console.log(`  receiver: ${fmt(figures.attempts)} attempts, ${fmt(figures.failedAttempts)} answered 503 on purpose`);
    console.log(`  deliveries: ${fmt(figures.delivered)} of ${fmt(figures.completed)} completed sessions delivered, ${figures.lost} lost, ${figures.duplicates} acknowledged twice`);
    console.log(`  answers: ${figures.fiveHundreds} 5xx${figures.otherFailures.length ? `; other failures: ${figures.otherFailures.join(' | ')}` : ''}`);
    console.log(`  memory after full GCs: RSS ${mb(figures.rssStartMb)}, heapUsed ${mb(figures.heapStartMb)} with the caps full; RSS ${mb(figures.rssEndMb)}, heapUsed ${mb(figures.heapEndMb)} after ${figures.steadyS.toFixed(0)} s more; ${figures.sessionsPerS.toFixed(0)} sessions/s`);
    const row = (measurement: string, result: string, target: string, ok: boolean) => rows.push({ measurement, result, target, status: ok ? 'PASS' : 'FAIL' });
    row('soak: deliveries lost', `${figures.lost} of ${fmt(figures.completed)}`, '0', figures.lost === 0);
    row('soak: duplicated deliveries', String(figures.duplicates), '0 (chaos off)', figures.duplicates === 0);
    row('soak: 5xx answers', `${figures.fiveHundreds}${figures.otherFailures.length ? `, ${figures.otherFailures.length}+ other failures` : ''}`, '0', figures.fiveHundreds === 0 && figures.otherFailures.length === 0);
    row('soak: RSS start -> end (after GC)', `${mb(figures.rssStartMb)} -> ${mb(figures.rssEndMb)} (heapUsed ${mb(figures.heapStartMb)} -> ${mb(figures.heapEndMb)})`, `growth < ${figures.rssGrowthLimitMb} MB`, rssGrowthOk(figures));
  });
}

/**
 * The scenario catalogue's wall times, from bench/scenarios.ts (another engineer's script) run as a child
 * process: `node --import tsx bench/scenarios.ts`, default emulator settings, killed after 3 minutes.
 * Its output is printed and its two figures read from it (bench/scenario-figures.ts says how). When the
 * file does not exist the stage prints "skipped: bench/scenarios.ts not present" and counts as SKIP.
 */
async function scenariosStage(): Promise<void> {
  const title = `8. Scenarios: wall time of one happy-path journey and of the whole catalogue (${SCENARIOS_ENTRY})`;
  const journeyTarget = `< ${TARGET_JOURNEY_MS / 1000} s`;
  const catalogueTarget = `< ${TARGET_CATALOGUE_MS / 1000} s`;
  if (!existsSync(join(ROOT, SCENARIOS_ENTRY))) {
    section(title);
    console.log(`  skipped: ${SCENARIOS_ENTRY} not present`);
    rows.push({ measurement: 'scenarios', result: `skipped: ${SCENARIOS_ENTRY} not present`, target: `journey ${journeyTarget}, catalogue ${catalogueTarget}`, status: 'SKIP' });
    return;
  }
  await stage(title, 'scenarios', `journey ${journeyTarget}, catalogue ${catalogueTarget}`, async () => {
    const started = performance.now();
    const child = spawnNode('bench/scenarios.ts', ['--import', 'tsx', SCENARIOS_ENTRY], childEnv({}));
    let exit;
    try {
      exit = await awaitExit(child, SCENARIOS_TIMEOUT_MS);
    } finally {
      await stopChild(child);
    }
    const wallS = (performance.now() - started) / 1000;
    const lines = child.stdout().trimEnd().split('\n');
    const shown = lines.length > 40 ? lines.slice(-40) : lines;
    if (shown.length < lines.length) console.log(`  (${lines.length - shown.length} earlier lines of its output left out)`);
    for (const line of shown) console.log(`  | ${line}`);
    if (exit.code !== 0) throw new Error(`${SCENARIOS_ENTRY} exited with ${exit.code ?? exit.signal} after ${wallS.toFixed(1)} s\n${child.tail()}`);
    const figures = parseScenarioFigures(child.stdout());
    const seconds = (ms: number) => (ms < 1000 ? `${fmt(ms, ms < 10 ? 2 : 0)} ms` : `${fmt(ms / 1000, 2)} s`);
    for (const [measurement, value, limit, target] of [
      ['scenarios: happy-path journey', figures.journeyMs, TARGET_JOURNEY_MS, journeyTarget],
      ['scenarios: whole catalogue', figures.catalogueMs, TARGET_CATALOGUE_MS, catalogueTarget],
    ] as const) {
      if (value === undefined) {
        console.log(`  ${measurement}: no figure found in the output of ${SCENARIOS_ENTRY}`);
        rows.push({ measurement, result: `not found in the output of ${SCENARIOS_ENTRY}`, target, status: 'ERROR' });
        continue;
      }
      const status: Status = value < limit ? 'PASS' : 'FAIL';
      console.log(`  ${measurement}: ${seconds(value)} (target ${target}) -> ${status}`);
      rows.push({ measurement, result: seconds(value), target, status });
    }
    console.log(`  (figures read from its ${figures.source}; the child process ran ${wallS.toFixed(1)} s in all, start-up included)`);
  });
}

function printSummary(): void {
  section('Summary');
  const header: Row = { measurement: 'Measurement', result: 'Result', target: 'Target', status: 'REF' };
  const cells = (row: Row, isHeader = false) => [row.measurement, row.result, row.target, isHeader ? 'Status' : row.status === 'REF' ? '-' : row.status];
  const all = [cells(header, true), ...rows.map((row) => cells(row))];
  const widths = all[0].map((_, i) => Math.max(...all.map((line) => line[i].length)));
  const render = (line: string[]) => `  ${line.map((cell, i) => cell.padEnd(widths[i])).join(' | ')}`;
  console.log(render(all[0]));
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('-+-')}`);
  for (const line of all.slice(1)) console.log(render(line));
}

// ---------------------------------------------------------------------------------------------

installCleanup();
const watchdog = setTimeout(() => {
  process.stderr.write(`bench: still running after ${WATCHDOG_MS / 1000} s, giving up\n`);
  process.exit(1); // the 'exit' handler kills the children
}, WATCHDOG_MS);
watchdog.unref();

const fastifyVersion = (createRequire(import.meta.url)('fastify/package.json') as { version: string }).version;
const started = performance.now();
console.log('zignsec-mock benchmark');
console.log(
  `  node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), fastify ${fastifyVersion}; ` +
    `autocannon: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s measured, to ${HOST}`,
);
console.log('  each server runs in its own child process; the load generator runs in this process');
console.log(`  load average at start: ${loadAverage()} (other work on this machine skews every figure)`);

// `npm run bench -- --only create,get` runs some stages (the baseline always runs with the load stages).
const stages: Record<string, () => Promise<void>> = {
  create: createStage,
  get: getStage,
  cold: coldStartStage,
  cli: commandStage,
  memory: memoryStage,
  ui: scanUiStage,
  soak: soakStage,
  scenarios: scenariosStage,
};
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? Object.keys(stages) : (process.argv[onlyIndex + 1] ?? '').split(',').filter(Boolean);
const unknownStages = only.filter((name) => !(name in stages));
if (unknownStages.length > 0 || only.length === 0) {
  console.error(`--only takes a comma-separated list of: ${Object.keys(stages).join(', ')}`);
  process.exit(2);
}
if (only.includes('create') || only.includes('get')) await baselineStage();
for (const name of only) await stages[name]();
printSummary();

const errors = rows.filter((row) => row.status === 'ERROR').length;
const failures = rows.filter((row) => row.status === 'FAIL').length;
const skipped = rows.filter((row) => row.status === 'SKIP').length;
console.log(
  `\n  ${failures === 0 && errors === 0 ? 'All targets met.' : `${failures} target(s) FAILED${errors ? `, ${errors} stage(s) could not run` : ''}.`} ` +
    (skipped ? `${skipped} skipped. ` : '') +
    `Total time ${((performance.now() - started) / 1000).toFixed(1)} s; load average at end: ${loadAverage()}.`,
);
if (unsaturated > 0) {
  console.log(`  ${unsaturated} load run(s) did not saturate the server (see NOTE above): the machine was busy; rerun on a quiet machine for trustworthy ratios.`);
}
clearTimeout(watchdog);
process.exitCode = errors > 0 ? 1 : 0;
