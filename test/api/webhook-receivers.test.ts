// Webhook receivers written as public receivers of ZignSec's webhook guide are: they split
// X-ZignSec-Hmac-SHA256 into t and v1, verify the HMAC of "<t>.<body>" with their webhook secret, and
// read body.event and body.result.eventSpecificData. Each receiver here checks with its own code and
// answers 401 when it rejects, so a succeeded delivery means the receiver accepted it.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { verifyTimestampedSignature } from '../../src/core/webhook-signature.js';
import { auth, exampleLivenessRequest, startTestApp, type TestContext } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { signIn, startPortalApp } from '../helpers/portal.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];
interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  accepted: boolean;
}

/** A receiver whose own `verify` decides between 200 and 401. */
async function receiver(t: TestContext, verify: (headers: IncomingHttpHeaders, raw: string) => boolean) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let accepted: boolean;
      try {
        accepted = verify(req.headers, raw);
      } catch {
        accepted = false;
      }
      received.push({ headers: req.headers, raw, accepted });
      res.writeHead(accepted ? 200 : 401).end(accepted ? 'ok' : 'Invalid signature');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/zignsec`, received };
}

/** Verifies over the raw body: the header split at ",", each part at "=", as one public receiver does. */
const rawBodyReceiver = (secret: string) => (headers: IncomingHttpHeaders, payload: string) => {
  const [timestamp, signature] = String(headers['x-zignsec-hmac-sha256']).split(',');
  const [, timestampValue] = timestamp.split('=');
  const [, signatureValue] = signature.split('=');
  return createHmac('sha256', secret).update(`${timestampValue}.${payload}`).digest('hex') === signatureValue;
};

/** Verifies over JSON.stringify of the parsed body (an express.json() receiver), then reads the envelope. */
const parsedBodyReceiver = (secret: string, seen: { event: string; data: unknown }[]) => (headers: IncomingHttpHeaders, raw: string) => {
  const body = JSON.parse(raw) as { event: string; result: { eventSpecificData: unknown } };
  const parts: Record<string, string> = {};
  for (const element of String(headers['x-zignsec-hmac-sha256']).split(',')) {
    const [key, value] = element.split('=');
    parts[key.trim()] = value.trim();
  }
  const digest = createHmac('sha256', secret).update(`${parts.t}.${JSON.stringify(body)}`).digest('hex').toLowerCase();
  if (digest !== parts.v1) return false;
  seen.push({ event: body.event, data: body.result.eventSpecificData });
  return true;
};

/** Finishes a session with the outcome and returns its final delivery once its first attempt is answered. */
async function finished(app: App, key: string, webhook: string, outcome = 'approved', relayState = 'order-7') {
  const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth(key), 'x-mock-outcome': outcome }, payload: { ...exampleLivenessRequest, relay_state: relayState, webhook } })).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
  const delivery = await eventually(async () => {
    const last = (await app.inject({ url: `/__mock/webhooks?session_id=${id}` })).json().deliveries.at(-1);
    return last?.attempts.length > 0 && !last.in_flight ? last : undefined;
  }, `the first answered attempt of the final delivery of ${id}`);
  return { id: id as string, delivery };
}

t.test('timestamped: a receiver of the webhook guide verifies with the secret the merchant set', async (t) => {
  const { app, clock } = await startTestApp(t);
  const hook = await receiver(t, rawBodyReceiver('my-webhook-secret'));
  const put = await app.inject({ method: 'PUT', url: '/__mock/merchants/guide-merchant', payload: { webhook_signature: 'timestamped', webhook_secret: 'my-webhook-secret' } });
  t.equal(put.statusCode, 200);
  t.match(put.json(), { webhook_signature: 'timestamped', webhook_secret: 'my-webhook-secret', webhook_format: 'result' });

  const { delivery } = await finished(app, 'guide-merchant', hook.url);
  t.equal(delivery.status, 'succeeded');
  t.same(delivery.attempts.map((a: { status: number }) => a.status), [200], 'accepted on the first attempt');
  const [got] = hook.received;
  const header = String(got.headers['x-zignsec-hmac-sha256']);
  t.match(header, /^t=\d{10},v1=[0-9a-f]{64}$/);
  t.ok(Math.abs(Number(header.slice(2, 12)) - Date.now() / 1000) < 60, 't is the real time of the attempt in unix seconds, not the virtual clock');
  t.not(Number(header.slice(2, 12)), Math.floor(clock.now() / 1000), "(the test's virtual clock stands at 2026-01-15)");
  t.notOk(got.headers['x-zignsec-signature'], 'no second signature header');
  t.ok(verifyTimestampedSignature(got.raw, header, 'my-webhook-secret'), 'the exported helper agrees, against real time');
  t.notOk(verifyTimestampedSignature(got.raw, header, 'guide-merchant'), 'the API key is not the key');

  const wrong = await receiver(t, rawBodyReceiver('another-secret'));
  const refused = await finished(app, 'guide-merchant', wrong.url);
  t.same([refused.delivery.status, refused.delivery.attempts[0].status], ['pending', 401], 'refused, so retried later');
  t.same(wrong.received.map((r) => r.accepted), [false], 'a receiver with another secret rejects it');
});

/** The guide's receiver as deployed: the HMAC, and t within 5 minutes of its own real clock. */
const tolerantReceiver = (secret: string) => (headers: IncomingHttpHeaders, raw: string) => {
  const parts = Object.fromEntries(String(headers['x-zignsec-hmac-sha256']).split(',').map((part) => part.trim().split('=')));
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  return createHmac('sha256', secret).update(`${parts.t}.${raw}`).digest('hex') === parts.v1;
};

t.test("timestamped: a receiver that checks t against its own real clock accepts every retry of a key whose clock moved 48 hours, and the global clock's", async (t) => {
  // A real-time emulator: its clocks start at this machine's time, as a receiver's does.
  const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent' }), { logger: false, checkResponses: true });
  t.teardown(() => app.close());
  const checks = tolerantReceiver('tolerance-secret');
  let answered = 0;
  // Valid deliveries are answered 503 three times (so that the schedule runs), then 200; invalid ones 401.
  const hook = await receiver(t, (headers, raw) => {
    if (!checks(headers, raw)) throw new Error('rejected');
    answered += 1;
    if (answered <= 3) throw new Error('busy');
    return true;
  });
  for (const key of ['tolerance-key', 'tolerance-global']) {
    await app.inject({ method: 'PUT', url: `/__mock/merchants/${key}`, payload: { webhook_signature: 'timestamped', webhook_secret: 'tolerance-secret' } });
  }
  const ahead = (await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: '48h', api_key: 'tolerance-key' } })).json();
  t.equal(ahead.own_clock, true);
  t.ok(Math.abs(ahead.offset_from_global_ms - 48 * 3_600_000) < 1000, "the key's clock is 48 hours ahead");
  const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('tolerance-key'), payload: { ...exampleLivenessRequest, webhook: hook.url } })).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
  await eventually(async () => (await app.inject({ url: `/__mock/webhooks?session_id=${id}` })).json().deliveries[0]?.attempts.length === 1, 'the first attempt');
  const moved = (await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: '10m', api_key: 'tolerance-key' } })).json();
  t.match(moved, { ran: { webhook_attempts: 3 } });
  const [delivery] = (await app.inject({ url: `/__mock/webhooks?session_id=${id}` })).json().deliveries;
  t.same([delivery.status, delivery.attempts.length], ['succeeded', 4]);
  t.ok(delivery.attempts.every((a: { at: string }) => Date.parse(a.at) - Date.now() > 47 * 3_600_000), "every attempt ran 48 hours ahead on the key's clock");
  t.same(hook.received.map((r) => r.accepted), [false, false, false, true], 'answered busy three times, then accepted');
  t.ok(hook.received.every((r) => checks(r.headers, r.raw)), "every attempt's t was within 5 minutes of the receiver's real clock");

  answered = 3;
  const other = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('tolerance-global'), payload: { ...exampleLivenessRequest, webhook: hook.url } })).json();
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: '30d' } })).statusCode, 200);
  await app.inject({ method: 'POST', url: `/__mock/sessions/${other.id}/complete` });
  await eventually(async () => (await app.inject({ url: `/__mock/webhooks?session_id=${other.id}` })).json().deliveries[0]?.status === 'succeeded', 'accepted after a 30-day global move');

  await app.inject({ method: 'POST', url: '/__mock/webhooks/chaos', payload: { api_key: 'tolerance-global', next: 1, chaos: { stale_timestamp: true } } });
  const stale = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('tolerance-global'), payload: { ...exampleLivenessRequest, webhook: hook.url } })).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${stale.id}/complete` });
  const refused = await eventually(async () => {
    const [d] = (await app.inject({ url: `/__mock/webhooks?session_id=${stale.id}` })).json().deliveries;
    return d?.attempts.length === 1 && !d.in_flight ? d : undefined;
  }, 'the stale attempt');
  t.same([refused.status, refused.attempts[0].status], ['pending', 401], 'stale_timestamp: 10 minutes before real time, refused by the same receiver');
});

