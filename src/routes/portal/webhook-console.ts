// The QA console's webhooks page: the signed-in key's deliveries across its sessions (filters, pages,
// attempts), redelivery, and webhook chaos for its next deliveries. It reads and acts through the
// same service methods and zod schemas as the control API (/__mock/webhooks), scoped to the key.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import { maskKey } from '../../http/auth.js';
import { ChaosRuleInput, DeliveryFilterQuery, deliveryStatuses, webhookEvents, type ChaosRule } from '../../schemas/control.js';
import type { Delivery } from '../../services/webhooks.js';
import {
  describeChaos,
  emptyChaosDraft,
  renderWebhooks,
  type ChaosDraft,
  type ChaosRuleItem,
  type ConsoleDelivery,
  type DeliveryFilters,
  type WebhooksNotice,
} from '../../ui/portal/webhooks.js';
import { fieldErrorsOf, postedForm, queryOf, typedNumber, type FieldErrors } from './console-forms.js';
import { portalSessionOf, sendPage, signedInView } from './signed-in.js';
import { deliveryItem as sessionPageDelivery, fingerprint } from './session-model.js';

const hide = { hide: true } as const;
export const DELIVERIES_PER_PAGE = 20;
const MAX_PAGE = 1_000_000;
const chaosFlags = ['duplicate', 'out_of_order', 'wrong_signature', 'stale_timestamp'] as const;
const chaosFields = ['next', 'drop_first', 'delay_ms', ...chaosFlags] as const;
const filterFields = ['session_id', 'status', 'event'] as const;

const filterLabels = { session_id: 'The session id', status: 'The delivery status', event: 'The event' };
const chaosLabels = { next: 'The number of deliveries', drop_first: 'Dropped attempts (drop_first)', delay_ms: 'The hold (delay_ms)' };

/** The list a page shows: its filters as typed, what they parse to (or their errors), and the page. */
interface ListState {
  typed: DeliveryFilters;
  filter: z.output<typeof DeliveryFilterQuery> | null;
  errors: FieldErrors;
  page: number;
  /** The same state as a query string, for the forms to come back to. */
  back: string;
}

function listStateOf(params: URLSearchParams): ListState {
  const typed: DeliveryFilters = { session_id: '', status: '', event: '' };
  for (const name of filterFields) typed[name] = (params.get(name) ?? '').slice(0, 200);
  const parsed = DeliveryFilterQuery.safeParse(Object.fromEntries(filterFields.filter((name) => typed[name].trim() !== '').map((name) => [name, typed[name]])));
  const pageNumber = Number(params.get('page') ?? '1');
  const page = Number.isInteger(pageNumber) && pageNumber >= 1 ? Math.min(pageNumber, MAX_PAGE) : 1;
  const back = new URLSearchParams();
  for (const name of filterFields) if (typed[name] !== '') back.set(name, typed[name]);
  if (page > 1) back.set('page', String(page));
  return {
    typed,
    filter: parsed.success ? parsed.data : null,
    errors: parsed.success ? {} : fieldErrorsOf(parsed.error, (path) => String(path[0]), filterLabels),
    page,
    back: back.toString(),
  };
}

/** Where an action sends the browser back to: the list as it was (a `back` that does not parse is dropped), with a notice. */
function backTo(form: URLSearchParams, notice: Record<string, string>): string {
  const state = listStateOf(new URLSearchParams(form.get('back') ?? ''));
  const query = new URLSearchParams(state.filter ? state.back : '');
  for (const [name, value] of Object.entries(notice)) query.set(name, value);
  return `/portal/webhooks?${query.toString()}`;
}

function chaosDraftOf(form: URLSearchParams): ChaosDraft {
  const text = (name: string) => (form.get(name) ?? '').slice(0, 40);
  const on = (name: string) => form.get(name) === 'on';
  return { next: text('next'), drop_first: text('drop_first'), delay_ms: text('delay_ms'), duplicate: on('duplicate'), out_of_order: on('out_of_order'), wrong_signature: on('wrong_signature'), stale_timestamp: on('stale_timestamp') };
}

/** The control API's chaos request for the key's next deliveries, from the form as typed. */
function chaosRequestOf(draft: ChaosDraft, apiKey: string): unknown {
  const chaos: Record<string, unknown> = {};
  for (const name of ['drop_first', 'delay_ms'] as const) if (draft[name].trim() !== '') chaos[name] = typedNumber(draft[name]);
  for (const name of chaosFlags) if (draft[name]) chaos[name] = true;
  return { api_key: apiKey, next: typedNumber(draft.next) ?? null, chaos };
}

