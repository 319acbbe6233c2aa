// Contracts of the control API (/__mock/...): sessions, outcomes, journal, faults, clock.
// A message of a check of its own is a predicate: the error names what it is about in front of it
// ("the body must give exactly one of ms or duration", "action.max_ms must be at least ms").
import { z } from 'zod';
import { MAX_GLOB_CHARS, unmatchableUnder } from '../core/glob.js';
import { guidPattern } from '../core/ids.js';
import { MAX_QUEUED_OUTCOMES } from '../services/outcome-queues.js';
import { AnalysisStatus, ErrorBody, SessionStatus } from './common.js';
import { WebhookChaos } from './fixtures.js';
import { SessionResult } from './public.js';

export const ControlErrorResponses = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/**
 * What any control route can answer whatever it does: a malformed request (400), a missing admin
 * token (401), an emulator bug (500), shutdown (503). Every control route declares them.
 */
export const controlRouteErrorResponses = { 400: ErrorBody, 401: ErrorBody, 500: ErrorBody, 503: ErrorBody };

export const OutcomeSummary = z
  .object({
    name: z.string(),
    description: z.string(),
    source: z.enum(['built-in', 'custom']),
    session_status: SessionStatus,
    analyses: z.object({ document: AnalysisStatus, liveness: AnalysisStatus, face_match: AnalysisStatus, fraud: AnalysisStatus }),
    redirect: z.enum(['target', 'target_error', 'cancel_url']),
    analysis_duration_ms: z.number(),
    api_flow_waits: z.boolean().meta({ description: 'The scanning-sessions API flow answers Pending first and waits analysis_duration_ms (otherwise it decides before the start call answers)' }),
    never_finishes: z.boolean(),
    failed_document_fields: z.array(z.string()),
    reason: z.string().nullable(),
  })
  .meta({ id: 'OutcomeSummary' });

export const OutcomeName = z.string().min(1).max(60);

export const SessionListQuery = z.object({
  api_key: z.string().optional().meta({ description: 'Only sessions created with this API key' }),
  status: SessionStatus.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const SessionView = z
  .object({
    id: z.string(),
    api_key: z.string().meta({ description: 'Masked' }),
    flow: z.enum(['liveness', 'scanning', 'scanningsession']),
    status: SessionStatus,
    created: z.string(),
    updated: z.string(),
    finished: z.string().nullable(),
    expires: z.string(),
    relay_state: z.string(),
    chosen_action: z.string().nullable(),
    outcome: z.object({ name: z.string(), rule: z.string(), description: z.string() }),
    request: z.unknown(),
    settings: z.record(z.string(), z.unknown()),
    analyses: z.object({ document: AnalysisStatus, liveness: AnalysisStatus, face_match: AnalysisStatus, fraud: AnalysisStatus }),
    timeline: z.array(z.object({ at: z.string(), status: SessionStatus, event: z.string() })),
    documents: z.array(
      z.object({ id: z.string(), document_type: z.string(), reference: z.string().nullable(), content_type: z.string(), size: z.number(), uploaded: z.string(), url: z.string() }),
    ),
    link: z.object({ expires: z.string(), used: z.string().nullable() }).nullable(),
    // Getters: both schemas are declared further down (DeliveryView) or in another module (SessionResult).
    get webhooks() {
      return z.array(DeliveryView);
    },
    get result() {
      return SessionResult;
    },
  })
  .meta({ id: 'SessionView' });

export const SessionIdParam = z.object({ id: z.string().max(100) });

export const ArmBody = z.object({ outcome: OutcomeName }).meta({ id: 'ArmOutcome', example: { outcome: 'face_mismatch' } });
export const CompleteBody = z
  .object({ outcome: OutcomeName.optional() })
  .nullish()
  .meta({ id: 'CompleteSession', example: { outcome: 'document_expired' } });
const QueueOwner = z.string().min(1).max(512);
export const QueueBody = z
  .object({ api_key: QueueOwner, outcomes: z.array(OutcomeName).min(1).max(MAX_QUEUED_OUTCOMES) })
  .meta({ id: 'QueueOutcomes', example: { api_key: 'my-test-key', outcomes: ['liveness_failed', 'approved'] } });
export const QueueOwnerQuery = z.object({ api_key: QueueOwner });
const QueueIndex = z.number().int().min(0).max(MAX_QUEUED_OUTCOMES);
const ExpectedOutcome = OutcomeName.optional().meta({
  description: 'The outcome the caller saw at that index: when another stands there now (a session took the front entry meanwhile), nothing is done (409 STATE_CHANGED)',
});
export const QueueEntryParams = z.object({
  index: z
    .string()
    .regex(/^\d{1,4}$/, { message: 'must be a position in the queue: a whole number from 0' })
    .transform(Number)
    .meta({ description: 'Position in the queue, from 0 (the next session)' }),
});
export const QueueEntryQuery = QueueOwnerQuery.extend({ outcome: ExpectedOutcome });
export const QueueMoveBody = z
  .object({ api_key: QueueOwner, from: QueueIndex, to: QueueIndex, outcome: ExpectedOutcome })
  .meta({ id: 'MoveQueuedOutcome', example: { api_key: 'my-test-key', from: 2, to: 0, outcome: 'face_mismatch' } });
export const ResetQuery = z.object({ api_key: z.string().optional() });

/** A path glob: matched in linear time (src/core/glob.ts), and bounded so each match costs little. */
const PathGlob = z
  .string()
  .max(MAX_GLOB_CHARS, { message: `must be a glob of at most ${MAX_GLOB_CHARS} characters` })
  .meta({ description: `Glob: * within a segment, ** across segments, letter case ignored; at most ${MAX_GLOB_CHARS} characters` });

/** The methods a journal entry can have: the public API's, and what browsers and link checkers send. */
export const journalMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const httpStatusMessage = { error: 'must be an HTTP status, a whole number from 100 to 599' };

/** The journal's filters, one schema for the control API and the portal's journal page. */
export const JournalFilterQuery = z.object({
  method: z
    .string()
    .toUpperCase()
    .refine((method) => (journalMethods as readonly string[]).includes(method), { message: `must be one of ${journalMethods.join(', ')}` })
    .optional(),
  // Every recorded path starts with "/": a glob that starts with anything but "/" or a star matches nothing.
  path: PathGlob.refine((glob) => glob.startsWith('/') || glob.startsWith('*'), { message: 'must start with / (request paths do), or with *' }).optional(),
  status: z.coerce.number(httpStatusMessage).int(httpStatusMessage).min(100, httpStatusMessage).max(599, httpStatusMessage).optional(),
});

export const JournalQuery = JournalFilterQuery.extend({
  api_key: z.string().optional().meta({ description: 'Requests sent with this key in Authorization' }),
  owner: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "Requests that belong to this key: sent with it, or let into one of its sessions by the scan UI's link or cookie (what the portal's journal shows)" }),
  session_id: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
});

