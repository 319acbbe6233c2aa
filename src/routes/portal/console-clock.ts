// The QA console's "Clock" page for the signed-in key: the clock its sessions run on, and moves of it
// (advance, freeze, resume, reset) through the due-work scheduler, as the control API's
// /__mock/clock/* routes make them; after an advance, what ran and which of the key's sessions changed.
// Every key shares one clock today, and the page says so: a move here moves every pipeline's time.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Emulator } from '../../app.js';
import { parseDuration } from '../../config.js';
import { ApiError } from '../../core/errors.js';
import { isFinal } from '../../core/session.js';
import { isoInstant, MAX_CLOCK_MOVE_MS } from '../../core/time-limits.js';
import { AdvanceBody } from '../../schemas/control.js';
import type { AdvanceReport } from '../../services/due-work.js';
import { formatSpan, renderConsoleClock, type ClockPageView, type UpcomingItem } from '../../ui/portal/console-clock.js';
import type { NoticeItem } from './console-notices.js';
import { backWithNotice, formOf, NAMED_KEY_TEXT, namesAKey, NoticeQuery, plural } from './console-forms.js';
import { portalSessionOf, sendPage, signedInView, type PortalContext } from './context.js';

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

/**
 * The clock the console shows and moves for a key, with the very calls the control API's clock
 * routes make. Today that is the one clock every key shares.
 */
function clockOf(emulator: Emulator) {
  const { clock, dueWork } = emulator;
  return {
    shared: true,
    now: () => clock.now(),
    frozen: () => clock.frozen,
    offset: () => clock.offset,
    advance: (ms: number): Promise<AdvanceReport> => dueWork.advance(ms),
    freeze: () => dueWork.exclusive(() => clock.freeze()),
    unfreeze: () => dueWork.exclusive(() => clock.unfreeze()),
    reset: () => dueWork.exclusive(() => clock.reset()),
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

export const clockConsoleRoutes =
  (context: PortalContext): FastifyPluginAsyncZod =>
  async (app) => {
    const emulator = app.emulator;
    const clock = clockOf(emulator);

    function clockPage(request: FastifyRequest, reply: FastifyReply, overrides: Partial<ClockPageView> = {}, status = 200) {
      const { apiKey } = portalSessionOf(request);
      const now = clock.now();
      const upcoming = upcomingFor(emulator, apiKey, now);
      return sendPage(
        reply,
        renderConsoleClock({
          signedIn: signedInView(request),
          shared: clock.shared,
          now,
          frozen: clock.frozen(),
          offsetMs: clock.offset(),
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
    const at = () => formatInstant(clock.now());

    app.get('/clock', { schema: { ...hide, querystring: NoticeQuery } }, async (request, reply) =>
      clockPage(request, reply, { notice: context.notices.get(portalSessionOf(request), request.query.notice) }),
    );

    // POST /__mock/clock/advance {"duration": …}: the same body schema, duration syntax and limits.
    app.post('/clock/advance', { schema: hide }, async (request, reply) => {
      const { apiKey } = portalSessionOf(request);
      const form = formOf(request);
      const duration = (form.get('duration') ?? '').trim().slice(0, 100);
      if (namesAKey(form)) return clockPage(request, reply, { duration, formError: NAMED_KEY_TEXT }, 400);
      const body = AdvanceBody.safeParse({ duration });
      const ms = body.success ? parseDuration(body.data.duration!) : undefined;
      if (ms === undefined) {
        const errors = { duration: 'Enter a duration such as 90s, 30m, 48h or 250ms (a number with ms, s, m, h or d)' };
        return clockPage(request, reply, { duration, errors }, 400);
      }
      const before = snapshotOf(emulator, apiKey);
      let report: AdvanceReport;
      try {
        report = await clock.advance(ms);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const message = error.entries[0].description;
        return clockPage(request, reply, { duration, errors: { duration: `${message.charAt(0).toUpperCase()}${message.slice(1)}.` } }, 400);
      }
      const touched = touchedSessions(before, snapshotOf(emulator, apiKey));
      const { ran } = report;
      const counts = `${plural(ran.analyses_decided, 'analysis', 'analyses')} decided, ${plural(ran.sessions_timed_out, 'session')} timed out, ${plural(ran.webhook_attempts, 'webhook attempt')}`;
      const scope = clock.shared ? ' (counted over every key: the clock is shared)' : '';
      const cut = report.complete ? '' : ' The window was cut short (too much work or too slow receivers); the rest runs right after, at the new time.';
      const yours = touched.length === 0 ? ' None of your sessions changed.' : ` Your sessions that changed${touched.length > TOUCHED_SHOWN ? ` (${TOUCHED_SHOWN} of ${touched.length})` : ''}:`;
      return backWithNotice(context, request, reply, PAGE, {
        text: `Advanced the clock by ${formatSpan(ms)} to ${at()}. What fell due ran: ${counts}${scope}.${cut}${yours}`,
        items: touched.slice(0, TOUCHED_SHOWN),
      });
    });

    const move = (path: string, run: () => Promise<unknown>, text: (wasFrozen: boolean) => string) =>
      app.post(path, { schema: hide }, async (request, reply) => {
        if (namesAKey(formOf(request))) return clockPage(request, reply, { formError: NAMED_KEY_TEXT }, 400);
        const wasFrozen = clock.frozen();
        await run();
        return backWithNotice(context, request, reply, PAGE, { text: text(wasFrozen) });
      });
    // POST /__mock/clock/freeze, /unfreeze, /reset
    move('/clock/freeze', clock.freeze, (wasFrozen) => (wasFrozen ? `The clock was already frozen, at ${at()}.` : `Froze the clock at ${at()}: time moves only when you advance it.`));
    move('/clock/resume', clock.unfreeze, (wasFrozen) => (wasFrozen ? `The clock runs again, from ${at()}.` : `The clock was already running; it is ${at()}.`));
    move('/clock/reset', clock.reset, () => `The clock is back to real time: ${at()}.`);
  };

function formatInstant(ms: number): string {
  return `${isoInstant(ms).replace('T', ' ').replace('Z', '')} UTC`;
}
