// How the portal's live pages learn of changes without downloading themselves again and again.
//
// A page region marked data-live="on" (the sessions list, a session, the mobile hand-off, the
// console's journal and webhooks) used to re-fetch its whole page every 600 ms: about 100 requests
// and, for a webhooks page, 12 MB a minute per open tab, with nothing changed. Now:
//
// 1. GET /portal/live is a Server-Sent Events stream for the signed-in key: `ready` when it opens,
//    `change` when anything of the key changed (services/change-feed.ts: sessions, deliveries,
//    chaos rules, journal; coalesced, at most two a second), a `heartbeat` every 25 s, and `bye`
//    with the reason before the server ends it (idle, signed-out, shutdown). It carries no data of
//    the key, only that something changed; another key's changes never reach it.
// 2. On `change` a page asks for itself again with If-None-Match: W/"<its region's fingerprint>";
//    the answer is 304 with no body when its region did not change (see answerUnchangedLivePage),
//    else the page, whose region is swapped in as before. A hidden tab waits until it is shown.
//
// Why a push and not conditional polling alone: a 304 poll still costs a request, a render and a
// fingerprint on the server per tab and interval, and the journal's fingerprint walks the ring; an
// idle stream costs one small event every 25 s and nothing on the server but a timer. Why one
// stream per key rather than one per view: the views' fingerprints are made by the page routes,
// and a key-wide nudge plus a conditional request keeps them there, whatever page is open.
// Why one stream per browser: over HTTP/1.1 a browser opens at most six connections to one origin,
// across all its tabs; six tabs each holding a stream would leave none for anything else, and the
// portal (and the scan UI beside it) would hang. The portal's script elects one tab per browser
// (Web Locks) to hold the stream and tells the others over a BroadcastChannel; where Web Locks are
// missing (a page not in a secure context, such as http://<LAN address>), a tab holds its own
// stream while it is visible only. HTTP/2 would lift the limit, but browsers speak it over TLS only.
//
// Measured with `node --import tsx bench/live-pages.ts` (README, Benchmarks): a webhooks page left
// open made 95 requests a minute (11.6 MB, 320 ms of the emulator's CPU) and now makes none (60
// bytes of heartbeats); 50 windows of one key made 2,583 (34.8 MB, 1.8 s of CPU, the browser's six
// connections all busy) and now share one stream. A change reaches a page in about 20 ms plus one
// conditional request, where polling took up to 600 ms.
//
// Bounded: streams per key and in all (ChangeFeed limits: 429 and 503 past them, with Retry-After);
// a stream with no change for five minutes ends (`bye idle`, the page reconnects at once, which also
// proves its sign-in again); a client that stops reading (64 KB buffered) is cut off; a stream ends
// when its sign-in does (signed out, replaced, expired) and at shutdown, at once, never holding it up.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ChangeSubscriber, ChangeSubscription, SubscribeRefusal } from '../../services/change-feed.js';
import { renderProblem } from '../../ui/portal/sign-in.js';
import { portalCsp, sendPage, type PortalContext } from './signed-in.js';
import { SESSION_COOKIE } from './portal-auth.js';

export interface LiveStreamTimings {
  /** A heartbeat event this often, so that either side notices a connection gone quiet. */
  heartbeatMs: number;
  /** A stream with no change this long ends (`bye idle`); the page opens a new one at once. */
  idleMs: number;
  /** Bytes a stream may have waiting for a client that does not read before it is cut off. */
  maxBufferedBytes: number;
}

export const defaultLiveStreamTimings: LiveStreamTimings = { heartbeatMs: 25_000, idleMs: 5 * 60_000, maxBufferedBytes: 64 * 1024 };

/** Why the server ends a stream: said in its last event, so the page knows whether to reconnect. */
export type StreamEnd = 'idle' | 'signed-out' | 'shutdown';

/** How long a refused page waits before it tries again. */
const RETRY_AFTER_SECONDS = 30;

const LiveQuery = z.object({ probe: z.string().max(10).optional() });

const refusals: Record<SubscribeRefusal, { status: number; title: string; text: string }> = {
  'key-full': { status: 429, title: 'Too many live pages', text: 'This API key already has as many live pages open as the emulator follows; this one updates when one of them closes.' },
  full: { status: 503, title: 'Too many live pages', text: 'The emulator already follows as many live pages as it can; this one updates when some of them close.' },
  closed: { status: 503, title: 'Shutting down', text: 'The emulator is shutting down.' },
};

/** An SSE event as written on the wire. */
export const sseEvent = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** The live region's fingerprint in a rendered page: the data-fingerprint of its first data-live element. */
const liveRegionTag = /<[a-z]+\s[^>]*\bdata-live="(?:on|off)"[^>]*>/;
const fingerprintAttribute = /\bdata-fingerprint="([A-Za-z0-9_-]{1,64})"/;
const MAX_IF_NONE_MATCH_CHARS = 2048;

