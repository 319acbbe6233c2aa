// What the portal's route modules share: the sign-in store, the signed-in merchant of a request,
// the CSP of portal pages, and HTML replies.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../http/error-catalogue.js';
import { guidPattern } from '../../core/ids.js';
import type { Session } from '../../core/session.js';
import { maskKey } from '../../http/auth.js';
import { contentSecurityPolicy } from '../../ui/html.js';
import type { SignedIn } from '../../ui/portal/layout.js';
import type { ConsoleNotices } from './console-notices.js';
import type { PortalSession, PortalSessionStore, SignInFormTokens } from './portal-auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the portal's sign-in guard on every page that needs a signed-in merchant. */
    portalSession: PortalSession | null;
  }
}

export interface PortalContext {
  store: PortalSessionStore;
  signInTokens: SignInFormTokens;
  /** What the QA console's actions did, for the page each one leads back to. */
  notices: ConsoleNotices;
}

/**
 * The scan UI's CSP, with two changes for the portal: only the portal itself may frame its pages
 * (they hold forms), and the mobile page may frame the scan UI.
 */
export function portalCsp(options: { frames?: boolean } = {}): string {
  const base = contentSecurityPolicy().replace('frame-ancestors *', "frame-ancestors 'self'");
  return options.frames ? `${base}; frame-src 'self'` : base;
}

export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(page);
}

/** The portal session of a guarded route (the guard has already turned everyone else away). */
export function portalSessionOf(request: FastifyRequest): PortalSession {
  if (!request.portalSession) throw new ApiError('UNAUTHORIZED', 'Sign in to the portal first.');
  return request.portalSession;
}

export function signedInView(request: FastifyRequest): SignedIn {
  const portal = portalSessionOf(request);
  const settings = request.server.emulator.merchants.settingsFor(portal.apiKey);
  return { merchantName: settings?.name ?? 'Merchant', maskedKey: maskKey(portal.apiKey), csrf: portal.csrf };
}

/** The signed-in merchant's session; another key's session is as unknown as a missing one (404). */
export function ownSession(request: FastifyRequest, id: string): Session {
  if (!guidPattern.test(id)) throw new ApiError('SESSION_NOT_FOUND', 'No session with that id was found.');
  return request.server.emulator.sessions.getForKey(portalSessionOf(request).apiKey, id.toLowerCase());
}
