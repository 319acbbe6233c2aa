// One clock move runs the whole schedule: everything due in the window runs, in order, each piece
// stamped at its own instant, including work scheduled by work inside the window (retries of
// retries), and the control API says what ran. A schedule that never ends is cut off, not spun.
import t from 'tap';
import { AdjustableClock, KeyClocks } from '../../src/core/clock.js';
import { builtInRetryDelaysMs as retryDelaysMs } from '../helpers/retry-schedule.js';
import { DueWorkScheduler, MAX_DUE_INSTANTS, type DueWorkSource } from '../../src/services/due-work.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { multipartBody, tinyJpeg } from '../helpers/multipart.js';
import { startReceiver } from '../helpers/receiver.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];
const HOUR = 3_600_000;

const deliveriesOf = async (app: App, sessionId: string) => (await app.inject({ url: `/__mock/webhooks?session_id=${sessionId}` })).json().deliveries;
const advance = (app: App, body: object) => app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: body });
const gaps = (attempts: { at: string }[]) => attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(attempts[i].at));

t.test('one advance of 48h runs the whole 20-attempt schedule of a receiver that always fails', async (t) => {
  const { app } = await startTestApp(t);
  const down = await startReceiver(t, () => ({ status: 500 }));
  const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: { ...exampleLivenessRequest, webhook: down.url } })).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
  await eventually(async () => (await deliveriesOf(app, id))[0]?.attempts.length === 1, 'the first attempt');

  const moved = await advance(app, { duration: '48h' });
  t.equal(moved.statusCode, 200);
  t.match(moved.json(), { now: '2026-01-17T09:00:00.000Z', frozen: false, ran: { analyses_decided: 0, sessions_timed_out: 0, webhook_attempts: 19 }, due_instants: 19, complete: true });
  const [delivery] = await deliveriesOf(app, id);
  t.equal(delivery.status, 'failed');
  t.equal(delivery.attempts.length, 20);
  t.same(gaps(delivery.attempts), retryDelaysMs, 'each attempt stamped at its scheduled instant');
  t.equal(down.received.length, 20, 'every attempt was a real request');
});

t.test('timeouts and retries of retries fall due inside one window and run in order', async (t) => {
  const { app } = await startTestApp(t, { SESSION_TTL: '30m' });
  const flaky = await startReceiver(t, (n) => ({ status: n <= 2 ? 503 : 200 }));
  const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: { ...exampleLivenessRequest, webhook: flaky.url } })).json();

  const moved = (await advance(app, { duration: '1h' })).json();
  t.match(moved, { now: '2026-01-15T10:00:00.000Z', ran: { sessions_timed_out: 1, webhook_attempts: 3 }, due_instants: 3, complete: true });
  const result = (await app.inject({ url: `/v3/scanning/${id}`, headers: auth('k') })).json();
  t.equal(result.status, 'Timeout');
  t.equal(result.updated, '2026-01-15T09:30:00.000Z', 'timed out at its deadline');
  const [delivery] = await deliveriesOf(app, id);
  t.equal(delivery.status, 'succeeded');
  t.same(
    delivery.attempts.map((a: { at: string; status: number }) => [a.at, a.status]),
    [
      ['2026-01-15T09:30:00.000Z', 503],
      ['2026-01-15T09:31:00.000Z', 503],
      ['2026-01-15T09:33:00.000Z', 200],
    ],
    'the Timeout delivery at the deadline, then its retries after 1 and 2 minutes',
  );
});