t.test('timestamped with no secret set: one is generated per key, stable, and shown where a merchant looks', async (t) => {
  const { app } = await startPortalApp(t);
  await app.inject({ method: 'PUT', url: '/__mock/merchants/generated-key', payload: { webhook_signature: 'timestamped' } });
  const shown = (await app.inject({ url: '/__mock/merchants/generated-key' })).json().webhook_secret as string;
  t.match(shown, /^[A-Za-z0-9_-]{43}$/, 'the control API shows the secret in effect');
  t.equal((await app.inject({ url: '/__mock/merchants/generated-key' })).json().webhook_secret, shown, 'the same on every read');
  t.not((await app.inject({ url: '/__mock/merchants/other-key' })).json().webhook_secret, shown, 'another key has another');

  const portal = await signIn(app, 'generated-key');
  const page = (await portal.get('/portal/settings')).body;
  t.match(page, `data-testid="settings-webhook-secret-in-effect">${shown}</code>`, 'the portal settings page shows it');
  t.match(page, 'data-testid="settings-webhook-signature-timestamped" checked');

  const hook = await receiver(t, rawBodyReceiver(shown));
  const { delivery } = await finished(app, 'generated-key', hook.url);
  t.equal(delivery.status, 'succeeded', 'a receiver configured with the shown secret accepts the delivery');

  const again = await app.inject({ method: 'PUT', url: '/__mock/merchants/generated-key', payload: { webhook_signature: 'timestamped', webhook_secret: null } });
  t.equal(again.json().webhook_secret, shown, 'still the same secret after the settings change');
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/merchants/generated-key' })).statusCode, 204);
  t.equal((await app.inject({ url: '/__mock/merchants/generated-key' })).json().webhook_secret, shown, 'and after forgetting the changes');
});

