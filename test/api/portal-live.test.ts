// The portal's live pages on the server side: every live page answers 304 to its own fingerprint;
// GET /portal/live streams the signed-in key's changes (exact headers and events), from every source
// a live page shows, and never another key's; streams are bounded per key and in all, beat, end when
// idle, when the sign-in ends and at shutdown, and never hold shutdown up.
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { settleForShutdown } from '../../src/services/shutdown.js';
import type { Test } from 'tap';
import { auth, exampleLivenessRequest } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { openLiveStream, quietFor, type LiveStreamClient } from '../helpers/live.js';
import { cookiesOf, signIn, startPortalApp, textOf } from '../helpers/portal.js';
import { cleanEnv, freePort, readyBody, spawnNode } from '../helpers/processes.js';
import { startReceiver } from '../helpers/receiver.js';

async function createSession(app: FastifyInstance, key: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { ...exampleLivenessRequest, ...body } });
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

const fingerprintOf = (body: string) => /data-live="(?:on|off)" data-fingerprint="([\w-]+)"/.exec(body)?.[1];

/**
 * Runs `action` once the stream is quiet (no notice pending: this test's feed sends at most one per
 * 50 ms), then expects a change event for it.
 */
async function expectChange(t: Test, stream: LiveStreamClient, what: string, action: () => unknown): Promise<void> {
  await quietFor(120);
  const from = stream.events().length;
  await action();
  const heard = await eventually(() => stream.events().slice(from).some((e) => e.event === 'change'), what, 5000).catch(() => false);
  t.ok(heard, what);
}

t.test('every live page carries its fingerprint as a weak ETag and answers 304 to it, with no body', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await startPortalApp(t);
  const id = await createSession(app, 'key-a', { webhook: receiver.url });
  const client = await signIn(app, 'key-a');
  const pages = ['/portal/sessions', `/portal/sessions/${id}`, `/portal/scans/${id}/mobile`, '/portal/journal', '/portal/webhooks'];
  for (const url of pages) {
    const page = await client.get(url);
    t.equal(page.statusCode, 200, url);
    const fingerprint = fingerprintOf(page.body)!;
    t.match(fingerprint, /^[\w-]{16}$/, `${url} has a live region`);
    t.equal(page.headers.etag, `W/"${fingerprint}"`, `${url}: the ETag is the region's fingerprint`);

    const unchanged = await app.inject({ url, headers: { cookie: client.cookie, 'if-none-match': `W/"${fingerprint}"` } });
    t.equal(unchanged.statusCode, 304, `${url}: unchanged`);
    t.equal(unchanged.body, '', 'no body');
    t.equal(unchanged.headers.etag, `W/"${fingerprint}"`);
    t.equal(unchanged.headers['content-type'], undefined, 'no content type for no content');
    t.equal(unchanged.headers['content-length'], undefined);
    t.equal(unchanged.headers['cache-control'], 'no-store');
    t.match(String(unchanged.headers['content-security-policy']), /default-src 'none'/);

    const strong = await app.inject({ url, headers: { cookie: client.cookie, 'if-none-match': `"other", "${fingerprint}"` } });
    t.equal(strong.statusCode, 304, `${url}: a list naming the tag (weakly compared)`);
    const other = await app.inject({ url, headers: { cookie: client.cookie, 'if-none-match': 'W/"AAAAAAAAAAAAAAAA"' } });
    t.equal(other.statusCode, 200, `${url}: another fingerprint gets the page`);
    t.equal(fingerprintOf(other.body), fingerprint);
  }

  // A change: the session's page answers with the page again, and a new tag.
  const before = await client.get(`/portal/sessions/${id}`);
  app.emulator.sessions.complete(app.emulator.sessions.findById(id)!, 'face_mismatch');
  const after = await app.inject({ url: `/portal/sessions/${id}`, headers: { cookie: client.cookie, 'if-none-match': String(before.headers.etag) } });
  t.equal(after.statusCode, 200);
  t.not(after.headers.etag, before.headers.etag);
  t.equal(textOf(after.body, 'session-status'), 'Declined');

  // Pages without a live region, refused forms and signed-out callers are never 304s.
  const settings = await client.get('/portal/settings');
  t.equal(settings.headers.etag, undefined, 'no live region, no ETag');
  const star = await app.inject({ url: '/portal/settings', headers: { cookie: client.cookie, 'if-none-match': '*' } });
  t.equal(star.statusCode, 200);
  const refused = await app.inject({ url: '/portal/journal?status=999', headers: { cookie: client.cookie, 'if-none-match': '*' } });
  t.equal(refused.statusCode, 400, 'a refused filter is shown, not a 304');
  const signedOut = await app.inject({ url: '/portal/sessions', headers: { 'if-none-match': String(before.headers.etag) } });
  t.equal(signedOut.statusCode, 303);
  const huge = await app.inject({ url: '/portal/sessions', headers: { cookie: client.cookie, 'if-none-match': `${'"x", '.repeat(2000)}*` } });
  t.equal(huge.statusCode, 200, 'an If-None-Match past 2 KB is not read');
});

