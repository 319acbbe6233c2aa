// Every inferred wire detail is data (fixtures/wire.json), and a WIRE_FILE laid over it changes what
// goes on the wire without a code change: create statuses, redirect parameter names, the codes and
// statuses of inferred errors, the webhook retry spacing, extension headers and envelope, the scan
// UI's document type and frame message. The control API keeps its own error contract.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { errorCatalogue, inferredErrorCodes } from '../../src/http/error-catalogue.js';
import { loadFixtures } from '../../src/services/fixtures.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { multipartBody, tinyJpeg } from '../helpers/multipart.js';
import { signIn } from '../helpers/portal.js';
import { startReceiver } from '../helpers/receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'zsm-wire-'));
let files = 0;
/** A WIRE_FILE holding `overrides`. */
function wireFile(overrides: unknown): string {
  const file = join(dir, `wire-${++files}.json`);
  writeFileSync(file, JSON.stringify(overrides));
  return file;
}

type App = Awaited<ReturnType<typeof startTestApp>>['app'];
const createLiveness = (app: App, key: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth(key), ...headers }, payload: { ...exampleLivenessRequest, ...body } });

t.test('the built-in wire file says what the emulator always did', async (t) => {
  const { wire } = loadFixtures(loadConfig({}));
  t.strictSame(wire.create_status, { liveness: 200, scanning: 200, scanningsessions: 201 });
  t.strictSame(wire.redirect, { relay_state_param: 'relay_state', session_id_param: 'session_id' });
  for (const code of inferredErrorCodes) t.strictSame(wire.errors[code], { code, status: errorCatalogue[code].status }, code);
  t.equal(wire.webhook.retry_delays.length, 19, '19 gaps for 20 attempts');
  t.equal(wire.webhook.retry_delays.reduce((sum, ms) => sum + ms, 0), 48 * 3_600_000, 'adding up to 48 hours');
  t.strictSame(wire.webhook.extension_headers, { delivery_id: 'X-ZignSec-Webhook-Id', event: 'X-ZignSec-Event' });
  t.equal(wire.scan_ui.document_type, 'Passport');
  t.strictSame(wire.scan_ui.frame_message, { target_origins: 'merchant_urls', cancelled: { errorCode: 'USER_CANCEL', errorDetails: 'Action cancelled' } });
});

t.test('create_status: each create call answers the status the file gives', async (t) => {
  const { app } = await startTestApp(t, { WIRE_FILE: wireFile({ create_status: { liveness: 201, scanning: 202, scanningsessions: 200 } }) });
  t.equal((await createLiveness(app, 'k')).statusCode, 201);
  t.equal((await app.inject({ method: 'POST', url: '/v3/scanning', headers: auth('k'), payload: {} })).statusCode, 202);
  const session = await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: auth('k'), payload: {} });
  t.equal(session.statusCode, 200);
  t.strictSame(Object.keys(session.json()), ['session_id', 'provider_folder_id', 'errors'], 'the body is unchanged');
  const doc = (await app.inject({ url: '/v3/scan/swagger/json' })).json();
  t.ok(doc.paths['/v3/scanning/liveness'].post.responses['201'], 'the OpenAPI document follows the file');
  t.notOk(doc.paths['/v3/scanning/liveness'].post.responses['200']);
});

t.test('redirect: the scan UI sends the browser back with the parameter names the file gives', async (t) => {
  const { app } = await startTestApp(t, { WIRE_FILE: wireFile({ redirect: { relay_state_param: 'relaystate' } }) });
  const created = (await createLiveness(app, 'k', { relay_state: 'order-9', target: 'https://shop.example/done?relay_state=keep' })).json();
  const otp = new URL(created.redirect_url).searchParams.get('otp');
  const page = await app.inject({ url: `/v3/scan/ui/${created.id}/liveness?otp=${otp}` });
  const cookie = String(page.headers['set-cookie']).split(';')[0];
  await app.inject({ method: 'POST', url: `/__mock/sessions/${created.id}/complete` });
  const state = (await app.inject({ url: `/v3/scan/ui/${created.id}/state`, headers: { cookie } })).json();
  t.equal(state.redirect.url, `https://shop.example/done?relay_state=keep&relaystate=order-9&session_id=${created.id}`);
  t.strictSame((await app.inject({ url: '/__mock/wire' })).json().redirect, { relay_state_param: 'relaystate', session_id_param: 'session_id' }, 'the control API shows the names');
});

