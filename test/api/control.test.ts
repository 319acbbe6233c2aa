import { request as httpRequest } from 'node:http';
import t from 'tap';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];
const create = async (app: App, key: string, extra: Record<string, unknown> = {}) =>
  (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { ...exampleLivenessRequest, ...extra } })).json().id as string;

/** A raw HTTP call that reports a cut connection instead of throwing, so faults can be observed as a client sees them. */
function rawCall(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status?: number; headers?: Record<string, unknown>; text?: string; error?: string; ms: number }>((resolve) => {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(`${base}${path}`, { method, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text, ms: performance.now() - started }));
      res.on('error', (error) => resolve({ status: res.statusCode, text, error: (error as NodeJS.ErrnoException).code ?? error.message, ms: performance.now() - started }));
    });
    req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message, ms: performance.now() - started }));
    req.end(payload);
  });
}

t.test('sessions: list with filters, inspect, delete, reset one key', async (t) => {
  const { app } = await startTestApp(t);
  const a1 = await create(app, 'key-alpha');
  const a2 = await create(app, 'key-alpha');
  const b1 = await create(app, 'key-beta');
  await app.inject({ method: 'POST', url: `/__mock/sessions/${a2}/complete`, payload: { outcome: 'face_mismatch' } });

  const listA = (await app.inject({ url: '/__mock/sessions?api_key=key-alpha' })).json();
  t.equal(listA.total, 2);
  t.same(listA.sessions.map((s: { id: string }) => s.id), [a2, a1], 'newest first');
  t.same((await app.inject({ url: '/__mock/sessions?status=Declined' })).json().sessions.map((s: { id: string }) => s.id), [a2]);
  t.equal((await app.inject({ url: '/__mock/sessions?status=Nope' })).statusCode, 400);

  const view = (await app.inject({ url: `/__mock/sessions/${a2}` })).json();
  t.match(view, {
    id: a2,
    api_key: '****',
    flow: 'liveness',
    status: 'Declined',
    relay_state: '11111',
    chosen_action: 'FollowText',
    outcome: { name: 'face_mismatch', rule: 'armed' },
    request: exampleLivenessRequest,
    analyses: { document: 'Accepted', liveness: 'Accepted', face_match: 'Declined' },
    link: { used: null },
    documents: [],
    webhooks: [],
  });
  t.same(view.timeline.map((e: { event: string }) => e.event), ['session created', 'completed through the control API', 'analysis finished: face_mismatch']);
  t.equal(view.result.status, 'Declined');

  t.equal((await app.inject({ method: 'DELETE', url: `/__mock/sessions/${a1}` })).statusCode, 204);
  t.equal((await app.inject({ url: `/v3/scanning/${a1}`, headers: auth('key-alpha') })).statusCode, 404);
  t.strictSame((await app.inject({ method: 'DELETE', url: `/__mock/sessions/${a1}` })).json(), {
    errors: [{ code: 'SESSION_NOT_FOUND', description: `No session with id "${a1}" was found.` }],
  });
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/sessions?api_key=key-alpha' })).json(), { removed: 1 });
  t.equal((await app.inject({ url: `/v3/scanning/${b1}`, headers: auth('key-beta') })).statusCode, 200, "another key's namespace is untouched");
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/sessions' })).json(), { removed: 1 });
});

t.test('complete: refuses finished sessions; arming a finished one is a 409', async (t) => {
  const { app } = await startTestApp(t);
  const id = await create(app, 'k');
  t.equal((await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` })).json().status, 'Accepted');
  const again = await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
  t.equal(again.statusCode, 409);
  t.strictSame(again.json(), { errors: [{ code: 'SESSION_STATE', description: 'The session is already Accepted.' }] });
  const arm = await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/outcome`, payload: { outcome: 'approved' } });
  t.equal(arm.statusCode, 409);
  t.equal((await app.inject({ method: 'POST', url: '/__mock/sessions/nope/complete' })).statusCode, 404);
});