t.test('an analysis decided inside the window sends its webhook from the instant it was decided', async (t) => {
  const { app } = await startTestApp(t);
  const receiver = await startReceiver(t);
  const base = '/v3/eid/scanningsessions';
  const { session_id: id } = (await app.inject({ method: 'POST', url: base, headers: { ...auth('k'), 'x-mock-outcome': 'slow_analysis' }, payload: { webhook: receiver.url } })).json();
  const upload = multipartBody('document', 'front.jpg', 'image/jpeg', tinyJpeg);
  t.equal((await app.inject({ method: 'POST', url: `${base}/${id}/documents?documentType=Passport`, headers: { ...auth('k'), ...upload.headers }, payload: upload.payload })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: `${base}/${id}/analyses`, headers: auth('k'), payload: {} })).statusCode, 200);

  const moved = (await advance(app, { ms: 120_000 })).json();
  t.match(moved, { ran: { analyses_decided: 1, webhook_attempts: 1 }, complete: true });
  const [delivery] = await deliveriesOf(app, id);
  t.match(delivery, { status: 'succeeded', session_status: 'Accepted' });
  t.equal(delivery.attempts[0].at, '2026-01-15T09:01:00.000Z', 'attempted when the 60-second analysis ended, not at the end of the window');
});

/** An adjustable clock whose real time the test moves. */
class TestClock extends AdjustableClock {
  constructor(private real: number) {
    super(() => this.real);
  }
  advanceReal(ms: number) {
    this.real += ms;
  }
}

/** A source with work of key `k` at fixed instants (on k's clock), recording the instant each ran at. */
function fixedSource(clock: TestClock, due: number[]) {
  const ran: number[] = [];
  const source: DueWorkSource = {
    nextDueAt: (apiKey) => (apiKey === 'k' ? (due[0] ?? null) : null),
    runDue: (apiKey, now) => {
      while (apiKey === 'k' && due.length > 0 && due[0] <= now) {
        due.shift();
        ran.push(now);
        source.ran?.('k', 'analyses_decided');
        clock.advanceReal(5); // real time passes while the work runs; domain time holds still
      }
    },
    settled: async () => true,
  };
  return { source, ran };
}

for (const scope of ['the global clock', "the key's own clock"] as const) {
  t.test(`${scope}: a frozen clock stays frozen at the target; a running one runs on from it`, async (t) => {
    const clock = new TestClock(Date.UTC(2026, 0, 1));
    const clocks = new KeyClocks(clock);
    const scheduler = new DueWorkScheduler(clocks, { error: () => undefined });
    const apiKey = scope === 'the global clock' ? undefined : 'k';
    const start = clock.now();
    const { source, ran } = fixedSource(clock, [start + 1000, start + 2000]);
    scheduler.add(source);
    source.wakeUp!('k', start + 1000);
    const report = await scheduler.advance(10_000, apiKey);
    t.strictSame(report, { ran: { analyses_decided: 2, sessions_timed_out: 0, webhook_attempts: 0 }, due_instants: 2, complete: true });
    t.same(ran, [start + 1000, start + 2000], 'each piece of work ran at its own instant, however long the one before took');
    t.equal(clocks.frozen('k'), false);
    t.equal(clocks.now('k'), start + 10_000, 'resumed from the target, not from where real time drifted');
    t.equal(clock.now(), apiKey ? start + 10 : start + 10_000, apiKey ? 'the global clock ran on in real time only' : 'the global clock moved');
    await scheduler.freeze(apiKey);
    await scheduler.advance(500, apiKey);
    t.equal(clocks.frozen('k'), true);
    t.equal(clocks.now('k'), start + 10_500);
    scheduler.stop();
  });

  t.test(`${scope}: a schedule that never runs dry is cut off after ${MAX_DUE_INSTANTS} instants, and the clock still reaches the target`, async (t) => {
    const clock = new AdjustableClock(() => Date.UTC(2026, 0, 1));
    const clocks = new KeyClocks(clock);
    const scheduler = new DueWorkScheduler(clocks, { error: () => undefined });
    const apiKey = scope === 'the global clock' ? undefined : 'k';
    let runs = 0;
    const source: DueWorkSource = {
      nextDueAt: (key) => (key === 'k' ? clocks.now('k') : null),
      runDue: () => void runs++,
      settled: async () => true,
    };
    scheduler.add(source);
    source.wakeUp!('k', clock.now());
    const start = clock.now();
    const report = await scheduler.advance(HOUR, apiKey);
    t.equal(report.complete, false);
    t.equal(report.due_instants, MAX_DUE_INSTANTS);
    t.equal(clocks.now('k'), start + HOUR);
    scheduler.stop();
  });
}