t.test('GET /portal/live: exact headers, a ready event, then a change event per change of the key', async (t) => {
  const { app, baseUrl } = await startPortalApp(t, {}, { listen: true });
  const client = await signIn(app, 'key-a');
  const stream = await openLiveStream(baseUrl, client.cookie);
  t.teardown(() => stream.close());
  t.equal(stream.status, 200);
  const { date, ...headers } = stream.headers;
  t.match(date, /GMT$/);
  t.strictSame(headers, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
    'referrer-policy': 'no-referrer',
    connection: 'keep-alive',
    'keep-alive': 'timeout=72',
    'transfer-encoding': 'chunked',
  });
  t.strictSame(await stream.next(), { event: 'ready', data: { revision: 0, heartbeat_ms: 25000 } });
  t.equal(stream.text(), 'event: ready\ndata: {"revision":0,"heartbeat_ms":25000}\n\n', 'exactly that on the wire');

  // One request changes a session and the journal at once: one event.
  await createSession(app, 'key-a');
  t.strictSame(await stream.next(), { event: 'change', data: { revision: 1 } });
  t.equal(stream.text().slice(stream.text().indexOf('event: change')), 'event: change\ndata: {"revision":1}\n\n');

  // Fifty changes in a row: at most one event per 500 ms, never one each.
  const before = stream.events().length;
  const burstStarted = Date.now();
  for (let i = 0; i < 50; i++) await app.inject({ url: '/v3/scanning/00000000-0000-4000-8000-000000000000', headers: auth('key-a') });
  await quietFor(700);
  const changes = stream.events().slice(before).filter((e) => e.event === 'change').length;
  const elapsed = Date.now() - burstStarted;
  t.ok(changes >= 1 && changes <= Math.floor(elapsed / 500) + 1, `fifty changes over ${elapsed} ms: ${changes} events`);
  t.equal(app.emulator.changes.count('key-a'), 1, 'the stream is counted');
  stream.close();
  await stream.ended;
  await quietFor(50);
  t.equal(app.emulator.changes.count('key-a'), 0, 'a closed stream is forgotten');
});