t.test('journal: records public requests with masked key, filters and counts exactly, clears', async (t) => {
  const { app } = await startTestApp(t);
  const a = await create(app, 'journal-key-a', { client_reference: 'kept as sent' });
  await create(app, 'journal-key-b');
  await app.inject({ url: `/v3/scanning/${a}`, headers: auth('journal-key-a') });
  await app.inject({ url: `/v3/scanning/${a}`, headers: auth('journal-key-a') });
  await app.inject({ url: '/v3/scanning/not-a-guid', headers: auth('journal-key-a') });
  await app.inject({ url: '/__mock/outcomes' });
  await app.inject({ url: '/health' });

  const all = (await app.inject({ url: '/__mock/journal' })).json();
  t.equal(all.total, 5, 'control API and health calls are not journaled');
  const first = all.requests[0];
  t.match(first, {
    id: 1,
    method: 'POST',
    path: '/v3/scanning/liveness',
    query: {},
    headers: { authorization: 'j****' },
    status: 200,
    response_body: { id: a, errors: [] },
    session_id: a,
  });
  t.strictSame(first.body, { ...exampleLivenessRequest, client_reference: 'kept as sent' }, 'the body as sent, unknown fields included');
  t.strictSame((await app.inject({ url: `/__mock/sessions/${a}` })).json().request, first.body, 'the session keeps the same request');
  const count = async (query: string) => (await app.inject({ url: `/__mock/journal/count?${query}` })).json().count;
  t.equal(await count('api_key=journal-key-a'), 4);
  t.equal(await count('api_key=journal-key-a&method=GET'), 3);
  t.equal(await count(`session_id=${a}`), 3);
  t.equal(await count('path=/v3/scanning/*'), 5, '* is one segment: the creates and the reads');
  t.equal(await count('path=/v3/scanning/liveness'), 2);
  t.equal(await count('path=/v3/**'), 5);
  t.equal(await count('status=400'), 1);
  t.equal(await count('api_key=nobody'), 0);
  t.equal((await app.inject({ url: '/__mock/journal?limit=1' })).json().requests[0].path, '/v3/scanning/not-a-guid', 'limit keeps the newest');
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/journal?api_key=journal-key-b' })).json(), { removed: 1 });
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/journal' })).json(), { removed: 4 });
  t.equal(await count(''), 0);
});

t.test('clock: advance by ms or duration expires OTPs and sessions; freeze and reset', async (t) => {
  const { app } = await startTestApp(t, { OTP_TTL: '1m', SESSION_TTL: '1h' });
  const body = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).json();
  const before = (await app.inject({ url: '/__mock/clock' })).json();
  t.same(before, { now: '2026-01-15T09:00:00.000Z', now_ms: Date.UTC(2026, 0, 15, 9), frozen: false, offset_ms: 0, keys_with_own_clock: 0 });
  const advanced = (await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { ms: 60_000 } })).json();
  t.equal(advanced.now, '2026-01-15T09:01:00.000Z');
  const url = new URL(body.redirect_url);
  t.equal((await app.inject({ url: `${url.pathname}${url.search}` })).statusCode, 410, 'the OTP expired');
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: '1h' } })).json().now, '2026-01-15T10:01:00.000Z');
  t.equal((await app.inject({ url: `/v3/scanning/${body.id}`, headers: auth('k') })).json().status, 'Timeout');
  t.strictSame((await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { ms: 1, duration: '1s' } })).json(), {
    errors: [{ code: 'INVALID_REQUEST', description: 'the body must give exactly one of ms or duration' }],
  });
  t.strictSame((await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: 'soon' } })).json(), {
    errors: [{ code: 'INVALID_REQUEST', description: 'duration must look like 90s, 30m, 48h or 250ms.' }],
  });
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock/freeze' })).json().frozen, true);
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock/unfreeze' })).json().frozen, false);
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock/reset' })).json().offset_ms, 0);
});

