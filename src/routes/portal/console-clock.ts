// The QA console's "Clock" page for the signed-in key: the key's own clock (or the global one it
// follows until it moves its own), and moves of it (advance, freeze, resume, reset) through the
// due-work scheduler, as the control API's /__mock/clock/* routes make them with the key's api_key;
// after an advance, what ran for the key and which of its sessions changed. Other keys' clocks and
// sessions are never touched or shown.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Emulator } from '../../emulator.js';
import { parseDuration } from '../../config.js';
import { ApiError } from '../../http/error-catalogue.js';
import { isFinal } from '../../core/session.js';
import { isoInstant, MAX_CLOCK_MOVE_MS } from '../../core/time-limits.js';
import { AdvanceBody } from '../../schemas/control.js';
import type { AdvanceReport } from '../../services/due-work.js';
import { formatSpan, renderConsoleClock, type ClockPageView, type UpcomingItem } from '../../ui/portal/console-clock.js';
import type { NoticeItem } from './console-notices.js';
import { backWithNotice, NoticeQuery, plural, postedForm } from './console-forms.js';
import { portalSessionOf, sendPage, signedInView, type PortalContext } from './signed-in.js';

const hide = { hide: true } as const;
const PAGE = '/portal/clock';
const QUICK_MOVES = [
  { duration: '10m', label: '10 minutes' },
  { duration: '31m', label: '31 minutes' },
  { duration: '48h', label: '48 hours' },
] as const;
/** Upcoming work shown at most; the rest is counted. */
const UPCOMING_SHOWN = 8;
/** Sessions a move's notice lists at most; the rest is counted. */
const TOUCHED_SHOWN = 20;

/** The key's clock as the control API reports it (GET /__mock/clock?api_key=), read at one instant of the global clock. */
function clockStateOf(emulator: Emulator, apiKey: string) {
  const { clock, clocks } = emulator;
  const globalNow = clock.now();
  const now = clocks.nowAt(apiKey, globalNow);
  return {
    now,
    frozen: clocks.frozen(apiKey),
    ownClock: clocks.ownClock(apiKey) !== undefined,
    ownFrozen: clocks.ownClock(apiKey)?.frozenAt !== undefined,
    globalFrozen: clock.frozen,
    offsetMs: now - globalNow + clock.offset,
    offsetFromGlobalMs: now - globalNow,
  };
}

/** Where the key's sessions stand: status and webhook attempts made, per session. */
function snapshotOf(emulator: Emulator, apiKey: string): Map<string, { status: string; attempts: number }> {
  const snapshot = new Map<string, { status: string; attempts: number }>();
  for (const session of emulator.sessions.list({ apiKey })) snapshot.set(session.id, { status: session.status, attempts: 0 });
  for (const delivery of emulator.webhooks.list({ apiKey })) {
    const entry = snapshot.get(delivery.sessionId);
    if (entry) entry.attempts += delivery.attempts.length;
  }
  return snapshot;
}

/** The key's sessions that changed between two snapshots, as notice items. */
function touchedSessions(before: ReturnType<typeof snapshotOf>, after: ReturnType<typeof snapshotOf>): NoticeItem[] {
  const items: NoticeItem[] = [];
  for (const [id, now] of after) {
    const then = before.get(id);
    if (!then) continue;
    const changes: string[] = [];
    if (then.status !== now.status) changes.push(`${then.status} → ${now.status}`);
    if (now.attempts > then.attempts) changes.push(plural(now.attempts - then.attempts, 'webhook attempt'));
    if (changes.length > 0) items.push({ text: `Session ${id.slice(0, 8)}…: ${changes.join(', ')}`, href: `/portal/sessions/${id}` });
  }
  return items;
}

/** What of the key waits on the clock, soonest first. */
function upcomingFor(emulator: Emulator, apiKey: string, now: number): UpcomingItem[] {
  const items: UpcomingItem[] = [];
  for (const session of emulator.sessions.list({ apiKey })) {
    if (isFinal(session.status)) continue;
    const href = `/portal/sessions/${session.id}`;
    const short = session.id.slice(0, 8);
    if (session.analysisDueAt !== null) items.push({ at: session.analysisDueAt, text: `the analysis of session ${short}… is decided`, href });
    if (session.link && session.link.usedAt === null && session.link.expiresAt > now) items.push({ at: session.link.expiresAt, text: `the one-time link of session ${short}… expires`, href });
    items.push({ at: session.expiresAt, text: `session ${short}… times out`, href });
  }
  for (const delivery of emulator.webhooks.list({ apiKey, status: 'pending' })) {
    if (delivery.nextAttemptAt === null || delivery.inFlight) continue;
    items.push({ at: delivery.nextAttemptAt, text: `webhook attempt ${delivery.attempts.length + 1} for session ${delivery.sessionId.slice(0, 8)}…`, href: `/portal/sessions/${delivery.sessionId}#session-webhooks` });
  }
  return items.sort((a, b) => a.at - b.at);
}

/** The refusals a clock move can meet, shown on the page (400 a duration past the limits, 429 too many keys with a clock of their own). */
const moveRefusal = (error: unknown): { status: number; text: string } | undefined => {
  if (!(error instanceof ApiError)) return undefined;
  const text = error.entries[0].description;
  return { status: error.status, text: `${text.charAt(0).toUpperCase()}${text.slice(1)}${text.endsWith('.') ? '' : '.'}` };
};

