// A clock per API key: parallel pipelines share one emulator, each with its own key, and a key that
// moves, freezes or resets its clock never changes another key's sessions (timeouts, analyses), links
// (desktop and phone), deliveries (retries) or journal times. A move of the global clock moves every
// key that follows it, keeps offsets on top and leaves frozen keys alone. The control API refuses what
// it cannot do in ZignSec's error shape, and holds a bounded number of key clocks.
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { AdjustableClock } from '../../src/core/clock.js';
import { builtInRetryDelaysMs as retryDelaysMs } from '../helpers/retry-schedule.js';
import { MAX_KEY_CLOCKS } from '../../src/services/due-work.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { multipartBody, tinyJpeg } from '../helpers/multipart.js';
import { startReceiver } from '../helpers/receiver.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NINE = Date.UTC(2026, 0, 15, 9);
const A = 'pipeline-a';
const B = 'pipeline-b';

const clockOf = async (app: App, query = '') => (await app.inject({ url: `/__mock/clock${query}` })).json();
const advance = (app: App, body: object) => app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: body });
const operate = (app: App, operation: 'freeze' | 'unfreeze' | 'reset', body?: object) => app.inject({ method: 'POST', url: `/__mock/clock/${operation}`, payload: body });
const createLiveness = async (app: App, key: string, extra: object = {}) =>
  (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { ...exampleLivenessRequest, ...extra } })).json<{ id: string; redirect_url: string }>();
const resultOf = async (app: App, key: string, id: string) => {
  const { status, created, updated } = (await app.inject({ url: `/v3/scanning/${id}`, headers: auth(key) })).json();
  return { status, created, updated };
};
const deliveriesOf = async (app: App, sessionId: string) => (await app.inject({ url: `/__mock/webhooks?session_id=${sessionId}` })).json().deliveries;
const gaps = (attempts: { at: string }[]) => attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(attempts[i].at));

/** A key's clock as GET /__mock/clock?api_key= shows it (the test's real time stands at 09:00). */
const keyClock = (now: number, own: boolean, frozen = false, globalNow = NINE) => ({
  now: new Date(now).toISOString(),
  now_ms: now,
  frozen,
  offset_ms: now - NINE,
  api_key: '****',
  own_clock: own,
  offset_from_global_ms: now - globalNow,
});
const globalClock = (now: number, keys: number, frozen = false) => ({ now: new Date(now).toISOString(), now_ms: now, frozen, offset_ms: now - NINE, keys_with_own_clock: keys });

/** An API-flow session whose analysis takes 60 s on its key's clock (slow_analysis), started. */
async function slowAnalysis(app: App, key: string): Promise<string> {
  const base = '/v3/eid/scanningsessions';
  const { session_id: id } = (await app.inject({ method: 'POST', url: base, headers: { ...auth(key), 'x-mock-outcome': 'slow_analysis' }, payload: {} })).json();
  const upload = multipartBody('document', 'front.jpg', 'image/jpeg', tinyJpeg);
  await app.inject({ method: 'POST', url: `${base}/${id}/documents?documentType=Passport`, headers: { ...auth(key), ...upload.headers }, payload: upload.payload });
  const started = (await app.inject({ method: 'POST', url: `${base}/${id}/analyses`, headers: auth(key), payload: {} })).json();
  t.equal(started.status, 'Pending');
  return id;
}

