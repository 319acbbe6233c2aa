// The QA console's "Next outcomes" page for the signed-in key: its outcome queue (add, move, remove,
// clear) and its default outcome. Each action is the control API's (POST/DELETE /__mock/outcomes/queue…,
// PUT /__mock/merchants/{key}): the same schemas and the same service calls, for this key only.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../http/error-catalogue.js';
import { QueueBody, QueueEntryQuery } from '../../schemas/control.js';
import { outcomeSummaryOf } from '../../services/fixtures.js';
import { MAX_QUEUED_OUTCOMES, type QueueChange } from '../../services/outcome-queues.js';
import type { FieldErrors } from '../../ui/portal/console-parts.js';
import { renderConsoleOutcomes, type OutcomesPageView } from '../../ui/portal/console-outcomes.js';
import { backWithNotice, fieldOf, NoticeQuery, numberOrText, plural, postedForm } from './console-forms.js';
import { portalSessionOf, sendPage, signedInView, type PortalContext } from './signed-in.js';
import { draftOf, validateDraft } from './settings-form.js';

const hide = { hide: true } as const;
const PAGE = '/portal/outcomes';
/** Sessions one "add" can queue an outcome for (the queue itself holds MAX_QUEUED_OUTCOMES). */
export const MAX_ADD_COUNT = 100;

type Refusal = { status: number; text: string };

/** Why a change at a queue position was refused, in the page's words (positions from 1). */
function queueRefusal(change: Exclude<QueueChange, { ok: true }>, entry: number, direction?: 'up' | 'down'): Refusal {
  if (change.problem === 'changed') {
    return {
      status: 409,
      text: `Entry ${change.index + 1} is now ${change.found}, not ${change.expected}: the queue changed since this page was shown (each new session takes the first entry). Nothing changed; here is the queue as it stands.`,
    };
  }
  if (change.index !== entry && direction) {
    return { status: 409, text: `That entry is already ${direction === 'up' ? 'first' : 'last'} in the queue. Nothing changed.` };
  }
  const held = change.length === 0 ? 'it is empty' : `it holds ${plural(change.length, 'entry', 'entries')}`;
  return { status: 404, text: `Your queue has no entry ${change.index + 1}: ${held}. Nothing changed.` };
}

