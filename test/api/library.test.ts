import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
// From source; test/package/ imports the packed package by its name, as an integrator does.
import { AdminApiError, ConfigError, createAdminClient, signZignSecHmac, startMock, verifyZignSecSignature, ZignSecApiError } from '../../src/index.js';
import { buildMerchantApp } from '../../fixtures/merchant-app/app.js';
import { eventually } from '../helpers/eventually.js';

async function startMerchant(t: Test, zignsecUrl: string, apiKey: string) {
  const merchant = await buildMerchantApp({ zignsecUrl, apiKey });
  t.teardown(() => merchant.close());
  await merchant.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(merchant.server.address() as AddressInfo).port}`;
}

t.test('startMock: create, arm, complete, and the webhook reaches the merchant app verified', async (t) => {
  const mock = await startMock({ SEED: 'library-test' });
  t.teardown(() => mock.close());
  t.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.strictSame(await mock.admin.ready(), { status: 'ready', sessions: 0, outcomes: 12, merchants: 2 });

  const apiKey = 'library-merchant-key';
  const merchantUrl = await startMerchant(t, mock.url, apiKey);
  const api = mock.apiClient(apiKey);
  const created = await api.createLivenessSession({ relay_state: 'order-7', webhook: `${merchantUrl}/webhooks/zignsec`, options: 'FrontSide', action: 'Smile' });
  t.strictSame(created.errors, []);
  t.match(created.redirect_url, new RegExp(`^${mock.url}/v3/scan/ui/${created.id}/liveness\\?otp=[A-Za-z0-9_-]{22}$`));

  const armed = await mock.admin.sessions.armOutcome(created.id, 'face_mismatch');
  t.strictSame(armed.outcome, { name: 'face_mismatch', rule: 'armed', description: armed.outcome.description });
  const completed = await mock.admin.sessions.complete(created.id);
  t.equal(completed.status, 'Declined');
  t.strictSame(completed.analyses, { document: 'Accepted', liveness: 'Accepted', face_match: 'Declined', fraud: 'NotRequested' });

  const delivery = await mock.admin.webhooks.wait(created.id, { status: 'Declined', timeout_ms: 5000 });
  t.match(delivery, { session_id: created.id, status: 'succeeded', event: 'session_updated', session_status: 'Declined', url: `${merchantUrl}/webhooks/zignsec` });
  t.equal(delivery.attempts.length, 1);
  t.match(delivery.attempts[0], { number: 1, status: 200, response_excerpt: '{"received":true}', error: null });
  const signature = delivery.attempts[0].request_headers['x-zignsec-hmac-sha256'];
  t.ok(verifyZignSecSignature(delivery.body, signature, apiKey), 'the re-exported verifier accepts the signature');
  t.equal(signature, signZignSecHmac(delivery.body, apiKey));

  const events = await (await fetch(`${merchantUrl}/events`)).json();
  t.strictSame(events, {
    events: [{ delivery_id: delivery.id, event: 'session_updated', session_id: created.id, relay_state: 'order-7', status: 'Declined' }],
    rejected: 0,
  });

  const result = await api.getResult(created.id);
  t.strictSame(result, JSON.parse(delivery.body), 'the webhook body is the result object');
  t.equal(result.status, 'Declined');

  t.equal(await mock.admin.journal.count({ api_key: apiKey }), 2, 'the create and the read');
  t.equal(await mock.admin.journal.count({ api_key: apiKey, method: 'POST', path: '/v3/scanning/liveness' }), 1);
  const journal = await mock.admin.journal.find({ api_key: apiKey, limit: 1 });
  t.equal(journal.total, 2);
  t.match(journal.requests, [{ method: 'GET', path: `/v3/scanning/${created.id}`, status: 200, session_id: created.id }]);

  const session = await mock.admin.sessions.get(created.id);
  t.equal(session.webhooks.length, 1);
  t.equal(session.webhooks[0].id, delivery.id);
  t.equal(session.result.status, 'Declined');
  t.equal(await mock.admin.sessions.reset(apiKey), 1);
  t.equal(await mock.admin.journal.count({ api_key: apiKey }), 0, 'reset of a key clears its journal too');
});

t.test('outcome queue and merchant settings through the admin client', async (t) => {
  const mock = await startMock();
  t.teardown(() => mock.close());
  const api = mock.apiClient('queue-key');
  t.strictSame(await mock.admin.outcomes.queue('queue-key', ['liveness_failed', 'approved']), { api_key: 'queue-key', queued: ['liveness_failed', 'approved'] });
  const first = await api.createLivenessSession({ options: 'NoDocument', action: 'BlinkEyes' });
  t.strictSame(await mock.admin.outcomes.queued('queue-key'), ['approved']);
  t.strictSame((await mock.admin.sessions.get(first.id)).outcome.name, 'liveness_failed');
  t.ok((await mock.admin.outcomes.list()).some((o) => o.name === 'face_mismatch' && o.source === 'built-in'));

  const put = await mock.admin.merchants.put('queue-key', { name: 'Queue AB', options: 'NoDocument', available_actions: ['Smile'] });
  t.match(put, { name: 'Queue AB', options: 'NoDocument', available_actions: ['Smile'], mobile_flow: true, webhook: '' });
  t.strictSame(await mock.admin.merchants.get('queue-key'), put);
  t.strictSame((await mock.admin.merchants.export()).merchants['queue-key'], put);
  t.equal(await mock.admin.merchants.delete('queue-key'), undefined);
  t.equal((await mock.admin.merchants.get('queue-key')).name, 'Any merchant');

  const listed = await mock.admin.sessions.list({ api_key: 'queue-key' });
  t.equal(listed.total, 1);
  t.equal(await mock.admin.sessions.delete(first.id), undefined);
  t.equal((await mock.admin.sessions.list({ api_key: 'queue-key' })).total, 0);
});

t.test('faults surface as ZignSecApiError; control API errors as AdminApiError with the errors array', async (t) => {
  const mock = await startMock();
  t.teardown(() => mock.close());
  const api = mock.apiClient('fault-key');
  const rule = await mock.admin.faults.add({ method: 'POST', path: '/v3/scanning/liveness', action: { type: 'error', status: 503 }, times: 1 });
  t.match(rule, { id: /^fault-\d+$/, method: 'POST', path: '/v3/scanning/liveness', times: 1, matched: 0, action: { type: 'error', status: 503 } });
  t.strictSame(await mock.admin.faults.list(), [rule]);

  const error = await api.createLivenessSession({ options: 'FrontSide', action: 'Random' }).catch((e: unknown) => e);
  t.type(error, ZignSecApiError);
  t.equal((error as ZignSecApiError).status, 503);
  t.strictSame((error as ZignSecApiError).errors, [{ code: 'Internal Exception', description: 'Injected fault: the service is unavailable.' }]);
  t.equal((error as Error).message, 'POST /v3/scanning/liveness answered 503: Internal Exception: Injected fault: the service is unavailable.');
  t.strictSame(await mock.admin.faults.list(), [], 'the rule was used up');
  t.match(await api.createLivenessSession({ options: 'FrontSide', action: 'Random' }), { errors: [] }, 'then the call succeeds');

  const persistent = await mock.admin.faults.add({ action: { type: 'rate_limit' }, times: null });
  t.equal(await mock.admin.faults.remove(persistent.id), undefined);
  await mock.admin.faults.add({ action: { type: 'rate_limit' } });
  t.equal(await mock.admin.faults.clear(), 1);

  const missing = await mock.admin.sessions.get('no-such-session').catch((e: unknown) => e);
  t.type(missing, AdminApiError);
  t.equal((missing as AdminApiError).status, 404);
  t.strictSame((missing as AdminApiError).errors, [{ code: 'SESSION_NOT_FOUND', description: 'No session with id "no-such-session" was found.' }]);
  const badRule = await mock.admin.faults.add({ action: { type: 'latency', ms: 80, max_ms: 10 } }).catch((e: unknown) => e);
  t.strictSame([(badRule as AdminApiError).status, (badRule as AdminApiError).errors], [400, [{ code: 'INVALID_REQUEST', description: 'action.max_ms must be at least ms' }]]);
  const timeout = await mock.admin.webhooks.wait('00000000-0000-4000-8000-000000000000', { timeout_ms: 10 }).catch((e: unknown) => e);
  t.strictSame([(timeout as AdminApiError).status, (timeout as AdminApiError).errors], [
    408,
    [{ code: 'WAIT_TIMEOUT', description: 'No successful webhook delivery for session 00000000-0000-4000-8000-000000000000 within 10 ms.' }],
  ]);
});

t.test('the clock: freeze, advance by ms and by duration, unfreeze, reset', async (t) => {
  const mock = await startMock({ SESSION_TTL: '1h' });
  t.teardown(() => mock.close());
  const frozen = await mock.admin.clock.freeze();
  t.equal(frozen.frozen, true);
  t.equal((await mock.admin.clock.get()).now_ms, frozen.now_ms, 'frozen time does not move');
  t.equal((await mock.admin.clock.advance(1500)).now_ms, frozen.now_ms + 1500);
  const api = mock.apiClient('clock-key');
  const { id } = await api.createLivenessSession({ options: 'FrontSide', action: 'Random' });
  const later = await mock.admin.clock.advance('2h');
  t.equal(later.now_ms, frozen.now_ms + 1500 + 7_200_000);
  t.equal(later.now, new Date(later.now_ms).toISOString());
  t.equal((await api.getResult(id)).status, 'Timeout', 'the session expired on the advanced clock');
  const badDuration = await mock.admin.clock.advance('soon').catch((e: unknown) => e);
  t.strictSame((badDuration as AdminApiError).errors, [{ code: 'INVALID_REQUEST', description: 'duration must look like 90s, 30m, 48h or 250ms.' }]);
  t.equal((await mock.admin.clock.unfreeze()).frozen, false);
  t.strictSame(await mock.admin.clock.reset().then((c) => [c.frozen, c.offset_ms]), [false, 0]);
});

t.test("one key's clock through the admin client: freeze, advance, read, reset, by key or by session", async (t) => {
  const mock = await startMock({ SESSION_TTL: '1h' });
  t.teardown(() => mock.close());
  const mine = mock.apiClient('my-pipeline-key');
  const theirs = mock.apiClient('their-pipeline-key');
  const { id } = await mine.createLivenessSession({ options: 'FrontSide', action: 'Random' });
  const other = await theirs.createLivenessSession({ options: 'FrontSide', action: 'Random' });
  const frozen = await mock.admin.clock.freeze('my-pipeline-key');
  t.match(frozen, { frozen: true, own_clock: true, api_key: '****' });
  const moved = await mock.admin.clock.advance('2h', 'my-pipeline-key');
  t.equal(moved.now_ms, frozen.now_ms + 7_200_000);
  t.match(moved.ran, { sessions_timed_out: 1 });
  t.equal((await mine.getResult(id)).status, 'Timeout', 'my session expired on my clock');
  t.equal((await theirs.getResult(other.id)).status, 'Created', 'theirs did not');
  t.equal((await mock.admin.clock.get({ session_id: id })).now_ms, moved.now_ms, 'a session names its key');
  t.match(await mock.admin.clock.get(), { frozen: false, offset_ms: 0, keys_with_own_clock: 1 }, 'the global clock is untouched');
  t.match(await mock.admin.clock.unfreeze({ api_key: 'my-pipeline-key' }), { frozen: false, own_clock: true });
  t.match(await mock.admin.clock.reset('my-pipeline-key'), { own_clock: false, offset_from_global_ms: 0 });
  const refused = await mock.admin.clock.advance('31d', 'my-pipeline-key').catch((e: unknown) => e);
  t.strictSame([(refused as AdminApiError).status, (refused as AdminApiError).errors], [
    400,
    [{ code: 'INVALID_REQUEST', description: 'one move is at most 2592000000 ms (30 days): move the clock in several steps' }],
  ]);
});

t.test('webhook chaos and redelivery through the admin client', async (t) => {
  const mock = await startMock();
  t.teardown(() => mock.close());
  const apiKey = 'chaos-lib-key';
  const merchantUrl = await startMerchant(t, mock.url, apiKey);
  const rule = await mock.admin.webhooks.chaos({ api_key: apiKey, next: 1, chaos: { wrong_signature: true } });
  t.strictSame(rule, { id: rule.id, api_key: apiKey, remaining: 1, chaos: { wrong_signature: true } });
  t.strictSame(await mock.admin.webhooks.listChaos(), [rule]);

  const { id } = await mock.apiClient(apiKey).createLivenessSession({ options: 'FrontSide', action: 'Random', webhook: `${merchantUrl}/webhooks/zignsec` });
  await mock.admin.sessions.complete(id, 'approved');
  const rejected = await eventually(async () => {
    const [delivery] = await mock.admin.webhooks.list({ session_id: id });
    return delivery?.attempts.length && !delivery.in_flight ? delivery : undefined;
  }, 'the first attempt to be answered');
  t.match(rejected.attempts[0], { status: 401, response_excerpt: '{"error":"invalid signature"}', error: 'receiver answered 401' });
  t.strictSame(await (await fetch(`${merchantUrl}/events`)).json(), { events: [], rejected: 1 });

  const again = await mock.admin.webhooks.redeliver(rejected.id);
  t.equal(again.id, rejected.id);
  t.equal(await mock.admin.webhooks.clearChaos(), 0, 'the next: 1 rule was used up by the first delivery');
  t.equal((await mock.admin.webhooks.get(rejected.id)).id, rejected.id);
  t.equal((await mock.admin.webhooks.list({ api_key: apiKey })).length, 1);
});

t.test('MOCK_ADMIN_TOKEN: the started mock passes it; a client without it gets 401', async (t) => {
  const mock = await startMock({ MOCK_ADMIN_TOKEN: 's3cret', AUTH_MODE: 'strict' });
  t.teardown(() => mock.close());
  t.equal((await mock.admin.sessions.list()).total, 0);
  const denied = await createAdminClient(mock.url).sessions.list().catch((e: unknown) => e);
  t.type(denied, AdminApiError);
  t.strictSame([(denied as AdminApiError).status, (denied as AdminApiError).errors], [
    401,
    [{ code: 'UNAUTHORIZED', description: 'The control API needs the X-Mock-Admin-Token header (MOCK_ADMIN_TOKEN is set).' }],
  ]);
  const strict = await mock.apiClient('unknown-key').createLivenessSession({ options: 'FrontSide', action: 'Random' }).catch((e: unknown) => e);
  t.equal((strict as ZignSecApiError).status, 401, 'settings given to startMock apply (AUTH_MODE=strict)');
});

t.test('startMock rejects unknown and invalid settings; close is idempotent', async (t) => {
  await t.rejects(startMock({ PROT: 1 } as never), new ConfigError(`Unknown setting PROT; the settings are PORT, HOST, PUBLIC_URL, LOG_LEVEL, SESSION_TTL, OTP_TTL, MAX_SESSIONS, MAX_SESSIONS_PER_KEY, MERCHANTS_FILE, OUTCOMES_DIR, RESULT_TEMPLATE_FILE, AUTH_MODE, MAX_UPLOAD_BYTES, MAX_BODY_BYTES, JOURNAL_SIZE, WEBHOOK_TIMEOUT, WEBHOOK_CONCURRENCY, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_TIME_SCALE, SHUTDOWN_GRACE, SEED, TEST_MODE, MOCK_ADMIN_TOKEN, PORTAL_MAX_SIGN_INS, PORTAL_SIGN_IN_RATE, WIRE_FILE.`));
  await t.rejects(startMock({ SESSION_TTL: 'soon' }), { name: 'ConfigError', message: /SESSION_TTL \(--session-ttl\): must be a duration/ });
  const mock = await startMock({ TEST_MODE: false, JOURNAL_SIZE: 10 });
  t.strictSame([mock.config.TEST_MODE, mock.config.JOURNAL_SIZE], [false, 10], 'booleans and numbers are accepted');
  await mock.close();
  await mock.close();
  const unreachable = await mock.admin.ready().catch((e: unknown) => e);
  t.match((unreachable as Error).message, new RegExp(`^GET ${mock.url}/ready failed: ECONNREFUSED$`));
});
