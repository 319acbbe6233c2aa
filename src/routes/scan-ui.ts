// The pages behind redirect_url: the one-time link gate, the scan UI it protects, the UI's own API
// under /v3/scan/ui/<id>/ (authorised by the page's Path-scoped cookie), the mobile hand-off and assets.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { packageRoot } from '../config.js';
import { ApiError } from '../core/errors.js';
import { frameMessageTargets, linkExpiredMessage, type FrameMessage } from '../core/frame-message.js';
import { qrSvg } from '../core/qr.js';
import { isFinal, type Session } from '../core/session.js';
import { acceptUploads, readUploadedImage } from '../http/uploads.js';
import { machineNetwork, phoneReach, type MachineNetwork, type PhoneReach } from '../http/phone-reach.js';
import { requestScheme } from '../http/public-url.js';
import { captureSteps, ScanFlowService, uploadSides, type UiRole } from '../services/scan-flow.js';
import { contentSecurityPolicy, cspSourceOf, html, type SafeHtml } from '../ui/html.js';
import { pageShell, renderResultPage, renderScanPage, scriptJson, type MobileReachView, type PageStep } from '../ui/scan-page.js';
import { stringsFor } from '../ui/strings.js';
import { loadAsset } from '../ui/asset.js';

const UiParams = z.object({ id: z.string().max(100) });
const UiQuery = z.object({ otp: z.string().max(200).optional() });
const MobileQuery = z.object({ t: z.string().max(200).optional() });
const UploadQuery = z.object({ side: z.enum(['front', 'back', 'selfie']).default('front') });
const TesterOutcomeBody = z.object({ outcome: z.string().min(1).max(60) });
const AssetParams = z.object({ file: z.string().max(100) });
const cookieName = 'zsm_ui';
const mobileCookieName = 'zsm_m';
const tags = ['Scan UI'];

function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

const uiAsset = (file: string, type: string) =>
  loadAsset(new URL(`../ui/assets/${file}`, import.meta.url), '/v3/scan/ui/assets', type, { stripComments: type.startsWith('text/javascript') });

const assets = {
  'scan.js': uiAsset('scan.js', 'text/javascript; charset=utf-8'),
  'scan.css': uiAsset('scan.css', 'text/css; charset=utf-8'),
  'link-error.js': uiAsset('link-error.js', 'text/javascript; charset=utf-8'),
};

const samplesDir = join(packageRoot, 'fixtures', 'sample-documents');
function loadSamples(): Map<string, { file: string; type: string }> {
  const samples = new Map<string, { file: string; type: string }>();
  let files: string[];
  try {
    files = readdirSync(samplesDir).sort();
  } catch {
    return samples;
  }
  for (const file of files) {
    const match = /^([a-z0-9-]+)\.(jpe?g|png|webp)$/.exec(file);
    if (match) samples.set(match[1], { file: join(samplesDir, file), type: match[2] === 'png' ? 'image/png' : match[2] === 'webp' ? 'image/webp' : 'image/jpeg' });
  }
  return samples;
}

const linkProblems = {
  invalid: { status: 403, title: 'This link is not valid', text: 'Ask the service that sent you here for a new link.' },
  used: { status: 403, title: 'This link has already been used', text: 'Verification links work once. Ask the service that sent you here for a new link.' },
  expired: { status: 410, title: 'This link has expired', text: 'Verification links are valid for a short time. Ask the service that sent you here for a new link.' },
  unknown: { status: 404, title: 'Verification session not found', text: 'The session may have expired or been removed.' },
} as const;

/**
 * The path PUBLIC_URL puts in front of the emulator's own paths (`/zignsec` for
 * `https://proxy.example/zignsec`), or ''. A proxy that strips it serves the emulator there, so
 * every path a page hands the browser (assets, its API, the cookie's Path) starts with it.
 */
export function publicPathPrefix(publicUrl: string | undefined): string {
  return publicUrl ? new URL(publicUrl).pathname.replace(/\/+$/, '') : '';
}

/**
 * The frame message of a link-error page: a used or expired link of a known session gets ZignSec's
 * documented LINK_EXPIRED message, posted to the session's merchant origins (see frameMessageTargets).
 * An invalid token or an unknown session posts nothing: no source says what ZignSec sends then.
 */
