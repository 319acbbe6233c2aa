// Configuration from environment variables and matching CLI flags (`PUBLIC_URL` <-> `--public-url`),
// validated with zod into one frozen Config. A bad value stops startup naming the variable.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { settingDurationLimits } from './core/time-limits.js';

/**
 * The package folder (package.json, fixtures/): the parent of src/ when this runs from source, and of
 * dist/ when it runs compiled (dist/src/config.js), where the code lies one level deeper.
 */
export const packageRoot = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../' : '../', import.meta.url));

/** The emulator's version, from its package.json (`zignsec-mock --version`, the front door). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as { version: string }).version;
}

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "1h", "250ms" or a plain number of seconds, in milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * durationUnits[match[2] ?? 's']);
}

/** A duration setting, from 1 ms up to its documented limit (settingDurationLimits). */
const Duration = (fallback: string, maxMs: number) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0 || ms > maxMs) {
        ctx.addIssue({ code: 'custom', message: `must be a duration from 1ms to ${formatDuration(maxMs)}, such as 90s, 30m, 1h or a number of seconds` });
        return z.NEVER;
      }
      return ms;
    });

const Flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const Integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, { message: `must be a whole number from ${min} to ${max}` })
    .transform(Number);

const publicUrlAllowed =
  'must be an absolute http(s) URL without credentials, query or fragment (a path prefix is fine), such as http://localhost:8080 or https://mock.example/zignsec';

/**
 * What makes `value` unusable as the base of the links handed out, or undefined. Links are the base
 * plus `/v3/scan/ui/...`, so a query or fragment would swallow the path; credentials would be handed
 * to every browser.
 */
function publicUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'this one is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'this one does not start with http:// or https://';
  if (url.hostname === '') return 'this one has no host';
  const extras: string[] = [];
  if (url.username !== '' || url.password !== '') extras.push('credentials (user:password@)');
  if (value.includes('?')) extras.push(`a query (${url.search || '?'})`);
  if (value.includes('#')) extras.push(`a fragment (${url.hash || '#'})`);
  if (extras.length === 0) return undefined;
  return `this one has ${extras.length > 1 ? `${extras.slice(0, -1).join(', ')} and ${extras.at(-1)}` : extras[0]}`;
}

/** The base URL as links are built from it: normalised, with no trailing slash (so never `//v3/...`). */
function normalisePublicUrl(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Every setting, by its environment variable name. The README's configuration table mirrors this. */
export const ConfigSchema = z.object({
  PORT: Integer(8080, 0, 65535),
  /** A name or address, not a URL: `http://0.0.0.0` or `0.0.0.0:8080` would only fail later, at listen. */
  HOST: z
    .string()
    .default('127.0.0.1')
    .refine((v) => /^[A-Za-z0-9_.-]+$|^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?$/.test(v) && !/^\d+(\.\d+)*:\d+$/.test(v), {
      message: 'must be a host name or IP address of this machine, such as 127.0.0.1, ::1 or 0.0.0.0 for every interface (no scheme, port or path)',
    }),
  PUBLIC_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const problem = publicUrlProblem(v);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: `${publicUrlAllowed}; ${problem}` });
        return z.NEVER;
      }
      return normalisePublicUrl(v);
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  SESSION_TTL: Duration('30m', settingDurationLimits.SESSION_TTL),
  OTP_TTL: Duration('10m', settingDurationLimits.OTP_TTL),
  MAX_SESSIONS: Integer(10_000, 1, 10_000_000),
  /** Unset: a tenth of MAX_SESSIONS (see perKeyDefault). At most MAX_SESSIONS, checked below. */
  MAX_SESSIONS_PER_KEY: z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number from 1 to MAX_SESSIONS' })
    .optional()
    .transform((v) => (v === undefined ? undefined : Number(v))),
  MERCHANTS_FILE: z.string().min(1).default(`${packageRoot}fixtures/merchants.json`),
  OUTCOMES_DIR: z.string().optional(),
  RESULT_TEMPLATE_FILE: z.string().min(1).default(`${packageRoot}fixtures/result-template.json`),
  AUTH_MODE: z.enum(['any', 'strict'], { message: 'must be any or strict' }).default('any'),
  MAX_UPLOAD_BYTES: Integer(5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  MAX_BODY_BYTES: Integer(64 * 1024, 1024, 10 * 1024 * 1024),
  JOURNAL_SIZE: Integer(5000, 0, 1_000_000),
  WEBHOOK_TIMEOUT: Duration('10s', settingDurationLimits.WEBHOOK_TIMEOUT),
  WEBHOOK_CONCURRENCY: Integer(8, 1, 256),
  WEBHOOK_MAX_ATTEMPTS: Integer(20, 1, 100),
  /** Multiplies every retry delay: 0.001 runs the 48-hour schedule in about 3 minutes of domain time. */
  WEBHOOK_TIME_SCALE: z
    .string()
    .default('1')
    .refine((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0 && Number(v) <= 1, { message: 'must be a number above 0 and at most 1, such as 0.001' })
    .transform(Number),
  SHUTDOWN_GRACE: Duration('5s', settingDurationLimits.SHUTDOWN_GRACE),
  SEED: z.string().optional(),
  TEST_MODE: Flag(true),
  MOCK_ADMIN_TOKEN: z.string().optional(),
  PORTAL_MAX_SIGN_INS: Integer(5000, 1, 1_000_000),
  PORTAL_SIGN_IN_RATE: Integer(20, 1, 100_000),
  WIRE_FILE: z.string().min(1).optional(),
}).superRefine((config, ctx) => {
  const perKey = config.MAX_SESSIONS_PER_KEY;
  if (perKey !== undefined && (perKey < 1 || perKey > config.MAX_SESSIONS)) {
    ctx.addIssue({ code: 'custom', path: ['MAX_SESSIONS_PER_KEY'], message: `must be a whole number from 1 to MAX_SESSIONS (${config.MAX_SESSIONS})` });
  }
});