export const JournalEntryView = z
  .object({
    id: z.number(),
    at: z.string(),
    method: z.string(),
    path: z.string(),
    query: z.record(z.string(), z.string()),
    headers: z.record(z.string(), z.string()),
    body: z.unknown(),
    status: z.number(),
    response_body: z.unknown(),
    duration_ms: z.number(),
    session_id: z.string().nullable(),
  })
  .meta({ id: 'JournalEntry' });

const FaultAction = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('error'),
    status: z.number().int().min(400).max(599).default(503),
    code: z.string().min(1).max(200).default('Internal Exception'),
    description: z.string().max(1000).default('Injected fault: the service is unavailable.'),
  }),
  z
    .object({ type: z.literal('latency'), ms: z.number().int().min(0).max(120_000), max_ms: z.number().int().min(0).max(120_000).optional() })
    .refine((a) => a.max_ms === undefined || a.max_ms >= a.ms, { message: 'must be at least ms', path: ['max_ms'] }),
  z.object({ type: z.literal('reset') }),
  z.object({ type: z.literal('malformed') }),
  z.object({ type: z.literal('truncated') }),
  z.object({ type: z.literal('rate_limit'), retry_after_s: z.number().int().min(0).max(86_400).default(30) }),
]);

/** Fault rules see the public API only: paths under this prefix. */
export const FAULTABLE_PATH_PREFIX = '/v3/';

/** Why a fault rule's path glob can never match a request, or undefined. */
function faultPathProblem(glob: string): string | undefined {
  if (!glob.startsWith('/')) return 'must be a path glob starting with /';
  const unmatchable = unmatchableUnder(glob, FAULTABLE_PATH_PREFIX);
  if (unmatchable === 'character') return 'can never match: it holds a character no request path has (a space, ?, # or a letter outside ASCII; the query is not part of the path)';
  if (unmatchable === 'prefix') return `can never match: fault rules see only the public API, whose paths start with ${FAULTABLE_PATH_PREFIX}`;
  return undefined;
}

