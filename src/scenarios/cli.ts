// `zignsec-mock scenarios list|run ...`: parses the command line, runs the journeys with a console
// reporter and returns the exit code (0 all passed, 1 a journey failed or could not run, 2 a usage error).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isHttpUrl } from '../core/http-url.js';
import { BrowserLaunchError } from './browser.js';
import { CatalogueError } from './catalogue.js';
import { OutputFolderError } from './outputs.js';
import { consoleReporter } from './reporter.js';
import { listScenarios, runScenarios, ScenarioSelectionError, type RunOptions } from './runner.js';
import { UsageError } from '../usage-error.js';

interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CommandIo {
  stdout?: Output;
  stderr?: Output;
  env?: Record<string, string | undefined>;
}

export const scenariosHelp = `Usage:
  zignsec-mock scenarios list [--tag t] [--dir d] [--json]
  zignsec-mock scenarios run [names...] [options]

Runs the browser journeys of scenarios/ through the hosted scan UI with Puppeteer and checks where the
browser lands, the result from the API and the signed webhook. Without --base-url an emulator is
started in this process on a free port.

Options of run:
  --tag <t>                  only journeys with this tag (repeat, or comma-separate, for several)
  --base-url <url>           an emulator already running (it must have TEST_MODE on)
  --admin-token <token>      its MOCK_ADMIN_TOKEN (default: $MOCK_ADMIN_TOKEN)
  --app-url <url>            integrator mode: start each journey on this page of your app, which must
                             send the browser into the emulator's scan UI (needs --base-url)
  --app-start-selector <s>   integrator mode: a CSS selector to click on --app-url first
  --headful                  show the browser
  --slow-mo <ms>             slow every browser operation down by this much
  --junit <file>             write JUnit XML
  --artifacts <dir>          for each failed journey: screenshot, page HTML, browser console and the
                             control-API record of its sessions, under <dir>/<journey>/
  --concurrency <n>          journeys in parallel, each in its own pages and API key (default 1)
  --callback-host <host>     the name the emulator reaches this machine by (default 127.0.0.1), for the
                             landing pages and webhook receiver of the journeys: e.g. this container's
                             name when the emulator runs in another container
  --dir <dir>                more journey files (name.ts default-exporting { name, description, tags, run })

Exit status: 0 when every journey passed, 1 when one failed or the run could not start, 2 on a usage error.
The browser is PUPPETEER_EXECUTABLE_PATH, else a system Chromium (apt-get install chromium).
`;


interface Parsed {
  command: 'list' | 'run' | 'help';
  names: string[];
  tags: string[];
  dirs: string[];
  json: boolean;
  options: RunOptions;
}

const valueFlags = new Set(['--tag', '--base-url', '--admin-token', '--app-url', '--app-start-selector', '--slow-mo', '--junit', '--artifacts', '--concurrency', '--dir', '--callback-host']);
const booleanFlags = new Set(['--headful', '--json', '--help', '-h']);
/** The flags as node:util's parseArgs declares them (`--tag x` and `--tag=x`; -h for --help). */
const flagOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
for (const flag of valueFlags) flagOptions[flag.slice(2)] = { type: 'string' };
for (const flag of booleanFlags) if (flag.startsWith('--')) flagOptions[flag.slice(2)] = flag === '--help' ? { type: 'boolean', short: 'h' } : { type: 'boolean' };

