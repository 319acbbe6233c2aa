// Evidence for a failed journey, in <dir>/<journey>/: a screenshot and the HTML of each page, the
// browser console, the error with its steps, and the control-API record of every session it touched.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer';
import type { ConsoleEntry } from '../../scenarios/journey.js';
import type { AdminClient } from '../admin-client.js';
import type { JourneyResult } from './results.js';

export interface ArtifactInput {
  dir: string;
  result: JourneyResult;
  pages: Page[];
  console: ConsoleEntry[];
  sessionIds: Iterable<string>;
  admin: AdminClient;
}

const safeName = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_');

/** Writes the artifacts and returns the journey's artifact directory; problems are noted in error.txt, never thrown. */
export async function saveArtifacts(input: ArtifactInput): Promise<string> {
  const dir = join(input.dir, safeName(input.result.name));
  // A previous run's files (another session's record) would mislead: the directory holds this failure only.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message}`);
    }
  };

  for (const [index, page] of input.pages.entries()) {
    // The journey's own page gets the plain names; a second browser or a phone is page-2, page-3...
    const prefix = index === 0 ? '' : `page-${index + 1}-`;
    if (page.isClosed()) {
      problems.push(`page ${index + 1} was already closed`);
      continue;
    }
    // A failure often strikes mid-navigation: let the document finish loading (briefly) before the shot.
    await page.waitForFunction(() => document.readyState === 'complete', { timeout: 2000 }).catch(() => undefined);
    const path = join(dir, `${prefix}screenshot.png`) as `${string}.png`;
    await attempt(`screenshot of page ${index + 1}`, () =>
      // The full page when it can be measured, else what the viewport shows.
      page.screenshot({ path, fullPage: true }).catch(() => page.screenshot({ path })),
    );
    await attempt(`HTML of page ${index + 1}`, async () => writeFileSync(join(dir, `${prefix}page.html`), `<!-- ${page.url().replace(/--/g, '%2D%2D')} -->\n${await page.content()}`));
  }

  const consoleLog = input.console.map((e) => `${new Date(e.at).toISOString()} [page ${e.page}] ${e.type}: ${e.text}`).join('\n');
  writeFileSync(join(dir, 'console.log'), consoleLog ? `${consoleLog}\n` : '(no console output)\n');

  for (const id of input.sessionIds) {
    await attempt(`control-API record of session ${id}`, async () => {
      const view = await input.admin.sessions.get(id);
      writeFileSync(join(dir, `session-${safeName(id)}.json`), `${JSON.stringify(view, null, 2)}\n`);
    });
  }

  const { result } = input;
  const error = [
    `${result.name}: ${result.description}`,
    '',
    result.error?.step ? `Failed in step: ${result.error.step}` : '',
    result.error?.stack ?? result.error?.message ?? '',
    '',
    'Steps:',
    ...result.steps.map((s) => `  ${s.status === 'passed' ? 'ok  ' : 'FAIL'} ${s.name} (${Math.round(s.durationMs)} ms)${s.error ? `: ${s.error}` : ''}`),
    ...(problems.length > 0 ? ['', 'Artifacts that could not be saved:', ...problems.map((p) => `  ${p}`)] : []),
  ];
  writeFileSync(join(dir, 'error.txt'), `${error.join('\n')}\n`);
  return dir;
}
