// Progress while a run goes (per journey and step) and the summary table at the end.
import { formatDuration, type JourneyResult, type RunSummary, type StepRecord } from './results.js';

export interface RunInfo {
  journeys: string[];
  mode: 'emulator' | 'integrator';
  baseUrl: string;
  appUrl?: string;
  concurrency: number;
  /** The emulator was started in this process for the run. */
  inProcess: boolean;
}

/** Every method is optional: a reporter listens to what it cares about. */
export interface Reporter {
  runStarted?(info: RunInfo): void;
  journeyStarted?(name: string): void;
  step?(journey: string, step: StepRecord): void;
  log?(journey: string, message: string): void;
  journeyFinished?(result: JourneyResult): void;
  runFinished?(summary: RunSummary): void;
}

export const silentReporter: Reporter = {};

interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

/** The summary table: one row per journey, then the totals and each failure with its step and artifacts. */
export function summaryTable(summary: RunSummary): string {
  const rows = summary.results.map((r) => [r.name, r.status === 'passed' ? 'pass' : r.status === 'failed' ? 'FAIL' : 'skip', formatDuration(r.durationMs), String(r.steps.length), r.tags.join(', ')]);
  const header = ['Journey', 'Result', 'Time', 'Steps', 'Tags'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, widths[i]))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push('');
  const where = summary.mode === 'integrator' ? `${summary.appUrl} via ${summary.baseUrl}` : summary.baseUrl;
  out.push(
    `${summary.results.length} journey${summary.results.length === 1 ? '' : 's'}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped in ${formatDuration(summary.durationMs)} (${where}, concurrency ${summary.concurrency})`,
  );
  const failures = summary.results.filter((r) => r.status === 'failed');
  if (failures.length > 0) {
    out.push('', 'Failures:');
    for (const r of failures) {
      out.push(`  ${r.name}${r.error?.step ? ` (step "${r.error.step}")` : ''}: ${r.error?.message ?? 'failed'}`);
      if (r.artifactsDir) out.push(`    artifacts: ${r.artifactsDir}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** Plain-text progress: a line per step and per finished journey, prefixed with the journey (runs interleave). */
export function consoleReporter(output: Output = process.stdout, options: { steps?: boolean } = {}): Reporter {
  const color = Boolean(output.isTTY) && !process.env.NO_COLOR;
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const showSteps = options.steps ?? true;
  return {
    runStarted(info) {
      const target = info.mode === 'integrator' ? `integrator app ${info.appUrl} with the emulator at ${info.baseUrl}` : `the emulator at ${info.baseUrl}${info.inProcess ? ' (in-process)' : ''}`;
      output.write(`Running ${info.journeys.length} journey${info.journeys.length === 1 ? '' : 's'} against ${target}, concurrency ${info.concurrency}\n`);
    },
    journeyStarted(name) {
      output.write(`${paint(36, '▶')} ${name}\n`);
    },
    step(journey, step) {
      if (!showSteps && step.status === 'passed') return;
      const mark = step.status === 'passed' ? paint(32, '✓') : paint(31, '✗');
      output.write(`  ${mark} ${journey} › ${step.name} ${paint(90, `(${formatDuration(step.durationMs)})`)}\n`);
    },
    log(journey, message) {
      output.write(`    ${paint(90, `${journey}: ${message}`)}\n`);
    },
    journeyFinished(result) {
      const time = paint(90, `(${formatDuration(result.durationMs)})`);
      if (result.status === 'passed') output.write(`${paint(32, '✔ pass')} ${result.name} ${time}\n`);
      else if (result.status === 'skipped') output.write(`${paint(33, '- skip')} ${result.name}: ${result.skipReason ?? ''}\n`);
      else output.write(`${paint(31, '✘ FAIL')} ${result.name} ${time}: ${result.error?.message ?? 'failed'}\n`);
    },
    runFinished(summary) {
      output.write(`\n${summaryTable(summary)}`);
    },
  };
}