t.test('every change a live page shows reaches the stream: sessions, documents, outcomes, deliveries, chaos, journal, clock, reset', async (t) => {
  const receiver = await startReceiver(t);
  const { app, baseUrl, clock } = await startPortalApp(t, { SESSION_TTL: '1h' }, { listen: true, live: { intervalMs: 50 } });
  const client = await signIn(app, 'key-a');
  const stream = await openLiveStream(baseUrl, client.cookie);
  t.teardown(() => stream.close());
  await stream.next();
  const { sessions, webhooks } = app.emulator;
  let id = '';
  await expectChange(t, stream, 'a session created', async () => (id = await createSession(app, 'key-a', { webhook: receiver.url })));
  await expectChange(t, stream, 'an outcome armed through the control API (not journaled)', () =>
    app.inject({ method: 'POST', url: `/__mock/sessions/${id}/outcome`, payload: { outcome: 'face_mismatch' } }),
  );
  let folder = '';
  await expectChange(t, stream, 'a scanning session created', async () => {
    folder = (await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: auth('key-a'), payload: { analysis_types: ['document'] } })).json().session_id;
  });
  await expectChange(t, stream, 'a document added, with no status change', () =>
    sessions.addDocument(sessions.findById(folder)!, { documentType: 'Passport', reference: '', contentType: 'image/png', size: 3, bytes: Buffer.from('png') }),
  );
  await expectChange(t, stream, 'completed through the control API', () => app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete`, payload: {} }));
  await eventually(() => webhooks.list({ sessionId: id })[0]?.status === 'succeeded', 'the delivery');
  await expectChange(t, stream, 'a redelivery from the portal, and its attempt', () => client.post('/portal/webhooks/redeliver', { delivery_id: webhooks.list({ sessionId: id })[0].id }));
  await eventually(() => webhooks.list({ sessionId: id })[0]?.attempts.length === 2, 'the second attempt');
  await expectChange(t, stream, 'a chaos rule added', () => client.post('/portal/webhooks/chaos', { next: '2', delay_ms: '10' }));
  await expectChange(t, stream, 'the chaos rules cleared', () => client.post('/portal/webhooks/chaos/clear', {}));
  await expectChange(t, stream, 'a request journaled for the key', () => app.inject({ url: `/v3/scanning/${id}`, headers: auth('key-a') }));
  let running = '';
  await expectChange(t, stream, 'another session', async () => (running = await createSession(app, 'key-a')));
  await expectChange(t, stream, 'the clock moved past its deadline: it timed out', () => clock.advance(2 * 3_600_000));
  t.equal(sessions.findById(running)!.status, 'Timeout');
  await expectChange(t, stream, 'one session deleted', () => app.inject({ method: 'DELETE', url: `/__mock/sessions/${running}` }));
  await expectChange(t, stream, "the key's namespace reset", () => app.inject({ method: 'DELETE', url: '/__mock/sessions?api_key=key-a' }));
  await expectChange(t, stream, 'the whole journal cleared by a reset of everything', async () => {
    await app.inject({ url: '/v3/scanning/00000000-0000-4000-8000-000000000000', headers: auth('key-a') });
    await quietFor(120);
    await app.inject({ method: 'DELETE', url: '/__mock/sessions' });
  });
});

t.test("a key's stream never hears of another key's changes", async (t) => {
  const receiver = await startReceiver(t);
  const { app, baseUrl } = await startPortalApp(t, {}, { listen: true, live: { intervalMs: 50 } });
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  const streamA = await openLiveStream(baseUrl, a.cookie);
  const streamB = await openLiveStream(baseUrl, b.cookie);
  t.teardown(() => (streamA.close(), streamB.close()));
  await streamA.next();
  await streamB.next();

  // Everything key-b can change: sessions, documents, outcomes, deliveries, chaos, journal, its namespace.
  const id = await createSession(app, 'key-b', { webhook: receiver.url });
  const cookie = String((await app.inject({ url: `/v3/scan/ui/${id}/liveness?otp=${app.emulator.sessions.findById(id)!.link!.token}` })).headers['set-cookie']).split(';')[0];
  await app.inject({ method: 'POST', url: `/v3/scan/ui/${id}/tester/outcome`, headers: { cookie }, payload: { outcome: 'liveness_failed' } });
  app.emulator.sessions.complete(app.emulator.sessions.findById(id)!);
  await eventually(() => app.emulator.webhooks.list({ sessionId: id })[0]?.status === 'succeeded', 'the delivery');
  await b.post('/portal/webhooks/chaos', { next: '1', duplicate: 'on' });
  await app.inject({ url: `/v3/scanning/${id}`, headers: auth('key-b') });
  await app.inject({ method: 'DELETE', url: '/__mock/sessions?api_key=key-b' });
  await quietFor(300);
  t.ok(streamB.events().some((e) => e.event === 'change'), 'key-b heard its changes');
  t.strictSame(streamA.events(), [{ event: 'ready', data: { revision: 0, heartbeat_ms: 25000 } }], 'key-a heard nothing');

  // key-a's own change is its first.
  await createSession(app, 'key-a');
  t.strictSame(await streamA.next(), { event: 'change', data: { revision: 1 } });
});

t.test('signed out: 401 (a page, not a redirect); a stream ends with bye signed-out when its sign-in does', async (t) => {
  const { app, baseUrl } = await startPortalApp(t, {}, { listen: true });
  const anonymous = await openLiveStream(baseUrl, undefined);
  t.equal(anonymous.status, 401);
  t.match(anonymous.headers['content-type'], /^text\/html/);
  await anonymous.ended;
  t.equal(textOf(anonymous.text(), 'problem-text'), 'Live updates follow a signed-in key: sign in to the portal first.');
  const forged = await app.inject({ url: '/portal/live?probe=1', headers: { cookie: 'zsm_portal=forged' } });
  t.equal(forged.statusCode, 401, 'a probe tells a page it is signed out');

  const client = await signIn(app, 'key-a');
  const probe = await app.inject({ url: '/portal/live?probe=1', headers: { cookie: client.cookie } });
  t.equal(probe.statusCode, 204, 'a probe while signed in: a stream would be taken');
  t.equal(probe.body, '');
  t.equal(app.emulator.changes.count(), 0, 'a probe opens nothing');

  const stream = await openLiveStream(baseUrl, client.cookie);
  const other = await openLiveStream(baseUrl, client.cookie);
  await stream.next();
  await other.next();
  const signedOut = await client.post('/portal/sign-out');
  t.equal(signedOut.statusCode, 303);
  t.strictSame(await stream.next(), { event: 'bye', data: { reason: 'signed-out' } });
  t.strictSame(await other.next(), { event: 'bye', data: { reason: 'signed-out' } }, 'every stream of that sign-in');
  await stream.ended;
  await other.ended;
  t.equal(app.emulator.changes.count(), 0);
  t.equal((await app.inject({ url: '/portal/live?probe=1', headers: { cookie: client.cookie } })).statusCode, 401);

  // A second sign-in in the same browser replaces the first: its streams end too.
  const first = await signIn(app, 'key-a');
  const firstStream = await openLiveStream(baseUrl, first.cookie);
  await firstStream.next();
  const formPage = await app.inject({ url: '/portal/sign-in' });
  const token = /name="_csrf" value="([^"]+)"/.exec(formPage.body)![1];
  const signInCookie = String(formPage.headers['set-cookie']).split(';')[0];
  const again = await app.inject({
    method: 'POST',
    url: '/portal/sign-in',
    payload: new URLSearchParams({ _csrf: token, api_key: 'key-b', next: '/portal' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${signInCookie}; ${first.cookie}` },
  });
  t.equal(again.statusCode, 303);
  t.strictSame(await firstStream.next(), { event: 'bye', data: { reason: 'signed-out' } }, 'signing in as another key ends the old sign-in and its streams');

  const head = await app.inject({ method: 'HEAD', url: '/portal/live', headers: { cookie: `zsm_portal=${cookiesOf(again).zsm_portal}` } });
  t.equal(head.statusCode, 404, 'HEAD opens no stream (a GET-only portal path: the portal 404 page)');
});

