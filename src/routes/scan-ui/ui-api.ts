// The scan UI's own API under /v3/scan/ui/<id>/, called by the page's script and authorised by the
// page's cookie (desktop or phone): its state (polled), uploads, the analysis, cancel, the tester
// panel and the mobile hand-off link with its QR code.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import { qrSvg } from '../../ui/qr-code.js';
import { isFinal, type Session, type UiRole } from '../../core/session.js';
import { phoneReach } from '../../http/phone-reach.js';
import { acceptUploads, readUploadedImage } from '../../http/uploads.js';
import { uploadSides } from '../../services/scan-flow.js';
import { stringsFor } from '../../ui/strings.js';
import { desktopCookieName, mobileCookieName } from './cookies.js';
import { tags, UiParams } from './pages.js';
import { resultPageOf, type ScanUiServices } from './services.js';

const UploadQuery = z.object({ side: z.enum(['front', 'back', 'selfie']).default('front') });
const TesterOutcomeBody = z.object({ outcome: z.string().min(1).max(60) });

export function uiApiRoutes(services: ScanUiServices): FastifyPluginAsyncZod {
  const { config, sessions, scanFlow, prefix } = services;
  const stateOf = (session: Session) => ({ ...scanFlow.state(session, resultPageOf(services, session)), errors: [] });

  /** The session and which browser (desktop or phone) an API call comes from, by its cookie. */
  function caller(request: FastifyRequest): { session: Session; role: UiRole } {
    const { id } = request.params as { id: string };
    const session = sessions.findById(id.toLowerCase());
    if (!session || !session.link) throw new ApiError('SESSION_NOT_FOUND', `No session with id ${JSON.stringify(id.slice(0, 64))} was found.`);
    const role = scanFlow.roleOf(session, request.cookies[desktopCookieName], request.cookies[mobileCookieName]);
    if (!role) throw new ApiError('UNAUTHORIZED', 'The scan UI API needs the cookie of the verification page: open the page through its one-time link first.');
    request.authorisedSessionId = session.id;
    return { session, role };
  }

  /** The phone link (the best address a phone can use) and the same link at the machine's other addresses. */
  function mobileLinks(request: FastifyRequest, session: Session) {
    const reach = phoneReach(request, config, services.network);
    const path = `/v3/scan/ui/${session.id}/mobile?t=${scanFlow.mobileToken(session)}`;
    return { reach: reach.kind, url: `${reach.base}${path}`, others: reach.kind === 'lan' ? reach.others.map((base) => `${base}${path}`) : [] };
  }

  /** The hand-off is the desktop's to start: the phone never gets a link to hand on. */
  function desktopCaller(request: FastifyRequest): Session {
    const { session, role } = caller(request);
    if (role !== 'desktop') throw new ApiError('SESSION_STATE', 'The mobile link is handed out to the desktop page only.');
    return session;
  }

  return async (app) => {
    app.get('/v3/scan/ui/:id/state', { schema: { tags, summary: "The session as the scan UI sees it (polled by the page)", params: UiParams } }, async (request) => {
      return stateOf(caller(request).session);
    });

    // The upload route has a scope of its own: only there are multipart bodies parsed.
    await app.register(async (uploads) => {
      await acceptUploads(uploads);
      uploads.withTypeProvider<ZodTypeProvider>().post(
        '/v3/scan/ui/:id/documents',
        { schema: { tags, summary: 'Upload a captured or chosen image (multipart/form-data, file field "document")', consumes: ['multipart/form-data'], params: UiParams, querystring: UploadQuery } },
        async (request) => {
          const { session, role } = caller(request);
          const { bytes, contentType } = await readUploadedImage(request);
          const stored = sessions.addDocument(session, {
            documentType: uploadSides[request.query.side],
            reference: null,
            capturedBy: role,
            contentType,
            size: bytes.length,
            bytes,
          });
          return { id: stored.id, document_type: stored.documentType, content_type: stored.contentType, size: stored.size, errors: [] };
        },
      );
    });

    app.post('/v3/scan/ui/:id/analysis', { schema: { tags, summary: 'Start the analysis (the Analyzing step)', params: UiParams } }, async (request) => {
      const { session } = caller(request);
      scanFlow.startAnalysis(session);
      return stateOf(session);
    });

    app.post('/v3/scan/ui/:id/cancel', { schema: { tags, summary: 'Cancel: the session ends Cancelled and the page goes to cancel_url', params: UiParams } }, async (request) => {
      const { session, role } = caller(request);
      if (!isFinal(session.status)) sessions.cancel(session, role);
      return stateOf(session);
    });

    app.post(
      '/v3/scan/ui/:id/tester/outcome',
      { schema: { tags, summary: "Tester panel (TEST_MODE): this run's outcome preset", params: UiParams, body: TesterOutcomeBody } },
      async (request) => {
        if (!config.TEST_MODE) throw new ApiError('NOT_FOUND', 'The tester panel is off (TEST_MODE=false).');
        const { session } = caller(request);
        const applied = scanFlow.chooseTesterOutcome(session, request.body.outcome);
        return { applied, outcome: { ...session.outcome }, errors: [] };
      },
    );

    app.post('/v3/scan/ui/:id/mobile-link', { schema: { tags, summary: 'Mobile hand-off: the phone link (its own one-time token) and its QR code', params: UiParams } }, async (request) => {
      const session = desktopCaller(request);
      const links = mobileLinks(request, session);
      return { url: links.url, qr: `${prefix}/v3/scan/ui/${session.id}/mobile-link/qr.svg`, reach: links.reach, other_urls: links.others, errors: [] };
    });

    app.get('/v3/scan/ui/:id/mobile-link/qr.svg', { schema: { tags, summary: 'The QR code of the mobile link, as SVG', params: UiParams } }, async (request, reply) => {
      const session = desktopCaller(request);
      return reply
        .header('content-security-policy', "default-src 'none'")
        .type('image/svg+xml; charset=utf-8')
        .send(qrSvg(mobileLinks(request, session).url, stringsFor(session.settings.locale).mobileQrAlt));
    });
  };
}
