// The QA console's webhooks page over HTTP (inject), and the control API it stands on: every delivery
// of the key across sessions (newest first, pages, filters), its attempts, signature and body,
// redelivery, webhook chaos for the next deliveries, the signing settings, and isolation between keys
// (forged ids, smuggled api_key fields), each checked through the control API.
import t, { type Test } from 'tap';
import { createAdminClient } from '../../src/admin-client.js';
import { verifyTimestampedSignature } from '../../src/core/webhook-signature.js';
import { MAX_CHAOS_RULES_PER_KEY } from '../../src/services/webhook-chaos.js';
import { assertInvalidRequest, auth, exampleLivenessRequest } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { decode, signIn, startPortalApp, textOf, textsOf } from '../helpers/portal.js';
import { startReceiver } from '../helpers/receiver.js';

type App = Awaited<ReturnType<typeof startPortalApp>>['app'];

/** Signs timestamped with a secret of its own, and sends the event envelope. */
function useTimestampedSettings(app: App, key: string, secret: string): void {
  app.emulator.merchants.update(key, { ...app.emulator.merchants.settingsFor(key)!, webhook_signature: 'timestamped', webhook_secret: secret, webhook_format: 'event' });
}

/** A port nobody listens on: every attempt to it fails at once with "connection refused". */
const REFUSING_URL = 'http://127.0.0.1:9/webhooks';

async function createSession(app: App, key: string, webhook: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { ...exampleLivenessRequest, webhook } });
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** A delivered session of `key` with its (first) delivery. */
async function deliveredSessionFor(app: App, key: string, webhook: string) {
  const id = await deliveredSession(app, key, webhook);
  return { id, delivery: app.emulator.webhooks.list({ sessionId: id })[0] };
}

/** `count` delivered sessions of `key`, a second apart, oldest first. */
async function deliveredSessions(app: App, clock: { advance(ms: number): number }, key: string, webhook: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(await deliveredSession(app, key, webhook));
    clock.advance(1000);
  }
  return ids;
}

/** A session of `key` that has finished, once its first webhook attempt has been answered. */
async function deliveredSession(app: App, key: string, webhook: string, outcome?: string): Promise<string> {
  const id = await createSession(app, key, webhook);
  app.emulator.sessions.complete(app.emulator.sessions.findById(id)!, outcome);
  await eventually(() => app.emulator.webhooks.list({ sessionId: id }).some((d) => d.attempts.length > 0 && !d.inFlight), `the first attempt for ${id}`);
  return id;
}

const deliveryRows = (body: string) =>
  [...body.matchAll(/data-testid="delivery" data-delivery-id="([^"]+)" data-status="([^"]+)" data-event="([^"]+)" data-session-id="([^"]+)"/g)].map((m) => ({ id: m[1], status: m[2], event: m[3], session: m[4] }));
const ruleRows = (body: string) => [...body.matchAll(/data-testid="chaos-rule" data-rule-id="([^"]+)" data-scope="([^"]+)" data-remaining="([^"]*)"/g)].map((m) => m.slice(1));
const controlChaos = async (app: App, key?: string) => (await app.inject({ url: `/__mock/webhooks/chaos${key ? `?api_key=${key}` : ''}` })).json().rules;
const attemptsOf = (app: App, deliveryId: string) => app.emulator.webhooks.get(deliveryId).attempts.length;

async function problem(t: Test, res: { statusCode: number; body: string }, status: number, text: string) {
  t.equal(res.statusCode, status);
  t.match(res.body, `data-testid="problem" data-status="${status}"`);
  t.equal(textOf(res.body, 'problem-text'), text);
}

t.test('control API: deliveries filtered by event, newest first, a page at a time, with the total', async (t) => {
  const { app, clock } = await startPortalApp(t);
  const receiver = await startReceiver(t);
  const ids = await deliveredSessions(app, clock, 'list-key', receiver.url, 3);
  await deliveredSession(app, 'other-list-key', receiver.url);
  const list = async (query: string) => (await app.inject({ url: `/__mock/webhooks?${query}` })).json();

  const newest = await list('api_key=list-key&order=newest&limit=2');
  t.equal(newest.total, 3);
  t.same(
    newest.deliveries.map((d: { session_id: string }) => d.session_id),
    [ids[2], ids[1]],
  );
  const rest = await list('api_key=list-key&order=newest&limit=2&offset=2');
  t.same([rest.total, rest.deliveries.map((d: { session_id: string }) => d.session_id)], [3, [ids[0]]]);
  const oldest = await list('api_key=list-key');
  t.same(
    oldest.deliveries.map((d: { session_id: string }) => d.session_id),
    ids,
    'oldest first and every delivery, as before',
  );
  t.equal((await list('api_key=list-key&event=session_updated')).total, 3);
  t.equal((await list('api_key=list-key&event=session_created')).total, 0);
  t.equal((await list(`session_id=${ids[1].toUpperCase()}`)).deliveries[0].session_id, ids[1], 'a session id in any letter case');

  assertInvalidRequest(t, await app.inject({ url: '/__mock/webhooks?session_id=nope&event=created&limit=0' }), [
    'session_id must be a session id: a GUID such as 61652a58-0c4b-4a8e-9d3f-2b1c7e5a9f10',
    'event must be one of session_created, session_updated',
    'limit Too small: expected number to be >=1',
  ]);
});

