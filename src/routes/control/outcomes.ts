// GET /__mock/outcomes and the outcome queue per API key: add, see, move an entry, remove one, clear.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import { ControlErrorResponses, OutcomeQueue, OutcomeSummary, QueueBody, QueueEntryParams, QueueEntryQuery, QueueMoveBody, QueueOwnerQuery } from '../../schemas/control.js';
import { outcomeSummaryOf } from '../../services/fixtures.js';
import type { QueueChange } from '../../services/outcome-queues.js';

const tags = ['Control: outcomes'];

/** The queue after a change, or the refusal: no entry at that index (404), or another outcome there than the caller saw (409). */
function changedQueue(apiKey: string, change: QueueChange): z.infer<typeof OutcomeQueue> {
  if (change.ok) return { api_key: apiKey, queued: change.queued };
  if (change.problem === 'no_entry') {
    const held = change.length === 0 ? 'is empty' : `holds ${change.length} (indexes 0 to ${change.length - 1})`;
    throw new ApiError('NOT_FOUND', `There is no index ${change.index} in the outcome queue of this api_key: it ${held}.`);
  }
  throw new ApiError('STATE_CHANGED', `Index ${change.index} holds ${JSON.stringify(change.found)}, not ${JSON.stringify(change.expected)}: the queue changed meanwhile; nothing was done.`);
}

export const outcomeRoutes: FastifyPluginAsyncZod = async (app) => {
  const { sessions, fixtures } = app.emulator;
  const queueResponse = { 200: OutcomeQueue, ...ControlErrorResponses };

  app.get('/__mock/outcomes', { schema: { tags, summary: 'The outcome catalogue', response: { 200: z.object({ outcomes: z.array(OutcomeSummary) }) } } }, async () => ({
    outcomes: [...fixtures.outcomes.values()].map(outcomeSummaryOf),
  }));

  app.post(
    '/__mock/outcomes/queue',
    { schema: { tags, summary: 'Queue outcomes for the next sessions of an API key (at most 1000 queued)', body: QueueBody, response: queueResponse } },
    async (request) => ({ api_key: request.body.api_key, queued: sessions.queueOutcomes(request.body.api_key, request.body.outcomes) }),
  );
  app.get(
    '/__mock/outcomes/queue',
    { schema: { tags, summary: 'What is queued for an API key, the next session first', querystring: QueueOwnerQuery, response: queueResponse } },
    async (request) => ({ api_key: request.query.api_key, queued: sessions.queuedFor(request.query.api_key) }),
  );
  app.delete(
    '/__mock/outcomes/queue',
    { schema: { tags, summary: "Clear an API key's queue", querystring: QueueOwnerQuery, response: { 200: z.object({ removed: z.number() }), ...ControlErrorResponses } } },
    async (request) => ({ removed: sessions.queues.clear(request.query.api_key) }),
  );
  app.delete(
    '/__mock/outcomes/queue/:index',
    { schema: { tags, summary: 'Remove one queued outcome', params: QueueEntryParams, querystring: QueueEntryQuery, response: queueResponse } },
    async (request) => changedQueue(request.query.api_key, sessions.queues.remove(request.query.api_key, request.params.index, request.query.outcome)),
  );
  app.post(
    '/__mock/outcomes/queue/move',
    { schema: { tags, summary: 'Move a queued outcome to another position', body: QueueMoveBody, response: queueResponse } },
    async (request) => {
      const { api_key, from, to, outcome } = request.body;
      return changedQueue(api_key, sessions.queues.move(api_key, from, to, outcome));
    },
  );
};