export const outcomesConsoleRoutes =
  (context: PortalContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { sessions, fixtures, merchants } = app.emulator;

    function outcomesPage(request: FastifyRequest, reply: FastifyReply, overrides: Partial<OutcomesPageView> = {}, status = 200) {
      const { apiKey } = portalSessionOf(request);
      const current = merchants.settingsFor(apiKey)!.default_outcome;
      return sendPage(
        reply,
        renderConsoleOutcomes({
          signedIn: signedInView(request),
          queue: sessions.queuedFor(apiKey),
          maxQueue: MAX_QUEUED_OUTCOMES,
          maxAddCount: MAX_ADD_COUNT,
          catalogue: [...fixtures.outcomes.values()].map(outcomeSummaryOf),
          add: { outcome: '', count: '1' },
          addErrors: {},
          defaultOutcome: { current, draft: current ?? '' },
          defaultErrors: {},
          ...overrides,
        }),
        status,
      );
    }
    const refused = (request: FastifyRequest, reply: FastifyReply, refusal: Refusal, overrides: Partial<OutcomesPageView> = {}) =>
      outcomesPage(request, reply, { formError: refusal.text, ...overrides }, refusal.status);

    app.get('/outcomes', { schema: { ...hide, querystring: NoticeQuery } }, async (request, reply) =>
      outcomesPage(request, reply, { notice: context.notices.get(portalSessionOf(request), request.query.notice) }),
    );

    // POST /__mock/outcomes/queue, the same name a given number of times.
    app.post('/outcomes/queue', { schema: hide }, async (request, reply) => {
      const { apiKey } = portalSessionOf(request);
      const form = postedForm(request, ['outcome', 'count']);
      const add = { outcome: fieldOf(form, 'outcome'), count: form.has('count') ? fieldOf(form, 'count') : '1' };
      const errors: FieldErrors = {};
      const count = numberOrText(add.count);
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_ADD_COUNT) errors.count = `Enter a whole number from 1 to ${MAX_ADD_COUNT}`;
      if (add.outcome === '') errors.outcome = 'Choose a preset from the list';
      else {
        const parsed = QueueBody.safeParse({ api_key: apiKey, outcomes: [add.outcome] });
        if (!parsed.success) errors.outcome = 'An outcome name has at most 60 characters: choose a preset from the list';
        else {
          try {
            sessions.preset(add.outcome);
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            errors.outcome = error.entries[0].description;
          }
        }
      }
      if (Object.keys(errors).length > 0) return outcomesPage(request, reply, { add, addErrors: errors }, 400);
      let queued: string[];
      try {
        queued = sessions.queueOutcomes(apiKey, Array<string>(count as number).fill(add.outcome));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return outcomesPage(request, reply, { add, addErrors: { count: error.entries[0].description } }, 400);
      }
      const first = queued.length - (count as number) + 1;
      const where = first === queued.length ? `position ${first}` : `positions ${first} to ${queued.length}`;
      return backWithNotice(context, request, reply, PAGE, { text: `Added ${add.outcome} for ${plural(count as number, 'session')} at the end of the queue (${where} of ${queued.length}).` });
    });

    // DELETE /__mock/outcomes/queue?api_key=
    app.post('/outcomes/queue/clear', { schema: hide }, async (request, reply) => {
      postedForm(request, []);
      const removed = sessions.queues.clear(portalSessionOf(request).apiKey);
      const text = removed === 0 ? 'The queue was already empty.' : `Cleared the queue: ${plural(removed, 'outcome')} removed. New sessions end with your default outcome.`;
      return backWithNotice(context, request, reply, PAGE, { text });
    });

    /** The queue entry a form acts on: its position (from 0) and the outcome the page showed there; or why the form is refused. */
    function entryOf(request: FastifyRequest, fields: readonly string[]): { apiKey: string; form: URLSearchParams; index: number; expected?: string } | Refusal {
      const { apiKey } = portalSessionOf(request);
      const form = postedForm(request, fields);
      const index = numberOrText(fieldOf(form, 'index'));
      const query = QueueEntryQuery.safeParse({ api_key: apiKey, outcome: form.has('outcome') ? fieldOf(form, 'outcome') : undefined });
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > MAX_QUEUED_OUTCOMES || !query.success) {
        return { status: 400, text: 'That form does not name an entry of your queue. Nothing changed.' };
      }
      return { apiKey, form, index, expected: query.data.outcome };
    }

    // DELETE /__mock/outcomes/queue/{index}?api_key=&outcome=
    app.post('/outcomes/queue/remove', { schema: hide }, async (request, reply) => {
      const entry = entryOf(request, ['index', 'outcome']);
      if ('text' in entry) return refused(request, reply, entry);
      const { apiKey } = entry;
      const name = sessions.queuedFor(apiKey)[entry.index];
      const change = sessions.queues.remove(apiKey, entry.index, entry.expected);
      if (!change.ok) return refused(request, reply, queueRefusal(change, entry.index));
      return backWithNotice(context, request, reply, PAGE, { text: `Removed ${name} (position ${entry.index + 1}). The queue holds ${plural(change.queued.length, 'outcome')}.` });
    });

    // POST /__mock/outcomes/queue/move
    app.post('/outcomes/queue/move', { schema: hide }, async (request, reply) => {
      const entry = entryOf(request, ['index', 'outcome', 'direction']);
      if ('text' in entry) return refused(request, reply, entry);
      const { apiKey } = entry;
      const direction = entry.form.get('direction');
      if (direction !== 'up' && direction !== 'down') return refused(request, reply, { status: 400, text: 'Move an entry up or down. Nothing changed.' });
      const to = direction === 'up' ? entry.index - 1 : entry.index + 1;
      const name = sessions.queuedFor(apiKey)[entry.index];
      // Up from the front asks for position -1: the service finds no entry there, as it does past the end.
      const change = sessions.queues.move(apiKey, entry.index, to, entry.expected);
      if (!change.ok) return refused(request, reply, queueRefusal(change, entry.index, direction));
      return backWithNotice(context, request, reply, PAGE, { text: `Moved ${name} ${direction} to position ${to + 1}.` });
    });

    // The settings page's default outcome (PUT /__mock/merchants/{key}), with the settings page's validation.
    app.post('/outcomes/default', { schema: hide }, async (request, reply) => {
      const { apiKey } = portalSessionOf(request);
      const typed = fieldOf(postedForm(request, ['default_outcome']), 'default_outcome');
      const current = merchants.settingsFor(apiKey)!;
      const shown = { current: current.default_outcome, draft: typed };
      const checked = validateDraft({ ...draftOf(current), default_outcome: typed }, current, new Set(fixtures.outcomes.keys()));
      if (!checked.ok) {
        const message = checked.errors.default_outcome ?? Object.values(checked.errors).find(Boolean);
        return outcomesPage(request, reply, { defaultOutcome: shown, defaultErrors: { default_outcome: message } }, 400);
      }
      merchants.update(apiKey, checked.settings);
      const text =
        typed === ''
          ? 'Default outcome removed: new sessions end approved when nothing else chooses.'
          : `Default outcome set to ${typed}: new sessions end with it when nothing else chooses.`;
      return backWithNotice(context, request, reply, PAGE, { text });
    });
  };
