// The scan UI's HTML pages: the desktop page behind redirect_url (liveness or scanning), the phone's
// page behind the mobile link, and the result page; each with a CSP that admits the session's own
// stylesheets and nothing else from outside.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { frameMessageTargets } from '../../core/frame-message.js';
import { isFinal, type Session, type UiRole } from '../../core/session.js';
import { phoneReach, type PhoneReach } from '../../http/phone-reach.js';
import { captureSteps } from '../../services/scan-flow.js';
import { contentSecurityPolicy, cspSourceOf } from '../../ui/html.js';
import { renderResultPage, renderScanPage, type MobileReachView, type PageStep } from '../../ui/scan-page.js';
import { assets } from './assets.js';
import { desktopCookieName, mobileCookieName, setUiCookie } from './cookies.js';
import { admitBrowser, linkUseOf, sendLinkProblem } from './link-gate.js';
import { resultPageOf, type ScanUiServices } from './services.js';

export const UiParams = z.object({ id: z.string().max(100) });
const UiQuery = z.object({ otp: z.string().max(200).optional() });
const MobileQuery = z.object({ t: z.string().max(200).optional() });
export const tags = ['Scan UI'];

/** The CSP sources of the session's stylesheets; a URL that gives none is not loaded. */
function styleOrigins(urls: readonly string[]): string[] {
  return urls.map(cspSourceOf).filter((source) => source !== undefined);
}

/** What the page tells the desktop about the phone link: everything but the link itself (issued on demand). */
function reachView(reach: PhoneReach): MobileReachView {
  if (reach.kind !== 'loopback') return { kind: reach.kind };
  return { kind: 'loopback', reason: reach.reason, desktopHost: new URL(reach.base).host, listeningHost: reach.host, port: reach.port };
}

/** The scan page for the desktop or the phone, opened at the step the session has reached. */
function sendScanPage(services: ScanUiServices, request: FastifyRequest, reply: FastifyReply, session: Session, role: UiRole): FastifyReply {
  const { config, fixtures, scanFlow, prefix } = services;
  const steps = captureSteps(session);
  const state = scanFlow.state(session, resultPageOf(services, session));
  let initialStep: PageStep;
  if (isFinal(session.status)) initialStep = role === 'desktop' ? 'done' : 'mobile-done';
  else if (state.analyzing) initialStep = 'analyzing';
  else if (role === 'mobile') initialStep = steps[0] ?? 'analyzing';
  else if (state.mobile === 'opened' && session.settings.mobile_flow) initialStep = 'mobile';
  else initialStep = 'start';
  const page = renderScanPage({
    sessionId: session.id,
    flow: session.flow,
    status: session.status,
    role,
    locale: session.settings.locale,
    relayState: session.settings.relay_state,
    action: steps.includes('face-action') ? session.chosenAction : null,
    captureSteps: steps,
    initialStep,
    mobileFlow: session.settings.mobile_flow,
    mobileReach: role === 'desktop' && session.settings.mobile_flow ? reachView(phoneReach(request, config, services.network)) : null,
    testMode: config.TEST_MODE,
    outcomes: [...fixtures.outcomes.values()].map((o) => ({ name: o.name, description: o.description })),
    currentOutcome: session.outcome,
    samples: config.TEST_MODE ? [...services.samples.keys()] : [],
    samplesBase: `${prefix}/v3/scan/ui/assets/samples/`,
    redirect: state.redirect?.url ?? null,
    frame: { targets: frameMessageTargets(session.settings, fixtures.wire.scan_ui.frame_message.target_origins), message: state.frame_message },
    cssUrls: session.settings.css,
    assets: { script: `${prefix}${assets['scan.js'].url}`, style: `${prefix}${assets['scan.css'].url}` },
    apiBase: `${prefix}/v3/scan/ui/${session.id}`,
  });
  return reply
    .header('content-security-policy', contentSecurityPolicy(styleOrigins(session.settings.css)))
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page);
}

export function pageRoutes(services: ScanUiServices): FastifyPluginAsyncZod {
  const { sessions, scanFlow, prefix } = services;
  return async (app) => {
    for (const page of ['liveness', 'scanning'] as const) {
      app.get(
        `/v3/scan/ui/:id/${page}`,
        { schema: { tags, summary: `The hosted ${page} page (one-time link)`, params: UiParams, querystring: UiQuery } },
        async (request, reply) => {
          const session = admitBrowser(services, request, reply, page);
          if (!session) return reply;
          return sendScanPage(services, request, reply, session, 'desktop');
        },
      );
    }

    app.get(
      '/v3/scan/ui/:id/mobile',
      { schema: { tags, summary: 'The phone page of the mobile hand-off (its own one-time link, from the QR code)', params: UiParams, querystring: MobileQuery } },
      async (request, reply) => {
        const session = sessions.findById(request.params.id.toLowerCase());
        if (!session || !session.link) return sendLinkProblem(services, reply, 'unknown');
        const admitted = scanFlow.openMobileLink(session, request.query.t, request.cookies[mobileCookieName], linkUseOf(request));
        if (!admitted.ok) return sendLinkProblem(services, reply, admitted.reason, session);
        if (admitted.cookieSecret) setUiCookie(request, reply, prefix, mobileCookieName, admitted.cookieSecret, session.id);
        request.authorisedSessionId = session.id;
        return sendScanPage(services, request, reply, session, 'mobile');
      },
    );

    app.get('/v3/scan/ui/:id/result', { schema: { tags, summary: 'Result page, when the merchant gave no URL to return to', params: UiParams } }, async (request, reply) => {
      const session = sessions.findById(request.params.id.toLowerCase());
      if (!session || !session.link) return sendLinkProblem(services, reply, 'unknown');
      if (!scanFlow.roleOf(session, request.cookies[desktopCookieName], request.cookies[mobileCookieName])) return sendLinkProblem(services, reply, 'invalid');
      request.authorisedSessionId = session.id;
      return reply
        .header('content-security-policy', contentSecurityPolicy())
        .type('text/html; charset=utf-8')
        .send(
          renderResultPage({
            locale: session.settings.locale,
            sessionId: session.id,
            status: session.status,
            relayState: session.settings.relay_state,
            style: `${prefix}${assets['scan.css'].url}`,
          }),
        );
    });
  };
}