for (const scope of ['the global clock', "the key's own clock"] as const) {
  t.test(`${scope}: a window cut short while an attempt still waits for its receiver says complete: false; what was due runs once at the target, retries count from there`, async (t) => {
    // A short budget stands for the 60 s one: a receiver has not answered when it runs out.
    const { app } = await startTestApp(t, { WEBHOOK_TIMEOUT: '1s', SHUTDOWN_GRACE: '1s' }, { advanceBudgetMs: 300 });
    const hung = await startReceiver(t, () => ({ hang: true }));
    const failing = await startReceiver(t, () => ({ status: 500 }));
    const finished = async (webhook: string) => {
      const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('cut-key'), payload: { ...exampleLivenessRequest, webhook } })).json();
      await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
      return id as string;
    };
    const settledDelivery = (id: string, attempts: number) =>
      eventually(
        async () => {
          const [delivery] = await deliveriesOf(app, id);
          return delivery.attempts.length === attempts && !delivery.in_flight ? delivery : undefined;
        },
        `attempt ${attempts} of ${id} to end`,
        10_000,
      );
    const scoped = scope === 'the global clock' ? {} : { api_key: 'cut-key' };

    // 1. Nothing else due: only an attempt waiting for its receiver when the budget runs out.
    const waiting = await finished(hung.url);
    await eventually(() => hung.received.length === 1, 'the first attempt to reach the receiver');
    const first = await advance(app, { duration: '48h', ...scoped });
    t.equal(first.statusCode, 200);
    t.match(first.json(), { now: '2026-01-17T09:00:00.000Z', ran: { analyses_decided: 0, sessions_timed_out: 0, webhook_attempts: 0 }, due_instants: 0, complete: false });
    // It times out after the answer; its retry is a minute after the clock at that moment: the target.
    t.match(await settledDelivery(waiting, 1), { status: 'pending', next_attempt: '2026-01-17T09:01:00.000Z', attempts: [{ at: '2026-01-15T09:00:00.000Z', error: 'timed out after 1000 ms' }] });

    // 2. Work still due when the window is cut short: a failing receiver's retry.
    const retrying = await finished(failing.url);
    await settledDelivery(retrying, 1);
    const second = await advance(app, { duration: '48h', ...scoped });
    t.match(second.json(), { now: '2026-01-19T09:00:00.000Z', ran: { webhook_attempts: 2 }, due_instants: 1, complete: false }, 'both retries of 09:01 ran; the hung one held the window');
    const retried = await settledDelivery(retrying, 3);
    t.same(
      retried.attempts.map((a: { at: string }) => a.at),
      ['2026-01-17T09:00:00.000Z', '2026-01-17T09:01:00.000Z', '2026-01-19T09:00:00.000Z'],
      'the retry due at 09:03 did not run inside the window: it ran once as the window closed, at the target time',
    );
    t.equal(retried.next_attempt, '2026-01-19T09:04:00.000Z', 'and its own retry counts from there');
    t.match(await settledDelivery(waiting, 2), { next_attempt: '2026-01-19T09:02:00.000Z' }, 'the attempt that held the window, once timed out, retries after the target too');
  });
}

t.test('a reset sent during an advance waits for the window to finish', async (t) => {
  const { app } = await startTestApp(t);
  const slow = await startReceiver(t, () => ({ status: 200, delayMs: 150 }));
  const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('k'), 'x-mock-outcome': 'abandoned' }, payload: { ...exampleLivenessRequest, webhook: slow.url } })).json();
  const [moving, reset] = await Promise.all([advance(app, { duration: '31m' }), app.inject({ method: 'POST', url: '/__mock/clock/reset' })]);
  t.match(moving.json(), { now: '2026-01-15T09:31:00.000Z', ran: { sessions_timed_out: 1, webhook_attempts: 1 } });
  t.match(reset.json(), { offset_ms: 0 }, 'the reset waited for the advance to finish');
  t.equal((await deliveriesOf(app, id))[0].status, 'succeeded');
});