t.test('the portal sets the scheme, the secret and the body format', async (t) => {
  const { app } = await startPortalApp(t);
  const portal = await signIn(app, 'portal-hooks');
  const saved = await portal.post('/portal/settings', {
    name: 'Hooks AB', options: 'FrontSide', locale: 'en', webhook: '', css: '', default_outcome: '',
    webhook_signature: 'timestamped', webhook_secret: 'typed-in-portal', webhook_format: 'event',
  });
  t.equal(saved.statusCode, 303);
  t.match(app.emulator.merchants.settingsFor('portal-hooks'), { webhook_signature: 'timestamped', webhook_secret: 'typed-in-portal', webhook_format: 'event' });
  const page = (await portal.get('/portal/settings')).body;
  t.match(page, 'data-testid="settings-webhook-secret-in-effect">typed-in-portal</code>');
  t.match(page, 'data-testid="settings-webhook-format-event" checked');

  const bad = await portal.post('/portal/settings', { name: 'Hooks AB', options: 'FrontSide', locale: 'en', webhook: '', css: '', default_outcome: '', webhook_signature: 'v2', webhook_format: 'xml' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'data-testid="settings-error-webhook_signature">Choose legacy or timestamped');
  t.match(bad.body, 'data-testid="settings-error-webhook_format">Choose result or event');

  await portal.post('/portal/settings', { name: 'Hooks AB', options: 'FrontSide', locale: 'en', webhook: '', css: '', default_outcome: '', webhook_signature: 'legacy', webhook_secret: '', webhook_format: 'result' });
  t.equal(app.emulator.merchants.settingsFor('portal-hooks')!.webhook_secret, null, 'an empty secret means the generated one');
});

t.test('event envelope: receivers read body.event and body.result.eventSpecificData', async (t) => {
  const { app } = await startTestApp(t);
  const seen: { event: string; data: unknown }[] = [];
  const hook = await receiver(t, parsedBodyReceiver('envelope-secret', seen));
  await app.inject({
    method: 'PUT',
    url: '/__mock/merchants/envelope-key',
    payload: { webhook_signature: 'timestamped', webhook_secret: 'envelope-secret', webhook_format: 'event', webhook_intermediate_events: true },
  });
  const { id, delivery } = await finished(app, 'envelope-key', hook.url, 'face_mismatch', 'order-99');
  t.equal(delivery.status, 'succeeded');
  t.same(hook.received.map((r) => r.accepted), [true, true, true], 'a receiver that verifies over JSON.stringify(parsed body) accepts every delivery');
  // Deliveries go out concurrently, so they may arrive in any order.
  t.same(seen.map((s) => s.event).sort(), ['session_created', 'session_updated', 'session_updated']);
  const bodies = hook.received.map((r) => JSON.parse(r.raw));
  const byStatus = (status: string) => bodies.find((b) => b.result.status === status);

  const result = (await app.inject({ url: `/v3/scanning/${id}`, headers: auth('envelope-key') })).json();
  const last = byStatus('Declined');
  const integrationId = last.integration_id as string;
  t.strictSame(last, {
    event: 'session_updated',
    id,
    integration_id: integrationId,
    relay_state: 'order-99',
    result: { errors: [], status: 'Declined', eventSpecificData: result },
    workflow_session_id: null,
  });
  t.match(integrationId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const created = byStatus('Created');
  t.same([created.event, created.result.eventSpecificData.status, byStatus('Pending').event], ['session_created', 'Created', 'session_updated']);
  t.equal(created.integration_id, integrationId, 'the same integration id on every delivery of the key');

  await app.inject({ method: 'PUT', url: '/__mock/merchants/failing-key', payload: { webhook_format: 'event' } });
  const plain = await receiver(t, () => true);
  const failed = await finished(app, 'failing-key', plain.url, 'provider_error');
  t.equal(failed.delivery.status, 'succeeded');
  const envelope = JSON.parse(failed.delivery.body);
  t.same([envelope.result.status, envelope.result.errors], ['Failed', [{ code: 'Internal Exception', description: 'The analysis provider did not respond.' }]]);
  t.not(envelope.integration_id, integrationId, 'another key, another integration id');
  t.match(plain.received[0].headers['x-zignsec-hmac-sha256'], /^[0-9a-f]{64}$/, 'the format and the signature scheme are separate settings');
});

t.test('legacy stays the default: hex HMAC of the body keyed with the API key, in lowercase', async (t) => {
  const { app } = await startTestApp(t);
  // A PHP receiver compares with hash_hmac('sha256', $raw, $authKey) using a case-sensitive, constant-time compare.
  const hook = await receiver(t, (headers, raw) => headers['x-zignsec-hmac-sha256'] === createHmac('sha256', 'php-key').update(raw).digest('hex'));
  const { delivery } = await finished(app, 'php-key', hook.url);
  t.equal(delivery.status, 'succeeded');
  t.match((await app.inject({ url: '/__mock/merchants/php-key' })).json(), { webhook_signature: 'legacy', webhook_format: 'result' });
});

t.test('merchants files written before: webhook_signatures is read as the scheme it now means', async (t) => {
  const { app } = await startTestApp(t);
  const cases: [string[], string][] = [
    [['zignsec-hmac'], 'legacy'],
    [['zignsec-hmac', 'timestamped'], 'legacy'],
    [['timestamped'], 'timestamped'],
    [['standard-webhooks'], 'legacy'],
  ];
  for (const [list, scheme] of cases) {
    const put = await app.inject({ method: 'PUT', url: '/__mock/merchants/old-file', payload: { webhook_signatures: list } });
    t.equal(put.statusCode, 200, list.join(','));
    t.equal(put.json().webhook_signature, scheme, list.join(','));
    t.notOk('webhook_signatures' in put.json(), 'shown as the new setting');
  }
  const both = await app.inject({ method: 'PUT', url: '/__mock/merchants/old-file', payload: { webhook_signatures: ['timestamped'], webhook_signature: 'legacy' } });
  t.equal(both.json().webhook_signature, 'legacy', 'the new setting wins');
  const bad = await app.inject({ method: 'PUT', url: '/__mock/merchants/old-file', payload: { webhook_signature: 'v1', webhook_format: 'xml', webhook_secret: '' } });
  t.equal(bad.statusCode, 400);
  t.same(bad.json().errors.map((e: { description: string }) => e.description.split(':')[0]), ['webhook_signature', 'webhook_secret', 'webhook_format']);
});

t.test('verifyTimestampedSignature follows the guide: t, any number of v1 signatures, other schemes ignored', async (t) => {
  const body = '{"id":"x"}';
  const mac = (secret: string, ts: number) => createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
  const now = 1_800_000_000;
  t.ok(verifyTimestampedSignature(body, `t=${now},v1=${mac('s', now)}`, 's', now));
  t.ok(verifyTimestampedSignature(body, `t=${now},v1=${mac('old', now)},v1=${mac('s', now)}`, 's', now), 'one of several v1 signatures');
  t.ok(verifyTimestampedSignature(body, `t=${now}, v0=${mac('x', now)}, v1=${mac('s', now).toUpperCase()}`, 's', now), 'spaces, another scheme, upper case');
  t.notOk(verifyTimestampedSignature(body, `t=${now},v0=${mac('s', now)}`, 's', now), 'only v1 counts');
  t.notOk(verifyTimestampedSignature(body, `t=${now - 301},v1=${mac('s', now - 301)}`, 's', now), 'outside the tolerance');
  t.notOk(verifyTimestampedSignature(body, `v1=${mac('s', now)}`, 's', now), 'no timestamp');
  t.notOk(verifyTimestampedSignature(body, `t=1e9,v1=${mac('s', 1e9)}`, 's', 1e9), 'a timestamp is whole seconds');
  t.notOk(verifyTimestampedSignature(body, mac('s', now), 's', now), 'a legacy value');
  t.notOk(verifyTimestampedSignature(body, undefined, 's', now));
});