t.test("a key's advance times out its own sessions and decides its own analyses, never another key's", async (t) => {
  const { app } = await startTestApp(t, { SESSION_TTL: '30m' });
  const open = { [A]: (await createLiveness(app, A)).id, [B]: (await createLiveness(app, B)).id };
  const analysing = { [A]: await slowAnalysis(app, A), [B]: await slowAnalysis(app, B) };

  const moved = await advance(app, { duration: '31m', api_key: A });
  t.equal(moved.statusCode, 200);
  t.strictSame(moved.json(), {
    ...keyClock(NINE + 31 * MINUTE, true),
    ran: { analyses_decided: 1, sessions_timed_out: 1, webhook_attempts: 0 },
    due_instants: 2,
    complete: true,
  });
  t.same(await resultOf(app, A, open[A]), { status: 'Timeout', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:30:00.000Z' }, "A's session timed out on A's clock");
  t.same(await resultOf(app, A, analysing[A]), { status: 'Accepted', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:01:00.000Z' }, "A's analysis was decided at its instant");
  t.same(await resultOf(app, B, open[B]), { status: 'Created', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:00:00.000Z' }, "B's session is untouched");
  t.same(await resultOf(app, B, analysing[B]), { status: 'Pending', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:00:00.000Z' }, "B's analysis still runs");
  t.strictSame(await clockOf(app, `?api_key=${A}`), keyClock(NINE + 31 * MINUTE, true));
  t.strictSame(await clockOf(app, `?api_key=${B}`), keyClock(NINE, false), 'B follows the global clock');
  t.strictSame(await clockOf(app), globalClock(NINE, 1), 'the global clock did not move');

  const bMoved = (await advance(app, { ms: 61_000, api_key: B })).json();
  t.strictSame(bMoved, { ...keyClock(NINE + 61_000, true), ran: { analyses_decided: 1, sessions_timed_out: 0, webhook_attempts: 0 }, due_instants: 1, complete: true });
  t.same(await resultOf(app, B, analysing[B]), { status: 'Accepted', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:01:00.000Z' });
  t.equal((await resultOf(app, B, open[B])).status, 'Created');
  t.strictSame(await clockOf(app, `?api_key=${A}`), keyClock(NINE + 31 * MINUTE, true), "B's move left A's clock where it was");

  const later = { [A]: (await createLiveness(app, A)).id, [B]: (await createLiveness(app, B)).id };
  t.equal((await resultOf(app, A, later[A])).created, '2026-01-15T09:31:00.000Z', "a session is stamped with its key's time");
  t.equal((await resultOf(app, B, later[B])).created, '2026-01-15T09:01:01.000Z');
  const view = (await app.inject({ url: `/__mock/sessions/${later[A]}` })).json();
  t.same([view.created, view.expires, view.link.expires], ['2026-01-15T09:31:00.000Z', '2026-01-15T10:01:00.000Z', '2026-01-15T09:41:00.000Z'], 'deadline and link on the same clock');

  // Documents, timelines and deliveries of A's sessions are stamped on A's clock too.
  const receiver = await startReceiver(t);
  const base = '/v3/eid/scanningsessions';
  const { session_id: uploaded } = (await app.inject({ method: 'POST', url: base, headers: auth(A), payload: { webhook: receiver.url } })).json();
  const upload = multipartBody('document', 'front.jpg', 'image/jpeg', tinyJpeg);
  await app.inject({ method: 'POST', url: `${base}/${uploaded}/documents?documentType=Passport`, headers: { ...auth(A), ...upload.headers }, payload: upload.payload });
  await app.inject({ method: 'POST', url: `${base}/${uploaded}/analyses`, headers: auth(A), payload: {} });
  const record = (await app.inject({ url: `/__mock/sessions/${uploaded}` })).json();
  t.same(record.documents.map((d: { uploaded: string }) => d.uploaded), ['2026-01-15T09:31:00.000Z']);
  t.same(
    record.timeline.map((e: { at: string; status: string }) => [e.at, e.status]),
    [
      ['2026-01-15T09:31:00.000Z', 'Created'],
      ['2026-01-15T09:31:00.000Z', 'ReadyToStart'],
      ['2026-01-15T09:31:00.000Z', 'Pending'],
      ['2026-01-15T09:31:00.000Z', 'Accepted'],
    ],
  );
  const delivery = await eventually(async () => (await deliveriesOf(app, uploaded))[0]?.attempts[0], 'the delivery of the decided analysis');
  t.equal(delivery.at, '2026-01-15T09:31:00.000Z');
  t.equal((await deliveriesOf(app, uploaded))[0].created, '2026-01-15T09:31:00.000Z');
});

t.test("a key's advance expires its own one-time links, desktop and phone, never another key's", async (t) => {
  const { app } = await startTestApp(t, { OTP_TTL: '5m' });
  const links: Record<string, { desktop: string; phone: string }> = {};
  for (const key of [A, B]) {
    const unopened = new URL((await createLiveness(app, key)).redirect_url);
    const handedOff = await createLiveness(app, key);
    const url = new URL(handedOff.redirect_url);
    const opened = await app.inject({ url: `${url.pathname}${url.search}` });
    const cookie = String(opened.headers['set-cookie']).split(';')[0];
    const mobile = (await app.inject({ method: 'POST', url: `/v3/scan/ui/${handedOff.id}/mobile-link`, headers: { cookie } })).json();
    const phone = new URL(mobile.url);
    links[key] = { desktop: `${unopened.pathname}${unopened.search}`, phone: `${phone.pathname}${phone.search}` };
  }
  t.equal((await advance(app, { duration: '5m', api_key: A })).statusCode, 200);
  for (const link of [links[A].desktop, links[A].phone]) {
    const late = await app.inject({ url: link });
    t.equal(late.statusCode, 410, `A's ${link.includes('/mobile') ? 'phone' : 'desktop'} link expired`);
    t.match(late.body, 'data-testid="link-error" data-reason="expired"');
  }
  for (const link of [links[B].desktop, links[B].phone]) {
    const open = await app.inject({ url: link });
    t.equal(open.statusCode, 200, `B's ${link.includes('/mobile') ? 'phone' : 'desktop'} link still opens`);
  }
});

t.test("a key's 48-hour advance runs its own retries of retries, never another key's; a global move then runs the other's", async (t) => {
  const { app } = await startTestApp(t);
  const down = await startReceiver(t, () => ({ status: 500 }));
  const ids: Record<string, string> = {};
  for (const key of [A, B]) {
    ids[key] = (await createLiveness(app, key, { webhook: down.url })).id;
    await app.inject({ method: 'POST', url: `/__mock/sessions/${ids[key]}/complete` });
  }
  await eventually(async () => (await deliveriesOf(app, ids[A]))[0]?.attempts.length === 1 && (await deliveriesOf(app, ids[B]))[0]?.attempts.length === 1, 'the first attempts');

  const moved = (await advance(app, { duration: '48h', api_key: A })).json();
  t.strictSame(moved, { ...keyClock(NINE + 48 * HOUR, true), ran: { analyses_decided: 0, sessions_timed_out: 0, webhook_attempts: 19 }, due_instants: 19, complete: true });
  const [mine] = await deliveriesOf(app, ids[A]);
  t.same([mine.status, mine.attempts.length], ['failed', 20]);
  t.same(gaps(mine.attempts), retryDelaysMs, "every attempt at its instant on A's clock");
  const [theirs] = await deliveriesOf(app, ids[B]);
  t.same([theirs.status, theirs.attempts.length, theirs.next_attempt], ['pending', 1, '2026-01-15T09:01:00.000Z'], "B's retry still waits on B's clock");
  t.equal(down.received.length, 21);

  const global = (await advance(app, { duration: '1m' })).json();
  t.strictSame(global, { ...globalClock(NINE + MINUTE, 1), ran: { analyses_decided: 0, sessions_timed_out: 0, webhook_attempts: 1 }, due_instants: 1, complete: true });
  const [after] = await deliveriesOf(app, ids[B]);
  t.same(
    after.attempts.map((a: { at: string }) => a.at),
    ['2026-01-15T09:00:00.000Z', '2026-01-15T09:01:00.000Z'],
    'B follows the global clock: its second attempt ran at its instant',
  );
  t.equal((await deliveriesOf(app, ids[A]))[0].attempts.length, 20, "A's finished delivery is not touched");
});

t.test("the journal stamps a request with its key's time, the scan UI's with its session's key", async (t) => {
  const { app } = await startTestApp(t);
  await advance(app, { duration: '1h', api_key: A });
  const mine = await createLiveness(app, A);
  await createLiveness(app, B);
  const link = new URL(mine.redirect_url);
  t.equal((await app.inject({ url: `${link.pathname}${link.search}` })).statusCode, 200);
  const times = async (query: string) => (await app.inject({ url: `/__mock/journal?${query}` })).json().requests.map((r: { method: string; path: string; at: string }) => [r.method, r.path, r.at]);
  t.same(await times(`api_key=${A}`), [['POST', '/v3/scanning/liveness', '2026-01-15T10:00:00.000Z']]);
  t.same(await times(`api_key=${B}`), [['POST', '/v3/scanning/liveness', '2026-01-15T09:00:00.000Z']]);
  t.same(await times(`session_id=${mine.id}&method=GET`), [['GET', `/v3/scan/ui/${mine.id}/liveness`, '2026-01-15T10:00:00.000Z']], 'the scan UI request, on A\'s clock');
});

t.test('a global move moves the keys that follow it, keeps offsets on top, leaves frozen keys alone, in one order', async (t) => {
  const { app } = await startTestApp(t, { SESSION_TTL: '30m' });
  const receiver = await startReceiver(t);
  const [follower, ahead, frozen] = ['follower-key', 'ahead-key', 'frozen-key'];
  const id: Record<string, string> = {};
  for (const key of [follower, ahead, frozen]) id[key] = (await createLiveness(app, key, { webhook: receiver.url })).id;
  t.strictSame((await advance(app, { duration: '10m', api_key: ahead })).json().ran, { analyses_decided: 0, sessions_timed_out: 0, webhook_attempts: 0 });
  t.strictSame((await operate(app, 'freeze', { api_key: frozen })).json(), keyClock(NINE, true, true));

  // The ahead key's deadline (09:30 on its clock) comes at 09:20 on the global clock, the follower's at 09:30.
  const first = (await advance(app, { duration: '25m' })).json();
  t.strictSame(first, { ...globalClock(NINE + 25 * MINUTE, 2), ran: { analyses_decided: 0, sessions_timed_out: 1, webhook_attempts: 1 }, due_instants: 1, complete: true });
  t.strictSame(await clockOf(app, `?api_key=${ahead}`), keyClock(NINE + 35 * MINUTE, true, false, NINE + 25 * MINUTE), 'the offset stays on top');
  t.strictSame(await clockOf(app, `?api_key=${follower}`), keyClock(NINE + 25 * MINUTE, false, false, NINE + 25 * MINUTE));
  t.strictSame(await clockOf(app, `?api_key=${frozen}`), keyClock(NINE, true, true, NINE + 25 * MINUTE), 'the frozen key stays frozen');
  t.same(await resultOf(app, ahead, id[ahead]), { status: 'Timeout', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:30:00.000Z' });
  t.equal((await resultOf(app, follower, id[follower])).status, 'Created');

  const second = (await advance(app, { duration: '10m' })).json();
  t.match(second, { ran: { sessions_timed_out: 1, webhook_attempts: 1 }, due_instants: 1 });
  t.same(await resultOf(app, follower, id[follower]), { status: 'Timeout', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:30:00.000Z' });
  t.same(await resultOf(app, frozen, id[frozen]), { status: 'Created', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:00:00.000Z' }, 'frozen: 35 minutes of global time did not reach it');
  t.same(
    receiver.received.map((r) => JSON.parse(r.rawBody).id),
    [id[ahead], id[follower]],
    'the global window ran the keys in the order of their instants on the global clock',
  );

  // Unfrozen, the key runs on from where it stood, 35 minutes behind the global clock.
  t.strictSame((await operate(app, 'unfreeze', { api_key: frozen })).json(), keyClock(NINE, true, false, NINE + 35 * MINUTE));
  t.match((await advance(app, { duration: '30m' })).json(), { ran: { sessions_timed_out: 1 }, due_instants: 1 });
  t.same(await resultOf(app, frozen, id[frozen]), { status: 'Timeout', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:30:00.000Z' });

  // A global freeze stops every key that runs on it; a key's reset puts it back on the global clock.
  t.strictSame((await operate(app, 'freeze')).json(), globalClock(NINE + 65 * MINUTE, 2, true));
  t.strictSame(await clockOf(app, `?api_key=${ahead}`), keyClock(NINE + 75 * MINUTE, true, true, NINE + 65 * MINUTE), 'a key with an offset stands still with it');
  t.strictSame((await operate(app, 'unfreeze', { api_key: ahead })).json(), keyClock(NINE + 75 * MINUTE, true, true, NINE + 65 * MINUTE), "unfreeze undoes the key's own freeze only");
  t.strictSame((await operate(app, 'reset', { api_key: ahead })).json(), keyClock(NINE + 65 * MINUTE, false, true, NINE + 65 * MINUTE));
  t.strictSame((await operate(app, 'reset')).json(), globalClock(NINE, 1), 'the global reset: real time again, keys with a clock of their own keep it');
  t.strictSame(await clockOf(app, `?api_key=${frozen}`), keyClock(NINE - 35 * MINUTE, true, false, NINE), 'the unfrozen key keeps its offset on the global clock');
});

t.test("the real-time timer wakes for a key's own work when it falls due", async (t) => {
  const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent', SESSION_TTL: '10s' }), { logger: false, checkResponses: true });
  t.teardown(() => app.close());
  const mine = await createLiveness(app, A);
  const theirs = await createLiveness(app, B);
  await advance(app, { ms: 9_800, api_key: A });
  await eventually(async () => (await resultOf(app, A, mine.id)).status === 'Timeout', "A's session to time out 200 ms later, in real time", 5000);
  t.equal((await resultOf(app, B, theirs.id)).status, 'Created', "B's session has seconds left");
});

t.test('the control API refuses bad clock requests in the ZignSec shape, and moves nothing', async (t) => {
  const { app } = await startTestApp(t);
  const invalid = (description: string) => ({ errors: [{ code: 'INVALID_REQUEST', description }] });
  const refusals: [string, Promise<{ statusCode: number; json(): unknown }>, object][] = [
    ['misspelt scope in an advance', advance(app, { duration: '1m', apikey: A }), invalid('the body has unknown fields: apikey')],
    ['misspelt scope in a freeze', operate(app, 'freeze', { key: A }), invalid('the body has unknown fields: key')],
    ['misspelt scope in a read', app.inject({ url: `/__mock/clock?apikey=${A}` }), invalid('the query has unknown fields: apikey')],
    ['two scopes', advance(app, { ms: 1, api_key: A, session_id: 'x' }), invalid('the body must give at most one of api_key or session_id')],
    ['two scopes in a freeze', operate(app, 'freeze', { api_key: A, session_id: 'x' }), invalid('the body must give at most one of api_key or session_id')],
    ['two scopes in a read', app.inject({ url: `/__mock/clock?api_key=${A}&session_id=x` }), invalid('the query must give at most one of api_key or session_id')],
    ['an empty key', operate(app, 'reset', { api_key: '' }), invalid('api_key must be at least 1 characters long')],
    ['a key longer than any API key', advance(app, { ms: 1, api_key: 'k'.repeat(513) }), invalid('api_key must be at most 512 characters long')],
    ['a key given as a number', operate(app, 'freeze', { api_key: 7 }), invalid('api_key expected string, received number')],
    ["more than 30 days on a key's clock", advance(app, { duration: '31d', api_key: A }), invalid('one move is at most 2592000000 ms (30 days): move the clock in several steps')],
    ['a session that is not there', advance(app, { ms: 1, session_id: '00000000-0000-4000-8000-000000000000' }), { errors: [{ code: 'SESSION_NOT_FOUND', description: 'No session with id "00000000-0000-4000-8000-000000000000" was found.' }] }],
  ];
  for (const [what, answer, body] of refusals) {
    const response = await answer;
    t.equal(response.statusCode, (body as { errors: { code: string }[] }).errors[0].code === 'SESSION_NOT_FOUND' ? 404 : 400, what);
    t.strictSame(response.json(), body, what);
  }
  t.strictSame(await clockOf(app), globalClock(NINE, 0), 'nothing moved, no key got a clock');

  // session_id names the clock of the key that owns the session.
  const session = await createLiveness(app, A);
  t.strictSame((await advance(app, { duration: '2m', session_id: session.id })).json(), { ...keyClock(NINE + 2 * MINUTE, true), ran: { analyses_decided: 0, sessions_timed_out: 0, webhook_attempts: 0 }, due_instants: 0, complete: true });
  t.strictSame(await clockOf(app, `?api_key=${A}`), keyClock(NINE + 2 * MINUTE, true));
  t.strictSame(await clockOf(app, `?session_id=${session.id}`), keyClock(NINE + 2 * MINUTE, true));
});

t.test('no clock goes past 2200-01-01: a key on its own, nor the global clock carrying a key ahead of it', async (t) => {
  const start = Date.UTC(2199, 11, 20);
  const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent' }), { clock: new AdjustableClock(() => start), logger: false, checkResponses: true });
  t.teardown(() => app.close());
  const refusedKey = await advance(app, { duration: '13d', api_key: A });
  t.equal(refusedKey.statusCode, 400);
  t.strictSame(refusedKey.json(), {
    errors: [{ code: 'INVALID_REQUEST', description: 'the clock of this API key does not go past 2200-01-01T00:00:00.000Z: reset it (POST /__mock/clock/reset with its api_key) first' }],
  });
  t.equal((await advance(app, { duration: '11d', api_key: A })).json().now, '2199-12-31T00:00:00.000Z');
  const refusedGlobal = await advance(app, { duration: '2d' });
  t.equal(refusedGlobal.statusCode, 400);
  t.strictSame(refusedGlobal.json(), {
    errors: [
      {
        code: 'INVALID_REQUEST',
        description: "this move would take the clock of an API key with a clock of its own past 2200-01-01T00:00:00.000Z: reset that key's clock (POST /__mock/clock/reset with its api_key) first",
      },
    ],
  });
  t.equal((await clockOf(app)).now, '2199-12-20T00:00:00.000Z', 'the refused move moved nothing');
  await operate(app, 'freeze', { api_key: A });
  t.equal((await advance(app, { duration: '2d' })).json().now, '2199-12-22T00:00:00.000Z', 'a frozen key is not carried, so the move is fine');
});

t.test(`at most ${MAX_KEY_CLOCKS} keys have a clock of their own; a reset or a namespace reset frees the entry`, async (t) => {
  const { app } = await startTestApp(t);
  for (let i = 0; i < MAX_KEY_CLOCKS; i++) {
    const frozen = await operate(app, 'freeze', { api_key: `ci-key-${i}` });
    if (frozen.statusCode !== 200) t.fail(`key ${i}: ${frozen.body}`);
  }
  t.equal((await clockOf(app)).keys_with_own_clock, MAX_KEY_CLOCKS);
  const full = {
    errors: [
      {
        code: 'TOO_MANY_CLOCKS',
        description: `${MAX_KEY_CLOCKS} API keys already have a clock of their own: reset some (POST /__mock/clock/reset with their api_key, or DELETE /__mock/sessions?api_key=) before moving another key's clock.`,
      },
    ],
  };
  for (const refused of [await advance(app, { ms: 1, api_key: 'one-more' }), await operate(app, 'freeze', { api_key: 'one-more' })]) {
    t.equal(refused.statusCode, 429);
    t.strictSame(refused.json(), full);
  }
  t.strictSame(await clockOf(app, '?api_key=one-more'), keyClock(NINE, false), 'reading a key costs no entry');
  t.equal((await advance(app, { ms: 1, api_key: 'ci-key-7' })).statusCode, 200, 'a key that has a clock still moves it');
  t.equal((await advance(app, { ms: 1 })).statusCode, 200, 'and so does the global clock');

  t.equal((await operate(app, 'reset', { api_key: 'ci-key-0' })).json().own_clock, false);
  const session = await createLiveness(app, 'ci-key-1');
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/sessions?api_key=ci-key-1' })).json().removed, 1);
  t.strictSame(await clockOf(app, '?api_key=ci-key-1'), keyClock(NINE + 1, false, false, NINE + 1), 'the namespace reset put the key back on the global clock');
  t.equal((await app.inject({ url: `/v3/scanning/${session.id}`, headers: auth('ci-key-1') })).statusCode, 404);
  t.equal((await clockOf(app)).keys_with_own_clock, MAX_KEY_CLOCKS - 2);
  t.equal((await operate(app, 'freeze', { api_key: 'one-more' })).statusCode, 200, 'the freed entries make room');
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/sessions' })).statusCode, 200);
  t.equal((await clockOf(app)).keys_with_own_clock, 0, 'the full reset puts every key back on the global clock');
});

t.test("a key's advance and another key's run side by side; a reset of one waits for that key's advance only", async (t) => {
  const { app } = await startTestApp(t);
  const slow = await startReceiver(t, () => ({ status: 200, delayMs: 1500 }));
  const id = (await createLiveness(app, A, { webhook: slow.url })).id;
  await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/outcome`, payload: { outcome: 'abandoned' } });
  let aMoved = false;
  const moving = advance(app, { duration: '31m', api_key: A }).then((answer) => {
    aMoved = true;
    return answer;
  });
  await eventually(() => slow.received.length === 1, "A's window to reach its slow receiver");
  const other = await advance(app, { duration: '1h', api_key: B });
  t.equal(other.json().now, '2026-01-15T10:00:00.000Z');
  t.notOk(aMoved, "B's advance answered while A's window still waited for the slow receiver");
  const [moved, reset] = await Promise.all([moving, operate(app, 'reset', { api_key: A })]);
  t.match(moved.json(), { now: '2026-01-15T09:31:00.000Z', ran: { sessions_timed_out: 1, webhook_attempts: 1 } });
  t.strictSame(reset.json(), keyClock(NINE, false), "A's reset came after A's advance");
  t.equal((await deliveriesOf(app, id))[0].status, 'succeeded');
});

t.test("a key's slow advance never stops the global clock: other keys' sessions made meanwhile are stamped on their own time and live on, and their clock calls answer at once", async (t) => {
  // The review's finding: one key's advance, held by a receiver that never answers, froze the one
  // clock for up to 60 s, so sessions other keys created meanwhile were stamped inside the window and
  // swept (Timeout, link gone), and other callers' clock calls queued behind it.
  const { app } = await startTestApp(t, { WEBHOOK_TIMEOUT: '1s', SHUTDOWN_GRACE: '1s' });
  const hung = await startReceiver(t, () => ({ hang: true }));
  const mine = await createLiveness(app, A, { webhook: hung.url });
  await app.inject({ method: 'POST', url: `/__mock/sessions/${mine.id}/complete` });
  await eventually(() => hung.received.length === 1, "A's first attempt to reach the receiver");
  let aMoved = false;
  // The first attempt and the retries of 09:01 and 09:03 each wait out WEBHOOK_TIMEOUT: about 3 s.
  const moving = advance(app, { duration: '3m', api_key: A }).then((answer) => {
    aMoved = true;
    return answer;
  });
  await eventually(() => hung.received.length === 2, "A's window to hold at its first retry");

  t.strictSame(await clockOf(app), globalClock(NINE, 1), 'the global clock runs on, not frozen');
  const theirs = await createLiveness(app, B);
  const link = new URL(theirs.redirect_url);
  t.strictSame(await resultOf(app, B, theirs.id), { status: 'Created', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:00:00.000Z' }, "B's session is stamped on B's time");
  for (const operation of ['freeze', 'unfreeze', 'reset'] as const) {
    t.equal((await operate(app, operation, { api_key: B })).statusCode, 200, `B's ${operation}`);
  }
  t.equal((await advance(app, { ms: 1000, api_key: B })).json().now, '2026-01-15T09:00:01.000Z', "B's advance");
  t.equal((await operate(app, 'reset', { api_key: B })).statusCode, 200);
  t.notOk(aMoved, "every call of B answered while A's window was still held by its receiver");

  const moved = (await moving).json();
  t.match(moved, { now: '2026-01-15T09:03:00.000Z', ran: { webhook_attempts: 2 }, complete: true });
  t.strictSame(await resultOf(app, B, theirs.id), { status: 'Created', created: '2026-01-15T09:00:00.000Z', updated: '2026-01-15T09:00:00.000Z' }, "A's window did not sweep B's session");
  t.equal((await app.inject({ url: `${link.pathname}${link.search}` })).statusCode, 200, "B's one-time link still opens");
});