function linkProblemMessage(reply: FastifyReply, problem: keyof typeof linkProblems, session: Session | undefined, prefix: string): SafeHtml {
  if (!session || (problem !== 'used' && problem !== 'expired')) return html``;
  const targets = frameMessageTargets(session.settings, reply.server.emulator.fixtures.wire.scan_ui.frame_message.target_origins);
  if (targets.length === 0) return html``;
  const frame: { targets: string[]; message: FrameMessage } = { targets, message: linkExpiredMessage(session) };
  return html`<script type="application/json" id="zsm-frame">${scriptJson(frame)}</script><script src="${prefix}${assets['link-error.js'].url}" defer></script>`;
}

export function sendLinkProblem(reply: FastifyReply, problem: keyof typeof linkProblems, session?: Session): FastifyReply {
  const { status, title, text } = linkProblems[problem];
  const prefix = publicPathPrefix(reply.server.emulator.config.PUBLIC_URL);
  const s = stringsFor('en');
  return reply
    .status(status)
    .header('content-security-policy', contentSecurityPolicy())
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      pageShell(
        s,
        html`<link rel="stylesheet" href="${prefix}${assets['scan.css'].url}">`,
        html`<div class="zsm"><header class="top"><span class="brand">ZignSec</span><span class="badge">${s.emulatorBadge}</span></header>
<main class="card" data-testid="link-error" data-reason="${problem}"><h1>${title}</h1><p>${text}</p></main></div>${linkProblemMessage(reply, problem, session, prefix)}`,
      ),
    );
}

/**
 * The session cookie: HttpOnly, scoped to this session's UI path, SameSite=Lax. Served over https
 * (behind a TLS proxy), the UI may be embedded in a merchant's page on another site, where a Lax
 * cookie is never sent; there it is SameSite=None; Secure; Partitioned (a cookie of that embedding only).
 */
function setUiCookie(request: FastifyRequest, reply: FastifyReply, name: string, secret: string, sessionId: string): void {
  const sameSite = requestScheme(request) === 'https' ? 'SameSite=None; Secure; Partitioned' : 'SameSite=Lax';
  const prefix = publicPathPrefix(request.server.emulator.config.PUBLIC_URL);
  reply.header('set-cookie', `${name}=${secret}; Path=${prefix}/v3/scan/ui/${sessionId}; HttpOnly; ${sameSite}`);
}

/**
 * Lets a browser in through the one-time link; the first open swaps the token for a session-scoped
 * cookie. The page must be the session's own (a liveness session's link opens the liveness page only).
 */
function admitBrowser(request: FastifyRequest, reply: FastifyReply, page: 'liveness' | 'scanning'): Session | undefined {
  const { sessions } = request.server.emulator;
  const { id } = request.params as { id: string };
  const { otp } = request.query as { otp?: string };
  const session = sessions.findAny(id.toLowerCase());
  if (!session || !session.link || (session.flow === 'liveness') !== (page === 'liveness')) {
    sendLinkProblem(reply, 'unknown');
    return undefined;
  }
  // A HEAD request (link checkers, chat previews, prefetching) may see whether the link works but
  // must not use it up: only a GET opens the session.
  const admitted = sessions.openLink(session, otp, readCookie(request, cookieName), request.method !== 'HEAD');
  if (!admitted.ok) {
    sendLinkProblem(reply, admitted.reason, session);
    return undefined;
  }
  if (admitted.cookieSecret) setUiCookie(request, reply, cookieName, admitted.cookieSecret, session.id);
  request.authorisedSessionId = session.id;
  return session;
}

/** The CSP sources of the session's stylesheets; a URL that gives none is not loaded. */
function styleOrigins(urls: readonly string[]): string[] {
  return urls.map(cspSourceOf).filter((source) => source !== undefined);
}

/** What the page tells the desktop about the phone link: everything but the link itself (issued on demand). */
function reachView(reach: PhoneReach): MobileReachView {
  if (reach.kind !== 'loopback') return { kind: reach.kind };
  return { kind: 'loopback', reason: reach.reason, desktopHost: new URL(reach.base).host, listeningHost: reach.host, port: reach.port };
}

