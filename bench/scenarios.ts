// Wall time of the browser journeys: the full catalogue (concurrency 2, as the test suite runs it) and one
// happy-path journey, both with the browser and the emulator already running; plus the same happy path as
// `runScenario` does it from scratch (in-process emulator started for it).
//
//   node --import tsx bench/scenarios.ts
//
// Targets: the catalogue under 60 s, one happy-path journey under 2 s. A report: exit code 0 whatever the
// timings say; 1 only when a journey failed (the timing would mean nothing).
import os from 'node:os';
import { launchScenarioBrowser, runScenario, runScenarios, silentReporter, type JourneyResult } from '../src/scenarios/runner.js';
import { startInProcessEmulator } from '../src/scenarios/in-process-emulator.js';
import { RESULT_MARKER } from './support.js';

const HAPPY_RUNS = 5;
const TARGET_CATALOGUE_MS = 60_000;
const TARGET_HAPPY_MS = 2_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function check(result: JourneyResult): void {
  if (result.status !== 'passed') throw new Error(`${result.name} ${result.status}: ${result.error?.message ?? result.skipReason ?? ''}`);
}

const rows: { measurement: string; result: string; target: string; status: string }[] = [];
/** The figures bench/run.ts reads (bench/scenario-figures.ts): printed as a BENCH_RESULT line at the end. */
const figures: { journeyMs?: number; catalogueMs?: number } = {};
let failed = false;

const browser = await launchScenarioBrowser();
const emulator = await startInProcessEmulator();
try {
  // Warm-up: the first page of a fresh browser pays for its own start-up.
  check(await runScenario('happy-path', { browser, baseUrl: emulator.url, reporter: silentReporter }));

  const happy: number[] = [];
  for (let i = 0; i < HAPPY_RUNS; i++) {
    const started = performance.now();
    const result = await runScenario('happy-path', { browser, baseUrl: emulator.url, reporter: silentReporter });
    happy.push(performance.now() - started);
    check(result);
  }
  const happyMedian = median(happy);
  figures.journeyMs = Math.round(happyMedian);
  rows.push({
    measurement: `happy-path, browser and emulator running (median of ${HAPPY_RUNS})`,
    result: `${seconds(happyMedian)} (best ${seconds(Math.min(...happy))})`,
    target: `< ${seconds(TARGET_HAPPY_MS)}`,
    status: happyMedian < TARGET_HAPPY_MS ? 'PASS' : 'FAIL',
  });

  const fromScratch: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    check(await runScenario('happy-path', { browser, reporter: silentReporter }));
    fromScratch.push(performance.now() - started);
  }
  rows.push({ measurement: 'happy-path, browser running, emulator started for it (median of 3)', result: seconds(median(fromScratch)), target: '', status: 'REF' });

  const started = performance.now();
  const summary = await runScenarios({ browser, baseUrl: emulator.url, concurrency: 2, reporter: silentReporter });
  const catalogueMs = performance.now() - started;
  figures.catalogueMs = Math.round(catalogueMs);
  for (const result of summary.results) {
    if (result.status !== 'passed') {
      failed = true;
      console.error(`journey ${result.name} ${result.status}: ${result.error?.message ?? ''}`);
    }
  }
  rows.push({
    measurement: `full catalogue: ${summary.results.length} journeys, concurrency 2, browser running`,
    result: seconds(catalogueMs),
    target: `< ${seconds(TARGET_CATALOGUE_MS)}`,
    status: summary.ok ? (catalogueMs < TARGET_CATALOGUE_MS ? 'PASS' : 'FAIL') : 'ERROR',
  });
  const slowest = [...summary.results].sort((a, b) => b.durationMs - a.durationMs).slice(0, 3);
  rows.push({ measurement: 'slowest three of that run', result: slowest.map((r) => `${r.name} ${seconds(r.durationMs)}`).join(', '), target: '', status: 'REF' });
} catch (error) {
  failed = true;
  console.error(`bench/scenarios: ${(error as Error).message}`);
} finally {
  await browser.close();
  await emulator.close();
}

const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => [r.measurement, r.result, r.target][i].length), 6));
console.log(`Scenario journeys on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`);
for (const row of rows) console.log(`${row.measurement.padEnd(widths[0])}  ${row.result.padEnd(widths[1])}  ${row.target.padEnd(widths[2])}  ${row.status}`);
console.log(`${RESULT_MARKER}${JSON.stringify(figures)}`);
process.exitCode = failed ? 1 : 0;