/**
 * MAX_SESSIONS_PER_KEY when unset: a tenth of MAX_SESSIONS (1,000 of the default 10,000). Ten
 * pipelines can each hold their whole share at once, and one runaway key fills a tenth of the
 * store at most, so the others keep room.
 */
export const perKeyDefault = (maxSessions: number) => Math.max(1, Math.floor(maxSessions / 10));

type ParsedConfig = z.infer<typeof ConfigSchema>;
export type Config = Readonly<Omit<ParsedConfig, 'MAX_SESSIONS_PER_KEY'> & { MAX_SESSIONS_PER_KEY: number }>;
export type ConfigInput = Partial<Record<keyof z.input<typeof ConfigSchema>, string>>;
export type ConfigKey = keyof typeof ConfigSchema.shape;

export const configKeys = Object.keys(ConfigSchema.shape) as ConfigKey[];
const secretKeys = new Set<string>(['MOCK_ADMIN_TOKEN']);

/** A value as it may be shown (in errors and the startup printout): secrets and URL credentials masked. */
function maskedValue(key: string, value: string): string {
  if (secretKeys.has(key)) return '****';
  return value.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1****@');
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const flagName = (key: string) => `--${key.toLowerCase().replace(/_/g, '-')}`;

/** Settings that are switches: a bare `--test-mode` means true, and a value may follow (`--test-mode false`). */
const switchValues = new Set(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']);
const isSwitch = (key: ConfigKey) => settingHelp[key].value === 'true|false';

export interface ParsedFlags {
  input: ConfigInput;
  /** What is not a setting's flag, in order: the command word, unknown options, stray arguments. */
  rest: string[];
  /** Setting flags given without their value (`--port` last, or followed by another option). */
  missingValues: string[];
}

/**
 * Reads `--public-url http://x`, `--public-url=http://x`, and bare `--test-mode` (true), with
 * node:util's parseArgs. A setting's value that starts with "-" is written inline (`--seed=-x`).
 */
export function flagsToInput(argv: readonly string[]): ParsedFlags {
  const keyByName = new Map(configKeys.map((key) => [flagName(key).slice(2), key]));
  const options = Object.fromEntries(configKeys.map((key) => [flagName(key).slice(2), { type: isSwitch(key) ? ('boolean' as const) : ('string' as const) }]));
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const parsed: ParsedFlags = { input: {}, rest: [], missingValues: [] };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind !== 'option') {
      parsed.rest.push(token.kind === 'positional' ? token.value : '--');
      continue;
    }
    const key = token.rawName.startsWith('--') ? keyByName.get(token.name) : undefined;
    if (!key) parsed.rest.push(token.inlineValue ? `${token.rawName}=${token.value}` : token.rawName);
    else if (token.value !== undefined && (token.inlineValue || !token.value.startsWith('-'))) parsed.input[key] = token.value;
    else if (!isSwitch(key)) parsed.missingValues.push(token.rawName);
    else {
      const next = tokens[i + 1];
      const value = next?.kind === 'positional' && next.index === token.index + 1 && switchValues.has(next.value) ? next.value : undefined;
      if (value !== undefined) i++;
      parsed.input[key] = value ?? 'true';
    }
  }
  return parsed;
}

