// Contracts of the data files in fixtures/ (merchants, outcome presets, result template, wire details).
// A file that does not match fails startup with its name and the offending field.
import { z } from 'zod';
import { parseDuration } from '../config.js';
import { inferredErrorCodes } from '../http/error-catalogue.js';
import { finalStatuses, type FinalStatus } from '../core/vocabulary.js';
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


/**
 * The fraud analysis of a preset that does not name one (presets written before it existed): it
 * ends the way the session ends when that is a cancel, a timeout or a failure, and passes otherwise.
 */
function defaultFraudStatus(sessionStatus: FinalStatus): AnalysisStatus {
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
    session_status: z.enum(finalStatuses),
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

// ---- fixtures/wire.json: the wire details no ZignSec source settles ----

/** A success status of a create call. */
const CreateStatus = z.number().int().min(200).max(299);
/** A query parameter name that needs no percent-encoding. */
const QueryName = z.string().regex(/^[A-Za-z0-9_.~-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, _ . ~ or -' });
const WireErrorForm = z
  .object({
    code: z.string().regex(/^[A-Za-z][A-Za-z0-9_ .-]{0,99}$/, { message: 'must start with a letter and hold letters, digits, spaces, _ . or - (at most 100)' }),
    status: z.number().int().min(400).max(599),
  })
  .strict();
/** Headers a delivery carries for the receiver's sake, which an extension must never stand in for. */
const reservedHeaders = new Set(['x-zignsec-hmac-sha256', 'content-type', 'content-length', 'user-agent', 'host', 'transfer-encoding', 'connection']);
const ExtensionHeader = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, { message: 'must be an HTTP header name' })
  .refine((name) => !reservedHeaders.has(name.toLowerCase()), { message: 'must not be a header ZignSec or HTTP itself sends (X-ZignSec-Hmac-SHA256, Content-Type, ...)' })
  .nullable();
/** Longest retry gap accepted: a week, so a schedule cannot park a delivery for ever. */
const MAX_RETRY_GAP_MS = 7 * 86_400_000;
const RetryGap = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0 || ms > MAX_RETRY_GAP_MS) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration from 1ms to 7d, such as 90s, 15m or 1.5h' });
    return z.NEVER;
  }
  return ms;
});
const DocumentType = z.string().regex(/^[A-Za-z_]{1,40}$/, { message: 'must be a document type such as Passport or IdentityCard' });
const FrameMessageError = z.object({ errorCode: z.string().max(100).nullable(), errorDetails: z.string().max(500).nullable() }).strict();

const createStatusShape = { liveness: CreateStatus, scanning: CreateStatus, scanningsessions: CreateStatus };
const redirectShape = { relay_state_param: QueryName, session_id_param: QueryName };
const errorsShape = Object.fromEntries(inferredErrorCodes.map((code) => [code, WireErrorForm])) as Record<(typeof inferredErrorCodes)[number], typeof WireErrorForm>;
const extensionHeadersShape = { delivery_id: ExtensionHeader, event: ExtensionHeader };
const frameMessageShape = { target_origins: z.enum(['merchant_urls', 'any']), cancelled: FrameMessageError };
/** The webhook event envelope: a JSON template like the result template (placeholders in envelopeContext). */
const EnvelopeTemplate = z.record(z.string(), z.unknown());

/**
 * fixtures/wire.json: every wire detail of the emulator that no ZignSec source settles, as data, so
 * that learning the real value means changing this file, not the code. (The result object has a
 * template of its own, fixtures/result-template.json.)
 */
export const WireFile = z
  .object({
    $comment: z.string().optional(),
    /** HTTP status of a successful create call, per endpoint. */
    create_status: z.object(createStatusShape).strict(),
    /** Query parameters the scan UI appends to target / target_error / cancel_url. */
    redirect: z.object(redirectShape).strict().refine((r) => r.relay_state_param !== r.session_id_param, { message: 'the two parameter names must differ' }),
    /** Wire code and HTTP status of each inferred error, by the emulator's name for it. */
    errors: z.object(errorsShape).strict(),
    webhook: z
      .object({
        /** Gaps between attempts: after the first failure, the second, ...; the last repeats when WEBHOOK_MAX_ATTEMPTS asks for more. */
        retry_delays: z.array(RetryGap).min(1).max(99),
        /** The emulator's own delivery headers (null: not sent). */
        extension_headers: z
          .object(extensionHeadersShape)
          .strict()
          .refine((h) => !h.delivery_id || !h.event || h.delivery_id.toLowerCase() !== h.event.toLowerCase(), { message: 'the two header names must differ' }),
        event_envelope: EnvelopeTemplate,
      })
      .strict(),
    scan_ui: z
      .object({
        /** documentType of the result for sessions captured in the hosted scan UI (the API flow echoes the upload's). */
        document_type: DocumentType,
        /** The window.postMessage the scan UI sends its parent frame. */
        frame_message: z.object(frameMessageShape).strict(),
      })
      .strict(),
  })
  .strict();
export type WireFile = z.infer<typeof WireFile>;

/**
 * A WIRE_FILE of one's own: any part of fixtures/wire.json, laid over it (objects merged key by key,
 * lists and the envelope template replaced whole), so it names only what differs.
 */
export const WireOverrides = z
  .object({
    $comment: z.string().optional(),
    create_status: z.object(createStatusShape).partial().strict().optional(),
    redirect: z.object(redirectShape).partial().strict().optional(),
    errors: z
      .object(Object.fromEntries(inferredErrorCodes.map((code) => [code, WireErrorForm.partial().optional()])))
      .strict()
      .optional(),
    webhook: z
      .object({ retry_delays: z.array(z.string()).optional(), extension_headers: z.object(extensionHeadersShape).partial().strict().optional(), event_envelope: EnvelopeTemplate.optional() })
      .strict()
      .optional(),
    scan_ui: z.object({ document_type: z.string().optional(), frame_message: z.object(frameMessageShape).partial().strict().optional() }).strict().optional(),
  })
  .strict();