export const clockConsoleRoutes =
  (context: PortalContext): FastifyPluginAsyncZod =>
  async (app) => {
    const emulator = app.emulator;
    const { dueWork } = emulator;

    function clockPage(request: FastifyRequest, reply: FastifyReply, overrides: Partial<ClockPageView> = {}, status = 200) {
      const { apiKey } = portalSessionOf(request);
      const state = clockStateOf(emulator, apiKey);
      const upcoming = upcomingFor(emulator, apiKey, state.now);
      return sendPage(
        reply,
        renderConsoleClock({
          signedIn: signedInView(request),
          ...state,
          quickMoves: QUICK_MOVES,
          duration: '',
          errors: {},
          maxMoveText: formatSpan(MAX_CLOCK_MOVE_MS),
          ttls: { otpMs: emulator.config.OTP_TTL, sessionMs: emulator.config.SESSION_TTL },
          upcoming: upcoming.slice(0, UPCOMING_SHOWN),
          upcomingTotal: upcoming.length,
          ...overrides,
        }),
        status,
      );
    }
    const at = (apiKey: string) => formatInstant(emulator.clocks.now(apiKey));

    app.get('/clock', { schema: { ...hide, querystring: NoticeQuery } }, async (request, reply) =>
      clockPage(request, reply, { notice: context.notices.get(portalSessionOf(request), request.query.notice) }),
    );

    // POST /__mock/clock/advance {"api_key", "duration"}: the same body schema, duration syntax and limits.
    app.post('/clock/advance', { schema: hide }, async (request, reply) => {
      const { apiKey } = portalSessionOf(request);
      const duration = (postedForm(request, ['duration']).get('duration') ?? '').trim().slice(0, 100);
      const body = AdvanceBody.safeParse({ api_key: apiKey, duration });
      const ms = body.success ? parseDuration(body.data.duration!) : undefined;
      if (ms === undefined) {
        const errors = { duration: 'Enter a duration such as 90s, 30m, 48h or 250ms (a number with ms, s, m, h or d)' };
        return clockPage(request, reply, { duration, errors }, 400);
      }
      const before = snapshotOf(emulator, apiKey);
      let report: AdvanceReport;
      try {
        report = await dueWork.advance(ms, apiKey);
      } catch (error) {
        const refusal = moveRefusal(error);
        if (!refusal) throw error;
        if (refusal.status === 400) return clockPage(request, reply, { duration, errors: { duration: refusal.text } }, 400);
        return clockPage(request, reply, { duration, formError: refusal.text }, refusal.status);
      }
      const touched = touchedSessions(before, snapshotOf(emulator, apiKey));
      const { ran } = report;
      const counts = `${plural(ran.analyses_decided, 'analysis', 'analyses')} decided, ${plural(ran.sessions_timed_out, 'session')} timed out, ${plural(ran.webhook_attempts, 'webhook attempt')}`;
      const cut = report.complete ? '' : ' The window was cut short (too much work or too slow receivers); the rest runs right after, at the new time.';
      const yours = touched.length === 0 ? ' None of your sessions changed.' : ` Your sessions that changed${touched.length > TOUCHED_SHOWN ? ` (${TOUCHED_SHOWN} of ${touched.length})` : ''}:`;
      return backWithNotice(context, request, reply, PAGE, {
        text: `Advanced your key's clock by ${formatSpan(ms)} to ${at(apiKey)}. What fell due for your key ran: ${counts}.${cut}${yours}`,
        items: touched.slice(0, TOUCHED_SHOWN),
      });
    });

    type Before = ReturnType<typeof clockStateOf>;
    /** freeze, unfreeze and reset, each with the key's api_key, and a notice from the clock before and after. */
    const move = (path: string, run: (apiKey: string) => Promise<void>, text: (before: Before, after: Before, now: string) => string) =>
      app.post(path, { schema: hide }, async (request, reply) => {
        const { apiKey } = portalSessionOf(request);
        postedForm(request, []);
        const before = clockStateOf(emulator, apiKey);
        try {
          await run(apiKey);
        } catch (error) {
          const refusal = moveRefusal(error);
          if (!refusal) throw error;
          return clockPage(request, reply, { formError: refusal.text }, refusal.status);
        }
        return backWithNotice(context, request, reply, PAGE, { text: text(before, clockStateOf(emulator, apiKey), at(apiKey)) });
      });
    // POST /__mock/clock/freeze, /unfreeze, /reset with {"api_key"}
    move('/clock/freeze', (apiKey) => dueWork.freeze(apiKey), (before, _after, now) =>
      before.frozen && before.ownClock ? `Your key's clock was already frozen, at ${now}.` : `Froze your key's clock at ${now}: its time moves only when you advance it.`,
    );
    move('/clock/resume', (apiKey) => dueWork.unfreeze(apiKey), (before, after, now) => {
      if (after.frozen) return `Your key's clock moves with the global clock, which is frozen: it stays at ${now} until the global clock runs again (POST /__mock/clock/unfreeze).`;
      return before.frozen ? `Your key's clock runs again, from ${now}.` : `Your key's clock was already running; it is ${now}.`;
    });
    move('/clock/reset', (apiKey) => dueWork.reset(apiKey), (before, _after, now) =>
      before.ownClock ? `Your key is back on the global clock: ${now}.` : `Your key already follows the global clock: ${now}.`,
    );
  };

function formatInstant(ms: number): string {
  return `${isoInstant(ms).replace('T', ' ').replace('Z', '')} UTC`;
}
