// A typed client of the emulator's control API (/__mock): outcomes, sessions, journal, faults, clock,
// webhooks, merchants and the wire details. Types are inferred from the zod contracts the routes validate with.
// Conventions: a response wrapping a single list is unwrapped (`faults.list()` is the array), a count or
// `removed` is returned as a number, 204 answers resolve to undefined, and any other non-2xx status
// throws an AdminApiError carrying the status and the API's `errors` array.
import type { z } from 'zod';
import { HttpApiError, jsonOf, sendCall, type ErrorFactory, type JsonCall } from './api-client.js';
import type { SessionStatus } from './schemas/common.js';
import type {
  ChaosRule,
  ChaosRuleInput,
  AdvanceResult as AdvanceResultSchema,
  ClockState as ClockStateSchema,
  DeliveryListQuery,
  DeliveryView,
  OutcomeQueue as OutcomeQueueSchema,
  ReadyState as ReadyStateSchema,
  FaultRule,
  FaultRuleInput,
  JournalEntryView,
  JournalQuery,
  OutcomeSummary as OutcomeSummarySchema,
  SessionListQuery,
  SessionView as SessionViewSchema,
  WireDetails as WireDetailsSchema,
} from './schemas/control.js';
import type { MerchantSettings, MerchantsFile, WebhookChaos } from './schemas/fixtures.js';

export type OutcomeSummary = z.infer<typeof OutcomeSummarySchema>;
export type WebhookDelivery = z.infer<typeof DeliveryView>;
/** A session as the control API shows it, with its deliveries and result. */
export type SessionView = z.infer<typeof SessionViewSchema>;
export type SessionFilter = Partial<z.output<typeof SessionListQuery>>;
export type JournalFilter = Partial<z.output<typeof JournalQuery>>;
export type JournalEntry = z.infer<typeof JournalEntryView>;
export type FaultRuleRequest = z.input<typeof FaultRuleInput>;
export type { FaultRule, MerchantSettings, MerchantsFile, WebhookChaos, ChaosRule };
export type MerchantSettingsInput = z.input<typeof MerchantSettings>;
export type ClockState = z.infer<typeof ClockStateSchema>;
/** The clock after an advance, with what ran in the window. */
export type ClockAdvanced = z.infer<typeof AdvanceResultSchema>;
export type WireDetails = z.infer<typeof WireDetailsSchema>;
export type WebhookDeliveryStatus = WebhookDelivery['status'];
/** Which deliveries, in which order, which page (see GET /__mock/webhooks). */
export type WebhookDeliveryFilter = Partial<z.output<typeof DeliveryListQuery>>;
/** Chaos for one session, or for the next `next` deliveries of an API key (null or absent: until cleared). */
export type WebhookChaosRequest = z.input<typeof ChaosRuleInput>;
export type OutcomeQueue = z.infer<typeof OutcomeQueueSchema>;
export type ReadyState = z.infer<typeof ReadyStateSchema>;

/** A non-2xx answer of the control API. */
export class AdminApiError extends HttpApiError {
  override name = 'AdminApiError';
}

export interface AdminClientOptions {
  /** Sent as X-Mock-Admin-Token; needed when the emulator runs with MOCK_ADMIN_TOKEN. */
  adminToken?: string;
  /** A fetch implementation (defaults to the global fetch). */
  fetch?: typeof fetch;
}

const id = encodeURIComponent;

/** Whose clock: an API key, `{ api_key }`, or `{ session_id }` (the clock of the key that owns that session). */
export type ClockScope = string | { api_key: string } | { session_id: string };
const scopeOf = (scope: ClockScope | undefined): { api_key?: string; session_id?: string } => (typeof scope === 'string' ? { api_key: scope } : { ...scope });
const scopeBody = (scope: ClockScope | undefined) => (scope === undefined ? undefined : scopeOf(scope));