t.test("control API: redelivery and chaos rules scoped to a key; one rule removed by id", async (t) => {
  const { app, baseUrl } = await startPortalApp(t, {}, { listen: true });
  const receiver = await startReceiver(t);
  const sessionA = await deliveredSession(app, 'scope-a', receiver.url);
  const [deliveryA] = app.emulator.webhooks.list({ sessionId: sessionA });

  const foreign = await app.inject({ method: 'POST', url: `/__mock/webhooks/${deliveryA.id}/redeliver?api_key=scope-b` });
  t.equal(foreign.statusCode, 404);
  t.strictSame(foreign.json(), { errors: [{ code: 'NOT_FOUND', description: `No webhook delivery "${deliveryA.id}".` }] }, 'as unknown as a missing one');
  t.equal(attemptsOf(app, deliveryA.id), 1, 'not sent again');
  const own = await app.inject({ method: 'POST', url: `/__mock/webhooks/${deliveryA.id}/redeliver?api_key=scope-a` });
  t.equal(own.statusCode, 200);
  await eventually(() => attemptsOf(app, deliveryA.id) === 2, 'the redelivery');

  const chaos = (body: object) => app.inject({ method: 'POST', url: '/__mock/webhooks/chaos', payload: body });
  const keyRule = (await chaos({ api_key: 'scope-a', next: 2, chaos: { drop_first: 1 } })).json();
  const sessionRule = (await chaos({ session_id: sessionA.toUpperCase(), chaos: { duplicate: false } })).json();
  const ruleB = (await chaos({ api_key: 'scope-b', chaos: { wrong_signature: true } })).json();
  t.strictSame(keyRule, { id: keyRule.id, remaining: 2, chaos: { drop_first: 1 }, api_key: 'scope-a' });
  t.strictSame(sessionRule, { id: sessionRule.id, remaining: null, chaos: { duplicate: false }, session_id: sessionA });
  t.strictSame(await controlChaos(app, 'scope-a'), [keyRule, sessionRule], "the key's own rules: its next-N rule and its session's rule");
  t.strictSame(await controlChaos(app, 'scope-b'), [ruleB]);
  t.equal((await controlChaos(app)).length, 3, 'without api_key: every rule');

  const removeForeign = await app.inject({ method: 'DELETE', url: `/__mock/webhooks/chaos/${ruleB.id}?api_key=scope-a` });
  t.equal(removeForeign.statusCode, 404);
  t.strictSame(removeForeign.json(), { errors: [{ code: 'NOT_FOUND', description: `No chaos rule "${ruleB.id}".` }] });
  t.strictSame(await controlChaos(app, 'scope-b'), [ruleB], "the other key's rule is still there");
  const removed = await app.inject({ method: 'DELETE', url: `/__mock/webhooks/chaos/${keyRule.id}?api_key=scope-a` });
  t.equal(removed.statusCode, 204);
  t.strictSame(await controlChaos(app, 'scope-a'), [sessionRule]);
  t.equal((await app.inject({ method: 'DELETE', url: `/__mock/webhooks/chaos/${keyRule.id}` })).statusCode, 404, 'gone');
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/webhooks/chaos?api_key=scope-a' })).json(), { removed: 1 });
  t.strictSame(await controlChaos(app), [ruleB], "clearing one key's rules leaves the others");

  assertInvalidRequest(t, await chaos({ api_key: 'scope-a', next: 1, chaos: {} }), [
    'chaos must name at least one effect: delay_ms, drop_first, duplicate, out_of_order, wrong_signature, stale_timestamp',
  ]);
  t.equal((await app.inject({ url: '/__mock/webhooks/chaos?api_key=' })).statusCode, 400, 'an empty api_key is a mistake, not "every key"');

  // The admin client speaks the same.
  const admin = createAdminClient(baseUrl);
  const page = await admin.webhooks.find({ api_key: 'scope-a', order: 'newest', limit: 1 });
  t.same([page.total, page.deliveries.map((d) => d.id)], [1, [deliveryA.id]]);
  t.equal((await admin.webhooks.redeliver(deliveryA.id, 'scope-b').catch((error: { status: number }) => error)).status, 404);
  const added = await admin.webhooks.chaos({ api_key: 'scope-a', next: 1, chaos: { stale_timestamp: true } });
  t.strictSame(await admin.webhooks.listChaos('scope-a'), [added]);
  t.equal((await admin.webhooks.removeChaos(ruleB.id, 'scope-a').catch((error: { status: number }) => error))?.status, 404);
  t.equal(await admin.webhooks.removeChaos(added.id, 'scope-a'), undefined);
  t.equal(await admin.webhooks.clearChaos('scope-b'), 1);
  t.strictSame(await admin.webhooks.listChaos(), []);
});

