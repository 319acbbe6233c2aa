// The QA console's "Clock" page over HTTP: the clock as the control API reports it, advances (quick
// and typed) through the due-work scheduler with what ran and which of the key's own sessions
// changed, freeze, resume and reset, bad durations refused next to the field with the clock unmoved,
// and the page saying plainly that every key shares the clock. Another key's sessions never show.
import t from 'tap';
import { auth, exampleLivenessRequest } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { followNotice, signIn, startPortalApp, textOf, textsOf } from '../helpers/portal.js';
import { startReceiver } from '../helpers/receiver.js';

type App = Awaited<ReturnType<typeof startPortalApp>>['app'];

const clockOf = async (app: App) => (await app.inject({ url: '/__mock/clock' })).json() as { now: string; frozen: boolean; offset_ms: number };
const create = async (app: App, key: string, extra: Record<string, unknown> = {}) =>
  (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { ...exampleLivenessRequest, ...extra } })).json().id as string;
const start = '2026-01-15T09:00:00.000Z';

t.test('the page shows the clock, says it is shared, and what of the key is due next', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const mine = await create(app, 'key-a');
  const theirs = await create(app, 'key-b');
  const page = (await a.get('/portal/clock')).body;
  t.equal(
    textOf(page, 'clock-shared'),
    'This clock is shared by every API key. The emulator has one clock for all keys: a move here moves time for every pipeline using this emulator too (their links expire, their sessions time out, their webhook retries run).',
  );
  t.strictSame([textOf(page, 'clock-now'), textOf(page, 'clock-state'), textOf(page, 'clock-offset')], ['2026-01-15 09:00:00.000 UTC', 'running', 'none: real time']);
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

t.test('an advance runs what fell due and lists the sessions of this key that changed', async (t) => {
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
    'Advanced the clock by 31 min to 2026-01-15 09:31:00.000 UTC. What fell due ran: 0 analyses decided, 2 sessions timed out, 0 webhook attempts (counted over every key: the clock is shared). Your sessions that changed:',
  );
  t.strictSame(items, [`Session ${mine.slice(0, 8)}…: Created → Timeout`]);
  t.match(page, `href="/portal/sessions/${mine}"`);
  t.notMatch(page, theirs.slice(0, 8), "another key's session is not listed");
  t.strictSame(await clockOf(app), { now: '2026-01-15T09:31:00.000Z', now_ms: Date.UTC(2026, 0, 15, 9, 31), frozen: false, offset_ms: 31 * 60_000 });
  t.equal(textOf(page, 'clock-offset'), '+31 min ahead of real time');
  t.equal(textOf(page, 'clock-upcoming-empty'), 'Nothing of your key is waiting on the clock.');
  // The clock is shared: key-b's session timed out too, and key-b's page shows the same clock.
  t.equal((await app.inject({ url: `/v3/scanning/${theirs}`, headers: auth('key-b') })).json().status, 'Timeout');
  t.equal(textOf((await b.get('/portal/clock')).body, 'clock-now'), '2026-01-15 09:31:00.000 UTC');

  const typed = await followNotice(a, await a.post('/portal/clock/advance', { duration: '90s' }));
  t.equal(
    typed.notice,
    'Advanced the clock by 1 min 30 s to 2026-01-15 09:32:30.000 UTC. What fell due ran: 0 analyses decided, 0 sessions timed out, 0 webhook attempts (counted over every key: the clock is shared). None of your sessions changed.',
  );
  t.strictSame(typed.items, []);
});

