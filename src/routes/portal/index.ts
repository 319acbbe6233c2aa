// The merchant portal under /portal: sign in with an API key, the merchant's settings, start a scan
// in this browser or on a phone, and every session of the key in detail. Server-rendered pages,
// one small script, CSRF tokens on every form; the key lives on the server, never in a page or URL.
import fastifyCookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dropUnsendableHeaders, toApiError } from '../../http/errors.js';
import { portalHeaders, securityHeaders } from '../../http/security-headers.js';
import { portalAssets } from '../../ui/portal/assets.js';
import { renderProblem } from '../../ui/portal/sign-in.js';
import { accountRoutes } from './account.js';
import { ConsoleNotices } from './console-notices.js';
import { consoleRoutes } from './console.js';
import { journalConsoleRoutes } from './journal-console.js';
import { answerUnchangedLivePage, liveRoutes, type LiveStreamTimings } from './live.js';
import { portalCsp, sendPage, signedInView, type PortalContext } from './signed-in.js';
import { CSRF_FIELD, PortalSessionStore, SESSION_COOKIE, SignInFormTokens, tokensMatch } from './portal-auth.js';
import { scanRoutes } from './scans.js';
import { sessionPageRoutes } from './session-pages.js';
import { webhookConsoleRoutes } from './webhook-console.js';

const AssetParams = z.object({ file: z.string().max(100) });

const problemTitles: Record<number, string> = {
  400: 'That did not work',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Not possible right now',
  413: 'Too large',
  415: 'Unsupported request',
  429: 'Too many sessions',
};

/** An HTML page for a refusal or an error (the portal never answers with the API's JSON errors). */
function problemPage(context: PortalContext, request: FastifyRequest, reply: FastifyReply, status: number, text: string): FastifyReply {
  // Pages outside the guard (404s, errors) still show who is signed in. A request refused before the
  // portal's hooks ran (no Host) has no parsed cookies: it is answered as signed out.
  const cookies = request.cookies as typeof request.cookies | null;
  request.portalSession ??= context.store.get(cookies?.[SESSION_COOKIE]) ?? null;
  const signedIn = request.portalSession && request.server.emulator.merchants.settingsFor(request.portalSession.apiKey) ? signedInView(request) : undefined;
  const title = status === 404 && /session/i.test(text) ? 'Session not found' : (problemTitles[status] ?? 'Something went wrong');
  const back = signedIn ? { href: '/portal', label: 'Back to the portal' } : { href: '/portal/sign-in', label: 'Sign in' };
  return sendPage(reply, renderProblem({ status, title, text, signedIn, back }), status);
}

/** Everything under /portal that needs a signed-in merchant, with CSRF checks on every POST. */
const guardedRoutes =
  (context: PortalContext): FastifyPluginAsync =>
  async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      request.portalSession = context.store.get(request.cookies[SESSION_COOKIE]) ?? null;
      const apiKey = request.portalSession?.apiKey;
      // A key that is no longer accepted (strict mode) loses its sign-in too.
      if (apiKey !== undefined && !request.server.emulator.merchants.settingsFor(apiKey)) {
        context.store.close(request.portalSession!.id);
        request.portalSession = null;
      }
      if (request.portalSession) return;
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return reply.status(303).header('location', `/portal/sign-in${next}`).send();
    });
    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST') return;
      const form = request.body instanceof URLSearchParams ? request.body : undefined;
      if (!tokensMatch(form?.get(CSRF_FIELD), request.portalSession!.csrf)) {
        return problemPage(context, request, reply, 403, 'The form was not sent from this portal session (missing or wrong CSRF token). Reload the page and try again.');
      }
    });
    await app.register(scanRoutes);
    await app.register(sessionPageRoutes);
    await app.register(accountRoutes.guarded(context));
    // The QA console of the signed-in key: next outcomes, API faults and the clock; webhooks; journal.
    await app.register(consoleRoutes(context));
    await app.register(webhookConsoleRoutes);
    await app.register(journalConsoleRoutes);
  };

const portalPlugin =
  (context: PortalContext, live: Partial<LiveStreamTimings>): FastifyPluginAsyncZod =>
  async (app) => {
    app.decorateRequest('portalSession', null);
    // Sign-in and form-token cookies, read on every portal request (request.cookies), 404s and error pages included.
    await app.register(fastifyCookie);
    // Forms post application/x-www-form-urlencoded; the body arrives as URLSearchParams (repeated fields kept).
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
      done(null, new URLSearchParams(String(body)));
    });

    app.addHook('onSend', securityHeaders(portalHeaders(portalCsp())));
    // Live pages: an unchanged live region is a 304 (live.ts).
    app.addHook('onSend', answerUnchangedLivePage);

    app.setErrorHandler((error: FastifyError, request, reply) => {
      dropUnsendableHeaders(error, reply);
      const apiError = toApiError(error, request);
      if (!apiError) request.log.error({ err: error }, 'portal error');
      const status = apiError?.status ?? 500;
      const text = apiError?.entries.map((e) => e.description).join(' ') ?? 'An unexpected error occurred in the emulator; the log has the details.';
      return problemPage(context, request, reply, status, text);
    });
    app.setNotFoundHandler((request, reply) => problemPage(context, request, reply, 404, `There is no portal page at ${request.url.split('?')[0]}.`));

    app.get('/assets/:file', { schema: { hide: true, params: AssetParams } }, async (request, reply) => {
      const asset = Object.hasOwn(portalAssets, request.params.file) ? portalAssets[request.params.file] : undefined;
      if (!asset) return problemPage(context, request, reply, 404, 'No such asset.');
      return reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body);
    });

    // Limits are checked by the sign-in route itself (createRateLimit), which answers with a page of its own.
    await app.register(rateLimit, { global: false });
    await app.register(accountRoutes.public(context));
    await app.register(liveRoutes(context, live));
    await app.register(guardedRoutes(context));
  };

export interface PortalOptions {
  /** Timings of the live streams (tests make them short); defaults otherwise. */
  live?: Partial<LiveStreamTimings>;
}

/** Register with `await app.register(portalRoutes)`; it mounts itself under /portal. */
export const portalRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  const context: PortalContext = {
    store: new PortalSessionStore({ capacity: app.emulator.config.PORTAL_MAX_SIGN_INS }),
    signInTokens: new SignInFormTokens(),
    notices: new ConsoleNotices(),
  };
  await app.register(portalPlugin(context, options.live ?? {}), { prefix: '/portal' });
};