t.test('faults, observed from a real HTTP client', async (t) => {
  const { app } = await startTestApp(t);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const addFault = async (rule: Record<string, unknown>) => {
    const res = await rawCall(base, 'POST', '/__mock/faults', rule);
    t.equal(res.status, 201, `fault ${JSON.stringify(rule)} added`);
    return JSON.parse(res.text!);
  };
  const createCall = (key = 'k') => rawCall(base, 'POST', '/v3/scanning/liveness', exampleLivenessRequest, auth(key));

  await t.test('error status with a ZignSec body, for the next 2 calls then success', async (t) => {
    const rule = await addFault({ method: 'POST', path: '/v3/scanning/liveness', action: { type: 'error', status: 503 }, times: 2 });
    t.match(rule, { id: /^fault-\d+$/, method: 'POST', times: 2, matched: 0, action: { type: 'error', status: 503, code: 'Internal Exception' } });
    for (let i = 0; i < 2; i++) {
      const res = await createCall();
      t.equal(res.status, 503);
      t.strictSame(JSON.parse(res.text!), { errors: [{ code: 'Internal Exception', description: 'Injected fault: the service is unavailable.' }] });
    }
    t.equal((await createCall()).status, 200, 'then it succeeds');
    t.strictSame(JSON.parse((await rawCall(base, 'GET', '/__mock/faults')).text!), { faults: [] }, 'an exhausted rule is removed');
  });

  await t.test('only for one API key', async (t) => {
    await addFault({ path: '/v3/**', api_key: 'victim', action: { type: 'error', status: 500, code: 'Internal Exception', description: 'boom' }, times: null });
    t.equal((await createCall('bystander')).status, 200);
    t.equal((await createCall('victim')).status, 500);
    t.equal((await createCall('victim')).status, 500, 'persistent');
    t.equal((await rawCall(base, 'GET', '/__mock/outcomes')).status, 200, 'faults never touch the control API');
    t.strictSame(JSON.parse((await rawCall(base, 'DELETE', '/__mock/faults')).text!), { removed: 1 });
  });

  await t.test('latency, fixed and ranged', async (t) => {
    await addFault({ path: '/v3/scanning/liveness', action: { type: 'latency', ms: 150 } });
    const slow = await createCall();
    t.equal(slow.status, 200, 'latency lets the call through');
    t.ok(slow.ms >= 145, `took ${slow.ms.toFixed(0)} ms`);
    await addFault({ path: '/v3/scanning/liveness', action: { type: 'latency', ms: 50, max_ms: 80 } });
    t.ok((await createCall()).ms >= 45);
    const bad = await rawCall(base, 'POST', '/__mock/faults', { action: { type: 'latency', ms: 80, max_ms: 10 } });
    t.equal(bad.status, 400);
    t.strictSame(JSON.parse(bad.text!), { errors: [{ code: 'INVALID_REQUEST', description: 'action.max_ms must be at least ms' }] });
  });

  await t.test('connection reset', async (t) => {
    await addFault({ method: 'POST', path: '/v3/scanning/liveness', action: { type: 'reset' } });
    const res = await createCall();
    t.equal(res.status, undefined);
    t.match(res.error, /ECONNRESET|socket hang up/);
  });

  await t.test('malformed and truncated bodies', async (t) => {
    await addFault({ path: '/v3/scanning/liveness', action: { type: 'malformed' } });
    const malformed = await createCall();
    t.equal(malformed.status, 200);
    t.throws(() => JSON.parse(malformed.text!), SyntaxError);
    await addFault({ path: '/v3/scanning/liveness', action: { type: 'truncated' } });
    const truncated = await createCall();
    t.equal(truncated.status, 200);
    t.match(truncated.error, /aborted|ECONNRESET/);
  });

  await t.test('429 with Retry-After', async (t) => {
    await addFault({ path: '/v3/**', action: { type: 'rate_limit', retry_after_s: 7 } });
    const res = await createCall();
    t.equal(res.status, 429);
    t.equal(res.headers!['retry-after'], '7');
    t.strictSame(JSON.parse(res.text!), { errors: [{ code: 'TOO_MANY_REQUESTS', description: 'Rate limit exceeded; retry after 7 seconds.' }] });
  });

  await t.test('rules are listed and removed by id', async (t) => {
    const rule = await addFault({ path: '/v3/scanning/*', action: { type: 'error', status: 502 }, times: 5 });
    t.same(JSON.parse((await rawCall(base, 'GET', '/__mock/faults')).text!).faults.map((f: { id: string }) => f.id), [rule.id]);
    t.equal((await rawCall(base, 'DELETE', `/__mock/faults/${rule.id}`)).status, 204);
    const missing = await rawCall(base, 'DELETE', `/__mock/faults/${rule.id}`);
    t.equal(missing.status, 404);
    t.strictSame(JSON.parse(missing.text!), { errors: [{ code: 'NOT_FOUND', description: `No fault rule "${rule.id}".` }] });
    const unknown = await rawCall(base, 'POST', '/__mock/faults', { action: { type: 'explode' } });
    t.equal(unknown.status, 400);
  });
});