export interface ScanUiOptions {
  /** This machine's network as the mobile hand-off sees it (tests pass a stub); the real one by default. */
  network?: Partial<MachineNetwork>;
}

export const scanUiRoutes: FastifyPluginAsyncZod<ScanUiOptions> = async (app, options) => {
  const { sessions, config, clocks, fixtures } = app.emulator;
  const flow = new ScanFlowService(sessions, config, clocks);
  const network = machineNetwork(app.server, options.network);
  const samples = loadSamples();
  const prefix = publicPathPrefix(config.PUBLIC_URL);
  const resultPage = (session: Session) => `${prefix}/v3/scan/ui/${session.id}/result`;
  const frameTargets = (session: Session) => frameMessageTargets(session.settings, fixtures.wire.scan_ui.frame_message.target_origins);
  /** The phone link (the best address a phone can use) and the same link at the machine's other addresses. */
  const mobileLinks = (request: FastifyRequest, session: Session) => {
    const reach = phoneReach(request, config, network);
    const path = `/v3/scan/ui/${session.id}/mobile?t=${flow.mobileToken(session)}`;
    return { reach: reach.kind, url: `${reach.base}${path}`, others: reach.kind === 'lan' ? reach.others.map((base) => `${base}${path}`) : [] };
  };

  // Every response of the UI is private to one browser: never cached, never sniffed.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  /** The session and which browser (desktop or phone) an API call comes from, by its cookie. */
  function caller(request: FastifyRequest): { session: Session; role: UiRole } {
    const { id } = request.params as { id: string };
    const session = sessions.findAny(id.toLowerCase());
    if (!session || !session.link) throw new ApiError('SESSION_NOT_FOUND', `No session with id ${JSON.stringify(id.slice(0, 64))} was found.`);
    const role = flow.roleOf(session, readCookie(request, cookieName), readCookie(request, mobileCookieName));
    if (!role) throw new ApiError('UNAUTHORIZED', 'The scan UI API needs the cookie of the verification page: open the page through its one-time link first.');
    request.authorisedSessionId = session.id;
    return { session, role };
  }

  function sendPage(request: FastifyRequest, reply: FastifyReply, session: Session, role: UiRole): FastifyReply {
    const steps = captureSteps(session);
    const state = flow.state(session, resultPage(session));
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
      mobileReach: role === 'desktop' && session.settings.mobile_flow ? reachView(phoneReach(request, config, network)) : null,
      testMode: config.TEST_MODE,
      outcomes: [...fixtures.outcomes.values()].map((o) => ({ name: o.name, description: o.description })),
      currentOutcome: session.outcome,
      samples: config.TEST_MODE ? [...samples.keys()] : [],
      samplesBase: `${prefix}/v3/scan/ui/assets/samples/`,
      redirect: state.redirect?.url ?? null,
      frame: { targets: frameTargets(session), message: state.frame_message },
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

  // Pages ------------------------------------------------------------------------------------
  for (const page of ['liveness', 'scanning'] as const) {
    app.get(
      `/v3/scan/ui/:id/${page}`,
      { schema: { tags, summary: `The hosted ${page} page (one-time link)`, params: UiParams, querystring: UiQuery } },
      async (request, reply) => {
        const session = admitBrowser(request, reply, page);
        if (!session) return reply;
        return sendPage(request, reply, session, 'desktop');
      },
    );
  }

  app.get(
    '/v3/scan/ui/:id/mobile',
    { schema: { tags, summary: 'The phone page of the mobile hand-off (its own one-time link, from the QR code)', params: UiParams, querystring: MobileQuery } },
    async (request, reply) => {
      const session = sessions.findAny(request.params.id.toLowerCase());
      if (!session || !session.link) return sendLinkProblem(reply, 'unknown');
      const admitted = flow.openMobileLink(session, request.query.t, readCookie(request, mobileCookieName), request.method !== 'HEAD');
      if (!admitted.ok) return sendLinkProblem(reply, admitted.reason, session);
      if (admitted.cookieSecret) setUiCookie(request, reply, mobileCookieName, admitted.cookieSecret, session.id);
      request.authorisedSessionId = session.id;
      return sendPage(request, reply, session, 'mobile');
    },
  );

  app.get('/v3/scan/ui/:id/result', { schema: { tags, summary: 'Result page, when the merchant gave no URL to return to', params: UiParams } }, async (request, reply) => {
    const session = sessions.findAny(request.params.id.toLowerCase());
    if (!session || !session.link) return sendLinkProblem(reply, 'unknown');
    if (!flow.roleOf(session, readCookie(request, cookieName), readCookie(request, mobileCookieName))) return sendLinkProblem(reply, 'invalid');
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

  // The UI's API -----------------------------------------------------------------------------
  app.get('/v3/scan/ui/:id/state', { schema: { tags, summary: "The session as the scan UI sees it (polled by the page)", params: UiParams } }, async (request) => {
    const { session } = caller(request);
    return { ...flow.state(session, resultPage(session)), errors: [] };
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
          reference: `scan-ui:${role}`,
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
    flow.startAnalysis(session);
    return { ...flow.state(session, resultPage(session)), errors: [] };
  });

  app.post('/v3/scan/ui/:id/cancel', { schema: { tags, summary: 'Cancel: the session ends Cancelled and the page goes to cancel_url', params: UiParams } }, async (request) => {
    const { session } = caller(request);
    if (!isFinal(session.status)) sessions.cancel(session);
    return { ...flow.state(session, resultPage(session)), errors: [] };
  });

  app.post(
    '/v3/scan/ui/:id/tester/outcome',
    { schema: { tags, summary: "Tester panel (TEST_MODE): this run's outcome preset", params: UiParams, body: TesterOutcomeBody } },
    async (request) => {
      if (!config.TEST_MODE) throw new ApiError('NOT_FOUND', 'The tester panel is off (TEST_MODE=false).');
      const { session } = caller(request);
      const applied = flow.chooseTesterOutcome(session, request.body.outcome);
      return { applied, outcome: { ...session.outcome }, errors: [] };
    },
  );

  app.post('/v3/scan/ui/:id/mobile-link', { schema: { tags, summary: 'Mobile hand-off: the phone link (its own one-time token) and its QR code', params: UiParams } }, async (request) => {
    const { session, role } = caller(request);
    if (role !== 'desktop') throw new ApiError('SESSION_STATE', 'The mobile link is handed out to the desktop page only.');
    const links = mobileLinks(request, session);
    return { url: links.url, qr: `${prefix}/v3/scan/ui/${session.id}/mobile-link/qr.svg`, reach: links.reach, other_urls: links.others, errors: [] };
  });

  app.get('/v3/scan/ui/:id/mobile-link/qr.svg', { schema: { tags, summary: 'The QR code of the mobile link, as SVG', params: UiParams } }, async (request, reply) => {
    const { session, role } = caller(request);
    if (role !== 'desktop') throw new ApiError('SESSION_STATE', 'The mobile link is handed out to the desktop page only.');
    return reply
      .header('content-security-policy', "default-src 'none'")
      .type('image/svg+xml; charset=utf-8')
      .send(qrSvg(mobileLinks(request, session).url, stringsFor(session.settings.locale).mobileQrAlt));
  });

  // Assets -----------------------------------------------------------------------------------
  app.get('/v3/scan/ui/assets/:file', { schema: { hide: true, params: AssetParams } }, async (request, reply) => {
    const asset = Object.hasOwn(assets, request.params.file) ? assets[request.params.file as keyof typeof assets] : undefined;
    if (!asset) throw new ApiError('NOT_FOUND', `No asset ${JSON.stringify(request.params.file)}.`);
    return reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body);
  });

  app.get('/v3/scan/ui/assets/samples/:file', { schema: { hide: true, params: AssetParams } }, async (request, reply) => {
    const sample = config.TEST_MODE ? samples.get(request.params.file) : undefined;
    if (!sample) throw new ApiError('NOT_FOUND', `No sample document ${JSON.stringify(request.params.file)}.`);
    return reply.header('cache-control', 'public, max-age=3600').type(sample.type).send(readFileSync(sample.file));
  });
};
