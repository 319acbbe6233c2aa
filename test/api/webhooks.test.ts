import { createHmac } from 'node:crypto';
import t from 'tap';
import { builtInRetryDelaysMs as retryDelaysMs } from '../helpers/retry-schedule.js';
import { verifyTimestampedSignature, verifyZignSecSignature } from '../../src/core/webhook-signature.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { startReceiver } from '../helpers/receiver.js';

/** The README's schedule (fixtures/wire.json): 19 gaps adding up to exactly 48 hours. */

async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type App = Awaited<ReturnType<typeof startTestApp>>['app'];

async function finishedSession(app: App, key: string, webhook: string, outcome = 'approved') {
  const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth(key), 'x-mock-outcome': outcome }, payload: { ...exampleLivenessRequest, webhook } })).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
  return id as string;
}

const waitFor = async (app: App, query: string) => app.inject({ url: `/__mock/webhooks/wait?${query}` });
const deliveries = async (app: App, query = '') => (await app.inject({ url: `/__mock/webhooks?${query}` })).json().deliveries;
/** The session's first delivery once it has made at least `attempts` attempts. */
const afterAttempts = (app: App, sessionId: string, attempts: number) =>
  eventually(async () => {
    const [delivery] = await deliveries(app, `session_id=${sessionId}`);
    return delivery && delivery.attempts.length >= attempts && !delivery.in_flight ? delivery : undefined;
  }, `${attempts} attempts of the delivery of ${sessionId}`);

t.test('a delivery carries the result object, signed so an independent HMAC verifies it', async (t) => {
  const { app } = await startTestApp(t);
  const receiver = await startReceiver(t);
  const id = await finishedSession(app, 'signing-key-1', receiver.url);
  const waited = await waitFor(app, `session_id=${id}&status=Accepted&timeout_ms=5000`);
  t.equal(waited.statusCode, 200);
  t.equal(receiver.received.length, 1);
  const [got] = receiver.received;
  const independent = createHmac('sha256', 'signing-key-1').update(Buffer.from(got.rawBody, 'utf8')).digest('hex');
  t.equal(got.headers['x-zignsec-hmac-sha256'], independent);
  t.ok(verifyZignSecSignature(got.rawBody, got.headers['x-zignsec-hmac-sha256'] as string, 'signing-key-1'));
  t.notOk(verifyZignSecSignature(got.rawBody, got.headers['x-zignsec-hmac-sha256'] as string, 'other-key'));
  t.equal(got.headers['content-type'], 'application/json; charset=utf-8');
  t.match(got.headers['x-zignsec-webhook-id'], /^whd_[0-9a-f]{32}$/);
  t.equal(got.headers['x-zignsec-event'], 'session_updated');
  const result = (await app.inject({ url: `/v3/scanning/${id}`, headers: auth('signing-key-1') })).json();
  t.strictSame(JSON.parse(got.rawBody), result, 'the body is the result API object');
  const view = waited.json();
  t.match(view, { session_id: id, status: 'succeeded', event: 'session_updated', session_status: 'Accepted', url: receiver.url });
  t.equal(view.attempts.length, 1);
  t.match(view.attempts[0], { number: 1, status: 200, response_excerpt: 'ok', error: null });
  const session = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
  t.equal(session.webhooks.length, 1, 'the session view shows its deliveries');
});

t.test('a receiver failing its first 3 attempts gets one accepted delivery after 4 attempts, same body each time', async (t) => {
  const { app, clock } = await startTestApp(t);
  const receiver = await startReceiver(t, (n) => ({ status: n <= 3 ? 500 : 204 }));
  const id = await finishedSession(app, 'k', receiver.url);
  await afterAttempts(app, id, 1);
  for (let i = 0; i < 3; i++) {
    // Each advance makes the next retry due; the engine sends it at once.
    clock.advance(retryDelaysMs[i]);
    await afterAttempts(app, id, i + 2);
  }
  const waited = await waitFor(app, `session_id=${id}&timeout_ms=5000`);
  t.equal(waited.statusCode, 200);
  const view = waited.json();
  t.equal(view.status, 'succeeded');
  t.same(view.attempts.map((a: { status: number }) => a.status), [500, 500, 500, 204]);
  t.same(view.attempts.map((a: { error: string | null }) => a.error), ['receiver answered 500', 'receiver answered 500', 'receiver answered 500', null]);
  t.equal(receiver.received.length, 4);
  t.equal(new Set(receiver.received.map((r) => r.rawBody)).size, 1, 'identical body each time');
  t.equal(new Set(receiver.received.map((r) => r.headers['x-zignsec-webhook-id'])).size, 1, 'one stable delivery id');
  const times = view.attempts.map((a: { at: string }) => Date.parse(a.at));
  t.same(times.slice(1).map((at: number, i: number) => at - times[i]), retryDelaysMs.slice(0, 3), 'attempts follow the schedule on the clock');
});

