// The QA console's "Clock" page over HTTP: the signed-in key's clock as the control API reports it
// (GET /__mock/clock?api_key=), advances (quick and typed) through the due-work scheduler with what
// ran for the key and which of its sessions changed, freeze, resume and back to the global clock, bad
// durations refused next to the field with the clock unmoved. Another key's clock, sessions and
// deliveries are never moved or shown (checked through the control API).
import t from 'tap';
import { auth, exampleLivenessRequest } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { followNotice, signIn, startPortalApp, textOf, textsOf } from '../helpers/portal.js';
import { startReceiver } from '../helpers/receiver.js';

type App = Awaited<ReturnType<typeof startPortalApp>>['app'];

const clockOf = async (app: App, key?: string) => (await app.inject({ url: `/__mock/clock${key ? `?api_key=${key}` : ''}` })).json();
const create = async (app: App, key: string, extra: Record<string, unknown> = {}) =>
  (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { ...exampleLivenessRequest, ...extra } })).json().id as string;
const statusOf = async (app: App, key: string, id: string) => (await app.inject({ url: `/v3/scanning/${id}`, headers: auth(key) })).json().status as string;
const start = '2026-01-15T09:00:00.000Z';
const startMs = Date.UTC(2026, 0, 15, 9);
const unmoved = (key: string) => ({ now: start, now_ms: startMs, frozen: false, offset_ms: 0, api_key: key, own_clock: false, offset_from_global_ms: 0 });

t.test("the page shows the key's clock, whose it is, and what of the key is due next", async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const mine = await create(app, 'key-a');
  const theirs = await create(app, 'key-b');
  const page = (await a.get('/portal/clock')).body;
  t.equal(
    textOf(page, 'clock-scope'),
    "Your key follows the emulator's global clock until you move its clock here: then it has a clock of its own, and your moves change your key's time only, never another key's.",
  );
  t.strictSame([textOf(page, 'clock-now'), textOf(page, 'clock-state'), textOf(page, 'clock-offset')], ['2026-01-15 09:00:00.000 UTC', 'running (the global clock)', 'none: real time']);
  t.equal(textOf(page, 'clock-offset-global'), undefined, 'no offset from a global clock it follows');
  t.strictSame(textsOf(page, 'clock-upcoming-item'), [
    `in 10 min the one-time link of session ${mine.slice(0, 8)}… expires 2026-01-15 09:10:00.000 UTC`,
    `in 30 min session ${mine.slice(0, 8)}… times out 2026-01-15 09:30:00.000 UTC`,
  ]);
  t.notMatch(page, theirs.slice(0, 8), "another key's session is never shown");
  t.strictSame(
    [...page.matchAll(/data-testid="clock-advance-([0-9a-z]+)">([^<]+)</g)].map((m) => [m[1], m[2]]),
    [
      ['10m', '+ 10 minutes'],
      ['31m', '+ 31 minutes'],
      ['48h', '+ 48 hours'],
    ],
  );
});

t.test("an advance moves the key's own clock only, runs what fell due for it and lists its sessions that changed", async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  const mine = await create(app, 'key-a');
  const theirs = await create(app, 'key-b');
  const res = await a.post('/portal/clock/advance', { duration: '31m' });
  t.equal(res.statusCode, 303);
  const { notice, items, page } = await followNotice(a, res);
  t.equal(
    notice,
    "Advanced your key's clock by 31 min to 2026-01-15 09:31:00.000 UTC. What fell due for your key ran: 0 analyses decided, 1 session timed out, 0 webhook attempts. Your sessions that changed:",
  );
  t.strictSame(items, [`Session ${mine.slice(0, 8)}…: Created → Timeout`]);
  t.match(page, `href="/portal/sessions/${mine}"`);
  t.strictSame(await clockOf(app, 'key-a'), {
    now: '2026-01-15T09:31:00.000Z', now_ms: startMs + 31 * 60_000, frozen: false, offset_ms: 31 * 60_000, api_key: '****', own_clock: true, offset_from_global_ms: 31 * 60_000,
  });
  t.strictSame([textOf(page, 'clock-state'), textOf(page, 'clock-offset'), textOf(page, 'clock-offset-global')], ['running (its own clock)', '+31 min ahead of real time', '+31 min ahead']);
  t.match(textOf(page, 'clock-scope'), /^Your key has a clock of its own\. Moves here change your key's time only/);
  t.equal(textOf(page, 'clock-upcoming-empty'), 'Nothing of your key is waiting on the clock.');

  // Another key: its clock, its session and its page are untouched.
  t.strictSame(await clockOf(app, 'key-b'), { ...unmoved('key-b'), api_key: '****' });
  t.equal((await clockOf(app)).now, start, 'the global clock did not move');
  t.equal(await statusOf(app, 'key-b', theirs), 'Created');
  t.equal(await statusOf(app, 'key-a', mine), 'Timeout');
  const theirPage = (await b.get('/portal/clock')).body;
  t.equal(textOf(theirPage, 'clock-now'), '2026-01-15 09:00:00.000 UTC');
  t.notMatch(page, theirs.slice(0, 8), "another key's session is not listed");

  const typed = await followNotice(a, await a.post('/portal/clock/advance', { duration: '90s' }));
  t.equal(
    typed.notice,
    "Advanced your key's clock by 1 min 30 s to 2026-01-15 09:32:30.000 UTC. What fell due for your key ran: 0 analyses decided, 0 sessions timed out, 0 webhook attempts. None of your sessions changed.",
  );
  t.strictSame(typed.items, []);
});

