// Enums and field shapes shared by the public API, the control API and the fixture files.
import { z } from 'zod';

export const documentOptions = ['FrontSide', 'NoDocument', 'FrontAndBack'] as const;
export const livenessActions = [
  'HeadLeft',
  'HeadRight',
  'HeadUp',
  'HeadDown',
  'MoveTowardsCamera',
  'MoveAwayFromCamera',
  'FollowText',
  'BlinkEyes',
  'Smile',
] as const;
export const actionChoices = ['Random', ...livenessActions] as const;
/** `fraud` is not in the v3 docs' list, but a public API test of ZignSec's test environment sends it (201). */
export const analysisTypes = ['document', 'selfie', 'liveness', 'fraud'] as const;
export const sessionStatuses = [
  'Created',
  'ReadyToStart',
  'Pending',
  'Accepted',
  'Declined',
  'Failed',
  'Timeout',
  'Cancelled',
] as const;
export const analysisStatuses = ['NotRequested', 'Requested', 'Pending', 'Accepted', 'Declined', 'Failed', 'Cancelled'] as const;
/** Locales seen on ZignSec's liveness page; others are accepted and fall back to English in the UI. */
export const knownLocales = ['en', 'se', 'de', 'fr', 'gr', 'it', 'ru', 'es', 'cz', 'tr'] as const;

/**
 * An enum of the request bodies, read as ZignSec's .NET API reads enum names: without regard to letter
 * case ("frontside", "BLINKEYES"), and kept in its canonical spelling from then on. Anything else,
 * numbers included, is refused: ZignSec publishes the names, not the numbers behind them, so a number
 * that passed here could mean another value in production. The OpenAPI document lists the names.
 */
function enumByName<const T extends readonly [string, ...string[]]>(values: T): z.ZodType<T[number], T[number]> {
  const exact = new Set<string>(values);
  const byLowerCase = new Map<string, T[number]>(values.map((value) => [value.toLowerCase(), value]));
  const canonical = (input: unknown) => (typeof input !== 'string' || exact.has(input) ? input : (byLowerCase.get(input.toLowerCase()) ?? input));
  return z.preprocess(canonical, z.enum(values)).meta({
    type: 'string',
    enum: [...values],
    description: 'Read without regard to letter case, as ZignSec reads enum names; stored and answered in the spelling listed.',
  }) as unknown as z.ZodType<T[number], T[number]>;
}

export const DocumentOption = enumByName(documentOptions);
export const LivenessAction = enumByName(livenessActions);
export const ActionChoice = enumByName(actionChoices);
export const AnalysisType = enumByName(analysisTypes);
export const SessionStatus = z.enum(sessionStatuses);
export const AnalysisStatus = z.enum(analysisStatuses);

export type DocumentOption = z.infer<typeof DocumentOption>;
export type LivenessAction = z.infer<typeof LivenessAction>;
export type ActionChoice = z.infer<typeof ActionChoice>;
export type AnalysisType = z.infer<typeof AnalysisType>;
export type SessionStatus = z.infer<typeof SessionStatus>;
export type AnalysisStatus = z.infer<typeof AnalysisStatus>;

/**
 * Spelled as an absolute http(s) URL: the scheme, "//", and no whitespace, control characters or
 * backslashes anywhere. The WHATWG parser would quietly repair "http:/a.com", "http:\\a.com" or a
 * leading space; the receiving side might not, so such values are refused rather than rewritten.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern refuses
const httpUrlSpelling = /^https?:\/\/[^\s\\\x00-\x1f\x7f]+$/i;

/**
 * A host as the parser normalised it: DNS labels (IDNs arrive as xn--), an IPv4 address or a
 * bracketed IPv6 one. The parser lets `;`, `,`, quotes and the like through in host names
 * (`https://a.example;sandbox/`), which no real host has and which would break any header the
 * origin is copied into (the scan UI's CSP), so they are refused here.
 */
