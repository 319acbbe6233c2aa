// Starting a scan from the portal: a liveness session for the signed-in key with its settings, then
// the scan UI in this browser, or the scan UI's mobile hand-off (QR code) framed in a portal page
// that follows the phone. The session's target URLs bring the browser back to the portal.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import { isFinal } from '../../core/session.js';
import { publicBaseUrl } from '../../http/public-url.js';
import { LivenessRequest } from '../../schemas/public.js';
import { renderMobile, renderStart } from '../../ui/portal/start.js';
import { uiUrl } from '../public-session.js';
import { ownSession, portalCsp, portalSessionOf, sendPage, signedInView } from './signed-in.js';
import { journalOf, newestFirst, phoneProgress, sessionFingerprint, deliveriesOf, sessionRow } from './session-model.js';

const hide = { hide: true } as const;
const IdParams = z.object({ id: z.string().max(100) });
/** `via`, and the parameters the scan UI appends (their names come from fixtures/wire.json). */
const ReturnQuery = z.object({ via: z.enum(['target', 'target_error', 'cancel_url']).optional() }).catchall(z.unknown());
const RECENT = 5;

export const scanRoutes: FastifyPluginAsyncZod = async (app) => {
  const { merchants, sessions, fixtures, config, clock, clocks } = app.emulator;
  const outcomes = () => [...fixtures.outcomes.values()].map((o) => ({ name: o.name, description: o.description }));

  /** The key's clock as the start page shows it: QA sees why its sessions' times differ from the wall clock. */
  const keyClockOf = (apiKey: string) => {
    const globalNow = clock.now();
    const now = clocks.nowAt(apiKey, globalNow);
    return { now, own: clocks.ownClock(apiKey) !== undefined, frozen: clocks.frozen(apiKey), offsetFromGlobalMs: now - globalNow };
  };

  function startPage(request: FastifyRequest, reply: FastifyReply, error?: string, status = 200) {
    const { apiKey } = portalSessionOf(request);
    const merchant = merchants.settingsFor(apiKey)!;
    const recent = newestFirst(sessions.list({ apiKey })).slice(0, RECENT).map(sessionRow);
    return sendPage(
      reply,
      renderStart({
        signedIn: signedInView(request),
        merchant: {
          options: merchant.options,
          actions: merchant.available_actions,
          webhook: merchant.webhook,
          locale: merchant.locale,
          mobileFlow: merchant.mobile_flow,
          defaultOutcome: merchant.default_outcome,
        },
        clock: keyClockOf(apiKey),
        outcomes: outcomes(),
        recent,
        error,
      }),
      status,
    );
  }

  app.get('/', { schema: hide }, async (request, reply) => startPage(request, reply));

  app.post('/scans', { schema: hide }, async (request, reply) => {
    const { apiKey } = portalSessionOf(request);
    const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
    const mode = form.get('mode') === 'mobile' ? 'mobile' : 'browser';
    const outcome = (form.get('outcome') ?? '').trim();
    const merchant = merchants.settingsFor(apiKey)!;
    if (mode === 'mobile' && !merchant.mobile_flow) return startPage(request, reply, 'The mobile flow is off in your settings.', 409);
    if (outcome && !fixtures.outcomes.has(outcome)) return startPage(request, reply, `Unknown outcome ${JSON.stringify(outcome)}.`, 400);

    const back = `${publicBaseUrl(request, config.PUBLIC_URL, config.PORT)}/portal/return`;
    // What an integration would send: the merchant's settings fill in what the request leaves out.
    const body = {
      relay_state: (form.get('relay_state') ?? '').trim(),
      target: `${back}?via=target`,
      cancel_url: `${back}?via=cancel_url`,
      target_error: `${back}?via=target_error`,
      webhook: '',
      options: merchant.options,
      action: 'Random',
      available_actions: merchant.available_actions,
      css: [],
      doc: { ignore_errors_in_fields: [] },
    };
    const checked = LivenessRequest.safeParse(body);
    if (!checked.success) return startPage(request, reply, checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), 400);
    let session;
    try {
      session = sessions.create(apiKey, 'liveness', body);
    } catch (error) {
      if (error instanceof ApiError) return startPage(request, reply, error.entries.map((e) => e.description).join(' '), error.status);
      throw error;
    }
    if (outcome) sessions.chooseOutcome(session, outcome, 'armed');
    const location = mode === 'mobile' ? `/portal/scans/${session.id}/mobile` : uiUrl(request, session);
    return reply.status(303).header('location', location).send();
  });

  app.get('/scans/:id/mobile', { schema: { ...hide, params: IdParams } }, async (request, reply) => {
    const session = ownSession(request, request.params.id);
    if (!session.link) throw new ApiError('SESSION_STATE', 'This session has no scan UI (it was created through the scanning-sessions API).');
    const deliveries = deliveriesOf(app.emulator, session);
    const journal = journalOf(app.emulator, session);
    const phone = phoneProgress(app.emulator, session);
    const scanUi = new URL(uiUrl(request, session));
    reply.header('content-security-policy', portalCsp({ frames: true }));
    return sendPage(
      reply,
      renderMobile({
        signedIn: signedInView(request),
        sessionId: session.id,
        // Same origin as the portal (a path, not PUBLIC_URL), so the portal's script may open its mobile step.
        scanUiUrl: `${scanUi.pathname}${scanUi.search}`,
        status: session.status,
        createdAt: session.createdAt,
        phone,
        fingerprint: sessionFingerprint(session, deliveries, journal, phone),
        final: isFinal(session.status),
      }),
    );
  });

  /** target, cancel_url and target_error of portal-started sessions: back to the session's page. */
  app.get('/return', { schema: { ...hide, querystring: ReturnQuery } }, async (request, reply) => {
    const sessionId = request.query[fixtures.wire.redirect.session_id_param];
    const session = ownSession(request, typeof sessionId === 'string' ? sessionId : '');
    const via = request.query.via ? `?back=${request.query.via}` : '';
    return reply.status(303).header('location', `/portal/sessions/${session.id}${via}`).send();
  });
};