t.test("webhook retries of the key that fall due in the window run, and are listed; another key's wait", async (t) => {
  const { app } = await startPortalApp(t);
  const receiver = await startReceiver(t, (n) => ({ status: n <= 2 ? 503 : 200 }));
  const a = await signIn(app, 'key-a');
  const mine = await create(app, 'key-a', { webhook: receiver.url });
  const theirs = await create(app, 'key-b', { webhook: receiver.url });
  for (const id of [mine, theirs]) await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
  await eventually(() => [mine, theirs].every((id) => app.emulator.webhooks.list({ sessionId: id })[0]?.attempts.length === 1), 'the first attempts');
  t.strictSame(textsOf((await a.get('/portal/clock')).body, 'clock-upcoming-item'), [`in 1 min webhook attempt 2 for session ${mine.slice(0, 8)}… 2026-01-15 09:01:00.000 UTC`]);
  const { notice, items } = await followNotice(a, await a.post('/portal/clock/advance', { duration: '48h' }));
  t.match(notice, /What fell due for your key ran: 0 analyses decided, 0 sessions timed out, 1 webhook attempt\. Your sessions that changed:$/);
  t.strictSame(items, [`Session ${mine.slice(0, 8)}…: 1 webhook attempt`]);
  t.equal(app.emulator.webhooks.list({ sessionId: theirs })[0].attempts.length, 1, "another key's retry still waits on its own clock");
});

t.test('a bad duration is refused next to the field, keeps what was typed, and the clock does not move', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const format = 'Enter a duration such as 90s, 30m, 48h or 250ms (a number with ms, s, m, h or d)';
  const tooFar = 'One move is at most 2592000000 ms (30 days): move the clock in several steps.';
  for (const [duration, error] of [
    ['soon', format],
    ['', format],
    ['-5m', format],
    ['5 minutes', format],
    ['1e3', format],
    ['31d', tooFar],
    ['2592000001ms', tooFar],
    ['99999999999999999999d', tooFar],
  ]) {
    const res = await a.post('/portal/clock/advance', { duration });
    t.equal(res.statusCode, 400, duration);
    t.equal(textOf(res.body, 'clock-error-duration'), error, duration);
    t.match(res.body, `name="duration" value="${duration}"`, 'what was typed is kept');
    t.match(res.body, 'aria-invalid="true" autofocus', 'the field is marked and takes the focus');
  }
  t.equal((await a.post('/portal/clock/advance', {})).statusCode, 400, 'no duration at all');
  t.strictSame(await clockOf(app, 'key-a'), { ...unmoved('key-a'), api_key: '****' }, 'the clock did not move, nor became its own');
  t.equal((await followNotice(a, await a.post('/portal/clock/advance', { duration: '30d' }))).notice?.startsWith("Advanced your key's clock by 30 d to 2026-02-14"), true, '30 days is allowed');
});

