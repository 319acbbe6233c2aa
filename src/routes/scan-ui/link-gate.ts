// The one-time link gate in front of the scan UI: a browser comes in through redirect_url's token
// (swapped for the desktop cookie on the first open), and a link that is invalid, used, expired or of
// an unknown session gets a page saying so (and, where documented, a LINK_EXPIRED frame message).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { frameMessageTargets, linkExpiredMessage, type FrameMessage } from '../../core/frame-message.js';
import type { LinkUse } from '../../core/otp.js';
import type { Session } from '../../core/session.js';
import { contentSecurityPolicy, html, type SafeHtml } from '../../ui/html.js';
import { pageShell, scriptJson } from '../../ui/scan-page.js';
import { stringsFor } from '../../ui/strings.js';
import { assets } from './assets.js';
import { desktopCookieName, setUiCookie } from './cookies.js';
import type { ScanUiServices } from './services.js';

const linkProblems = {
  invalid: { status: 403, title: 'This link is not valid', text: 'Ask the service that sent you here for a new link.' },
  used: { status: 403, title: 'This link has already been used', text: 'Verification links work once. Ask the service that sent you here for a new link.' },
  expired: { status: 410, title: 'This link has expired', text: 'Verification links are valid for a short time. Ask the service that sent you here for a new link.' },
  unknown: { status: 404, title: 'Verification session not found', text: 'The session may have expired or been removed.' },
} as const;

export type LinkProblem = keyof typeof linkProblems;

/** Only a GET uses a one-time link up: a HEAD (link checkers, chat previews, prefetching) may only see whether it works. */
export const linkUseOf = (request: FastifyRequest): LinkUse => (request.method === 'HEAD' ? 'check-only' : 'use-up');

/**
 * The frame message of a link-error page: a used or expired link of a known session gets ZignSec's
 * documented LINK_EXPIRED message, posted to the session's merchant origins (see frameMessageTargets).
 * An invalid token or an unknown session posts nothing: no source says what ZignSec sends then.
 */
function linkProblemMessage(services: ScanUiServices, problem: LinkProblem, session: Session | undefined): SafeHtml {
  if (!session || (problem !== 'used' && problem !== 'expired')) return html``;
  const targets = frameMessageTargets(session.settings, services.fixtures.wire.scan_ui.frame_message.target_origins);
  if (targets.length === 0) return html``;
  const frame: { targets: string[]; message: FrameMessage } = { targets, message: linkExpiredMessage(session) };
  return html`<script type="application/json" id="zsm-frame">${scriptJson(frame)}</script><script src="${services.prefix}${assets['link-error.js'].url}" defer></script>`;
}

export function sendLinkProblem(services: ScanUiServices, reply: FastifyReply, problem: LinkProblem, session?: Session): FastifyReply {
  const { status, title, text } = linkProblems[problem];
  const s = stringsFor('en');
  return reply
    .status(status)
    .header('content-security-policy', contentSecurityPolicy())
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      pageShell(
        s,
        html`<link rel="stylesheet" href="${services.prefix}${assets['scan.css'].url}">`,
        html`<div class="zsm"><header class="top"><span class="brand">ZignSec</span><span class="badge">${s.emulatorBadge}</span></header>
<main class="card" data-testid="link-error" data-reason="${problem}"><h1>${title}</h1><p>${text}</p></main></div>${linkProblemMessage(services, problem, session)}`,
      ),
    );
}

/**
 * Lets a browser in through the one-time link; the first open swaps the token for a session-scoped
 * cookie. The page must be the session's own (a liveness session's link opens the liveness page only).
 */
export function admitBrowser(services: ScanUiServices, request: FastifyRequest, reply: FastifyReply, page: 'liveness' | 'scanning'): Session | undefined {
  const { id } = request.params as { id: string };
  const { otp } = request.query as { otp?: string };
  const session = services.sessions.findById(id.toLowerCase());
  if (!session || !session.link || (session.flow === 'liveness') !== (page === 'liveness')) {
    sendLinkProblem(services, reply, 'unknown');
    return undefined;
  }
  const admitted = services.sessions.openLink(session, otp, request.cookies[desktopCookieName], linkUseOf(request));
  if (!admitted.ok) {
    sendLinkProblem(services, reply, admitted.reason, session);
    return undefined;
  }
  if (admitted.cookieSecret) setUiCookie(request, reply, services.prefix, desktopCookieName, admitted.cookieSecret, session.id);
  request.authorisedSessionId = session.id;
  return session;
}