t.test('webhook retries that fall due in the window run, and are listed for the key', async (t) => {
  const { app } = await startPortalApp(t);
  const receiver = await startReceiver(t, (n) => ({ status: n === 1 ? 503 : 200 }));
  const a = await signIn(app, 'key-a');
  const id = await create(app, 'key-a', { webhook: receiver.url });
  await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
  await eventually(() => app.emulator.webhooks.list({ sessionId: id })[0]?.attempts.length === 1, 'the first attempt');
  t.strictSame(textsOf((await a.get('/portal/clock')).body, 'clock-upcoming-item'), [`in 1 min webhook attempt 2 for session ${id.slice(0, 8)}… 2026-01-15 09:01:00.000 UTC`]);
  const { notice, items } = await followNotice(a, await a.post('/portal/clock/advance', { duration: '48h' }));
  t.match(notice, /ran: 0 analyses decided, 0 sessions timed out, 1 webhook attempt \(counted over every key/);
  t.strictSame(items, [`Session ${id.slice(0, 8)}…: 1 webhook attempt`]);
  t.equal(receiver.received.length, 2);
});

t.test('a bad duration is refused next to the field, keeps what was typed, and the clock does not move', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const format = 'Enter a duration such as 90s, 30m, 48h or 250ms (a number with ms, s, m, h or d)';
  for (const [duration, error] of [
    ['soon', format],
    ['', format],
    ['-5m', format],
    ['5 minutes', format],
    ['1e3', format],
    ['31d', 'One move is at most 2592000000 ms (30 days): move the clock in several steps.'],
    ['2592000001ms', 'One move is at most 2592000000 ms (30 days): move the clock in several steps.'],
    ['99999999999999999999d', 'One move is at most 2592000000 ms (30 days): move the clock in several steps.'],
  ]) {
    const res = await a.post('/portal/clock/advance', { duration });
    t.equal(res.statusCode, 400, duration);
    t.equal(textOf(res.body, 'clock-error-duration'), error, duration);
    t.match(res.body, `name="duration" value="${duration}"`, 'what was typed is kept');
    t.match(res.body, 'aria-invalid="true" autofocus', 'the field is marked and takes the focus');
  }
  t.equal((await a.post('/portal/clock/advance', {})).statusCode, 400, 'no duration at all');
  t.equal((await clockOf(app)).now, start, 'the clock did not move');
  t.equal((await followNotice(a, await a.post('/portal/clock/advance', { duration: '30d' }))).notice?.startsWith('Advanced the clock by 30 d to 2026-02-14'), true, '30 days is allowed');
});

t.test('freeze, resume and reset, each saying what it did', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const frozen = await followNotice(a, await a.post('/portal/clock/freeze'));
  t.equal(frozen.notice, 'Froze the clock at 2026-01-15 09:00:00.000 UTC: time moves only when you advance it.');
  t.equal(textOf(frozen.page, 'clock-state'), 'frozen: moves only when advanced');
  t.match(frozen.page, 'data-testid="clock-resume"');
  t.equal((await clockOf(app)).frozen, true);
  t.equal((await followNotice(a, await a.post('/portal/clock/freeze'))).notice, 'The clock was already frozen, at 2026-01-15 09:00:00.000 UTC.');

  await a.post('/portal/clock/advance', { duration: '10m' });
  t.strictSame(await clockOf(app), { now: '2026-01-15T09:10:00.000Z', now_ms: Date.UTC(2026, 0, 15, 9, 10), frozen: true, offset_ms: 600_000 }, 'an advance keeps a frozen clock frozen');
  const resumed = await followNotice(a, await a.post('/portal/clock/resume'));
  t.equal(resumed.notice, 'The clock runs again, from 2026-01-15 09:10:00.000 UTC.');
  t.equal((await clockOf(app)).frozen, false);
  t.equal((await followNotice(a, await a.post('/portal/clock/resume'))).notice, 'The clock was already running; it is 2026-01-15 09:10:00.000 UTC.');

  const reset = await followNotice(a, await a.post('/portal/clock/reset'));
  t.equal(reset.notice, 'The clock is back to real time: 2026-01-15 09:00:00.000 UTC.');
  t.strictSame(await clockOf(app), { now: start, now_ms: Date.UTC(2026, 0, 15, 9), frozen: false, offset_ms: 0 });
});

t.test('a form that names a key, or comes without the CSRF token, does not move the clock', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  for (const url of ['/portal/clock/advance', '/portal/clock/freeze', '/portal/clock/resume', '/portal/clock/reset']) {
    const named = await b.post(url, { duration: '31m', api_key: 'key-a' });
    t.equal(named.statusCode, 400, url);
    t.equal(textOf(named.body, 'console-error'), 'This console acts on the key you signed in with, and only on it: a form that names an API key (api_key) is refused. Nothing changed.');
    t.equal((await a.post(url, { duration: '31m' }, { csrf: b.csrf })).statusCode, 403, url);
  }
  t.strictSame(await clockOf(app), { now: start, now_ms: Date.UTC(2026, 0, 15, 9), frozen: false, offset_ms: 0 });
});