t.test('freeze, resume and back to the global clock, each saying what it did', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const frozen = await followNotice(a, await a.post('/portal/clock/freeze'));
  t.equal(frozen.notice, "Froze your key's clock at 2026-01-15 09:00:00.000 UTC: its time moves only when you advance it.");
  t.equal(textOf(frozen.page, 'clock-state'), 'frozen: moves only when advanced');
  t.match(frozen.page, 'data-testid="clock-resume"');
  t.equal((await clockOf(app, 'key-a')).frozen, true);
  t.equal((await clockOf(app, 'key-b')).frozen, false, "another key's clock runs on");
  t.equal((await followNotice(a, await a.post('/portal/clock/freeze'))).notice, "Your key's clock was already frozen, at 2026-01-15 09:00:00.000 UTC.");

  await a.post('/portal/clock/advance', { duration: '10m' });
  t.match(await clockOf(app, 'key-a'), { now: '2026-01-15T09:10:00.000Z', frozen: true, own_clock: true }, 'an advance keeps a frozen clock frozen');
  t.equal((await followNotice(a, await a.post('/portal/clock/resume'))).notice, "Your key's clock runs again, from 2026-01-15 09:10:00.000 UTC.");
  t.equal((await clockOf(app, 'key-a')).frozen, false);
  t.equal((await followNotice(a, await a.post('/portal/clock/resume'))).notice, "Your key's clock was already running; it is 2026-01-15 09:10:00.000 UTC.");

  const reset = await followNotice(a, await a.post('/portal/clock/reset'));
  t.equal(reset.notice, 'Your key is back on the global clock: 2026-01-15 09:00:00.000 UTC.');
  t.strictSame(await clockOf(app, 'key-a'), { ...unmoved('key-a'), api_key: '****' });
  t.equal((await followNotice(a, await a.post('/portal/clock/reset'))).notice, 'Your key already follows the global clock: 2026-01-15 09:00:00.000 UTC.');

  // A key that follows a frozen global clock stays frozen with it.
  await app.inject({ method: 'POST', url: '/__mock/clock/freeze' });
  const page = (await a.get('/portal/clock')).body;
  t.equal(textOf(page, 'clock-state'), 'frozen (the global clock is frozen)');
  t.equal(
    (await followNotice(a, await a.post('/portal/clock/resume'))).notice,
    "Your key's clock moves with the global clock, which is frozen: it stays at 2026-01-15 09:00:00.000 UTC until the global clock runs again (POST /__mock/clock/unfreeze).",
  );
  const moved = await followNotice(a, await a.post('/portal/clock/advance', { duration: '5m' }));
  t.equal(textOf(moved.page, 'clock-state'), 'frozen: it moves with the global clock, which is frozen', 'an offset of its own on a frozen global clock');
  t.equal(textOf(moved.page, 'clock-offset-global'), '+5 min ahead');
});

t.test('a form with a field it does not have (an api_key), or without the CSRF token, moves no clock', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  for (const url of ['/portal/clock/advance', '/portal/clock/freeze', '/portal/clock/resume', '/portal/clock/reset']) {
    const named = await b.post(url, { duration: '31m', api_key: 'key-a' });
    t.equal(named.statusCode, 400, url);
    const fields = url.endsWith('advance') ? '"api_key"' : '"duration", "api_key"';
    t.equal(textOf(named.body, 'problem-text'), `This form has no field ${fields}: the console acts for the key you signed in with, on its own data only. Nothing was changed.`, url);
    t.equal((await a.post(url, { duration: '31m' }, { csrf: b.csrf })).statusCode, 403, url);
  }
  for (const key of ['key-a', 'key-b']) t.strictSame(await clockOf(app, key), { ...unmoved(key), api_key: '****' }, key);
});

t.test('when every key the emulator allows has a clock of its own, a new one is refused on the page', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  for (let i = 0; i < 1000; i++) await app.inject({ method: 'POST', url: '/__mock/clock/freeze', payload: { api_key: `other-${i}` } });
  const res = await a.post('/portal/clock/advance', { duration: '10m' });
  t.equal(res.statusCode, 429);
  t.equal(
    textOf(res.body, 'console-error'),
    "1000 API keys already have a clock of their own: reset some (POST /__mock/clock/reset with their api_key, or DELETE /__mock/sessions?api_key=) before moving another key's clock.",
  );
  t.equal((await a.post('/portal/clock/freeze')).statusCode, 429);
  t.equal((await clockOf(app, 'key-a')).own_clock, false);
});
