// The request journal: find, count ("verify it was called N times") and clear.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isoInstant } from '../../core/time-limits.js';
import { headersOf, queryOf, requestBodyOf, responseBodyOf, type JournalEntry, type JournalFilter } from '../../services/journal.js';
import { JournalEntryView, JournalQuery, ResetQuery } from '../../schemas/control.js';

const tags = ['Control: journal'];

function entryView(entry: JournalEntry) {
  return {
    id: entry.id,
    at: isoInstant(entry.at),
    method: entry.method,
    path: entry.path,
    query: queryOf(entry),
    headers: headersOf(entry),
    body: requestBodyOf(entry),
    status: entry.status,
    response_body: responseBodyOf(entry),
    duration_ms: entry.duration_ms,
    session_id: entry.session_id,
  };
}

const toFilter = (q: z.infer<typeof JournalQuery>): JournalFilter => ({ apiKey: q.api_key, owner: q.owner, method: q.method, path: q.path, sessionId: q.session_id, status: q.status });

export const journalRoutes: FastifyPluginAsyncZod = async (app) => {
  const { journal } = app.emulator;
  app.get(
    '/__mock/journal',
    { schema: { tags, summary: 'Recorded public API requests, oldest first (filters combine)', querystring: JournalQuery, response: { 200: z.object({ requests: z.array(JournalEntryView), total: z.number() }) } } },
    async (request) => {
      const { total, entries } = await journal.select(toFilter(request.query), request.query.limit);
      return { requests: entries.map(entryView), total };
    },
  );
  app.get(
    '/__mock/journal/count',
    { schema: { tags, summary: 'How many recorded requests match', querystring: JournalQuery.omit({ limit: true }), response: { 200: z.object({ count: z.number() }) } } },
    async (request) => ({ count: (await journal.select(toFilter({ ...request.query, limit: 1 }), 0)).total }),
  );
  app.delete(
    '/__mock/journal',
    { schema: { tags, summary: "Clear the journal (or one API key's entries)", querystring: ResetQuery, response: { 200: z.object({ removed: z.number() }) } } },
    async (request) => ({ removed: journal.clear(request.query.api_key) }),
  );
};
