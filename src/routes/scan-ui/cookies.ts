// The scan UI's cookies: one for the desktop browser that opened redirect_url, one for the phone that
// opened the mobile link, each scoped to its session's UI path. They replace the one-time token after
// the first open (core/otp.ts). @fastify/cookie (registered in index.ts) reads and writes them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestScheme } from '../../http/public-url.js';

export const desktopCookieName = 'zsm_ui';
export const mobileCookieName = 'zsm_m';

/**
 * The session cookie: HttpOnly, scoped to this session's UI path, SameSite=Lax. Served over https
 * (behind a TLS proxy), the UI may be embedded in a merchant's page on another site, where a Lax
 * cookie is never sent; there it is SameSite=None; Secure; Partitioned (a cookie of that embedding only).
 */
export function setUiCookie(request: FastifyRequest, reply: FastifyReply, prefix: string, name: string, secret: string, sessionId: string): void {
  const sameSite = requestScheme(request) === 'https' ? ({ sameSite: 'none', secure: true, partitioned: true } as const) : ({ sameSite: 'lax' } as const);
  reply.setCookie(name, secret, { path: `${prefix}/v3/scan/ui/${sessionId}`, httpOnly: true, ...sameSite });
}