t.test('redirect: the portal finds its session under the session parameter the file names', async (t) => {
  const { app } = await startTestApp(t, { WIRE_FILE: wireFile({ redirect: { session_id_param: 'sid' } }) });
  const portal = await signIn(app, 'portal-wire-key');
  const created = (await createLiveness(app, 'portal-wire-key')).json();
  const back = await portal.get(`/portal/return?via=target&sid=${created.id}`);
  t.equal(back.statusCode, 303);
  t.equal(back.headers.location, `/portal/sessions/${created.id}?back=target`);
});

t.test('redirect: the two names must differ', async (t) => {
  t.throws(() => loadFixtures(loadConfig({ WIRE_FILE: wireFile({ redirect: { session_id_param: 'relay_state' } }) })), { name: 'FixtureError', message: /redirect: the two parameter names must differ/ });
});

t.test('errors: every inferred error has the code and status the file gives, on the public API only', async (t) => {
  const errors = Object.fromEntries(inferredErrorCodes.map((code, i) => [code, { code: `X_${code}`, status: 460 + i }]));
  const { app } = await startTestApp(t, { WIRE_FILE: wireFile({ errors }), MAX_SESSIONS: '1', MAX_BODY_BYTES: '1024' });
  const expect = async (what: string, response: Promise<{ statusCode: number; json(): unknown; headers: Record<string, unknown> }>, code: (typeof inferredErrorCodes)[number]) => {
    const res = await response;
    t.equal(res.statusCode, errors[code].status, `${what}: status`);
    t.match(res.json(), { errors: [{ code: `X_${code}` }] }, `${what}: code`);
    return res;
  };
  await expect('a bad cancel_url', createLiveness(app, 'k', { cancel_url: 'nope' }), 'INVALID_CANCELURL');
  await expect('no key', app.inject({ method: 'POST', url: '/v3/scanning/liveness', payload: exampleLivenessRequest }), 'UNAUTHORIZED');
  await expect('an unknown route', app.inject({ url: '/v3/nothing' }), 'NOT_FOUND');
  const notAllowed = await expect('another method', app.inject({ method: 'DELETE', url: '/v3/scanning/liveness', headers: auth('k') }), 'METHOD_NOT_ALLOWED');
  t.equal(notAllowed.headers.allow, 'GET, HEAD, POST', 'the Allow header stays');
  await expect('a body over MAX_BODY_BYTES', createLiveness(app, 'k', { relay_state: 'x'.repeat(2000) }), 'PAYLOAD_TOO_LARGE');
  await expect('text/plain', app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('k'), 'content-type': 'text/plain' }, payload: 'hi' }), 'UNSUPPORTED_MEDIA_TYPE');

  const session = (await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: auth('k'), payload: { analysis_types: ['document'] } })).json();
  const base = `/v3/eid/scanningsessions/${session.session_id}`;
  await expect('one session too many', createLiveness(app, 'k'), 'TOO_MANY_SESSIONS');
  await expect('an unknown analysis', app.inject({ url: `${base}/analyses/00000000-0000-4000-8000-000000000000`, headers: auth('k') }), 'ANALYSIS_NOT_FOUND');
  const upload = multipartBody('document', 'passport.jpg', 'image/jpeg', tinyJpeg);
  await app.inject({ method: 'POST', url: `${base}/documents?documentType=Passport`, headers: { ...auth('k'), ...upload.headers }, payload: upload.payload });
  await app.inject({ method: 'POST', url: `${base}/analyses`, headers: auth('k'), payload: {} });
  await expect('a second start', app.inject({ method: 'POST', url: `${base}/analyses`, headers: auth('k'), payload: {} }), 'SESSION_STATE');

  // The control API is the emulator's own contract: its answers keep the catalogue's codes and statuses.
  const control = await app.inject({ method: 'POST', url: `/__mock/sessions/${session.session_id}/complete` });
  t.equal(control.statusCode, 409);
  t.match(control.json(), { errors: [{ code: 'SESSION_STATE' }] });
  const unknownControl = await app.inject({ url: '/__mock/nothing' });
  t.equal(unknownControl.statusCode, 404);
  t.match(unknownControl.json(), { errors: [{ code: 'NOT_FOUND' }] });
});