export const FaultRuleInput = z
  .object({
    method: z
      .string()
      .default('*')
      .transform((m) => m.toUpperCase())
      .refine((m) => ['*', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m), { message: 'must be *, GET, POST, PUT, PATCH or DELETE' }),
    path: PathGlob.superRefine((glob, ctx) => {
      const problem = faultPathProblem(glob);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }).default('/v3/**'),
    api_key: z.string().min(1).max(512).optional(),
    action: FaultAction,
    /** How many matching calls the rule answers; null = until removed ("fail the next N calls then succeed" is times: N). */
    times: z.number().int().min(1).nullable().default(1),
  })
  .meta({
    id: 'FaultRuleRequest',
    example: { method: 'POST', path: '/v3/scanning/liveness', action: { type: 'error', status: 503 }, times: 2 },
  });
export type FaultRuleInput = z.infer<typeof FaultRuleInput>;
/** Whose fault rules: one API key's (rules created with that api_key), or every rule when absent. */
export const FaultOwnerQuery = z.object({
  api_key: z.string().min(1).max(512).optional().meta({ description: 'Only the rules created with this api_key (rules without one are left alone)' }),
});
/** A stored rule as the API shows it (response schemas carry no transforms: they describe what is sent). */
export const FaultRule = z
  .object({
    id: z.string(),
    created: z.string(),
    matched: z.number().int(),
    method: z.string(),
    path: z.string(),
    api_key: z.string().optional(),
    action: FaultAction,
    times: z.number().int().nullable(),
  })
  .meta({ id: 'FaultRule' });
export type FaultRule = z.infer<typeof FaultRule>;

/** Which clock a clock call is about: one API key's (by the key, or by a session of that key), or the global one. */
const clockScopeFields = {
  api_key: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .meta({ description: "That API key's clock (absent, with no session_id: the global clock)" }),
  session_id: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: "The clock of the API key that owns this session (for callers that know a session but not its key)" }),
};
const oneScope = (scope: { api_key?: string; session_id?: string } | null | undefined) => !scope || scope.api_key === undefined || scope.session_id === undefined;
const oneScopeMessage = { message: 'must give at most one of api_key or session_id' };

/** GET /__mock/clock: unknown parameters are refused, so that a misspelt scope never reads the global clock. */
export const ClockQuery = z.strictObject(clockScopeFields).refine(oneScope, oneScopeMessage);
/** freeze, unfreeze, reset: no body (the global clock), or the scope. */
export const ClockBody = z
  .strictObject(clockScopeFields)
  .refine(oneScope, oneScopeMessage)
  .nullish()
  .meta({ id: 'ClockScope', example: { api_key: 'my-ci-key' } });

export const ClockState = z
  .object({
    now: z.string(),
    now_ms: z.number(),
    frozen: z.boolean().meta({ description: "Time stands still: this clock is frozen (a key's own freeze, or the global clock's that the key follows)" }),
    offset_ms: z.number().meta({ description: 'How far this clock is from real time' }),
    api_key: z.string().optional().meta({ description: 'A key\'s clock: the key, masked' }),
    own_clock: z.boolean().optional().meta({ description: "A key's clock: false while the key follows the global clock (it never moved its own, or reset it)" }),
    offset_from_global_ms: z.number().optional().meta({ description: "A key's clock: how far it is from the global clock" }),
    keys_with_own_clock: z.number().int().optional().meta({ description: 'The global clock: how many API keys have a clock of their own (at most 1000)' }),
  })
  .meta({ id: 'ClockState' });
export const AdvanceResult = ClockState.extend({
  ran: z
    .object({ analyses_decided: z.number().int(), sessions_timed_out: z.number().int(), webhook_attempts: z.number().int() })
    .meta({ description: "What ran while the clock moved through the window (a key's advance: that key's work only)" }),
  due_instants: z.number().int().meta({ description: 'How many distinct instants the clock stopped at to run what was due' }),
  complete: z.boolean().meta({ description: 'False when the window was cut short (100,000 due instants, or 60 s of real time with work still due or still waiting for a receiver): the clock is at the target; what was due by then runs once as the window closes, at the target time, and what it schedules counts from there' }),
}).meta({ id: 'ClockAdvanced' });
export const AdvanceBody = z
  .strictObject({
    ms: z.number().int().min(0).optional(),
    duration: z.string().optional().meta({ description: 'e.g. 90s, 30m, 48h' }),
    ...clockScopeFields,
  })
  .refine((b) => (b.ms === undefined) !== (b.duration === undefined), { message: 'must give exactly one of ms or duration' })
  .refine(oneScope, oneScopeMessage)
  .meta({ id: 'AdvanceClock', example: { duration: '48h', api_key: 'my-ci-key' } });