t.test('bounded: streams per key (429) and in all (503), with Retry-After; a closed stream frees its place', async (t) => {
  const { app, baseUrl } = await startPortalApp(t, {}, { listen: true, live: { maxPerKey: 2, maxTotal: 3 } });
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  const c = await signIn(app, 'key-c');
  const streams = [await openLiveStream(baseUrl, a.cookie), await openLiveStream(baseUrl, a.cookie)];
  t.teardown(() => streams.forEach((s) => s.close()));
  t.strictSame(
    streams.map((s) => s.status),
    [200, 200],
  );
  const third = await openLiveStream(baseUrl, a.cookie);
  await third.ended;
  t.equal(third.status, 429);
  t.equal(third.headers['retry-after'], '30');
  t.equal(textOf(third.text(), 'problem-text'), 'This API key already has as many live pages open as the emulator follows; this one updates when one of them closes.');
  const probe = await app.inject({ url: '/portal/live?probe=1', headers: { cookie: a.cookie } });
  t.equal(probe.statusCode, 429, 'the probe says so too');
  t.equal(probe.headers['retry-after'], '30');

  streams.push(await openLiveStream(baseUrl, b.cookie));
  t.equal(streams[2].status, 200, 'another key still gets one');
  const fourth = await openLiveStream(baseUrl, c.cookie);
  await fourth.ended;
  t.equal(fourth.status, 503, 'past the total');
  t.equal(fourth.headers['retry-after'], '30');
  t.equal(textOf(fourth.text(), 'problem-text'), 'The emulator already follows as many live pages as it can; this one updates when some of them close.');
  t.equal(app.emulator.changes.count(), 3);

  streams[0].close();
  await eventually(() => app.emulator.changes.count('key-a') === 1, 'the closed stream to be forgotten');
  const again = await openLiveStream(baseUrl, a.cookie);
  t.teardown(() => again.close());
  t.equal(again.status, 200, 'its place is free again');
});