t.test('errors: an entry may change only the status, keeping the code', async (t) => {
  const { app } = await startTestApp(t, { WIRE_FILE: wireFile({ errors: { UNAUTHORIZED: { status: 403 } } }) });
  const res = await app.inject({ url: '/v3/scanning/00000000-0000-4000-8000-000000000000' });
  t.equal(res.statusCode, 403);
  t.strictSame(res.json(), { errors: [{ code: 'UNAUTHORIZED', description: 'Missing Authorization header: send your API access token as the raw header value.' }] });
});

t.test('webhook: retry spacing, extension headers and the event envelope come from the file', async (t) => {
  const envelope = { type: '{{event}}', session: '{{session.id}}', state: '{{session.status}}', data: '{{result}}' };
  const merchants = join(dir, 'merchants-envelope.json');
  writeFileSync(merchants, JSON.stringify({ merchants: { 'envelope-key': { webhook_format: 'event' } } }));
  const { app, clock } = await startTestApp(t, {
    MERCHANTS_FILE: merchants,
    WEBHOOK_MAX_ATTEMPTS: '4',
    WIRE_FILE: wireFile({ webhook: { retry_delays: ['10s', '20s'], extension_headers: { delivery_id: 'X-Test-Delivery', event: null }, event_envelope: envelope } }),
  });
  const receiver = await startReceiver(t, (n) => ({ status: n < 4 ? 500 : 200 }));
  const created = (await createLiveness(app, 'envelope-key', { webhook: receiver.url })).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${created.id}/complete` });
  // Each gap is moved through once the emulator has recorded the attempt before it (and so scheduled the next).
  const afterAttempts = (n: number) =>
    eventually(async () => {
      const [delivery] = (await app.inject({ url: `/__mock/webhooks?session_id=${created.id}` })).json().deliveries;
      return delivery && delivery.attempts.length >= n && !delivery.in_flight ? delivery : undefined;
    }, `attempt ${n}`);
  for (const [attempt, gap] of [[1, 10_000], [2, 20_000], [3, 20_000]]) {
    await afterAttempts(attempt);
    clock.advance(gap);
  }
  const delivery = await afterAttempts(4);
  const times = delivery.attempts.map((a: { at: string }) => Date.parse(a.at));
  t.strictSame(times.slice(1).map((at: number, i: number) => at - times[i]), [10_000, 20_000, 20_000], 'the last gap repeats');
  const { headers, rawBody } = receiver.received[0];
  t.equal(headers['x-test-delivery'], delivery.id);
  t.notOk('x-zignsec-webhook-id' in headers, 'the default name is not sent');
  t.notOk('x-zignsec-event' in headers, 'null: the header is not sent');
  const body = JSON.parse(rawBody);
  t.strictSame(Object.keys(body), ['type', 'session', 'state', 'data']);
  t.match(body, { type: 'session_updated', session: created.id, state: 'Accepted', data: { id: created.id, status: 'Accepted' } });
});

t.test('scan_ui: the document type of scan UI sessions and the frame message of a cancel come from the file', async (t) => {
  const { app } = await startTestApp(t, {
    WIRE_FILE: wireFile({ scan_ui: { document_type: 'IdentityCard', frame_message: { cancelled: { errorCode: 'CANCELLED_BY_USER', errorDetails: null }, target_origins: 'any' } } }),
  });
  const accepted = (await createLiveness(app, 'k')).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${accepted.id}/complete` });
  const result = (await app.inject({ url: `/v3/scanning/${accepted.id}`, headers: auth('k') })).json();
  t.equal(result.result.documentAnalysis.documentType, 'IdentityCard');
  t.equal(result.analysis_summary.id_document_summary.fields.Document_Type, 'IdentityCard');

  const cancelled = (await createLiveness(app, 'k')).json();
  const page = await app.inject({ url: new URL(cancelled.redirect_url).pathname + new URL(cancelled.redirect_url).search });
  t.match(page.body, '"frame":{"targets":["*"]', 'target_origins "any" posts to every origin');
  const cookie = String(page.headers['set-cookie']).split(';')[0];
  const state = (await app.inject({ method: 'POST', url: `/v3/scan/ui/${cancelled.id}/cancel`, headers: { cookie } })).json();
  t.strictSame(state.frame_message, {
    product: 'SCANNING',
    payload: { sessionId: cancelled.id, sessionStatus: 'Cancelled', relayState: '11111', errorCode: 'CANCELLED_BY_USER', errorDetails: null },
  });
});

