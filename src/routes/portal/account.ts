// Signing in and out, and the merchant's settings (edit, forget changes, export as a merchants file).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { documentOptions, knownLocales, livenessActions } from '../../schemas/common.js';
import type { MerchantsFile } from '../../schemas/fixtures.js';
import { renderSettings } from '../../ui/portal/settings.js';
import { renderSignIn } from '../../ui/portal/sign-in.js';
import { portalSessionOf, sendPage, signedInView, type PortalContext } from './signed-in.js';
import {
  ACTIVE_SIGN_IN_MS,
  clientAddressOf,
  clearSessionCookie,
  clearSignInToken,
  CSRF_FIELD,
  safeNext,
  SESSION_COOKIE,
  setSessionCookie,
  SIGN_IN_COOKIE,
  signInToken,
  tokensMatch,
} from './portal-auth.js';
import { draftFromForm, draftOf, validateDraft, type FieldErrors, type SettingsDraft } from './settings-form.js';

const hide = { hide: true } as const;
const SignInQuery = z.object({ next: z.string().max(500).optional(), signed_out: z.string().optional() });
const SettingsQuery = z.object({ saved: z.string().optional(), reset: z.string().optional() });
const MAX_KEY_LENGTH = 512;

function formOf(request: FastifyRequest): URLSearchParams {
  return request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
}

/** Why a key cannot sign in, or undefined when it can. */
function keyProblem(request: FastifyRequest, key: string): { status: number; text: string } | undefined {
  const { merchants, config } = request.server.emulator;
  if (key === '') return { status: 400, text: 'Enter your API key.' };
  if (key.length > MAX_KEY_LENGTH) return { status: 400, text: `An API key has at most ${MAX_KEY_LENGTH} characters.` };
  if (/^bearer\s/i.test(key)) return { status: 400, text: "Enter the key itself, without 'Bearer ': ZignSec takes the raw key." };
  if (config.AUTH_MODE === 'strict' && !merchants.isKnown(key)) {
    return { status: 401, text: 'This key is not known to the emulator (AUTH_MODE=strict): only keys in the merchants file can sign in.' };
  }
  return undefined;
}

