// Contracts of the data files in fixtures/ (merchants, outcome presets, result template).
// A file that does not match fails startup with its name and the offending field.
import { z } from 'zod';
import { AnalysisStatus, DocumentOption, LivenessAction, StylesheetUrl, WebhookUrl } from './common.js';

/**
 * What goes in X-ZignSec-Hmac-SHA256. `legacy`: the lowercase hex HMAC-SHA256 of the raw body, keyed
 * with the API key (ZignSec's API docs). `timestamped`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`, keyed with the merchant's webhook secret (ZignSec's webhook guide).
 */
export const webhookSignatureSchemes = ['legacy', 'timestamped'] as const;
/** The webhook body: the result object (ZignSec's API docs), or the event envelope of its webhook guide. */
export const webhookFormats = ['result', 'event'] as const;
/** The list this setting replaced; still read from merchants files and the control API. */
const legacySignatureLists = ['zignsec-hmac', 'timestamped', 'standard-webhooks'] as const;

/**
 * A `webhook_signatures` list as the scheme it now means: the header kept its legacy value whenever
 * the list had `zignsec-hmac`; `timestamped` alone moves into that header (keyed with the webhook
 * secret). `standard-webhooks` is no longer sent (ZignSec sends no such headers).
 */
function schemeOfLegacyList(list: readonly (typeof legacySignatureLists)[number][]): (typeof webhookSignatureSchemes)[number] {
  return list.includes('timestamped') && !list.includes('zignsec-hmac') ? 'timestamped' : 'legacy';
}

/** Ways to break webhook delivery on purpose (per merchant, per session, or for a key's next deliveries). */
export const WebhookChaos = z
  .object({
    /** Hold each delivery this long (domain time) before its first attempt. */
    delay_ms: z.number().int().min(0).max(86_400_000).optional(),
    /** Fail this many attempts on the emulator's side before really sending. */
    drop_first: z.number().int().min(0).max(100).optional(),
    /** Send each successful delivery twice, with the same delivery id. */
    duplicate: z.boolean().optional(),
    /** Hold intermediate events until the final one has been delivered, then send them newest first. */
    out_of_order: z.boolean().optional(),
    /** Sign with the wrong key. */
    wrong_signature: z.boolean().optional(),
    /** Put a timestamp 10 minutes in the past in the timestamped schemes. */
    stale_timestamp: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'WebhookChaos' });
export type WebhookChaos = z.infer<typeof WebhookChaos>;

export const MerchantSettings = z
  .object({
    name: z.string().min(1).max(200).default('Merchant'),
    options: DocumentOption.default('FrontSide'),
    available_actions: z.array(LivenessAction).default([]),
    webhook: WebhookUrl.transform((v) => v ?? ''),
    locale: z.string().default('en'),
    css: z.array(StylesheetUrl).default([]),
    mobile_flow: z.boolean().default(true),
    default_outcome: z.string().nullish().transform((v) => v ?? null),
    /** What X-ZignSec-Hmac-SHA256 carries (see webhookSignatureSchemes); legacy when neither this nor webhook_signatures is set. */
    webhook_signature: z.enum(webhookSignatureSchemes).optional(),
    /** Replaced by webhook_signature (see schemeOfLegacyList); read for merchants files written before it. */
    webhook_signatures: z.array(z.enum(legacySignatureLists)).min(1).optional(),
    /** The key of the timestamped scheme; unset: one generated per API key, stable while the emulator runs. */
    webhook_secret: z.string().min(1).max(256).nullish().transform((v) => v ?? null),
    webhook_format: z.enum(webhookFormats).default('result'),
    /** Also deliver intermediate status changes (Created, Pending), not only the final status. */
    webhook_intermediate_events: z.boolean().default(false),
    webhook_chaos: WebhookChaos.nullish().transform((v) => v ?? null),
  })
  .strict()
  .transform(({ webhook_signatures, webhook_signature, ...settings }) => ({
    ...settings,
    webhook_signature: webhook_signature ?? (webhook_signatures ? schemeOfLegacyList(webhook_signatures) : 'legacy'),
  }));