t.test('the webhooks page needs a signed-in merchant, and every action its CSRF token', async (t) => {
  const { app } = await startPortalApp(t);
  const page = await app.inject({ url: '/portal/webhooks?status=failed' });
  t.equal(page.statusCode, 303);
  t.equal(page.headers.location, `/portal/sign-in?next=${encodeURIComponent('/portal/webhooks?status=failed')}`);
  for (const url of ['/portal/webhooks/chaos', '/portal/webhooks/redeliver', '/portal/webhooks/chaos/remove', '/portal/webhooks/chaos/clear']) {
    const res = await app.inject({ method: 'POST', url, payload: 'next=1&duplicate=on', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.equal(res.statusCode, 303, url);
    t.equal(res.headers.location, '/portal/sign-in');
  }
  const client = await signIn(app, 'csrf-key');
  const forged = await client.post('/portal/webhooks/chaos', { next: '1', duplicate: 'on' }, { csrf: null });
  await problem(t, forged, 403, 'The form was not sent from this portal session (missing or wrong CSRF token). Reload the page and try again.');
  const wrong = await client.post('/portal/webhooks/chaos/clear', {}, { csrf: 'not-the-token' });
  t.equal(wrong.statusCode, 403);
  t.strictSame(await controlChaos(app), [], 'no rule was added');
});

t.test('with no deliveries yet, the page says how deliveries happen', async (t) => {
  const { app } = await startPortalApp(t);
  const client = await signIn(app, 'empty-key');
  const page = await client.get('/portal/webhooks');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'data-testid="page-webhooks"');
  t.match(page.body, 'data-testid="portal-root" data-page="webhooks"');
  t.equal(
    textOf(page.body, 'deliveries-empty')!.replace(/\s+/g, ' '),
    'No webhook deliveries yet. A delivery is made when a session of your key reaches a final status (and on every status change with intermediate events on), ' +
      "to the session's webhook URL: the webhook field of the create request, or else the default webhook URL in your settings. " +
      'You have no default webhook URL: set one in the settings, or send webhook when you create a session.',
  );
  t.match(page.body, 'href="/portal/settings#f-webhook" data-testid="deliveries-empty-settings"');
  t.equal(textOf(page.body, 'chaos-rules-empty'), 'No chaos rules: your deliveries are sent as they should be (unless your merchant settings say otherwise).');
  t.match(page.body, /data-live="on" data-fingerprint="[\w-]{16}" data-testid="webhooks-live"/, 'the first page follows new deliveries');

  app.emulator.merchants.update('empty-key', { ...app.emulator.merchants.settingsFor('empty-key')!, webhook: 'https://shop.example/hooks/zignsec' });
  const withDefault = await client.get('/portal/webhooks');
  t.equal(textOf(withDefault.body, 'deliveries-empty-webhook'), 'https://shop.example/hooks/zignsec');
  t.equal(textOf(withDefault.body, 'signing-default-webhook'), 'https://shop.example/hooks/zignsec');
});

t.test("every delivery of the key across its sessions: newest first, 20 a page, filtered by status, session and event", async (t) => {
  const { app, clock } = await startPortalApp(t);
  const receiver = await startReceiver(t);
  const ids = await deliveredSessions(app, clock, 'many-key', receiver.url, 22);
  const failing = await deliveredSession(app, 'many-key', REFUSING_URL);
  const otherKey = await deliveredSession(app, 'many-other-key', receiver.url);
  const deliveryOf = (id: string) => app.emulator.webhooks.list({ sessionId: id })[0].id;
  const client = await signIn(app, 'many-key');

  const first = await client.get('/portal/webhooks');
  t.equal(first.statusCode, 200);
  t.equal(textOf(first.body, 'delivery-count'), 'Showing 1–20 of 23, newest first');
  t.same(
    deliveryRows(first.body).map((row) => row.session),
    [failing, ...[...ids].reverse()].slice(0, 20),
  );
  t.same(deliveryRows(first.body)[0], { id: deliveryOf(failing), status: 'pending', event: 'session_updated', session: failing });
  t.equal(textOf(first.body, 'pager-position'), 'Page 1 of 2');
  t.match(first.body, 'href="/portal/webhooks?page=2" rel="next" data-testid="pager-next"');
  t.match(first.body, /data-live="on"[^>]*data-testid="webhooks-live"/, 'the first page is live');
  t.notOk(first.body.includes(otherKey) || first.body.includes(deliveryOf(otherKey)), "another key's delivery is not shown");

  const second = await client.get('/portal/webhooks?page=2');
  t.same(
    deliveryRows(second.body).map((row) => row.session),
    ids.slice(0, 3).reverse(),
  );
  t.equal(textOf((await client.get('/portal/webhooks?page=7')).body, 'pager-position'), 'Page 2 of 2', 'past the end: the last page');
  t.match(second.body, /data-live="off"[^>]*data-testid="webhooks-live"/, 'an older page with nothing owed holds still');


  const pending = await client.get('/portal/webhooks?status=pending');
  t.same(
    deliveryRows(pending.body).map((row) => row.session),
    [failing],
  );
  t.match(pending.body, '<option value="pending" selected>');
  t.match(pending.body, 'data-testid="delivery-filter-clear"');
  const bySession = await client.get(`/portal/webhooks?session_id=${encodeURIComponent(` ${ids[4].toUpperCase()} `)}`);
  t.same(
    deliveryRows(bySession.body).map((row) => row.session),
    [ids[4]],
  );
  t.match(bySession.body, `value=" ${ids[4].toUpperCase()} "`, 'the session id as typed');
  t.equal(textOf((await client.get('/portal/webhooks?event=session_created')).body, 'delivery-count'), 'No deliveries match these filters.');
  const otherSession = await client.get(`/portal/webhooks?session_id=${otherKey}`);
  t.equal(textOf(otherSession.body, 'delivery-count'), 'No deliveries match these filters.', "another key's session id finds nothing");

  const bad = await client.get('/portal/webhooks?session_id=61652a58&status=lost&event=session_updated');
  t.equal(bad.statusCode, 400);
  t.equal(textOf(bad.body, 'delivery-filter-error-session_id'), 'The session id must be a session id: a GUID such as 61652a58-0c4b-4a8e-9d3f-2b1c7e5a9f10');
  t.equal(textOf(bad.body, 'delivery-filter-error-status'), 'The delivery status must be one of pending, held, succeeded, failed, stopped');
  t.match(bad.body, 'value="61652a58"', 'what was typed is kept');
  t.match(bad.body, '<option value="lost" selected>lost</option>');
  t.match(bad.body, /id="delivery-filter-session"[^>]*aria-describedby="delivery-filter-error-session_id" aria-invalid="true"/);
  t.equal(textOf(bad.body, 'delivery-count'), 'Fix the filter above to see your deliveries.');
  t.same(deliveryRows(bad.body), []);
});

t.test('a delivery opens to every attempt (status, duration, error, response, Retry-After), the headers it was signed with, and its exact body', async (t) => {
  const { app, clock } = await startPortalApp(t);
  const receiver = await startReceiver(t, (n) => (n === 1 ? { status: 503, headers: { 'retry-after': '120' }, body: '<b>busy</b>, try later' } : { status: 200, body: 'thanks' }));
  useTimestampedSettings(app, 'signed-key', 'shop-webhook-secret');
  const id = await deliveredSession(app, 'signed-key', receiver.url);
  const delivery = app.emulator.webhooks.list({ sessionId: id })[0];
  clock.advance(120_000);
  await eventually(() => delivery.status === 'succeeded', 'the retry after Retry-After');

  const client = await signIn(app, 'signed-key');
  const page = await client.get('/portal/webhooks');
  t.same(deliveryRows(page.body), [{ id: delivery.id, status: 'succeeded', event: 'session_updated', session: id }]);
  t.equal(textOf(page.body, 'delivery-attempt-count'), '2 attempts, last 200');
  t.same(
    [...page.body.matchAll(/data-testid="delivery-attempt" data-attempt="(\d)" data-http-status="(\d*)" data-ok="(\w+)"/g)].map((m) => m.slice(1)),
    [
      ['1', '503', 'false'],
      ['2', '200', 'true'],
    ],
  );
  t.same(textsOf(page.body, 'delivery-attempt-status'), ['503', '200']);
  t.same(textsOf(page.body, 'delivery-attempt-error'), ['receiver answered 503', '—']);
  t.same(textsOf(page.body, 'delivery-attempt-retry-after'), ['2.0 min', '—']);
  t.same(textsOf(page.body, 'delivery-attempt-response'), ['<b>busy</b>, try later', 'thanks']);
  t.match(page.body, '&lt;b&gt;busy&lt;/b&gt;', "the receiver's answer is shown as text");
  t.same(
    textsOf(page.body, 'delivery-attempt-duration').map((text) => /^[\d.]+ (ms|s)$/.test(text)),
    [true, true],
  );
  t.equal(textOf(page.body, 'delivery-url'), receiver.url);
  t.equal(textOf(page.body, 'delivery-session-link'), id);
  t.match(page.body, `href="/portal/sessions/${id}" data-testid="delivery-session-link"`);

  const signatures = textsOf(page.body, 'delivery-signature').map((text) => /x-zignsec-hmac-sha256: (\S+)/.exec(text)![1]);
  t.same(
    signatures,
    delivery.attempts.map((a) => a.request_headers['x-zignsec-hmac-sha256']),
    'each attempt with the signature it carried',
  );
  t.equal(signatures.length, 2);
  // Each attempt is signed when it is sent, with a real-time t (receivers compare t with their own clock).
  for (const [i, signature] of signatures.entries()) {
    t.ok(verifyTimestampedSignature(delivery.body, signature, 'shop-webhook-secret'), `attempt ${i + 1} verifies with the secret, within the tolerance of real time`);
  }
  t.match(textOf(page.body, 'delivery-signature'), `x-zignsec-webhook-id: ${delivery.id}`);
  t.equal(textOf(page.body, 'delivery-body-raw'), delivery.body, 'the exact bytes sent');
  t.equal(receiver.received[1].rawBody, delivery.body);
});

t.test('redeliver: sends the delivery again, says so, keeps the list as it was; refuses other keys, forged forms and smuggled keys', async (t) => {
  const { app } = await startPortalApp(t);
  const receiver = await startReceiver(t);
  const own = await deliveredSession(app, 'redeliver-a', receiver.url);
  const foreign = await deliveredSession(app, 'redeliver-b', receiver.url);
  const ownDelivery = app.emulator.webhooks.list({ sessionId: own })[0];
  const foreignDelivery = app.emulator.webhooks.list({ sessionId: foreign })[0];
  const client = await signIn(app, 'redeliver-a');

  const page = await client.get('/portal/webhooks?status=succeeded');
  t.match(page.body, `name="delivery_id" value="${ownDelivery.id}"><input type="hidden" name="back" value="status=succeeded">`);
  const res = await client.post('/portal/webhooks/redeliver', { delivery_id: ownDelivery.id, back: 'status=succeeded' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/portal/webhooks?status=succeeded&redelivered=${ownDelivery.id}#delivery-${ownDelivery.id}`);
  await eventually(() => receiver.received.length === 3 && ownDelivery.attempts.length === 2 && !ownDelivery.inFlight, 'the second attempt');
  t.equal(receiver.received[2].rawBody, receiver.received[0].rawBody, 'the same body');
  const after = await client.get(String(res.headers.location).split('#')[0]);
  t.equal(
    textOf(after.body, 'webhooks-notice'),
    `Delivery ${ownDelivery.id} is being sent again now: the same id and body, signed again. Its new attempt shows below.`,
  );
  t.match(after.body, 'data-testid="webhooks-notice" data-kind="redelivered"');
  t.equal(textOf(after.body, 'delivery-attempt-count'), '2 attempts, last 200');
  t.notOk((await client.get(`/portal/webhooks?redelivered=${foreignDelivery.id}`)).body.includes('webhooks-notice'), "no notice for another key's delivery");

  const forgedId = await client.post('/portal/webhooks/redeliver', { delivery_id: foreignDelivery.id, back: '' });
  await problem(t, forgedId, 404, `No webhook delivery "${foreignDelivery.id}".`);
  const missing = await client.post('/portal/webhooks/redeliver', { delivery_id: 'whd_nope' });
  await problem(t, missing, 404, 'No webhook delivery "whd_nope".');
  const empty = await client.post('/portal/webhooks/redeliver', { delivery_id: ' ' });
  await problem(t, empty, 400, 'Choose a delivery to send again.');
  const smuggled = await client.post('/portal/webhooks/redeliver', { delivery_id: foreignDelivery.id, api_key: 'redeliver-b' });
  await problem(t, smuggled, 400, 'This form has no field "api_key": the console acts for the key you signed in with, on its own data only. Nothing was changed.');
  const noToken = await client.post('/portal/webhooks/redeliver', { delivery_id: ownDelivery.id }, { csrf: null });
  t.equal(noToken.statusCode, 403);

  const foreignView = (await app.inject({ url: `/__mock/webhooks/${foreignDelivery.id}` })).json();
  t.equal(foreignView.attempts.length, 1, "the other key's delivery was never sent again (control API)");
  t.equal(ownDelivery.attempts.length, 2, 'nor was ours by the refused forms');

  const badBack = await client.post('/portal/webhooks/redeliver', { delivery_id: ownDelivery.id, back: 'session_id=nope&evil=1' });
  t.equal(badBack.headers.location, `/portal/webhooks?redelivered=${ownDelivery.id}#delivery-${ownDelivery.id}`, 'a back that does not parse is dropped');
});

t.test('webhook chaos from the form: for the next N deliveries, shown with what is left, then removed one by one or all', async (t) => {
  const { app } = await startPortalApp(t);
  const receiver = await startReceiver(t);
  const client = await signIn(app, 'chaos-key');
  const added = await client.post('/portal/webhooks/chaos', { next: '2', drop_first: '1', delay_ms: '', duplicate: 'on', back: '' });
  t.equal(added.statusCode, 303);
  const [rule] = await controlChaos(app, 'chaos-key');
  t.strictSame(rule, { id: rule.id, remaining: 2, chaos: { drop_first: 1, duplicate: true }, api_key: 'chaos-key' }, 'the same rule as POST /__mock/webhooks/chaos makes');
  t.equal(added.headers.location, `/portal/webhooks?chaos_added=${rule.id}#chaos`);
  const page = await client.get(`/portal/webhooks?chaos_added=${rule.id}`);
  t.equal(textOf(page.body, 'webhooks-notice'), `Added chaos rule ${rule.id}: first 1 attempt dropped (not sent); sent twice, for your next 2 deliveries.`);
  t.same(ruleRows(page.body), [[rule.id, 'key', '2']]);
  t.equal(textOf(page.body, 'chaos-rule-text'), 'first 1 attempt dropped (not sent); sent twice');
  t.equal(textOf(page.body, 'chaos-rule-count'), '1');

  // The next delivery meets it: its first attempt is dropped, and one delivery is used up.
  const id = await deliveredSession(app, 'chaos-key', receiver.url);
  const withChaos = await client.get('/portal/webhooks');
  t.same(ruleRows(withChaos.body), [[rule.id, 'key', '1']], 'one delivery left');
  t.equal(textOf(withChaos.body, 'delivery-attempt-error'), 'dropped on purpose by webhook chaos (drop_first): not sent');
  t.equal(textOf(withChaos.body, 'delivery-chaos'), 'first 1 attempt dropped (not sent); sent twice');
  t.equal(receiver.received.length, 0, 'nothing reached the receiver');
  t.equal(app.emulator.webhooks.list({ sessionId: id })[0].chaos.drop_first, 1);

  const second = (await client.post('/portal/webhooks/chaos', { next: '', wrong_signature: 'on', stale_timestamp: 'on' })).headers.location;
  const [, forever] = await controlChaos(app, 'chaos-key');
  t.equal(second, `/portal/webhooks?chaos_added=${forever.id}#chaos`);
  t.strictSame(forever.remaining, null, 'an empty count: until removed');
  t.equal(
    textOf((await client.get(String(second).split('#')[0])).body, 'webhooks-notice'),
    `Added chaos rule ${forever.id}: signed with the wrong key; timestamp 10 minutes old, for every delivery of your key, until removed.`,
  );

  const removed = await client.post('/portal/webhooks/chaos/remove', { rule_id: rule.id, back: 'event=session_updated' });
  t.equal(removed.statusCode, 303);
  t.equal(removed.headers.location, `/portal/webhooks?event=session_updated&chaos_removed=${rule.id}#chaos`);
  t.same(
    (await controlChaos(app, 'chaos-key')).map((r: { id: string }) => r.id),
    [forever.id],
  );
  t.equal(textOf((await client.get(`/portal/webhooks?chaos_removed=${rule.id}`)).body, 'webhooks-notice'), `Removed chaos rule ${rule.id}. Deliveries from now on are sent without it.`);
  const again = await client.post('/portal/webhooks/chaos/remove', { rule_id: rule.id });
  await problem(t, again, 404, `No chaos rule "${rule.id}" among yours: it was used up or removed already.`);

  await client.post('/portal/webhooks/chaos', { next: '3', delay_ms: '5000' });
  const cleared = await client.post('/portal/webhooks/chaos/clear', { back: '' });
  t.equal(cleared.headers.location, '/portal/webhooks?chaos_cleared=2#chaos');
  t.strictSame(await controlChaos(app, 'chaos-key'), []);
  t.equal(
    textOf((await client.get('/portal/webhooks?chaos_cleared=2')).body, 'webhooks-notice'),
    'Removed all 2 of your chaos rules. Deliveries from now on are sent without chaos (merchant settings aside).',
  );
});

t.test('a chaos form with bad values comes back with each error next to its field, what was typed, and no rule', async (t) => {
  const { app } = await startPortalApp(t);
  const client = await signIn(app, 'bad-chaos-key');
  const cases: [Record<string, string>, Record<string, string>][] = [
    [{ next: '-1', drop_first: '101', delay_ms: '1.5' }, { next: 'The number of deliveries must be at least 1', delay_ms: 'The hold (delay_ms) must be a whole number', drop_first: 'Dropped attempts (drop_first) must be at most 100' }],
    [{ next: 'three', delay_ms: '86400001' }, { next: 'The number of deliveries must be a whole number', delay_ms: 'The hold (delay_ms) must be at most 86400000' }],
    [{ next: '1' }, { chaos: 'The rule must name at least one effect: delay_ms, drop_first, duplicate, out_of_order, wrong_signature, stale_timestamp' }],
    [{ next: '0', duplicate: 'on' }, { next: 'The number of deliveries must be at least 1' }],
  ];
  for (const [fields, errors] of cases) {
    const res = await client.post('/portal/webhooks/chaos', { ...fields, back: 'status=failed' });
    t.equal(res.statusCode, 400, JSON.stringify(fields));
    for (const [field, message] of Object.entries(errors)) t.equal(textOf(res.body, `chaos-error-${field}`), message, `${field}: ${JSON.stringify(fields)}`);
    t.same(
      textsOf(res.body, 'chaos-error-link-[a-z_]+'),
      Object.values(errors),
      'the summary lists them, each linking to its field',
    );
    t.match(textOf(res.body, 'chaos-errors'), /^No rule was added\. Fix (this field|these \d fields):/);
    for (const [field, value] of Object.entries(fields)) if (field !== 'duplicate') t.match(res.body, `name="${field}" value="${decode(value)}"`, `${field} as typed`);
    t.match(res.body, '<option value="failed" selected>', 'the list as it was');
    t.match(res.body, /data-live="off"[^>]*data-testid="webhooks-live"/, 'shown at the POST address, the page does not follow itself');
  }
  const kept = await client.post('/portal/webhooks/chaos', { next: 'x', duplicate: 'on', wrong_signature: 'on' });
  t.match(kept.body, 'name="duplicate" value="on" data-testid="chaos-duplicate" checked');
  t.match(kept.body, 'name="wrong_signature" value="on" data-testid="chaos-wrong-signature" checked');
  t.match(kept.body, /id="chaos-f-next"[^>]*aria-describedby="chaos-hint-next chaos-error-next" aria-invalid="true"/);
  t.strictSame(await controlChaos(app), [], 'no rule was added (control API)');
});

t.test("one key's console never shows or removes another key's chaos rules, and a smuggled api_key is refused", async (t) => {
  const { app } = await startPortalApp(t);
  const receiver = await startReceiver(t);
  const sessionB = await createSession(app, 'rules-b', receiver.url);
  const ruleB = (await app.inject({ method: 'POST', url: '/__mock/webhooks/chaos', payload: { api_key: 'rules-b', next: 5, chaos: { drop_first: 3 } } })).json();
  const sessionRuleB = (await app.inject({ method: 'POST', url: '/__mock/webhooks/chaos', payload: { session_id: sessionB, chaos: { duplicate: true } } })).json();
  const a = await signIn(app, 'rules-a');
  const b = await signIn(app, 'rules-b');

  const pageA = await a.get('/portal/webhooks');
  t.same(ruleRows(pageA.body), []);
  t.notOk(pageA.body.includes(ruleB.id) || pageA.body.includes(sessionB), "none of the other key's rules or sessions");
  const pageB = await b.get('/portal/webhooks');
  t.same(ruleRows(pageB.body), [
    [ruleB.id, 'key', '5'],
    [sessionRuleB.id, 'session', ''],
  ]);
  t.match(pageB.body, `href="/portal/sessions/${sessionB}" data-testid="chaos-rule-session"`);

  await problem(t, await a.post('/portal/webhooks/chaos/remove', { rule_id: ruleB.id }), 404, `No chaos rule "${ruleB.id}" among yours: it was used up or removed already.`);
  await problem(t, await a.post('/portal/webhooks/chaos/remove', { rule_id: sessionRuleB.id }), 404, `No chaos rule "${sessionRuleB.id}" among yours: it was used up or removed already.`);
  t.equal((await a.post('/portal/webhooks/chaos/clear')).headers.location, '/portal/webhooks?chaos_cleared=0#chaos');
  const smuggled = await a.post('/portal/webhooks/chaos', { api_key: 'rules-b', next: '1', wrong_signature: 'on' });
  await problem(t, smuggled, 400, 'This form has no field "api_key": the console acts for the key you signed in with, on its own data only. Nothing was changed.');
  const sessionSmuggled = await a.post('/portal/webhooks/chaos', { session_id: sessionB, next: '1', wrong_signature: 'on' });
  t.equal(sessionSmuggled.statusCode, 400);
  t.strictSame(await controlChaos(app, 'rules-b'), [ruleB, sessionRuleB], "the other key's rules are unchanged (control API)");
  t.strictSame(await controlChaos(app, 'rules-a'), [], 'and nothing was added for the signed-in key');
  t.notOk((await a.get(`/portal/webhooks?chaos_added=${ruleB.id}`)).body.includes('first 3 attempts'), "a notice never describes another key's rule");

  // Every action refuses a form that names a key, whatever else it carries.
  const deliveryB = (await deliveredSessionFor(app, 'rules-b', receiver.url)).delivery;
  const rulesBefore = await controlChaos(app);
  const attemptsBefore = deliveryB.attempts.length;
  for (const [url, fields] of [
    ['/portal/webhooks/redeliver', { delivery_id: deliveryB.id }],
    ['/portal/webhooks/chaos', { next: '1', duplicate: 'on' }],
    ['/portal/webhooks/chaos/remove', { rule_id: ruleB.id }],
    ['/portal/webhooks/chaos/clear', {}],
  ] as const) {
    const res = await a.post(url, { ...fields, api_key: 'rules-b' });
    t.equal(res.statusCode, 400, url);
    t.equal(textOf(res.body, 'problem-text'), 'This form has no field "api_key": the console acts for the key you signed in with, on its own data only. Nothing was changed.', url);
  }
  t.strictSame(await controlChaos(app), rulesBefore, 'no rule added or removed, for either key (control API)');
  t.equal((await app.inject({ url: `/__mock/webhooks/${deliveryB.id}` })).json().attempts.length, attemptsBefore, "the other key's delivery was not sent again");
  t.notOk(pageA.body.includes(app.emulator.merchants.webhookSecretFor('rules-b')), "nor the other key's webhook secret");
});

t.test('the signing scheme, the webhook secret masked with a reveal that needs no script, the body format, and the way to the settings', async (t) => {
  const { app } = await startPortalApp(t);
  useTimestampedSettings(app, 'signed-key', 'shop-webhook-secret');
  const signed = await signIn(app, 'signed-key');
  const page = await signed.get('/portal/webhooks');
  t.match(page.body, 'data-testid="signing-scheme" data-scheme="timestamped"');
  t.equal(textOf(page.body, 'signing-scheme'), 'timestamped in X-ZignSec-Hmac-SHA256: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">, keyed with your webhook secret');
  t.equal(textOf(page.body, 'signing-secret-masked'), 'sh****et');
  t.equal(textOf(page.body, 'signing-secret-source'), '(yours, from the settings)');
  t.match(page.body, /<details class="secret" data-testid="signing-secret-reveal"><summary data-testid="signing-secret-toggle">Reveal the secret<\/summary>/, 'closed until asked');
  t.match(page.body, '<input type="text" id="signing-secret-value" readonly value="shop-webhook-secret"');
  t.equal(page.body.split('shop-webhook-secret').length, 2, 'the secret itself appears once, inside the reveal');
  t.match(page.body, 'data-testid="signing-format" data-format="event"');
  t.equal(textOf(page.body, 'signing-events'), 'the final status only');
  t.match(page.body, 'href="/portal/settings#field-webhook-signature" data-testid="signing-settings-link"');

  const any = await signIn(app, 'any-key-signing');
  const generated = await any.get('/portal/webhooks');
  const secret = app.emulator.merchants.webhookSecretFor('any-key-signing');
  t.match(generated.body, 'data-testid="signing-scheme" data-scheme="legacy"');
  t.equal(textOf(generated.body, 'signing-secret-source'), '(generated for your key; the same until the emulator restarts)');
  t.match(generated.body, `readonly value="${secret}"`);
  t.equal(textOf(generated.body, 'signing-secret-masked'), `${secret.slice(0, 3)}****${secret.slice(-2)}`);
  t.match(generated.body, 'data-testid="signing-format" data-format="result"');
  t.notOk(generated.body.includes('any-key-signing'), 'the API key itself is never on the page');
});

t.test("values from requests and receivers are escaped on the webhooks page", async (t) => {
  const { app } = await startPortalApp(t);
  const evil = '<img src=x onerror=alert(1)>';
  const receiver = await startReceiver(t, () => ({ status: 500, body: evil }));
  const id = await createSession(app, 'escape-key', `${receiver.url}?q="><script>alert(1)</script>`);
  app.emulator.sessions.complete(app.emulator.sessions.findById(id)!);
  await eventually(() => app.emulator.webhooks.list({ sessionId: id })[0]?.attempts.length === 1, 'the attempt');
  const client = await signIn(app, 'escape-key');
  const page = await client.get(`/portal/webhooks?session_id=${encodeURIComponent('<script>x</script>')}`);
  t.equal(page.statusCode, 400);
  t.notOk(page.body.includes('<script>x'), 'a filter is shown as text');
  const list = await client.get('/portal/webhooks');
  t.notOk(list.body.includes('<img src=x'), 'no injected element');
  t.notOk(list.body.includes('"><script>'), 'no broken-out attribute');
  t.ok(list.body.includes('&lt;img src=x onerror=alert(1)&gt;'));
  const scripts = [...list.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  t.equal(scripts.length, 1, 'the only script is the portal script file');
});

t.test(`a key holds at most ${MAX_CHAOS_RULES_PER_KEY} chaos rules, from the control API or the console; other keys are not held back`, async (t) => {
  const { app } = await startPortalApp(t);
  const add = (body: object) => app.inject({ method: 'POST', url: '/__mock/webhooks/chaos', payload: body });
  for (let i = 0; i < MAX_CHAOS_RULES_PER_KEY; i++) t.equal((await add({ api_key: 'full-key', next: 1, chaos: { duplicate: true } })).statusCode, 201);
  const full = `A key holds at most ${MAX_CHAOS_RULES_PER_KEY} chaos rules, and this one has as many: remove one first.`;
  assertInvalidRequest(t, await add({ api_key: 'full-key', chaos: { duplicate: true } }), [full]);
  const sessionId = await createSession(app, 'full-key', '');
  assertInvalidRequest(t, await add({ session_id: sessionId, chaos: { duplicate: true } }), [full]);
  t.equal((await add({ api_key: 'roomy-key', chaos: { duplicate: true } })).statusCode, 201, 'another key still has room');

  const client = await signIn(app, 'full-key');
  const res = await client.post('/portal/webhooks/chaos', { next: '4', wrong_signature: 'on', back: '' });
  t.equal(res.statusCode, 400);
  t.equal(textOf(res.body, 'chaos-errors')!.replace(/\s+/g, ' '), `No rule was added. ${full}`);
  t.match(res.body, 'name="next" value="4"', 'what was typed is kept');
  t.equal((await controlChaos(app, 'full-key')).length, MAX_CHAOS_RULES_PER_KEY, 'nothing was added');
  t.equal((await client.post('/portal/webhooks/chaos/clear')).headers.location, `/portal/webhooks?chaos_cleared=${MAX_CHAOS_RULES_PER_KEY}#chaos`);
  t.equal((await client.post('/portal/webhooks/chaos', { next: '4', wrong_signature: 'on' })).statusCode, 303, 'room again once removed');
});