const dnsLabel = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const strictHost = new RegExp(`^(?:${dnsLabel}(?:\\.${dnsLabel})*\\.?|\\[[0-9a-f:.]+\\])$`);

/** `invalid`, `credentials` (an http(s) URL carrying user:password@), or `ok`. */
type UrlVerdict = 'invalid' | 'credentials' | 'ok';

function judgeUrl(value: string): UrlVerdict {
  if (value.length > 2048 || !httpUrlSpelling.test(value)) return 'invalid';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'invalid';
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname.length > 253 || !strictHost.test(url.hostname)) return 'invalid';
  return url.username !== '' || url.password !== '' ? 'credentials' : 'ok';
}

/**
 * Verdicts on URLs seen lately. An integration sends the same target, error, cancel and webhook URLs
 * with every session, and parsing them is a large share of validating a create request. Cleared
 * when full, so it stays small whatever callers send.
 */
const urlVerdicts = new Map<string, UrlVerdict>();
const URL_VERDICTS_MAX = 512;

function urlVerdict(value: string): UrlVerdict {
  let verdict = urlVerdicts.get(value);
  if (verdict === undefined) {
    verdict = judgeUrl(value);
    if (urlVerdicts.size >= URL_VERDICTS_MAX) urlVerdicts.clear();
    urlVerdicts.set(value, verdict);
  }
  return verdict;
}

/** An absolute http(s) URL with a real host (credentials allowed: see WebhookUrl and StylesheetUrl). */
export function isHttpUrl(value: string): boolean {
  return urlVerdict(value) !== 'invalid';
}

const hasCredentials = (value: string) => urlVerdict(value) === 'credentials';

/** An absolute http(s) URL. */
export const HttpUrl = z
  .string()
  .refine(isHttpUrl, { message: 'must be an absolute http or https URL' })
  .meta({ format: 'uri', example: 'https://merchant.example/zignsec/done' });

/** A branding stylesheet: browsers load no stylesheet whose URL carries credentials. */
export const StylesheetUrl = HttpUrl.refine((v) => !hasCredentials(v), {
  message: 'must not carry credentials (user:password@): browsers do not load such stylesheets',
}).meta({ format: 'uri', example: 'https://merchant.example/brand/zignsec.css' });

/** The merchant URLs: absolute http(s), or an empty string meaning "not given"; null is treated as absent. */
export const OptionalUrl = z
  .string()
  .refine((v) => v === '' || isHttpUrl(v), { message: 'must be an absolute http or https URL, or an empty string' })
  .nullish()
  .meta({ format: 'uri' });

/**
 * The webhook URL. Credentials in it (`http://user:pw@host/x`) are refused: ZignSec's .NET client
 * does not turn them into an Authorization header, so a receiver relying on them would never get a
 * delivery; receivers authenticate deliveries by their signature.
 */
export const WebhookUrl = z
  .string()
  .refine((v) => v === '' || isHttpUrl(v), { message: 'must be an absolute http or https URL, or an empty string' })
  .refine((v) => !hasCredentials(v), { message: 'must not carry credentials (user:password@): check the X-ZignSec-Hmac-SHA256 signature instead' })
  .nullish()
  .meta({ format: 'uri' });

export const Locale = z
  .string()
  .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/, { message: 'must be a language code such as en or se' })
  .nullish();

export const ErrorEntry = z.object({ code: z.string(), description: z.string() });
export const ErrorBody = z
  .object({ errors: z.array(ErrorEntry).min(1) })
  .meta({ id: 'ErrorBody', example: { errors: [{ code: 'INVALID_REQUEST', description: 'options is required' }] } });

/** The standard error responses every public route can give. */
export const publicErrorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
  503: ErrorBody,
} as const;

/** The create routes also refuse bodies: too large (413) or not JSON (415). */
export const createErrorResponses = { ...publicErrorResponses, 413: ErrorBody, 415: ErrorBody } as const;