/** Environment first, CLI flags over it; empty environment values count as unset. */
export function loadConfig(env: Record<string, string | undefined>, flags: ConfigInput = {}): Config {
  const raw: Record<string, string> = {};
  for (const key of configKeys) {
    const value = flags[key] ?? env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      return `  ${key} (${flagName(key)}): ${issue.message}${raw[key] !== undefined ? ` (got ${JSON.stringify(maskedValue(key, raw[key]))})` : ''}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze({ ...parsed.data, MAX_SESSIONS_PER_KEY: parsed.data.MAX_SESSIONS_PER_KEY ?? perKeyDefault(parsed.data.MAX_SESSIONS) });
}

const durationUnitsLargestFirst = Object.entries(durationUnits).sort(([, a], [, b]) => b - a);

/** Milliseconds in the largest unit that divides them: 1800000 -> "30m", 90000 -> "90s", 250 -> "250ms". */
export function formatDuration(ms: number): string {
  const [unit, size] = durationUnitsLargestFirst.find(([, size]) => ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

/** Printable as it is on one line; anything else (spaces, quotes, line breaks) is shown JSON-quoted. */
const plainText = /^[^\s"\p{C}]+$/u;

/**
 * Every setting as shown at startup: secrets masked, durations in their units, unset settings as
 * `(unset: what that means)`, so the printout shows the whole configuration.
 */
export function describeConfig(config: Config): Record<ConfigKey, string> {
  const shown = {} as Record<ConfigKey, string>;
  for (const key of configKeys) {
    const value = config[key];
    const help: SettingHelp = settingHelp[key];
    if (value === undefined) shown[key] = `(unset: ${help.unset})`;
    else if (secretKeys.has(key)) shown[key] = '****';
    else if (help.value === '<duration>' && typeof value === 'number') shown[key] = formatDuration(value);
    else {
      const text = maskedValue(key, String(value));
      shown[key] = plainText.test(text) ? text : JSON.stringify(text);
    }
  }
  return shown;
}

/** The configuration block printed once at startup: one line per setting, in ConfigSchema's order. */
export function formatConfig(config: Config): string {
  const shown = describeConfig(config);
  const width = Math.max(...configKeys.map((key) => key.length));
  return [`${CONFIG_TITLE}:`, ...configKeys.map((key) => `  ${key.padEnd(width)}  ${shown[key]}`), ''].join('\n');
}

const CONFIG_TITLE = 'zignsec-mock configuration (secrets masked)';

/** Where the startup printout goes: a terminal (a text block) or a log shipper (JSON lines). */
export type PrintoutForm = 'terminal' | 'json-lines';

/**
 * The startup printout, in the form the logs take: the text block on a terminal, one JSON line
 * (pino's fields, level info) otherwise, so that a log shipper reading JSON lines reads it too.
 */
export function configPrintout(config: Config, form: PrintoutForm): string {
  if (form === 'terminal') return formatConfig(config);
  return logLine(30, CONFIG_TITLE, { config: describeConfig(config) });
}

/** A warning printed beside the configuration, in the same two forms (JSON at pino's level warn). */
export function warningPrintout(text: string, form: PrintoutForm): string {
  return form === 'terminal' ? `WARNING: ${text}\n` : logLine(40, text);
}

function logLine(level: number, msg: string, fields: object = {}): string {
  return `${JSON.stringify({ level, time: Date.now(), pid: process.pid, hostname: hostname(), msg, ...fields })}\n`;
}

/** What `zignsec-mock --help` shows for a setting: the value's shape and what it does (defaults come from ConfigSchema). */
export interface SettingHelp {
  value: string;
  description: string;
  /** For a setting without a default: what leaving it unset means, shown in the startup printout. */
  unset?: string;
  /** For a default worked out from other settings: how --help shows it. */
  derivedDefault?: string;
}

/** The settings that have no default, so may be unset. */
type OptionalKey = { [Key in ConfigKey]: undefined extends Config[Key] ? Key : never }[ConfigKey];

/**
 * Help for every setting; `satisfies` makes a setting added to ConfigSchema without help, or an
 * optional one without its `unset` meaning, a type error.
 */
export const settingHelp = {
  PORT: { value: '<port>', description: 'TCP port to listen on; 0 picks a free port.' },
  HOST: { value: '<address>', description: 'Interface to listen on; 0.0.0.0 inside a container.' },
  PUBLIC_URL: { value: '<url>', description: "Base of the URLs handed out (redirect_url, QR codes): an absolute http(s) URL, a path prefix allowed, no query, fragment or credentials; by default taken from the request's Host and X-Forwarded-* headers.", unset: "derived from each request's Host and X-Forwarded-* headers" },
  LOG_LEVEL: { value: '<level>', description: 'Log level; per-request lines appear at debug and trace.' },
  SESSION_TTL: { value: '<duration>', description: 'How long an unfinished session lives before it ends as Timeout.' },
  OTP_TTL: { value: '<duration>', description: 'How long the one-time link in redirect_url stays valid.' },
  MAX_SESSIONS: { value: '<n>', description: 'Sessions held in memory; past it the oldest finished ones are forgotten.' },
  MAX_SESSIONS_PER_KEY: {
    value: '<n>',
    description: "Sessions one API key may hold, up to MAX_SESSIONS; past it the key's own oldest finished ones are forgotten, and it gets 429 when all of its sessions are unfinished.",
    derivedDefault: 'a tenth of MAX_SESSIONS',
  },
  MERCHANTS_FILE: { value: '<file>', description: 'Merchant settings per API key (options, actions, webhook, default outcome).' },
  OUTCOMES_DIR: { value: '<dir>', description: 'Directory of extra outcome presets (*.json), added to the built-in ones.', unset: 'only the built-in outcome presets' },
  RESULT_TEMPLATE_FILE: { value: '<file>', description: 'Template of the result object served by the result paths and sent in webhooks.' },
  AUTH_MODE: { value: 'any|strict', description: 'any: every API key works; strict: only keys listed in MERCHANTS_FILE.' },
  MAX_UPLOAD_BYTES: { value: '<bytes>', description: 'Largest accepted image upload.' },
  MAX_BODY_BYTES: { value: '<bytes>', description: 'Largest accepted JSON request body.' },
  JOURNAL_SIZE: { value: '<n>', description: 'Public API requests kept in the journal (0 keeps none).' },
  WEBHOOK_TIMEOUT: { value: '<duration>', description: 'How long one webhook attempt waits for the receiver.' },
  WEBHOOK_CONCURRENCY: { value: '<n>', description: 'Webhook attempts in flight at once, all keys together; one API key has at most half of them.' },
  WEBHOOK_MAX_ATTEMPTS: { value: '<n>', description: 'Attempts per webhook delivery before it is given up (ZignSec: 20 over 48 hours).' },
  WEBHOOK_TIME_SCALE: { value: '<factor>', description: 'Multiplies every retry delay; 0.001 runs the 48-hour schedule in about 3 minutes.' },
  SHUTDOWN_GRACE: { value: '<duration>', description: 'On SIGTERM, how long in-flight webhook attempts and open connections may finish.' },
  SEED: { value: '<text>', description: 'Makes random choices (actions, identities) repeatable.', unset: 'random choices differ from run to run' },
  TEST_MODE: { value: 'true|false', description: 'Tester panel and sample images in the scan UI.' },
  MOCK_ADMIN_TOKEN: { value: '<token>', description: 'When set, the control API (/__mock) requires it in the X-Mock-Admin-Token header.', unset: 'the control API (/__mock) needs no token' },
  PORTAL_MAX_SIGN_INS: { value: '<n>', description: 'Portal sign-ins kept; when full, one idle for 30 minutes makes room, otherwise new sign-ins are refused (503).' },
  PORTAL_SIGN_IN_RATE: { value: '<n>', description: 'Portal sign-in attempts allowed per client address per minute; more are answered 429 with Retry-After.' },
  WIRE_FILE: { value: '<file>', description: 'Wire details of your own (status codes, error codes, redirect parameter names, retry spacing...), laid over fixtures/wire.json.', unset: 'the wire details of fixtures/wire.json' },
} satisfies { [Key in ConfigKey]: Key extends OptionalKey ? SettingHelp & { unset: string } : SettingHelp };