t.test('GET /__mock/wire shows the details in effect', async (t) => {
  const { app } = await startTestApp(t, { WIRE_FILE: wireFile({ $comment: 'mine', create_status: { liveness: 201 } }) });
  const res = await app.inject({ url: '/__mock/wire' });
  t.equal(res.statusCode, 200);
  const details = res.json();
  t.strictSame(details.create_status, { liveness: 201, scanning: 200, scanningsessions: 201 });
  t.equal(details.webhook.retry_delays_ms[0], 60_000);
  t.strictSame(details.errors.SESSION_STATE, { code: 'SESSION_STATE', status: 409 });
  t.equal(readFileSync(join(dir, `wire-${files}.json`), 'utf8'), JSON.stringify({ $comment: 'mine', create_status: { liveness: 201 } }), 'the file is read, never written');
});

t.test('a bad WIRE_FILE stops startup naming the file and the field', async (t) => {
  const failure = (overrides: unknown) => {
    const file = wireFile(overrides);
    try {
      loadFixtures(loadConfig({ WIRE_FILE: file }));
    } catch (error) {
      t.equal((error as { setting?: string }).setting, 'WIRE_FILE');
      return (error as Error).message.replace(file, '<file>');
    }
    throw new Error('loaded');
  };
  t.equal(failure({ redirects: {} }), '<file>: invalid\n  (file): Unrecognized key: "redirects"');
  t.equal(failure({ create_status: { liveness: 404 } }), '<file>: invalid\n  create_status.liveness: Too big: expected number to be <=299');
  t.equal(failure({ errors: { SESSION_STATE: { status: 200 } } }), '<file>: invalid\n  errors.SESSION_STATE.status: Too small: expected number to be >=400');
  t.match(failure({ errors: { INVALID_REQUEST: { status: 422 } } }), /^<file>: invalid\n {2}errors: Unrecognized key: "INVALID_REQUEST"/, 'documented codes are not the file\'s to change');
  t.equal(failure({ webhook: { retry_delays: ['1m', 'soon'] } }), '<file>: invalid\n  webhook.retry_delays.1: must be a duration from 1ms to 7d, such as 90s, 15m or 1.5h');
  t.equal(failure({ webhook: { retry_delays: [] } }), '<file>: invalid\n  webhook.retry_delays: Too small: expected array to have >=1 items');
  t.match(failure({ webhook: { extension_headers: { event: 'X-ZignSec-Hmac-SHA256' } } }), /^<file>: invalid\n {2}webhook\.extension_headers\.event: must not be a header ZignSec or HTTP itself sends/);
  t.equal(failure({ webhook: { extension_headers: { event: 'x-zignsec-webhook-id' } } }), '<file>: invalid\n  webhook.extension_headers: the two header names must differ');
  t.equal(failure({ webhook: { event_envelope: { id: '{{session.uuid}}' } } }), '<file>: webhook.event_envelope: unknown placeholders {{session.uuid}}');
  t.equal(failure({ redirect: { relay_state_param: 'relay state' } }), '<file>: invalid\n  redirect.relay_state_param: must be 1 to 64 letters, digits, _ . ~ or -');
  t.equal(failure({ scan_ui: { frame_message: { target_origins: 'parent' } } }), '<file>: invalid\n  scan_ui.frame_message.target_origins: Invalid option: expected one of "merchant_urls"|"any"');
});