t.test('heartbeats while idle; a stream with no change for idleMs ends with bye idle; changes keep it open', async (t) => {
  const { app, baseUrl } = await startPortalApp(t, {}, { listen: true, live: { heartbeatMs: 100, idleMs: 1500, intervalMs: 20 } });
  const client = await signIn(app, 'key-a');

  const quiet = await openLiveStream(baseUrl, client.cookie);
  const quietOpened = Date.now();
  t.strictSame(await quiet.next(), { event: 'ready', data: { revision: 0, heartbeat_ms: 100 } });
  t.strictSame(await quiet.next(), { event: 'heartbeat', data: {} });
  t.match(quiet.text(), /event: heartbeat\ndata: \{\}\n\n$/);
  await quiet.ended;
  t.ok(Date.now() - quietOpened >= 1400, 'no change: it ends after idleMs');
  t.strictSame(quiet.events().at(-1), { event: 'bye', data: { reason: 'idle' } });
  t.ok(quiet.events().filter((e) => e.event === 'heartbeat').length >= 2, 'it beat meanwhile');
  await eventually(() => app.emulator.changes.count() === 0, 'the ended stream to be forgotten');

  // A change every 100 ms for longer than idleMs: still open all along (only a stall of over 1.4 s could end it).
  const busy = await openLiveStream(baseUrl, client.cookie);
  await busy.next();
  const busyOpened = Date.now();
  while (Date.now() - busyOpened < 2500) {
    await createSession(app, 'key-a');
    await quietFor(100);
  }
  t.notOk(
    busy.events().some((e) => e.event === 'bye'),
    'still open 2.5 s on, past idleMs',
  );
  await busy.ended;
  t.strictSame(busy.events().at(-1), { event: 'bye', data: { reason: 'idle' } }, 'and it ends once the changes stop');
});