t.test('410 Gone stops retries; Retry-After is honoured', async (t) => {
  const { app, clock } = await startTestApp(t);
  const gone = await startReceiver(t, () => ({ status: 410 }));
  const id = await finishedSession(app, 'k', gone.url);
  await afterAttempts(app, id, 1);
  clock.advance(48 * 3_600_000);
  const [view] = await deliveries(app, `session_id=${id}`);
  t.equal(view.status, 'stopped');
  t.equal(view.attempts.length, 1);
  t.equal(gone.received.length, 1);

  const busy = await startReceiver(t, (n) => (n === 1 ? { status: 503, headers: { 'retry-after': '600' } } : { status: 200 }));
  const second = await finishedSession(app, 'k', busy.url);
  const pending = await afterAttempts(app, second, 1);
  t.equal(Date.parse(pending.next_attempt) - Date.parse(pending.attempts[0].at), 600_000, 'waits the 10 minutes asked, not the 1-minute schedule');
  clock.advance(600_000);
  t.equal((await waitFor(app, `session_id=${second}&timeout_ms=5000`)).json().attempts.length, 2);
});

t.test('out_of_order: when the final delivery is answered 410 Gone, the events held back for after it stop too, unsent', async (t) => {
  const { app, clock } = await startTestApp(t);
  const gone = await startReceiver(t, () => ({ status: 410 }));
  t.equal((await app.inject({ method: 'PUT', url: '/__mock/merchants/gone-key', payload: { webhook_intermediate_events: true } })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/__mock/webhooks/chaos', payload: { api_key: 'gone-key', chaos: { out_of_order: true } } })).statusCode, 201);
  const id = await finishedSession(app, 'gone-key', gone.url);
  await eventually(async () => (await deliveries(app, `session_id=${id}`)).every((d: { status: string }) => d.status !== 'pending'), 'the final delivery to be answered');
  clock.advance(48 * 3_600_000);
  t.same(
    (await deliveries(app, `session_id=${id}`)).map((d: { session_status: string; status: string; next_attempt: string | null; attempts: { status: number }[] }) => [d.session_status, d.status, d.next_attempt, d.attempts.map((a) => a.status)]),
    [
      ['Created', 'stopped', null, []],
      ['Pending', 'stopped', null, []],
      ['Accepted', 'stopped', null, [410]],
    ],
    'the receiver said Gone: nothing is held for it any more',
  );
  t.same(gone.received.map((r) => JSON.parse(r.rawBody).status), ['Accepted'], 'only the final delivery was sent');
  t.strictSame((await app.inject({ url: '/__mock/webhooks?api_key=gone-key&status=held' })).json(), { deliveries: [], total: 0 });
});

t.test('a full 48-hour schedule of 20 attempts runs through the clock, then gives up', async (t) => {
  const { app, clock } = await startTestApp(t);
  const down = await startReceiver(t, () => ({ status: 500 }));
  const started = performance.now();
  const id = await finishedSession(app, 'k', down.url);
  let view;
  for (let attempt = 1; attempt <= 20; attempt++) {
    view = await afterAttempts(app, id, attempt);
    if (attempt < 20) clock.advance(retryDelaysMs[attempt - 1]);
  }
  t.equal(view.status, 'failed');
  t.equal(view.attempts.length, 20);
  t.equal(Date.parse(view.attempts[19].at) - Date.parse(view.attempts[0].at), 48 * 3_600_000, 'exactly 48 hours of clock time');
  t.equal(down.received.length, 20);
  // Reported, not asserted: timings are for the bench, machines are shared and noisy.
  t.comment(`48 hours of retries took ${(performance.now() - started).toFixed(0)} ms of real time`);
  const timeout = await waitFor(app, `session_id=${id}&timeout_ms=50`);
  t.equal(timeout.statusCode, 408);
  t.strictSame(timeout.json(), { errors: [{ code: 'WAIT_TIMEOUT', description: `No successful webhook delivery for session ${id} within 50 ms.` }] });
});

t.test('500 sessions finishing at once give 500 accepted deliveries, none lost', async (t) => {
  const { app } = await startTestApp(t);
  const receiver = await startReceiver(t);
  const ids = await Promise.all(Array.from({ length: 500 }, () => finishedSession(app, 'bulk', receiver.url)));
  await Promise.all(ids.map((id) => waitFor(app, `session_id=${id}&timeout_ms=20000`)));
  const all = await deliveries(app, 'api_key=bulk');
  t.equal(all.length, 500);
  t.equal(all.filter((d: { status: string }) => d.status === 'succeeded').length, 500);
  t.equal(receiver.received.length, 500);
  t.equal(new Set(receiver.received.map((r) => JSON.parse(r.rawBody).id)).size, 500, 'one per session');
});

t.test('bad receivers are failed attempts with readable errors, never a stall', async (t) => {
  const { app } = await startTestApp(t, { WEBHOOK_TIMEOUT: '300ms' });
  const hanging = await startReceiver(t, () => ({ hang: true }));
  const redirecting = await startReceiver(t, () => ({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }));
  const huge = await startReceiver(t, () => ({ status: 500, body: 'x'.repeat(2_000_000) }));
  const cases: [string, RegExp][] = [
    [hanging.url, /^timed out after 300 ms$/],
    [redirecting.url, /^redirect to http:\/\/127\.0\.0\.1:1\/elsewhere not followed$/],
    [`http://127.0.0.1:${await closedPort()}/closed`, /^connection refused$/],
    ['http://does-not-exist.invalid/hook', /^DNS lookup failed/],
    [huge.url, /^receiver answered 500$/],
  ];
  for (const [url, error] of cases) {
    const id = await finishedSession(app, 'bad', url);
    const view = await afterAttempts(app, id, 1);
    t.match(view.attempts[0].error, error, url);
    t.equal(view.status, 'pending', 'and a retry is scheduled');
  }
  const [hugeDelivery] = await deliveries(app, `session_id=${(await deliveries(app, 'api_key=bad')).at(-1).session_id}`);
  t.equal(hugeDelivery.attempts[0].response_excerpt.length, 1024, 'the response body is cut to an excerpt');
  t.equal((await app.inject({ url: '/health' })).statusCode, 200);
});

t.test('redeliver sends the same delivery again', async (t) => {
  const { app } = await startTestApp(t);
  const receiver = await startReceiver(t);
  const id = await finishedSession(app, 'k', receiver.url);
  const first = (await waitFor(app, `session_id=${id}&timeout_ms=5000`)).json();
  const again = await app.inject({ method: 'POST', url: `/__mock/webhooks/${first.id}/redeliver` });
  t.equal(again.statusCode, 200);
  await eventually(() => receiver.received.length >= 2, 'the redelivery');
  t.equal(receiver.received[1].rawBody, receiver.received[0].rawBody);
  t.equal(receiver.received[1].headers['x-zignsec-webhook-id'], first.id);
  const missing = await app.inject({ method: 'POST', url: '/__mock/webhooks/whd_nope/redeliver' });
  t.equal(missing.statusCode, 404);
  t.strictSame(missing.json(), { errors: [{ code: 'NOT_FOUND', description: 'No webhook delivery "whd_nope".' }] });
});

t.test('chaos modes are observable at the receiver', async (t) => {
  const { app, clock } = await startTestApp(t, { MERCHANTS_FILE: 'test/fixtures/merchants-webhooks.json' });
  const chaos = (body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/__mock/webhooks/chaos', payload: body });

  await t.test('drop the first N attempts (emulator-side)', async (t) => {
    const receiver = await startReceiver(t);
    t.equal((await chaos({ api_key: 'chaos-drop', next: 1, chaos: { drop_first: 2 } })).statusCode, 201);
    const id = await finishedSession(app, 'chaos-drop', receiver.url);
    for (let i = 0; i < 2; i++) {
      await afterAttempts(app, id, i + 1);
      clock.advance(retryDelaysMs[i]);
    }
    const view = (await waitFor(app, `session_id=${id}&timeout_ms=5000`)).json();
    t.same(view.attempts.map((a: { error: string | null }) => a.error), [
      'dropped on purpose by webhook chaos (drop_first): not sent',
      'dropped on purpose by webhook chaos (drop_first): not sent',
      null,
    ]);
    t.equal(receiver.received.length, 1, 'only the third attempt reached the receiver');
    const next = await finishedSession(app, 'chaos-drop', receiver.url);
    t.equal((await waitFor(app, `session_id=${next}&timeout_ms=5000`)).json().attempts.length, 1, 'next: 1 applied to one delivery only');
  });

  await t.test('duplicate, wrong signature, stale timestamp, delay', async (t) => {
    const receiver = await startReceiver(t);
    const id = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('chaos-final-only'), payload: { ...exampleLivenessRequest, webhook: receiver.url } })).json().id;
    await chaos({ session_id: id, chaos: { duplicate: true, wrong_signature: true, stale_timestamp: true, delay_ms: 5000 } });
    await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
    const held = (await deliveries(app, `session_id=${id}`))[0];
    t.same([held.status, held.attempts.length, receiver.received.length], ['pending', 0, 0], 'held back by the delay');
    clock.advance(5000);
    await waitFor(app, `session_id=${id}&timeout_ms=5000`);
    await eventually(() => receiver.received.length >= 2, 'the duplicate');
    const [a, b] = receiver.received;
    t.equal(a.rawBody, b.rawBody, 'duplicated with the same body');
    t.equal(a.headers['x-zignsec-webhook-id'], b.headers['x-zignsec-webhook-id'], 'and the same id');
    const signature = String(a.headers['x-zignsec-hmac-sha256']);
    t.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
    const stale = Number(signature.slice(2, 12));
    t.ok(Math.abs(stale - (Date.now() / 1000 - 600)) < 60, 'stale timestamp: 10 minutes before real time');
    t.notOk(verifyTimestampedSignature(a.rawBody, signature, 'chaos-final-secret', stale), 'wrong signature');
  });

  await t.test('intermediate events, and out of order', async (t) => {
    const receiver = await startReceiver(t);
    const id = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('chaos-signed'), payload: { ...exampleLivenessRequest, webhook: receiver.url } })).json().id;
    await waitFor(app, `session_id=${id}&status=Created&timeout_ms=5000`);
    t.equal(JSON.parse(receiver.received[0].rawBody).status, 'Created');
    t.equal(receiver.received[0].headers['x-zignsec-event'], 'session_created');
    const legacy = receiver.received[0];
    t.ok(verifyZignSecSignature(legacy.rawBody, legacy.headers['x-zignsec-hmac-sha256'] as string, 'chaos-signed'), 'the old settings list signs the legacy way');
    t.same(Object.keys(legacy.headers).filter((h) => /signature|^webhook-/.test(h)), [], 'no X-ZignSec-Signature, no Standard Webhooks headers');

    const reordered = await startReceiver(t);
    const second = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('chaos-signed'), payload: { ...exampleLivenessRequest, webhook: reordered.url } })).json().id;
    await chaos({ session_id: second, chaos: { out_of_order: true } });
    await app.inject({ method: 'POST', url: `/__mock/sessions/${second}/complete` });
    await eventually(() => reordered.received.length >= 3, 'three events');
    t.same(reordered.received.map((r) => JSON.parse(r.rawBody).status), ['Created', 'Accepted', 'Pending'], 'the Created event was sent before chaos was set; Pending is held until after the final one');
  });

  t.strictSame((await chaos({ chaos: {} })).json(), {
    errors: [
      { code: 'INVALID_REQUEST', description: 'the body must give exactly one of session_id or api_key' },
      { code: 'INVALID_REQUEST', description: 'chaos must name at least one effect: delay_ms, drop_first, duplicate, out_of_order, wrong_signature, stale_timestamp' },
    ],
  });
});

