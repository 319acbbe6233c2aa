// Configuration from environment variables and matching CLI flags (`PUBLIC_URL` <-> `--public-url`),
// validated with zod into one frozen Config. A bad value stops startup naming the variable.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isHttpUrl } from './schemas/common.js';

export const packageRoot = fileURLToPath(new URL('../', import.meta.url));

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "1h", "250ms" or a plain number of seconds, in milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * durationUnits[match[2] ?? 's']);
}

const Duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 90s, 30m, 1h or a number of seconds' });
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

/** Every setting, by its environment variable name. The README's configuration table mirrors this. */
export const ConfigSchema = z.object({
  PORT: Integer(8080, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || isHttpUrl(v), { message: 'must be an absolute http(s) URL such as http://localhost:8080' })
    .transform((v) => (v ? v.replace(/\/+$/, '') : undefined)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  SESSION_TTL: Duration('30m'),
  OTP_TTL: Duration('10m'),
  MAX_SESSIONS: Integer(10_000, 1, 10_000_000),
  MERCHANTS_FILE: z.string().min(1).default(`${packageRoot}fixtures/merchants.json`),
  OUTCOMES_DIR: z.string().optional(),
  RESULT_TEMPLATE_FILE: z.string().min(1).default(`${packageRoot}fixtures/result-template.json`),
  AUTH_MODE: z.enum(['any', 'strict'], { message: 'must be any or strict' }).default('any'),
  MAX_UPLOAD_BYTES: Integer(5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  MAX_BODY_BYTES: Integer(64 * 1024, 1024, 10 * 1024 * 1024),
  JOURNAL_SIZE: Integer(5000, 0, 1_000_000),
  WEBHOOK_TIMEOUT: Duration('10s'),
  WEBHOOK_CONCURRENCY: Integer(8, 1, 256),
  WEBHOOK_MAX_ATTEMPTS: Integer(20, 1, 100),
  /** Multiplies every retry delay: 0.001 runs the 48-hour schedule in about 3 minutes of domain time. */
  WEBHOOK_TIME_SCALE: z
    .string()
    .default('1')
    .refine((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0 && Number(v) <= 1, { message: 'must be a number above 0 and at most 1, such as 0.001' })
    .transform(Number),
  SHUTDOWN_GRACE: Duration('5s'),
  SEED: z.string().optional(),
  TEST_MODE: Flag(true),
  MOCK_ADMIN_TOKEN: z.string().optional(),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;
export type ConfigInput = Partial<Record<keyof z.input<typeof ConfigSchema>, string>>;

export const configKeys = Object.keys(ConfigSchema.shape) as (keyof typeof ConfigSchema.shape)[];
const secretKeys = new Set<string>(['MOCK_ADMIN_TOKEN']);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const flagName = (key: string) => `--${key.toLowerCase().replace(/_/g, '-')}`;

/** Reads `--public-url http://x`, `--public-url=http://x`, and bare `--test-mode` (true). */
export function flagsToInput(argv: readonly string[]): { input: ConfigInput; rest: string[] } {
  const byFlag = new Map(configKeys.map((key) => [flagName(key), key]));
  const input: ConfigInput = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') ? (arg.split(/=(.*)/s, 2) as [string, string | undefined]) : [arg, undefined];
    const key = byFlag.get(flag);
    if (!key) {
      rest.push(arg);
      continue;
    }
    if (inline !== undefined) input[key] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) input[key] = argv[++i];
    else input[key] = 'true';
  }
  return { input, rest };
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
      return `  ${key} (${flagName(key)}): ${issue.message}${raw[key] !== undefined ? ` (got ${JSON.stringify(raw[key])})` : ''}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

/** The configuration as printed at startup, with secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const key of configKeys) {
    const value = config[key];
    shown[key] = secretKeys.has(key) && value ? '****' : value;
  }
  return shown;
}

/** What `zignsec-mock --help` shows for a setting: the value's shape and what it does (defaults come from ConfigSchema). */
export interface SettingHelp {
  value: string;
  description: string;
}

/** Help for every setting; `satisfies` makes a setting added to ConfigSchema without help a type error. */
export const settingHelp = {
  PORT: { value: '<port>', description: 'TCP port to listen on; 0 picks a free port.' },
  HOST: { value: '<address>', description: 'Interface to listen on; 0.0.0.0 inside a container.' },
  PUBLIC_URL: { value: '<url>', description: "Base of the URLs handed out (redirect_url, QR codes); by default taken from the request's Host and X-Forwarded-* headers." },
  LOG_LEVEL: { value: '<level>', description: 'Log level; per-request lines appear at debug and trace.' },
  SESSION_TTL: { value: '<duration>', description: 'How long an unfinished session lives before it ends as Timeout.' },
  OTP_TTL: { value: '<duration>', description: 'How long the one-time link in redirect_url stays valid.' },
  MAX_SESSIONS: { value: '<n>', description: 'Sessions held in memory; past it the oldest finished ones are forgotten.' },
  MERCHANTS_FILE: { value: '<file>', description: 'Merchant settings per API key (options, actions, webhook, default outcome).' },
  OUTCOMES_DIR: { value: '<dir>', description: 'Directory of extra outcome presets (*.json), added to the built-in ones.' },
  RESULT_TEMPLATE_FILE: { value: '<file>', description: 'Template of the result object served by the result paths and sent in webhooks.' },
  AUTH_MODE: { value: 'any|strict', description: 'any: every API key works; strict: only keys listed in MERCHANTS_FILE.' },
  MAX_UPLOAD_BYTES: { value: '<bytes>', description: 'Largest accepted image upload.' },
  MAX_BODY_BYTES: { value: '<bytes>', description: 'Largest accepted JSON request body.' },
  JOURNAL_SIZE: { value: '<n>', description: 'Public API requests kept in the journal (0 keeps none).' },
  WEBHOOK_TIMEOUT: { value: '<duration>', description: 'How long one webhook attempt waits for the receiver.' },
  WEBHOOK_CONCURRENCY: { value: '<n>', description: 'Webhook attempts in flight at once.' },
  WEBHOOK_MAX_ATTEMPTS: { value: '<n>', description: 'Attempts per webhook delivery before it is given up (ZignSec: 20 over 48 hours).' },
  WEBHOOK_TIME_SCALE: { value: '<factor>', description: 'Multiplies every retry delay; 0.001 runs the 48-hour schedule in about 3 minutes.' },
  SHUTDOWN_GRACE: { value: '<duration>', description: 'On SIGTERM, how long in-flight webhook attempts may finish.' },
  SEED: { value: '<text>', description: 'Makes random choices (actions, identities) repeatable.' },
  TEST_MODE: { value: 'true|false', description: 'Tester panel and sample images in the scan UI.' },
  MOCK_ADMIN_TOKEN: { value: '<token>', description: 'When set, the control API (/__mock) requires it in the X-Mock-Admin-Token header.' },
} satisfies Record<keyof typeof ConfigSchema.shape, SettingHelp>;