/** A client of the control API of the emulator at `baseUrl` (for example http://127.0.0.1:8080). */
export function createAdminClient(baseUrl: string, options: AdminClientOptions = {}) {
  const fetchImpl = options.fetch ?? fetch;
  const auth: Record<string, string> = options.adminToken ? { 'x-mock-admin-token': options.adminToken } : {};
  const fail: ErrorFactory = (status, errors, call) => new AdminApiError(status, errors, call.method, call.path);
  const send = (call: JsonCall) => sendCall(fetchImpl, baseUrl, { ...call, headers: { ...auth, ...call.headers } }, fail);
  const call = async <T>(request: JsonCall): Promise<T> => jsonOf<T>(await send(request));
  const get = <T>(path: string, query?: JsonCall['query']) => call<T>({ method: 'GET', path, query });
  const post = <T>(path: string, body?: unknown) => call<T>({ method: 'POST', path, body });
  const del = <T>(path: string, query?: JsonCall['query']) => call<T>({ method: 'DELETE', path, query });

  return {
    /** GET /ready: the emulator is up with its fixtures loaded. */
    ready: () => get<ReadyState>('/ready'),

    /** The inferred wire details in effect: redirect parameter names, create statuses, error codes, retry spacing. */
    wire: () => get<WireDetails>('/__mock/wire'),

    outcomes: {
      /** The outcome catalogue: built-in presets and those from OUTCOMES_DIR. */
      list: async () => (await get<{ outcomes: OutcomeSummary[] }>('/__mock/outcomes')).outcomes,
      /** Queues outcomes for the next sessions created with `apiKey`, in order; returns the whole queue. */
      queue: (apiKey: string, outcomes: string[]) => post<OutcomeQueue>('/__mock/outcomes/queue', { api_key: apiKey, outcomes }),
      /** What is still queued for `apiKey`, the next session's outcome first. */
      queued: async (apiKey: string) => (await get<OutcomeQueue>('/__mock/outcomes/queue', { api_key: apiKey })).queued,
      /** Empties the queue of `apiKey`; returns how many outcomes went. */
      clearQueue: async (apiKey: string) => (await del<{ removed: number }>('/__mock/outcomes/queue', { api_key: apiKey })).removed,
      /**
       * Removes the queued outcome at `index` (0 = the next session's). With `expected`, only when that
       * outcome still stands there (409 STATE_CHANGED otherwise); 404 when there is no such index.
       */
      removeQueued: (apiKey: string, index: number, expected?: string) =>
        del<OutcomeQueue>(`/__mock/outcomes/queue/${index}`, { api_key: apiKey, outcome: expected }),
      /** Moves the queued outcome at `from` to position `to` (same rules as removeQueued). */
      moveQueued: (apiKey: string, from: number, to: number, expected?: string) =>
        post<OutcomeQueue>('/__mock/outcomes/queue/move', { api_key: apiKey, from, to, outcome: expected }),
    },

    sessions: {
      /** Sessions, newest first, with the total before `limit`. */
      list: (filter: SessionFilter = {}) => get<{ sessions: SessionView[]; total: number }>('/__mock/sessions', filter),
      /** One session: outcome and why, timeline, documents, webhook deliveries and result. */
      get: (sessionId: string) => get<SessionView>(`/__mock/sessions/${id(sessionId)}`),
      /** Forgets one session. */
      delete: (sessionId: string) => del<undefined>(`/__mock/sessions/${id(sessionId)}`),
      /** Forgets every session, or one API key's namespace (its sessions, outcome queue and journal); returns how many sessions went. */
      reset: async (apiKey?: string) => (await del<{ removed: number }>('/__mock/sessions', { api_key: apiKey })).removed,
      /** Arms an outcome for an unfinished session (highest precedence). */
      armOutcome: (sessionId: string, outcome: string) => post<SessionView>(`/__mock/sessions/${id(sessionId)}/outcome`, { outcome }),
      /** Finishes the session now, without a browser, with its outcome or the one given. */
      complete: (sessionId: string, outcome?: string) => post<SessionView>(`/__mock/sessions/${id(sessionId)}/complete`, outcome === undefined ? undefined : { outcome }),
      /** The bytes of a captured or uploaded image (`documents[].id` of the session view). */
      document: async (sessionId: string, documentId: string) => {
        const response = await send({ method: 'GET', path: `/__mock/sessions/${id(sessionId)}/documents/${id(documentId)}` });
        return { contentType: response.headers.get('content-type') ?? '', bytes: Buffer.from(await response.arrayBuffer()) };
      },
    },

    journal: {
      /** Recorded public API requests, oldest first (filters combine; `path` is a glob), with the total before `limit`. */
      find: (filter: JournalFilter = {}) => get<{ requests: JournalEntry[]; total: number }>('/__mock/journal', filter),
      /** How many recorded requests match: "was it called N times". */
      count: async (filter: Omit<JournalFilter, 'limit'> = {}) => (await get<{ count: number }>('/__mock/journal/count', filter)).count,
      /** Clears the journal, or one API key's entries; returns how many went. */
      clear: async (apiKey?: string) => (await del<{ removed: number }>('/__mock/journal', { api_key: apiKey })).removed,
    },

    faults: {
      /** Adds a fault rule on the public API (first matching rule wins; `times` defaults to 1). */
      add: (rule: FaultRuleRequest) => post<FaultRule>('/__mock/faults', rule),
      /** Every rule in the order they are matched, or only the rules created with `apiKey`. */
      list: async (apiKey?: string) => (await get<{ faults: FaultRule[] }>('/__mock/faults', { api_key: apiKey })).faults,
      /** Removes one rule; with `apiKey`, only a rule of that key (404 otherwise). */
      remove: (faultId: string, apiKey?: string) => del<undefined>(`/__mock/faults/${id(faultId)}`, { api_key: apiKey }),
      /** Removes every rule, or every rule of `apiKey`; returns how many went. */
      clear: async (apiKey?: string) => (await del<{ removed: number }>('/__mock/faults', { api_key: apiKey })).removed,
    },

    /**
     * The virtual clocks. Each call takes an optional scope: an API key (or `{ session_id }`, the key
     * that owns that session) for that key's own clock; without one, the global clock, which every key
     * that never moved its own follows.
     */
    clock: {
      /** The clock's time, whether it is frozen, and (a key's) whether the key has a clock of its own. */
      get: (scope?: ClockScope) => get<ClockState>('/__mock/clock', scopeOf(scope)),
      /** Moves the clock forward by milliseconds or a duration such as '90s', '30m', '48h'; the window's due work has run when it resolves. */
      advance: (by: number | string, scope?: ClockScope) =>
        post<ClockAdvanced>('/__mock/clock/advance', { ...(typeof by === 'number' ? { ms: by } : { duration: by }), ...scopeOf(scope) }),
      freeze: (scope?: ClockScope) => post<ClockState>('/__mock/clock/freeze', scopeBody(scope)),
      unfreeze: (scope?: ClockScope) => post<ClockState>('/__mock/clock/unfreeze', scopeBody(scope)),
      /** The global clock back to real time; a key's clock back on the global clock. */
      reset: (scope?: ClockScope) => post<ClockState>('/__mock/clock/reset', scopeBody(scope)),
    },

    webhooks: {
      /** Deliveries with every attempt, oldest first unless `order: 'newest'`. */
      list: async (filter: WebhookDeliveryFilter = {}) => (await get<{ deliveries: WebhookDelivery[] }>('/__mock/webhooks', filter)).deliveries,
      /** A page of deliveries (`offset`, `limit`) with how many match in all. */
      find: (filter: WebhookDeliveryFilter = {}) => get<{ deliveries: WebhookDelivery[]; total: number }>('/__mock/webhooks', filter),
      get: (deliveryId: string) => get<WebhookDelivery>(`/__mock/webhooks/${id(deliveryId)}`),
      /** Sends a delivery again now, with the same id and body; with `apiKey`, only a delivery of that key (404 otherwise). */
      redeliver: (deliveryId: string, apiKey?: string) =>
        call<WebhookDelivery>({ method: 'POST', path: `/__mock/webhooks/${id(deliveryId)}/redeliver`, query: { api_key: apiKey } }),
      /**
       * Waits (server-side long poll, no sleeping) until a delivery of the session has succeeded, optionally
       * one carrying `status`. Rejects with AdminApiError 408 WAIT_TIMEOUT after `timeout_ms` (default 10 s).
       */
      wait: (sessionId: string, options: { status?: SessionStatus; timeout_ms?: number } = {}) =>
        get<WebhookDelivery>('/__mock/webhooks/wait', { session_id: sessionId, ...options }),
      /** Breaks deliveries on purpose: drop, delay, duplicate, reorder, sign wrongly, stale timestamps. */
      chaos: (rule: WebhookChaosRequest) => post<ChaosRule>('/__mock/webhooks/chaos', rule),
      /** Active chaos rules, or one key's (its next-N rules and its sessions' rules). */
      listChaos: async (apiKey?: string) => (await get<{ rules: ChaosRule[] }>('/__mock/webhooks/chaos', { api_key: apiKey })).rules,
      /** Removes one chaos rule; with `apiKey`, only a rule of that key (404 otherwise). */
      removeChaos: (ruleId: string, apiKey?: string) => del<undefined>(`/__mock/webhooks/chaos/${id(ruleId)}`, { api_key: apiKey }),
      /** Removes every chaos rule, or one key's; returns how many went. */
      clearChaos: async (apiKey?: string) => (await del<{ removed: number }>('/__mock/webhooks/chaos', { api_key: apiKey })).removed,
    },

    merchants: {
      /** A key's effective settings (404 for an unknown key in AUTH_MODE=strict). */
      get: (apiKey: string) => get<MerchantSettings>(`/__mock/merchants/${id(apiKey)}`),
      /** Replaces a key's settings for new sessions (same schema as the merchants file). */
      put: (apiKey: string, settings: MerchantSettingsInput) => call<MerchantSettings>({ method: 'PUT', path: `/__mock/merchants/${id(apiKey)}`, body: settings }),
      /** Forgets runtime changes for a key (back to the merchants file). */
      delete: (apiKey: string) => del<undefined>(`/__mock/merchants/${id(apiKey)}`),
      /** The merchants file as it stands now, runtime changes included. */
      export: () => get<MerchantsFile>('/__mock/merchants/export'),
    },
  };
}

export type AdminClient = ReturnType<typeof createAdminClient>;
