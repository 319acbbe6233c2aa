import t from 'tap';
import { buildMerchantApp } from '../../fixtures/merchant-app/app.js';
import { signZignSecHmac } from '../../src/core/webhook-signature.js';
import { startMock } from '../../src/index.js';

const apiKey = 'merchant-app-key';
const shop = 'http://shop.test';

async function startMerchant(t: { teardown(fn: () => unknown): void }, zignsecUrl = 'http://127.0.0.1:9') {
  const app = await buildMerchantApp({ zignsecUrl, apiKey, publicUrl: shop });
  t.teardown(() => app.close());
  return app;
}

const post = (app: Awaited<ReturnType<typeof startMerchant>>, body: string, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/webhooks/zignsec', payload: body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });

t.test('GET / offers the verification link', async (t) => {
  const app = await startMerchant(t);
  const res = await app.inject({ url: '/' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(
    res.body,
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout | Demo Shop</title></head><body>' +
      '<main><h1>Demo Shop</h1><p>Before we ship your order we need to verify your identity.</p><a href="/start" data-testid="start-verification">Verify my identity</a></main>' +
      '</body></html>',
  );
});

t.test('GET /start creates a liveness session for a new order and redirects the browser to it', async (t) => {
  const mock = await startMock();
  t.teardown(() => mock.close());
  const app = await startMerchant(t, `${mock.url}/`);
  const res = await app.inject({ url: '/start' });
  t.equal(res.statusCode, 302);
  const [session] = (await mock.admin.sessions.list({ api_key: apiKey })).sessions;
  t.equal(res.headers.location, `${mock.url}/v3/scan/ui/${session.id}/liveness?otp=${new URL(String(res.headers.location)).searchParams.get('otp')}`);
  t.match(session.relay_state, /^order-[0-9a-f-]{36}$/);
  t.strictSame(session.request, {
    relay_state: session.relay_state,
    target: `${shop}/done`,
    cancel_url: `${shop}/cancelled`,
    target_error: `${shop}/failed`,
    webhook: `${shop}/webhooks/zignsec`,
    options: 'FrontSide',
    action: 'Random',
  });
  t.match((await mock.admin.journal.find({ api_key: apiKey })).requests, [{ method: 'POST', path: '/v3/scanning/liveness', headers: { authorization: 'me****ey' }, status: 200 }], 'the raw key in Authorization');
  await app.inject({ url: '/start' });
  const orders = (await mock.admin.sessions.list({ api_key: apiKey })).sessions.map((s) => s.relay_state);
  t.equal(new Set(orders).size, 2, 'each start is a new order');
});

t.test('GET /start shows ZignSec errors (an injected 503, an unreachable service) as a 502 page', async (t) => {
  const mock = await startMock();
  t.teardown(() => mock.close());
  await mock.admin.faults.add({ method: 'POST', path: '/v3/scanning/liveness', action: { type: 'error', status: 503 } });
  const app = await startMerchant(t, mock.url);
  const res = await app.inject({ url: '/start' });
  t.equal(res.statusCode, 502);
  t.equal(
    res.body,
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Verification unavailable | Demo Shop</title></head><body>' +
      '<main><h1>Verification is unavailable right now</h1><p data-testid="start-error">ZignSec answered 503: Internal Exception: Injected fault: the service is unavailable.</p><a href="/">Back</a></main>' +
      '</body></html>',
  );
  await mock.close();
  const down = await app.inject({ url: '/start' });
  t.equal(down.statusCode, 502);
  t.match(down.body, '<p data-testid="start-error">ZignSec answered nothing: no answer</p>');
});

t.test('landing pages show relay_state and session id, escaped', async (t) => {
  const app = await startMerchant(t);
  const pages = { done: 'Thank you! Your verification is finished; we confirm your order when ZignSec sends the result.', cancelled: 'You cancelled the verification. You can start again whenever you like.', failed: 'The verification could not be completed. Please try again.' };
  for (const [landing, heading] of Object.entries(pages)) {
    const res = await app.inject({ url: `/${landing}?relay_state=${encodeURIComponent('<script>alert("x")</script>')}&session_id=abc%26def` });
    t.equal(res.statusCode, 200);
    t.equal(
      res.body,
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Verification | Demo Shop</title></head><body>' +
        `<main data-testid="landing" data-landing="${landing}"><h1>${heading}</h1><dl>` +
        '<dt>Order</dt><dd data-testid="landing-relay-state">&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;</dd>' +
        '<dt>ZignSec session</dt><dd data-testid="landing-session-id">abc&#38;def</dd></dl></main></body></html>',
      landing,
    );
    t.notMatch(res.body, '<script', 'no script element reaches the page');
  }
  t.match((await app.inject({ url: '/done' })).body, '<dd data-testid="landing-relay-state"></dd>', 'absent parameters show empty');
});

t.test('POST /webhooks/zignsec verifies the HMAC over the raw bytes', async (t) => {
  const app = await startMerchant(t);
  // Spacing a JSON serializer would not reproduce: the signature covers these exact bytes.
  const raw = '{ "id": "6e0f4b0a-1111-4222-8333-944444444444",  "status": "Accepted", "relay_state": "order-1", "errors": [] }';
  const headers = { 'x-zignsec-webhook-id': 'whd_1', 'x-zignsec-event': 'session_updated' };

  const accepted = await post(app, raw, { ...headers, 'x-zignsec-hmac-sha256': signZignSecHmac(raw, apiKey) });
  t.equal(accepted.statusCode, 200);
  t.strictSame(accepted.json(), { received: true });

  const uppercase = await post(app, raw, { ...headers, 'x-zignsec-webhook-id': 'whd_2', 'x-zignsec-hmac-sha256': signZignSecHmac(raw, apiKey).toUpperCase() });
  t.strictSame([uppercase.statusCode, uppercase.json()], [200, { received: true }], 'hex case does not matter');

  const duplicate = await post(app, raw, { ...headers, 'x-zignsec-hmac-sha256': signZignSecHmac(raw, apiKey) });
  t.strictSame([duplicate.statusCode, duplicate.json()], [200, { received: true, duplicate: true }], 'a repeated delivery id is acknowledged, not recorded again');

  const rejections: [string, Record<string, string>][] = [
    ['re-serialized body', { 'x-zignsec-hmac-sha256': signZignSecHmac(JSON.stringify(JSON.parse(raw)), apiKey) }],
    ['another key', { 'x-zignsec-hmac-sha256': signZignSecHmac(raw, 'someone-else') }],
    ['truncated signature', { 'x-zignsec-hmac-sha256': signZignSecHmac(raw, apiKey).slice(0, 63) }],
    ['no signature', {}],
  ];
  for (const [why, signature] of rejections) {
    const res = await post(app, raw, { ...headers, ...signature });
    t.strictSame([res.statusCode, res.json()], [401, { error: 'invalid signature' }], why);
  }
  const tampered = await post(app, raw.replace('Accepted', 'Declined'), { ...headers, 'x-zignsec-hmac-sha256': signZignSecHmac(raw, apiKey) });
  t.strictSame([tampered.statusCode, tampered.json()], [401, { error: 'invalid signature' }], 'a changed body');
  const otherType = await post(app, raw, { 'content-type': 'text/plain', 'x-zignsec-hmac-sha256': signZignSecHmac(raw, apiKey), 'x-zignsec-webhook-id': 'whd_3' });
  t.equal(otherType.statusCode, 200, 'any content type: the bytes are what is signed');

  const events = await app.inject({ url: '/events' });
  t.strictSame(events.json(), {
    events: [
      { delivery_id: 'whd_1', event: 'session_updated', session_id: '6e0f4b0a-1111-4222-8333-944444444444', relay_state: 'order-1', status: 'Accepted' },
      { delivery_id: 'whd_2', event: 'session_updated', session_id: '6e0f4b0a-1111-4222-8333-944444444444', relay_state: 'order-1', status: 'Accepted' },
      { delivery_id: 'whd_3', event: null, session_id: '6e0f4b0a-1111-4222-8333-944444444444', relay_state: 'order-1', status: 'Accepted' },
    ],
    rejected: 5,
  });
});