t.test('shutdown ends every stream at once with bye shutdown, refuses new ones, and is not held up by them', async (t) => {
  const { app, baseUrl } = await startPortalApp(t, {}, { listen: true });
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  const streams = [await openLiveStream(baseUrl, a.cookie), await openLiveStream(baseUrl, b.cookie)];
  await Promise.all(streams.map((s) => s.next()));
  const started = Date.now();
  await settleForShutdown(app);
  for (const stream of streams) {
    t.strictSame(await stream.next(), { event: 'bye', data: { reason: 'shutdown' } });
    await stream.ended;
  }
  t.equal(app.emulator.changes.count(), 0);
  const late = await app.inject({ url: '/portal/live', headers: { cookie: a.cookie } });
  t.equal(late.statusCode, 503, 'no stream while shutting down');
  await app.close();
  // Without ending them, app.close() would wait on the open streams for good; it takes milliseconds.
  t.ok(Date.now() - started < 3000, `closed in ${Date.now() - started} ms`);
});

t.test('app.close() alone (no settleForShutdown) also ends the streams first', async (t) => {
  const { app, baseUrl } = await startPortalApp(t, {}, { listen: true });
  const client = await signIn(app, 'key-a');
  const stream = await openLiveStream(baseUrl, client.cookie);
  await stream.next();
  const started = Date.now();
  await app.close();
  t.ok(Date.now() - started < 3000, `closed in ${Date.now() - started} ms`);
  await stream.ended;
  t.strictSame(stream.events().at(-1), { event: 'bye', data: { reason: 'shutdown' } });
});

t.test('SIGTERM with a live page open: the stream ends with bye shutdown and the process exits at once, not after the grace', async (t) => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const port = await freePort();
  const { child, exited } = spawnNode(['--import', 'tsx', 'src/server.ts'], { cwd: root, env: { ...cleanEnv, PORT: String(port), LOG_LEVEL: 'error', SHUTDOWN_GRACE: '60s' } });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await readyBody(port, child, exited);
  const base = `http://127.0.0.1:${port}`;
  const form = await fetch(`${base}/portal/sign-in`);
  const formCookie = `zsm_portal_signin=${cookiesOf({ headers: { 'set-cookie': form.headers.getSetCookie() } }).zsm_portal_signin}`;
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const signedIn = await fetch(`${base}/portal/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie },
    body: new URLSearchParams({ _csrf: token, api_key: 'key-a', next: '/portal' }).toString(),
  });
  t.equal(signedIn.status, 303);
  const cookie = `zsm_portal=${cookiesOf({ headers: { 'set-cookie': signedIn.headers.getSetCookie() } }).zsm_portal}`;
  const stream = await openLiveStream(base, cookie);
  t.teardown(() => stream.close());
  await stream.next();

  const signalled = Date.now();
  child.kill('SIGTERM');
  t.strictSame(await stream.next(10_000), { event: 'bye', data: { reason: 'shutdown' } });
  await stream.ended;
  const { code } = await exited;
  t.equal(code, 0, 'a clean exit');
  // The grace is 60 s; an open stream never waits for it (a hanging one would keep the process up).
  t.ok(Date.now() - signalled < 10_000, `exited ${Date.now() - signalled} ms after the signal`);
});

t.test('the sessions list follows new sessions on its first page; an older page of finished sessions holds still', async (t) => {
  const { app } = await startPortalApp(t);
  for (let i = 0; i < 21; i++) app.emulator.sessions.complete(app.emulator.sessions.findById(await createSession(app, 'key-a'))!);
  const client = await signIn(app, 'key-a');
  const first = await client.get('/portal/sessions');
  t.match(first.body, /data-live="on"[^>]*data-testid="session-list"/, 'every session on it finished, and still live');
  const empty = await (await signIn(app, 'key-empty')).get('/portal/sessions');
  t.match(empty.body, /data-live="on"[^>]*data-testid="session-list" data-total="0"/, 'no sessions yet: the first one will show');
  const second = await client.get('/portal/sessions?page=2');
  t.match(second.body, /data-live="off"[^>]*data-testid="session-list"/);
});
