// The whole journey catalogue against the in-process emulator, two journeys at a time in one browser:
// the emulator's own end-to-end suite. Also checks the catalogue covers what it promises.
import { readdirSync } from 'node:fs';
import t from 'tap';
import { documentOptions, livenessActions } from '../../src/schemas/common.js';
import { launchScenarioBrowser, listScenarios, runScenarios, silentReporter, summaryTable } from '../../src/scenarios/runner.js';

t.setTimeout(240_000);

const kebab = (text: string) =>
  text
    .replace(/_/g, '-')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase();

t.test('the catalogue covers every option, action and outcome preset, and the required journeys', async (t) => {
  const names = new Set((await listScenarios()).map((j) => j.name));
  for (const option of documentOptions) t.ok(names.has(`options-${kebab(option)}`), `options ${option}`);
  for (const action of livenessActions) t.ok(names.has(`action-${kebab(action)}`), `action ${action}`);
  const presets = readdirSync(new URL('../../fixtures/outcomes/', import.meta.url)).filter((f) => f.endsWith('.json'));
  t.ok(presets.length >= 11, 'the built-in presets');
  for (const file of presets) t.ok(names.has(`outcome-${kebab(file.replace(/\.json$/, ''))}`), `outcome ${file}`);
  for (const name of [
    'happy-path',
    'action-random-available',
    'cancel',
    'error-target-error',
    'otp-link-reused',
    'camera-denied-upload',
    'mobile-handoff',
    'webhook-retry-recovers',
    'api-fault-merchant-app',
  ]) {
    t.ok(names.has(name), name);
  }
});

t.test('every journey of the catalogue passes against the in-process emulator (concurrency 2, one browser)', async (t) => {
  const browser = await launchScenarioBrowser();
  t.teardown(() => browser.close());
  const started = performance.now();
  const summary = await runScenarios({ browser, concurrency: 2, reporter: silentReporter });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  t.comment(`${summary.results.length} journeys in ${seconds} s`);
  t.equal(summary.results.length, (await listScenarios()).length, 'the whole catalogue ran');
  for (const result of summary.results) {
    t.equal(result.status, 'passed', result.name, {
      step: result.error?.step,
      error: result.error?.message,
      steps: result.steps.map((s) => `${s.status} ${s.name}`),
    });
  }
  t.equal(summary.failed, 0, 'no failures');
  t.ok(summary.ok);
  if (!summary.ok) t.comment(summaryTable(summary));
});