export const accountRoutes = {
  /** Sign-in needs no portal session: its form carries a token the server issued instead. */
  public:
    (context: PortalContext): FastifyPluginAsyncZod =>
    async (app) => {
      const { config } = app.emulator;
      const strict = config.AUTH_MODE === 'strict';
      const signInAttempt = app.createRateLimit({ max: config.PORTAL_SIGN_IN_RATE, timeWindow: 60_000, keyGenerator: clientAddressOf });
      const signInPage = (request: FastifyRequest, reply: FastifyReply, next: string, extra: { error?: string; signedOut?: boolean } = {}, status = 200) =>
        sendPage(reply, renderSignIn({ token: signInToken(request, reply, context.signInTokens), next, strict, ...extra }), status);
      const refusedFor = (reply: FastifyReply, seconds: number) => reply.header('retry-after', String(Math.max(1, Math.ceil(seconds))));

      app.get('/sign-in', { schema: { ...hide, querystring: SignInQuery } }, async (request, reply) => {
        const next = safeNext(request.query.next);
        if (context.store.get(request.cookies[SESSION_COOKIE])) return reply.status(303).header('location', next).send();
        return signInPage(request, reply, next, { signedOut: request.query.signed_out !== undefined });
      });

      app.post('/sign-in', { schema: hide }, async (request, reply) => {
        const form = formOf(request);
        const next = safeNext(form.get('next'));
        // Counted before anything else, so that forged or broken posts use up the allowance too.
        const attempts = await signInAttempt(request);
        if (!attempts.isAllowed && attempts.isExceeded) {
          const error = `Too many sign-in attempts from your address (at most ${attempts.max} a minute). Please try again in ${attempts.ttlInSeconds} seconds.`;
          return signInPage(request, refusedFor(reply, attempts.ttlInSeconds), next, { error }, 429);
        }
        const formToken = request.cookies[SIGN_IN_COOKIE];
        if (!tokensMatch(form.get(CSRF_FIELD), formToken) || !context.signInTokens.isLive(formToken)) {
          return signInPage(request, reply, next, { error: 'The sign-in form had expired. Please enter your key again.' }, 403);
        }
        const key = (form.get('api_key') ?? '').trim();
        const problem = keyProblem(request, key);
        if (problem) return signInPage(request, reply, next, { error: problem.text }, problem.status);
        context.store.close(request.cookies[SESSION_COOKIE]);
        const opened = context.store.open(key);
        if (!opened.ok) {
          const minutes = Math.ceil(opened.retryAfterMs / 60_000);
          const error =
            `The portal already holds ${config.PORTAL_MAX_SIGN_INS} sign-ins, all in use within the last ${ACTIVE_SIGN_IN_MS / 60_000} minutes, ` +
            `and signs nobody out to make room. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
          return signInPage(request, refusedFor(reply, opened.retryAfterMs / 1000), next, { error }, 503);
        }
        context.signInTokens.spend(formToken);
        setSessionCookie(request, reply, opened.session);
        clearSignInToken(request, reply);
        return reply.status(303).header('location', next).send();
      });
    },

  guarded:
    (context: PortalContext): FastifyPluginAsyncZod =>
    async (app) => {
      const { merchants, fixtures } = app.emulator;
      const outcomes = () => [...fixtures.outcomes.values()].map((o) => ({ name: o.name, description: o.description }));

      function settingsPage(request: FastifyRequest, reply: FastifyReply, draft: SettingsDraft, errors: FieldErrors, notice?: 'saved' | 'reset', status = 200) {
        return sendPage(
          reply,
          renderSettings({
            signedIn: signedInView(request),
            draft,
            webhookSecretInEffect: merchants.webhookSecretFor(portalSessionOf(request).apiKey),
            errors,
            documentOptions: ['NoDocument', ...documentOptions.filter((o) => o !== 'NoDocument')],
            actions: livenessActions,
            locales: knownLocales,
            outcomes: outcomes(),
            notice,
          }),
          status,
        );
      }

      app.post('/sign-out', { schema: hide }, async (request, reply) => {
        context.store.close(portalSessionOf(request).id);
        clearSessionCookie(request, reply);
        return reply.status(303).header('location', '/portal/sign-in?signed_out=1').send();
      });

      app.get('/settings', { schema: { ...hide, querystring: SettingsQuery } }, async (request, reply) => {
        const settings = merchants.settingsFor(portalSessionOf(request).apiKey)!;
        const notice = request.query.saved !== undefined ? 'saved' : request.query.reset !== undefined ? 'reset' : undefined;
        return settingsPage(request, reply, draftOf(settings), {}, notice);
      });

      app.post('/settings', { schema: hide }, async (request, reply) => {
        const { apiKey } = portalSessionOf(request);
        const current = merchants.settingsFor(apiKey)!;
        const draft = draftFromForm(formOf(request), draftOf(current));
        const checked = validateDraft(draft, current, new Set(fixtures.outcomes.keys()));
        if (!checked.ok) return settingsPage(request, reply, draft, checked.errors, undefined, 400);
        merchants.update(apiKey, checked.settings);
        return reply.status(303).header('location', '/portal/settings?saved=1').send();
      });

      app.post('/settings/reset', { schema: hide }, async (request, reply) => {
        merchants.reset(portalSessionOf(request).apiKey);
        return reply.status(303).header('location', '/portal/settings?reset=1').send();
      });

      app.get('/settings/export', { schema: hide }, async (request, reply) => {
        const { apiKey } = portalSessionOf(request);
        const file: MerchantsFile = merchants.exportView();
        // A merchant sees its own entry only: other merchants' keys are not its business
        // (the whole file is on the control API, GET /__mock/merchants/export).
        const exported = { default: file.default, merchants: Object.hasOwn(file.merchants, apiKey) ? { [apiKey]: file.merchants[apiKey] } : {} };
        return reply
          .type('application/json; charset=utf-8')
          .header('content-disposition', 'attachment; filename="merchants.json"')
          .send(`${JSON.stringify(exported, null, 2)}\n`);
      });
    },
};