export type MerchantSettings = z.infer<typeof MerchantSettings>;

export const MerchantsFile = z
  .object({
    $comment: z.string().optional(),
    /** Settings for keys that are not listed (AUTH_MODE=any). */
    default: MerchantSettings.default(MerchantSettings.parse({})),
    /** Known merchants by API key; the only keys accepted in AUTH_MODE=strict. */
    merchants: z.record(z.string().min(1), MerchantSettings).default({}),
  })
  .strict();
export type MerchantsFile = z.infer<typeof MerchantsFile>;

export const terminalStatuses = ['Accepted', 'Declined', 'Failed', 'Cancelled', 'Timeout'] as const;
type TerminalStatus = (typeof terminalStatuses)[number];

/**
 * The fraud analysis of a preset that does not name one (presets written before it existed): it
 * ends the way the session ends when that is a cancel, a timeout or a failure, and passes otherwise.
 */
function defaultFraudStatus(sessionStatus: TerminalStatus): AnalysisStatus {
  if (sessionStatus === 'Cancelled' || sessionStatus === 'Timeout') return 'Cancelled';
  return sessionStatus === 'Failed' ? 'Failed' : 'Accepted';
}

/**
 * From this analysis duration on, a preset that does not say otherwise (`api_flow_waits`) is about
 * time, and the scanning-sessions API flow waits for it too. Shorter durations only pace the hosted
 * scan UI's Analyzing step (the built-in presets use 1.5 s).
 */
const ABOUT_TIME_MS = 10_000;

export const OutcomePreset = z
  .object({
    $comment: z.string().optional(),
    name: z.string().regex(/^[a-z0-9_-]{1,60}$/, { message: 'must be lowercase letters, digits, _ or -' }),
    description: z.string().min(1),
    session_status: z.enum(terminalStatuses),
    /** Statuses given to the analyses the session requested; the others stay NotRequested. */
    analyses: z.object({ document: AnalysisStatus, liveness: AnalysisStatus, face_match: AnalysisStatus, fraud: AnalysisStatus.optional() }).strict(),
    redirect: z.enum(['target', 'target_error', 'cancel_url']),
    analysis_duration_ms: z.number().int().min(0).max(86_400_000).default(1500),
    /**
     * Whether the scanning-sessions API flow (POST …/analyses, …/ui/analyses) waits analysis_duration_ms
     * too, answering Pending first. When false, that flow decides the analysis before the start call
     * answers, so a client that reads the result once, right away, reads it final. The hosted scan UI
     * always waits. Unset: true from ABOUT_TIME_MS on.
     */
    api_flow_waits: z.boolean().optional(),
    /** The session is never finished by the analysis: it stays Pending until SESSION_TTL (abandoned). */
    never_finishes: z.boolean().default(false),
    identity: z.enum(['generated', 'none']).default('generated'),
    document_expiry: z.enum(['valid', 'expired']).default('valid'),
    /** Document fields reported as failing; the ones in the session's doc.ignore_errors_in_fields are forgiven. */
    failed_document_fields: z.array(z.string()).default([]),
    scores: z
      .object({ document: z.number().min(0).max(1), liveness: z.number().min(0).max(1), face_match: z.number().min(0).max(1), fraud: z.number().min(0).max(1) })
      .partial()
      .strict()
      .default({}),
    reason: z.string().nullish().transform((v) => v ?? null),
    errors: z.array(z.object({ code: z.string(), description: z.string() }).strict()).default([]),
  })
  .strict()
  .transform((preset) => ({
    ...preset,
    analyses: { ...preset.analyses, fraud: preset.analyses.fraud ?? defaultFraudStatus(preset.session_status) },
    api_flow_waits: preset.api_flow_waits ?? preset.analysis_duration_ms >= ABOUT_TIME_MS,
  }));
export type OutcomePreset = z.infer<typeof OutcomePreset>;
