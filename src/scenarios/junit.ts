// JUnit XML for CI dashboards: one <testsuite> for the run, one <testcase> per journey, a <failure>
// (message, type, stack and steps) for each failed one, <skipped/> for skipped ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatDuration, type JourneyResult, type RunSummary } from './results.js';

/** XML 1.0 cannot carry most control characters at all, even escaped: they are dropped. */
// eslint-disable-next-line no-control-regex
const invalidXmlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
// eslint-disable-next-line no-control-regex
const ansiEscapes = /\u001b\[[0-9;]*m/g;

export function escapeXml(text: string): string {
  return text
    .replace(ansiEscapes, '')
    .replace(invalidXmlChars, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function stepLines(result: JourneyResult): string {
  return result.steps.map((s) => `${s.status === 'passed' ? 'ok  ' : 'FAIL'} ${s.name} (${formatDuration(s.durationMs)})${s.error ? `: ${s.error}` : ''}`).join('\n');
}

function testcase(result: JourneyResult): string {
  const open = `    <testcase name="${escapeXml(result.name)}" classname="zignsec-mock.scenarios" time="${seconds(result.durationMs)}"`;
  const out: string[] = [];
  if (result.status === 'skipped') out.push(`      <skipped message="${escapeXml(result.skipReason ?? 'skipped')}"/>`);
  if (result.status === 'failed') {
    const error = result.error ?? { name: 'Error', message: 'failed' };
    const details = [
      error.step ? `Failed in step: ${error.step}` : '',
      error.stack ?? `${error.name}: ${error.message}`,
      result.sessionIds.length > 0 ? `Sessions: ${result.sessionIds.join(', ')}` : '',
      result.artifactsDir ? `Artifacts: ${result.artifactsDir}` : '',
    ].filter(Boolean);
    out.push(`      <failure message="${escapeXml(error.message)}" type="${escapeXml(error.name)}">${escapeXml(details.join('\n'))}</failure>`);
  }
  const steps = stepLines(result);
  if (steps) out.push(`      <system-out>${escapeXml(`${result.description}\n${steps}`)}</system-out>`);
  return out.length === 0 ? `${open}/>` : `${open}>\n${out.join('\n')}\n    </testcase>`;
}

export function toJUnitXml(summary: RunSummary): string {
  const attributes = `tests="${summary.results.length}" failures="${summary.failed}" errors="0" skipped="${summary.skipped}" time="${seconds(summary.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="zignsec-mock scenarios" ${attributes}>`,
    `  <testsuite name="zignsec-mock scenarios" ${attributes} timestamp="${escapeXml(summary.startedAt)}" hostname="${escapeXml(new URL(summary.baseUrl).host)}">`,
    ...summary.results.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function writeJUnit(file: string, summary: RunSummary): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, toJUnitXml(summary));
}