/** Whether an If-None-Match value names this entity tag (weak comparison, as for GET). */
function namesTag(ifNoneMatch: string, tag: string): boolean {
  if (ifNoneMatch.length > MAX_IF_NONE_MATCH_CHARS) return false;
  return ifNoneMatch.split(',').some((part) => {
    const candidate = part.trim();
    return candidate === '*' || candidate.replace(/^W\//, '') === `"${tag}"`;
  });
}

/**
 * onSend of every portal page: a page with a live region carries the region's fingerprint as a weak
 * ETag, and a GET whose If-None-Match names it is answered 304 without a body. Weak, because the
 * tag stands for the live region only (the page around it, its CSRF token, its notices may differ);
 * pages are never stored (Cache-Control: no-store), so only the portal's script ever sends it.
 */
export const answerUnchangedLivePage = async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
  if (request.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
  const region = liveRegionTag.exec(payload);
  const fingerprint = region && fingerprintAttribute.exec(region[0])?.[1];
  if (!fingerprint) return payload;
  reply.header('etag', `W/"${fingerprint}"`);
  const asked = request.headers['if-none-match'];
  if (typeof asked !== 'string' || !namesTag(asked, fingerprint)) return payload;
  reply.code(304);
  reply.removeHeader('content-type');
  return null;
};

/** One open stream: the events it writes, its timers, and how it ends. */
export class LiveStream implements ChangeSubscriber {
  private subscription: ChangeSubscription | null = null;
  private heartbeat: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private done = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly timings: LiveStreamTimings,
    /** Whether its sign-in still holds (checked before each event, without counting as a use). */
    private readonly signedIn: () => boolean,
    private readonly forget: (stream: LiveStream) => void,
  ) {}

  start(subscription: ChangeSubscription): void {
    this.subscription = subscription;
    this.response.on('close', () => this.finish());
    this.write(sseEvent('ready', { revision: subscription.revision, heartbeat_ms: this.timings.heartbeatMs }));
    this.heartbeat = setInterval(() => (this.signedIn() ? this.write(sseEvent('heartbeat', {})) : this.end('signed-out')), this.timings.heartbeatMs);
    this.heartbeat.unref();
    this.armIdle();
  }

  changed(revision: number): void {
    if (!this.signedIn()) return this.end('signed-out');
    this.write(sseEvent('change', { revision }));
    this.armIdle();
  }

  ended(reason: 'shutdown'): void {
    this.end(reason);
  }

  /** Says why, then ends the response; at shutdown the connection closes too, so it holds nothing open. */
  end(reason: StreamEnd): void {
    if (this.done) return;
    this.write(sseEvent('bye', { reason }));
    const socket = this.response.socket;
    this.finish();
    if (this.response.destroyed || this.response.writableEnded) return;
    this.response.end(() => {
      if (reason === 'shutdown') socket?.end();
    });
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.end('idle'), this.timings.idleMs);
    this.idle.unref();
  }

  private write(text: string): void {
    if (this.done || this.response.destroyed) return;
    this.response.write(text);
    // A client that does not read: its events would pile up in memory. Cut it off; it reconnects if it can.
    if (this.response.writableLength > this.timings.maxBufferedBytes) this.response.destroy();
  }

  /** Stops everything the stream holds; safe to call more than once. */
  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.idle);
    this.subscription?.unsubscribe();
    this.forget(this);
  }
}

/** GET /portal/live (see the top of this file); answers for itself, outside the sign-in guard's 303s. */
export const liveRoutes =
  (context: PortalContext, timings: Partial<LiveStreamTimings> = {}): FastifyPluginAsyncZod =>
  async (app) => {
    const { changes, merchants } = app.emulator;
    const settings: LiveStreamTimings = { ...defaultLiveStreamTimings, ...timings };
    /** Open streams by the sign-in (portal session id) they follow. */
    const bySignIn = new Map<string, Set<LiveStream>>();

    context.store.onEnd((id) => {
      for (const stream of [...(bySignIn.get(id) ?? [])]) stream.end('signed-out');
    });

    const refuse = (reply: FastifyReply, status: number, title: string, text: string) =>
      sendPage(reply, renderProblem({ status, title, text, back: { href: '/portal', label: 'Back to the portal' } }), status);

    app.get('/live', { schema: { hide: true, querystring: LiveQuery }, exposeHeadRoute: false }, async (request, reply) => {
      const portal = context.store.get(request.cookies[SESSION_COOKIE]);
      if (portal && !merchants.settingsFor(portal.apiKey)) context.store.close(portal.id);
      if (!portal || !merchants.settingsFor(portal.apiKey)) {
        return refuse(reply, 401, 'Please sign in', 'Live updates follow a signed-in key: sign in to the portal first.');
      }
      const refusedFor = (reason: SubscribeRefusal) => {
        const { status, title, text } = refusals[reason];
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return refuse(reply, status, title, text);
      };
      // A page asking whether a stream would be taken (after it lost one): the answer, without opening it.
      if (request.query.probe !== undefined) {
        const refused = changes.admits(portal.apiKey);
        return refused ? refusedFor(refused) : reply.status(204).send();
      }

      const signInId = portal.id;
      const response = reply.raw;
      const stream = new LiveStream(
        response,
        settings,
        () => context.store.isOpen(signInId) && merchants.settingsFor(portal.apiKey) !== undefined,
        (ended) => {
          const streams = bySignIn.get(signInId);
          streams?.delete(ended);
          if (streams?.size === 0) bySignIn.delete(signInId);
        },
      );
      const subscribed = changes.subscribe(portal.apiKey, stream);
      if (!subscribed.ok) return refusedFor(subscribed.reason);

      reply.hijack();
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // Reverse proxies (PUBLIC_URL behind nginx) would otherwise hold events back in their buffers.
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        'content-security-policy': portalCsp(),
        'referrer-policy': 'no-referrer',
      });
      request.raw.socket.setNoDelay(true);
      const streams = bySignIn.get(signInId) ?? new Set<LiveStream>();
      streams.add(stream);
      bySignIn.set(signInId, streams);
      stream.start(subscribed.subscription);
    });
  };