export const deliveryStatuses = ['pending', 'held', 'succeeded', 'failed', 'stopped'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
/** What a delivery reports (see core/webhook-body.ts): the session was created, or changed later. */
export const webhookEvents = ['session_created', 'session_updated'] as const;

/** The delivery filters, one schema for the control API and the portal's webhooks page. */
export const DeliveryFilterQuery = z.object({
  session_id: z.string().trim().toLowerCase().regex(guidPattern, { message: 'must be a session id: a GUID such as 61652a58-0c4b-4a8e-9d3f-2b1c7e5a9f10' }).optional(),
  status: z.enum(deliveryStatuses).optional(),
  event: z.enum(webhookEvents).optional(),
});

export const DeliveryListQuery = DeliveryFilterQuery.extend({
  api_key: z.string().optional(),
  order: z.enum(['oldest', 'newest']).default('oldest'),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0).meta({ description: 'Matches to skip, in the chosen order' }),
  limit: z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'At most this many (default: all)' }),
});

/** `?api_key=`: act only on what belongs to this key; another key's id is answered as an unknown one (404). */
export const KeyScopeQuery = z.object({ api_key: z.string().min(1).optional() });

export const DeliveryView = z
  .object({
    id: z.string(),
    session_id: z.string(),
    url: z.string(),
    event: z.string(),
    session_status: SessionStatus,
    status: z.enum(deliveryStatuses),
    in_flight: z.boolean(),
    created: z.string(),
    next_attempt: z.string().nullable(),
    body: z.string().meta({ description: 'The exact bytes sent (and signed)' }),
    chaos: WebhookChaos,
    attempts: z.array(
      z.object({
        number: z.number(),
        at: z.string(),
        url: z.string(),
        request_headers: z.record(z.string(), z.string()),
        status: z.number().nullable(),
        response_excerpt: z.string().nullable(),
        duration_ms: z.number(),
        error: z.string().nullable(),
        retry_after_ms: z.number().nullable().meta({ description: "The wait the receiver's Retry-After asked for, at most 86400000 (24 h); null when it asked none" }),
      }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });

export const ChaosRuleInput = z
  .object({
    session_id: z.string().optional(),
    api_key: z.string().min(1).optional(),
    next: z.number().int().min(1).nullish().meta({ description: 'With api_key: the next N deliveries (default: until cleared)' }),
    chaos: WebhookChaos,
  })
  .refine((r) => (r.session_id === undefined) !== (r.api_key === undefined), { message: 'must give exactly one of session_id or api_key' })
  // A rule with no effect would only use up deliveries: it is a mistake, not a request.
  .refine((r) => Object.keys(r.chaos).length > 0, { message: `must name at least one effect: ${Object.keys(WebhookChaos.shape).join(', ')}`, path: ['chaos'] })
  .meta({ id: 'WebhookChaosRule', example: { api_key: 'my-test-key', next: 1, chaos: { drop_first: 3 } } });
export const ChaosRuleView = z.object({ id: z.string(), session_id: z.string().optional(), api_key: z.string().optional(), remaining: z.number().nullable(), chaos: WebhookChaos });
/** A chaos rule as asked for: for one session, or for an API key's next `next` deliveries (null or absent: until removed). */
export type ChaosRuleRequest = z.output<typeof ChaosRuleInput>;
/** A stored chaos rule; `remaining`, for api_key rules, is how many more deliveries it applies to (null = until cleared). */
export type ChaosRule = z.infer<typeof ChaosRuleView>;

export const OutcomeQueue = z.object({ api_key: z.string(), queued: z.array(z.string()) }).meta({ id: 'OutcomeQueue' });
export const ReadyState = z
  .object({ status: z.literal('ready'), sessions: z.number().int(), outcomes: z.number().int(), merchants: z.number().int() })
  .meta({ id: 'Ready' });

/** GET /__mock/wire: the wire details in effect (fixtures/wire.json with WIRE_FILE laid over it). */
export const WireDetails = z
  .object({
    create_status: z.object({ liveness: z.number(), scanning: z.number(), scanningsessions: z.number() }),
    redirect: z.object({ relay_state_param: z.string(), session_id_param: z.string() }),
    errors: z.record(z.string(), z.object({ code: z.string(), status: z.number() })).meta({ description: "Wire code and status of each inferred error, by the emulator's name for it" }),
    webhook: z.object({
      retry_delays_ms: z.array(z.number()),
      extension_headers: z.object({ delivery_id: z.string().nullable(), event: z.string().nullable() }),
      event_envelope: z.record(z.string(), z.unknown()),
    }),
    scan_ui: z.object({
      document_type: z.string(),
      frame_message: z.object({
        target_origins: z.enum(['merchant_urls', 'any']),
        cancelled: z.object({ errorCode: z.string().nullable(), errorDetails: z.string().nullable() }),
      }),
    }),
  })
  .meta({ id: 'WireDetails' });