t.test('MOCK_ADMIN_TOKEN protects the control API only', async (t) => {
  const { app } = await startTestApp(t, { MOCK_ADMIN_TOKEN: 's3cret' });
  const denied = await app.inject({ url: '/__mock/sessions' });
  t.equal(denied.statusCode, 401);
  t.strictSame(denied.json(), { errors: [{ code: 'UNAUTHORIZED', description: 'The control API needs the X-Mock-Admin-Token header (MOCK_ADMIN_TOKEN is set).' }] });
  t.equal((await app.inject({ url: '/__mock/sessions', headers: { 'x-mock-admin-token': 'wrong' } })).statusCode, 401);
  t.equal((await app.inject({ url: '/__mock/sessions', headers: { 'x-mock-admin-token': 's3cret' } })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).statusCode, 200);
});

t.test('merchant settings change at runtime, apply to new sessions, and export', async (t) => {
  const { app } = await startTestApp(t);
  const put = await app.inject({ method: 'PUT', url: '/__mock/merchants/runtime-key', payload: { name: 'Runtime AB', options: 'NoDocument', available_actions: ['Smile'], default_outcome: 'face_mismatch' } });
  t.equal(put.statusCode, 200);
  t.match(put.json(), { name: 'Runtime AB', options: 'NoDocument', available_actions: ['Smile'], default_outcome: 'face_mismatch', mobile_flow: true, webhook: '' });
  const created = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('runtime-key'), payload: { options: 'NoDocument', action: 'Random' } });
  t.equal(created.headers['x-mock-outcome-selected'], 'face_mismatch; rule=merchant_default');
  t.equal((await app.inject({ url: `/v3/scanning/${created.json().id}`, headers: auth('runtime-key') })).json().action, 'Smile');
  t.match((await app.inject({ url: '/__mock/merchants/export' })).json(), { merchants: { 'runtime-key': { name: 'Runtime AB' }, 'demo-merchant-key': { name: 'Demo Merchant AB' } } });

  const bad = await app.inject({ method: 'PUT', url: '/__mock/merchants/runtime-key', payload: { options: 'Sideways', webhook: 'javascript:alert(1)' } });
  t.equal(bad.statusCode, 400);
  t.strictSame(bad.json(), {
    errors: [
      { code: 'INVALID_REQUEST', description: 'options: Invalid option: expected one of "FrontSide"|"NoDocument"|"FrontAndBack"' },
      { code: 'INVALID_REQUEST', description: 'webhook: must be an absolute http or https URL, or an empty string' },
    ],
  });
  t.equal((await app.inject({ method: 'PUT', url: '/__mock/merchants/runtime-key', payload: { default_outcome: 'sunny' } })).statusCode, 400);
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/merchants/runtime-key' })).statusCode, 204);
  t.match((await app.inject({ url: '/__mock/merchants/runtime-key' })).json(), { name: 'Any merchant', options: 'FrontSide' });
});

t.test('the journal keeps the newest JOURNAL_SIZE requests, oldest first', async (t) => {
  const { app } = await startTestApp(t, { JOURNAL_SIZE: '3' });
  for (let i = 1; i <= 5; i++) await app.inject({ url: `/v3/scanning/00000000-0000-4000-8000-00000000000${i}`, headers: auth('ring') });
  const { requests, total } = (await app.inject({ url: '/__mock/journal' })).json();
  t.equal(total, 3);
  t.same(requests.map((r: { path: string; id: number }) => [r.id, r.path.slice(-1)]), [[3, '3'], [4, '4'], [5, '5']]);
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/journal?api_key=nobody' })).json(), { removed: 0 });
  await app.inject({ url: '/v3/scanning/00000000-0000-4000-8000-000000000006', headers: auth('ring') });
  t.same((await app.inject({ url: '/__mock/journal' })).json().requests.map((r: { id: number }) => r.id), [4, 5, 6], 'still in order after a partial clear');
  const none = await startTestApp(t, { JOURNAL_SIZE: '0' });
  await none.app.inject({ url: '/v3/scanning/00000000-0000-4000-8000-000000000001', headers: auth('ring') });
  t.equal((await none.app.inject({ url: '/__mock/journal/count' })).json().count, 0, 'JOURNAL_SIZE=0 keeps none');
});

t.test('a merchant key spelled like the export route is a key', async (t) => {
  const { app } = await startTestApp(t);
  const settings = { name: 'Capitalised', options: 'NoDocument' };
  t.equal((await app.inject({ method: 'PUT', url: '/__mock/merchants/Export', payload: settings })).statusCode, 200);
  t.match((await app.inject({ url: '/__mock/merchants/Export' })).json(), settings);
  t.ok((await app.inject({ url: '/__mock/merchants/export' })).json().merchants, 'the lower-case path is still the export');
});