export const webhookConsoleRoutes: FastifyPluginAsyncZod = async (app) => {
  const { webhooks, sessions, merchants } = app.emulator;

  const ownSessionHref = (apiKey: string, sessionId: string) => (sessions.ownerOf(sessionId) === apiKey ? `/portal/sessions/${sessionId}` : null);

  function ruleItem(apiKey: string, rule: ChaosRule): ChaosRuleItem {
    return {
      id: rule.id,
      scope: rule.session_id !== undefined ? 'session' : 'key',
      sessionId: rule.session_id ?? null,
      sessionHref: rule.session_id !== undefined ? ownSessionHref(apiKey, rule.session_id) : null,
      remaining: rule.remaining,
      effects: describeChaos(rule.chaos),
    };
  }

  function deliveryItem(apiKey: string, d: Delivery): ConsoleDelivery {
    return {
      ...sessionPageDelivery(d),
      sessionId: d.sessionId,
      sessionHref: ownSessionHref(apiKey, d.sessionId),
      chaos: Object.keys(d.chaos).length > 0 ? describeChaos(d.chaos) : null,
    };
  }

  /** The notice a 303 asked for, when what it names is the key's (a forged one shows nothing). */
  function noticeOf(apiKey: string, query: URLSearchParams): WebhooksNotice | null {
    const redelivered = query.get('redelivered');
    if (redelivered && webhooks.list({ apiKey }).some((d) => d.id === redelivered)) return { kind: 'redelivered', deliveryId: redelivered };
    const added = query.get('chaos_added');
    if (added && /^chaos-\d{1,12}$/.test(added)) {
      const rule = webhooks.listChaos(apiKey).find((r) => r.id === added);
      return { kind: 'chaos-added', ruleId: added, rule: rule ? ruleItem(apiKey, rule) : null };
    }
    const removed = query.get('chaos_removed');
    if (removed && /^chaos-\d{1,12}$/.test(removed)) return { kind: 'chaos-removed', ruleId: removed };
    const cleared = query.get('chaos_cleared');
    if (cleared && /^\d{1,7}$/.test(cleared)) return { kind: 'chaos-cleared', count: Number(cleared) };
    return null;
  }

  function webhooksPage(
    request: FastifyRequest,
    reply: FastifyReply,
    state: ListState,
    options: { notice?: WebhooksNotice | null; chaosDraft?: ChaosDraft; chaosErrors?: FieldErrors; status?: number } = {},
  ): FastifyReply {
    const { apiKey } = portalSessionOf(request);
    const settings = merchants.settingsFor(apiKey)!;
    const secret = merchants.webhookSecretFor(apiKey);
    const keyHasDeliveries = webhooks.list({ apiKey }).length > 0;
    let shown: Delivery[] | null = null;
    let total = 0;
    let page = state.page;
    let pages = 1;
    if (state.filter) {
      const filter = { apiKey, sessionId: state.filter.session_id, status: state.filter.status, event: state.filter.event };
      const pageOf = (n: number) => webhooks.select(filter, { order: 'newest', offset: (n - 1) * DELIVERIES_PER_PAGE, limit: DELIVERIES_PER_PAGE });
      let found = pageOf(page);
      pages = Math.max(1, Math.ceil(found.total / DELIVERIES_PER_PAGE));
      // Past the last page (the list shrank, or a hand-made URL): the last page.
      if (page > pages) found = pageOf((page = pages));
      total = found.total;
      shown = found.deliveries;
    }
    const rules = webhooks.listChaos(apiKey);
    // The first page follows new deliveries and what is left of the chaos rules; an older page holds
    // still unless a delivery on it is still owed. A refused form, shown at its POST address, holds
    // still too: following it would re-request that address with GET.
    const owed = (d: Delivery) => d.status === 'pending' || d.status === 'held' || d.inFlight;
    const live = request.method === 'GET' && state.filter !== null && (page === 1 || shown!.some(owed));
    return sendPage(
      reply,
      renderWebhooks({
        signedIn: signedInView(request),
        notice: options.notice ?? null,
        filters: state.typed,
        filterErrors: state.errors,
        back: state.filter ? state.back : '',
        statuses: deliveryStatuses,
        events: webhookEvents,
        deliveries: shown && shown.map((d) => deliveryItem(apiKey, d)),
        total,
        keyHasDeliveries,
        page,
        pages,
        perPage: DELIVERIES_PER_PAGE,
        live,
        fingerprint: fingerprint([
          total,
          keyHasDeliveries,
          (shown ?? []).map((d) => [d.id, d.status, d.inFlight, d.attempts.length, d.nextAttemptAt]),
          rules.map((r) => [r.id, r.remaining]),
        ]),
        rules: rules.map((rule) => ruleItem(apiKey, rule)),
        chaosDraft: options.chaosDraft ?? emptyChaosDraft,
        chaosErrors: options.chaosErrors ?? {},
        signing: {
          scheme: settings.webhook_signature,
          secret,
          maskedSecret: maskKey(secret),
          secretGenerated: settings.webhook_secret === null,
          format: settings.webhook_format,
          defaultWebhook: settings.webhook,
          intermediateEvents: settings.webhook_intermediate_events,
        },
      }),
      options.status ?? 200,
    );
  }

  app.get('/webhooks', { schema: hide }, async (request, reply) => {
    const query = queryOf(request);
    const state = listStateOf(query);
    return webhooksPage(request, reply, state, { notice: noticeOf(portalSessionOf(request).apiKey, query), status: state.filter ? 200 : 400 });
  });

  app.post('/webhooks/redeliver', { schema: hide }, async (request, reply) => {
    const form = postedForm(request, ['delivery_id', 'back']);
    const id = (form.get('delivery_id') ?? '').trim();
    if (id === '') throw new ApiError('INVALID_REQUEST', 'Choose a delivery to send again.');
    // The control API's redelivery, scoped to the key: another key's delivery is as unknown as a missing one.
    const delivery = webhooks.redeliver(id, portalSessionOf(request).apiKey);
    return reply.status(303).header('location', `${backTo(form, { redelivered: delivery.id })}#delivery-${delivery.id}`).send();
  });

  app.post('/webhooks/chaos', { schema: hide }, async (request, reply) => {
    const form = postedForm(request, [...chaosFields, 'back']);
    const { apiKey } = portalSessionOf(request);
    const draft = chaosDraftOf(form);
    const parsed = ChaosRuleInput.safeParse(chaosRequestOf(draft, apiKey));
    if (!parsed.success) {
      const chaosErrors = fieldErrorsOf(parsed.error, (path) => (path[0] === 'chaos' ? (path.length > 1 ? String(path[1]) : 'chaos') : path[0] === 'next' ? 'next' : undefined), {
        ...chaosLabels,
        chaos: 'The rule',
      });
      return webhooksPage(request, reply, listStateOf(new URLSearchParams(form.get('back') ?? '')), { chaosDraft: draft, chaosErrors, status: 400 });
    }
    let rule: ChaosRule;
    try {
      rule = webhooks.addChaos(parsed.data);
    } catch (error) {
      // Refused by the service (a full set of rules): said on the form, which keeps what was typed.
      if (!(error instanceof ApiError)) throw error;
      const chaosErrors = { form: error.entries.map((entry) => entry.description).join(' ') };
      return webhooksPage(request, reply, listStateOf(new URLSearchParams(form.get('back') ?? '')), { chaosDraft: draft, chaosErrors, status: error.status });
    }
    return reply.status(303).header('location', `${backTo(form, { chaos_added: rule.id })}#chaos`).send();
  });

  app.post('/webhooks/chaos/remove', { schema: hide }, async (request, reply) => {
    const form = postedForm(request, ['rule_id', 'back']);
    const id = (form.get('rule_id') ?? '').trim().slice(0, 100);
    if (!webhooks.removeChaos(id, portalSessionOf(request).apiKey)) throw new ApiError('NOT_FOUND', `No chaos rule ${JSON.stringify(id)} among yours: it was used up or removed already.`);
    return reply.status(303).header('location', `${backTo(form, { chaos_removed: id })}#chaos`).send();
  });

  app.post('/webhooks/chaos/clear', { schema: hide }, async (request, reply) => {
    const form = postedForm(request, ['back']);
    const removed = webhooks.clearChaos(portalSessionOf(request).apiKey);
    return reply.status(303).header('location', `${backTo(form, { chaos_cleared: String(removed) })}#chaos`).send();
  });
};
