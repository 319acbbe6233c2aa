// The signed-in key's sessions: the list (filters, pages), one session in detail, its captured
// images (for this key only) and redelivery of its webhooks.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import { isFinal } from '../../core/session.js';
import { SessionStatus, sessionStatuses } from '../../schemas/common.js';
import { renderSessionDetail } from '../../ui/portal/session-detail.js';
import { renderSessionList } from '../../ui/portal/sessions.js';
import { uiUrl } from '../public-session.js';
import { ownSession, portalSessionOf, sendPage, signedInView } from './signed-in.js';
import { fingerprint, isServableImage, newestFirst, sessionDetail, sessionRow } from './session-model.js';

const hide = { hide: true } as const;
export const SESSIONS_PER_PAGE = 20;

/** Bad filter values are dropped rather than refused: the list still shows, unfiltered. */
const ListQuery = z.object({
  status: SessionStatus.optional().catch(undefined),
  outcome: z.string().max(60).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined),
});
const IdParams = z.object({ id: z.string().max(100) });
const DetailQuery = z.object({
  back: z.enum(['target', 'target_error', 'cancel_url']).optional().catch(undefined),
  redelivered: z.string().max(100).optional().catch(undefined),
});
const DocumentParams = IdParams.extend({ documentId: z.string().max(100) });
const RedeliverParams = IdParams.extend({ deliveryId: z.string().max(100) });

export const sessionPageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { sessions, fixtures, webhooks } = app.emulator;

  app.get('/sessions', { schema: { ...hide, querystring: ListQuery } }, async (request, reply) => {
    const { apiKey } = portalSessionOf(request);
    const { status, page = 1 } = request.query;
    const outcome = request.query.outcome && fixtures.outcomes.has(request.query.outcome) ? request.query.outcome : undefined;
    const found = newestFirst(sessions.list({ apiKey, status })).filter((s) => outcome === undefined || s.outcome.name === outcome);
    const pages = Math.max(1, Math.ceil(found.length / SESSIONS_PER_PAGE));
    const current = Math.min(page, pages);
    const shown = found.slice((current - 1) * SESSIONS_PER_PAGE, current * SESSIONS_PER_PAGE);
    return sendPage(
      reply,
      renderSessionList({
        signedIn: signedInView(request),
        rows: shown.map(sessionRow),
        total: found.length,
        page: current,
        pages,
        perPage: SESSIONS_PER_PAGE,
        filters: { status: status ?? '', outcome: outcome ?? '' },
        statuses: sessionStatuses,
        outcomes: [...fixtures.outcomes.keys()],
        fingerprint: fingerprint([found.length, shown.map((s) => [s.id, s.status, s.updatedAt, s.outcome])]),
        // Following costs nothing while nothing changes (live.ts), so the first page shows new sessions as they come.
        live: current === 1 || shown.some((s) => !isFinal(s.status)),
      }),
    );
  });

  app.get('/sessions/:id', { schema: { ...hide, params: IdParams, querystring: DetailQuery } }, async (request, reply) => {
    const session = ownSession(request, request.params.id);
    const redelivered = request.query.redelivered && webhooks.list({ sessionId: session.id }).some((d) => d.id === request.query.redelivered) ? request.query.redelivered : null;
    const scanUiUrl = session.link && !isFinal(session.status) ? uiUrl(request, session) : null;
    const view = sessionDetail(app.emulator, session, { signedIn: signedInView(request), back: request.query.back ?? null, redelivered, scanUiUrl });
    return sendPage(reply, renderSessionDetail(view));
  });

  app.get('/sessions/:id/documents/:documentId', { schema: { ...hide, params: DocumentParams } }, async (request, reply) => {
    const session = ownSession(request, request.params.id);
    const doc = session.documents.find((d) => d.id === request.params.documentId);
    if (!doc) throw new ApiError('NOT_FOUND', 'No such image in this session.');
    // Only known image types are shown inline; anything else is a download, never rendered as a page.
    const inline = isServableImage(doc.contentType);
    return reply
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${doc.documentType.replace(/[^A-Za-z0-9_-]/g, '')}-${doc.id}"`)
      .type(inline ? doc.contentType : 'application/octet-stream')
      .send(doc.bytes);
  });

  app.post('/sessions/:id/webhooks/:deliveryId/redeliver', { schema: { ...hide, params: RedeliverParams } }, async (request, reply) => {
    const session = ownSession(request, request.params.id);
    const delivery = webhooks.list({ sessionId: session.id, apiKey: session.apiKey }).find((d) => d.id === request.params.deliveryId);
    if (!delivery) throw new ApiError('NOT_FOUND', 'No such webhook delivery in this session.');
    webhooks.redeliver(delivery.id);
    return reply.status(303).header('location', `/portal/sessions/${session.id}?redelivered=${encodeURIComponent(delivery.id)}#session-webhooks`).send();
  });
};