t.test('closing the emulator answers a waiting long poll with 503 at once, not after its timeout', async (t) => {
  const { app } = await startTestApp(t);
  const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('closing-key'), payload: exampleLivenessRequest })).json();
  const started = performance.now();
  const waiting = waitFor(app, `session_id=${id}&timeout_ms=120000`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await app.close();
  const answer = await waiting;
  t.equal(answer.statusCode, 503);
  t.equal(answer.headers.connection, 'close');
  t.strictSame(answer.json(), { errors: [{ code: 'SERVICE_UNAVAILABLE', description: 'The emulator is shutting down: it stopped waiting before a delivery of the session succeeded.' }] });
  t.ok(performance.now() - started < 60_000, 'long before its two-minute timeout');
});

t.test('webhook URLs are validated at creation', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: { ...exampleLivenessRequest, webhook: 'ftp://x/y' } });
  t.strictSame(res.json(), { errors: [{ code: 'INVALID_WEBHOOK', description: 'webhook must be an absolute http or https URL, or an empty string' }] });
  const noHook = await finishedSession(app, 'k', '');
  t.same(await deliveries(app, `session_id=${noHook}`), [], 'an empty webhook means none');
});

t.test('shutdown gives pending deliveries one final attempt and reports what is still undelivered', async (t) => {
  const { app } = await startTestApp(t);
  const down = await startReceiver(t, () => ({ status: 503 }));
  const recovering = await startReceiver(t, (n) => ({ status: n === 1 ? 500 : 200 }));
  const failing = await finishedSession(app, 'k', down.url);
  const recovered = await finishedSession(app, 'k', recovering.url);
  await afterAttempts(app, failing, 1);
  await afterAttempts(app, recovered, 1);
  const undelivered = await app.emulator.webhooks.close();
  t.same(undelivered.map((d) => d.sessionId), [failing], 'only the delivery whose final attempt failed is reported');
  t.equal(down.received.length, 2, 'the final attempt was made at once, not on the retry schedule');
  t.equal(recovering.received.length, 2);
  const [succeeded] = app.emulator.webhooks.list({ sessionId: recovered });
  t.equal(succeeded.status, 'succeeded');
  t.equal(undelivered[0].status, 'failed');
});
