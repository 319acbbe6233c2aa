// The `zignsec-mock` command: `serve` (the default) runs the emulator; `scenarios` runs the browser
// journeys. Options and their help come from ConfigSchema, so a new setting is a new flag by itself.
import { z } from 'zod';
import { ConfigSchema, configKeys, flagName, flagsToInput, packageRoot, packageVersion, settingHelp, type SettingHelp } from './config.js';
import { isMainModule } from './main-module.js';
import { UsageError } from './usage-error.js';

/** A mistake on the command line: printed with a pointer to --help, exit code 2. */
export { UsageError };

interface SettingLine {
  flag: string;
  env: string;
  defaultValue: string;
  description: string;
}

/** Flag, variable, default and description of every setting, in ConfigSchema's order. */
export function settingLines(): SettingLine[] {
  const inputs = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }).properties as Record<string, { default?: string | number | boolean; enum?: string[] }>;
  return configKeys.map((key) => {
    const input = inputs[key];
    const help: SettingHelp = settingHelp[key];
    const fallback = help.derivedDefault ?? (input.default === undefined ? '(unset)' : String(input.default).replace(packageRoot, '<package>/'));
    const choices = input.enum && !help.value.includes('|') ? ` One of: ${input.enum.join(', ')}.` : '';
    return { flag: `${flagName(key)} ${help.value}`, env: key, defaultValue: fallback, description: `${help.description}${choices}` };
  });
}

/** Word-wraps `text` to `width` columns, each line indented by `indent` spaces. */
function wrap(text: string, indent: number, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(' '.repeat(indent) + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, ' '.repeat(indent) + line];
}

export function helpText(): string {
  const lines = settingLines();
  const flagWidth = Math.max(...lines.map((l) => l.flag.length));
  const envWidth = Math.max(...lines.map((l) => l.env.length));
  const options = lines.flatMap((l) => [`  ${l.flag.padEnd(flagWidth)}  ${l.env.padEnd(envWidth)}  default: ${l.defaultValue}`, ...wrap(l.description, 6)]);
  return [
    `zignsec-mock ${packageVersion()}: a local emulator of ZignSec's v3 identity scanning and liveness API`,
    '',
    'Usage:',
    '  zignsec-mock [serve] [options]   run the emulator (serve is the default command)',
    '  zignsec-mock scenarios list      the browser journeys, with their tags',
    '  zignsec-mock scenarios run ...   run them (zignsec-mock scenarios --help for the options)',
    '  zignsec-mock --help              this text',
    '  zignsec-mock --version           the version',
    '',
    'Options of serve. Each is also read from the environment variable beside it; a flag wins over',
    'the variable. Write --flag value or --flag=value; a bare --test-mode means true.',
    'Durations: 250ms, 90s, 30m, 1h, 2d, or a number of seconds.',
    '',
    ...options,
    '',
    'The control API is under /__mock, the API reference (Swagger UI) under /v3/scan/swagger.',
    '',
  ].join('\n');
}

const helpFlags = new Set(['--help', '-h']);
const versionFlags = new Set(['--version', '-v']);

async function runServe(args: string[]): Promise<number | undefined> {
  if (args.some((a) => helpFlags.has(a))) return print(helpText());
  if (args.some((a) => versionFlags.has(a))) return print(`${packageVersion()}\n`);
  const { rest, missingValues } = flagsToInput(args);
  // First: a flag without its value took the next option as its value, which leaves that option's value stray.
  if (missingValues.length > 0) throw new UsageError(`${missingValues[0]} needs a value (write ${missingValues[0]}=<value> for one that starts with -)`);
  if (rest.length > 0) {
    throw new UsageError(rest[0].startsWith('-') ? `unknown option ${rest[0].split('=')[0]}` : `unexpected argument ${JSON.stringify(rest[0])}`);
  }
  // Loaded only now so that --help and --version stay fast. serve() reports what stops startup and exits itself.
  const { serve } = await import('./server.js');
  await serve(args);
  return undefined;
}

/** Said when `scenarios` is asked for where Puppeteer is not installed (the server image, --omit=optional). */
export const puppeteerMissing =
  'zignsec-mock scenarios: the journeys drive Chromium through Puppeteer, which is not installed here. ' +
  'In Docker, use the runner image, which has both (docker build --target runner -t zignsec-mock:runner .); ' +
  'the default image is the emulator alone. With npm: npm install puppeteer (an optional dependency of zignsec-mock).\n';

async function runScenarios(args: string[]): Promise<number> {
  // Loaded only when asked for: it brings Puppeteer, an optional dependency the server image leaves out.
  let command: typeof import('./scenarios/cli.js');
  try {
    command = await import('./scenarios/cli.js');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !message.includes("'puppeteer'")) throw error;
    process.stderr.write(puppeteerMissing);
    return 1;
  }
  return command.scenariosCommand(args);
}

/** The commands; each returns an exit code, or undefined while it keeps running (a server). */
const commands: Record<string, (args: string[]) => Promise<number | undefined>> = {
  serve: runServe,
  scenarios: runScenarios,
};

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

/** Runs the command line and returns its exit code (undefined: still running). */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [first, ...rest] = argv;
  try {
    // Options first (or nothing at all): serve, which also answers --help and --version.
    if (first === undefined || first.startsWith('-')) return await runServe([...argv]);
    if (first === 'help') return print(helpText());
    const command = Object.hasOwn(commands, first) ? commands[first] : undefined;
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(first)} (commands: ${Object.keys(commands).join(', ')})`);
    return await command(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`zignsec-mock: ${error.message}\nRun zignsec-mock --help for the commands and options.\n`);
    return 2;
  }
}

/**
 * Entry used by bin/zignsec-mock.js (and by this file when run directly): sets the exit code when the
 * command has finished. An error no command expected is one line and exit code 1; its stack trace only
 * at LOG_LEVEL debug or trace.
 */
export async function run(argv: readonly string[] = process.argv.slice(2), env: Record<string, string | undefined> = process.env): Promise<void> {
  let code: number | undefined;
  try {
    code = await main(argv);
  } catch (error) {
    const detailed = error instanceof Error && (env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace');
    const text = detailed ? String(error.stack) : `${error instanceof Error ? error.message : String(error)} (LOG_LEVEL=debug shows the stack trace)`;
    process.stderr.write(`zignsec-mock: ${text}\n`);
    code = 1;
  }
  if (code !== undefined) process.exitCode = code;
}

// `tsx src/cli.ts ...` from a checkout; the installed command is bin/zignsec-mock.js, which imports run().
if (isMainModule(import.meta.url)) await run();
