// The QA console's journal page: the requests that belong to the signed-in key (sent with it, or let
// into one of its sessions by the scan UI), filtered with the control API's own schema and read with
// the same journal query as GET /__mock/journal?owner=.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { JournalFilterQuery, journalMethods } from '../../schemas/control.js';
import type { JournalEntry } from '../../services/journal.js';
import { renderJournal, type JournalFilters } from '../../ui/portal/journal.js';
import { fieldErrorsOf, queryOf } from './console-forms.js';
import { portalSessionOf, sendPage, signedInView } from './signed-in.js';
import { collapseRepeats, fingerprint, journalItem } from './session-model.js';

const hide = { hide: true } as const;
export const JOURNAL_ENTRIES_PER_PAGE = 50;
const MAX_PAGE = 1_000_000;
const filterFields = ['method', 'path', 'status'] as const;
const labels = { method: 'The method', path: 'The path glob', status: 'The status' };

export const journalConsoleRoutes: FastifyPluginAsyncZod = async (app) => {
  const { journal, sessions, config } = app.emulator;

  app.get('/journal', { schema: hide }, async (request, reply) => {
    const { apiKey } = portalSessionOf(request);
    const query = queryOf(request);
    // Kept as typed (a little over the glob limit, so that the limit's own message shows).
    const typed: JournalFilters = { method: '', path: '', status: '' };
    for (const name of filterFields) typed[name] = (query.get(name) ?? '').slice(0, 1024);
    const given = Object.fromEntries(filterFields.filter((name) => typed[name].trim() !== '').map((name) => [name, name === 'path' ? typed[name] : typed[name].trim()]));
    const parsed = JournalFilterQuery.safeParse(given);
    const requestedPage = Number(query.get('page') ?? '1');
    let page = Number.isInteger(requestedPage) && requestedPage >= 1 ? Math.min(requestedPage, MAX_PAGE) : 1;

    let entries: JournalEntry[] = [];
    let total = 0;
    let pages = 1;
    if (parsed.success) {
      const filter = { owner: apiKey, ...parsed.data };
      // The newest `page` pages, oldest first: this page is their oldest slice.
      const newest = (n: number) => journal.select(filter, n * JOURNAL_ENTRIES_PER_PAGE);
      let found = await newest(page);
      pages = Math.max(1, Math.ceil(found.total / JOURNAL_ENTRIES_PER_PAGE));
      if (page > pages) found = await newest((page = pages));
      total = found.total;
      entries = found.entries.slice(0, Math.max(0, found.entries.length - (page - 1) * JOURNAL_ENTRIES_PER_PAGE));
    }
    const ownSession = (id: string | null) => (id !== null && sessions.ownerOf(id) === apiKey ? { id, href: `/portal/sessions/${id}` } : null);
    const items = collapseRepeats(entries.map((entry) => journalItem(entry, ownSession(entry.session_id)))).reverse();
    return sendPage(
      reply,
      renderJournal({
        signedIn: signedInView(request),
        filters: typed,
        errors: parsed.success ? {} : fieldErrorsOf(parsed.error, (path) => String(path[0]), labels),
        methods: journalMethods,
        entries: parsed.success ? items : null,
        shown: entries.length,
        total,
        page,
        pages,
        perPage: JOURNAL_ENTRIES_PER_PAGE,
        // The first page follows new requests; older pages hold still while they are read.
        live: parsed.success && page === 1,
        fingerprint: fingerprint([total, entries.map((e) => e.id)]),
        capacity: config.JOURNAL_SIZE,
      }),
      parsed.success ? 200 : 400,
    );
  });
};