function positiveInteger(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag} needs a whole number of at least ${min} (got ${JSON.stringify(value)})`);
  return Number(value);
}

function httpUrl(flag: string, value: string): string {
  if (isHttpUrl(value)) return value;
  throw new UsageError(`${flag} needs an absolute http(s) URL (got ${JSON.stringify(value)})`);
}

export function parseScenarioArgs(argv: readonly string[], env: Record<string, string | undefined> = process.env): Parsed {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help', names: [], tags: [], dirs: [], json: false, options: {} };
  if (command !== 'list' && command !== 'run') throw new UsageError(`unknown scenarios command ${JSON.stringify(command)} (use list or run)`);
  const parsed: Parsed = { command, names: [], tags: [], dirs: [], json: false, options: {} };
  const options = parsed.options;
  const { tokens } = parseArgs({ args: rest, options: flagOptions, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (command === 'list') throw new UsageError(`scenarios list takes no names (got ${JSON.stringify(token.value)})`);
      parsed.names.push(token.value);
      continue;
    }
    const flag = token.kind === 'option' ? token.rawName : '--';
    if (token.kind === 'option' && booleanFlags.has(flag)) {
      if (token.inlineValue) throw new UsageError(`${flag} takes no value`);
      if (flag === '--help' || flag === '-h') return { ...parsed, command: 'help' };
      if (flag === '--json') parsed.json = true;
      if (flag === '--headful') options.headful = true;
      continue;
    }
    if (token.kind !== 'option' || !valueFlags.has(flag)) throw new UsageError(`unknown option ${flag}`);
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
    if (command === 'list' && flag !== '--tag' && flag !== '--dir') throw new UsageError(`${flag} is an option of scenarios run`);
    switch (flag) {
      case '--tag':
        parsed.tags.push(...value.split(',').map((t) => t.trim()).filter(Boolean));
        break;
      case '--dir':
        parsed.dirs.push(resolve(value));
        break;
      case '--base-url':
        options.baseUrl = httpUrl(flag, value);
        break;
      case '--admin-token':
        options.adminToken = value;
        break;
      case '--app-url':
        options.appUrl = httpUrl(flag, value);
        break;
      case '--app-start-selector':
        options.appStartSelector = value;
        break;
      case '--slow-mo':
        options.slowMo = positiveInteger(flag, value, 0);
        break;
      case '--junit':
        options.junitFile = resolve(value);
        break;
      case '--artifacts':
        options.artifactsDir = resolve(value);
        break;
      case '--concurrency':
        options.concurrency = positiveInteger(flag, value, 1);
        break;
      case '--callback-host':
        if (!/^[A-Za-z0-9.-]+$|^[0-9a-fA-F:]+$/.test(value)) throw new UsageError(`--callback-host needs a host name or IP address (got ${JSON.stringify(value)})`);
        options.callbackHost = value;
        break;
    }
  }
  options.adminToken ??= env.MOCK_ADMIN_TOKEN || undefined;
  if (options.appUrl && !options.baseUrl) throw new UsageError('--app-url needs --base-url: the emulator your app talks to');
  if (options.appStartSelector && !options.appUrl) throw new UsageError('--app-start-selector needs --app-url');
  options.names = parsed.names;
  options.tags = parsed.tags;
  options.dirs = parsed.dirs;
  return parsed;
}

async function list(parsed: Parsed, stdout: Output): Promise<number> {
  let journeys = await listScenarios({ dirs: parsed.dirs });
  if (parsed.tags.length > 0) journeys = journeys.filter((j) => j.tags.some((t) => parsed.tags.includes(t)));
  if (parsed.json) {
    stdout.write(`${JSON.stringify(journeys, null, 2)}\n`);
    return 0;
  }
  const nameWidth = Math.max(...journeys.map((j) => j.name.length), 4);
  const tagText = (j: (typeof journeys)[number]) => [...j.tags, ...(j.integrator ? ['(integrator)'] : []), ...(j.exclusive ? ['(exclusive)'] : [])].join(', ');
  const tagWidth = Math.max(...journeys.map((j) => tagText(j).length), 4);
  stdout.write(`${'Name'.padEnd(nameWidth)}  ${'Tags'.padEnd(tagWidth)}  Description\n`);
  for (const j of journeys) stdout.write(`${j.name.padEnd(nameWidth)}  ${tagText(j).padEnd(tagWidth)}  ${j.description}\n`);
  stdout.write(`\n${journeys.length} journeys. (integrator): also runs with --app-url. (exclusive): with --app-url, runs alone (it moves the app key's clock far).\n`);
  return 0;
}

/** `zignsec-mock scenarios ...`: resolves with the exit code. */
export async function scenariosCommand(argv: readonly string[], io: CommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let parsed: Parsed;
  try {
    parsed = parseScenarioArgs(argv, io.env ?? process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`zignsec-mock scenarios: ${error.message}\nRun zignsec-mock scenarios --help for the options.\n`);
    return 2;
  }
  try {
    if (parsed.command === 'help') {
      stdout.write(scenariosHelp);
      return 0;
    }
    if (parsed.command === 'list') return await list(parsed, stdout);
    const summary = await runScenarios({ ...parsed.options, reporter: consoleReporter(stdout) });
    if (parsed.options.junitFile) stdout.write(`JUnit XML: ${parsed.options.junitFile}\n`);
    return summary.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ScenarioSelectionError || error instanceof BrowserLaunchError || error instanceof CatalogueError || error instanceof OutputFolderError) {
      stderr.write(`zignsec-mock scenarios: ${error.message}\n`);
      return error instanceof ScenarioSelectionError && /^unknown journey|^no journeys match/.test(error.message) ? 2 : 1;
    }
    throw error;
  }
}
