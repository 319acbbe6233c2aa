// The scan UI's window.postMessage to a framing page, without a browser: the message of each ending,
// the origins it may go to, and the link-error pages that carry it (the browser side is in
// test/e2e/frame-message.test.ts).
import t from 'tap';
import { endOfFlowMessage, frameMessageTargets, linkExpiredMessage } from '../../src/core/frame-message.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

const id = '61652a58-1921-4593-abab-fcbc24f972b0';
const cancelled = { errorCode: 'USER_CANCEL', errorDetails: 'Action cancelled' };
const ended = (status: 'Accepted' | 'Declined' | 'Failed' | 'Timeout' | 'Cancelled', errors: { code: string; description: string }[] = []) =>
  endOfFlowMessage({ id, status, settings: { relay_state: 'r-1' } as never, findings: { errors } as never }, cancelled).payload;

t.test('the end-of-flow message: the session status, and an error only for a cancel or a failure', async (t) => {
  t.strictSame(endOfFlowMessage({ id, status: 'Accepted', settings: { relay_state: 'r-1' } as never, findings: { errors: [] } as never }, cancelled), {
    product: 'SCANNING',
    payload: { sessionId: id, sessionStatus: 'Accepted', relayState: 'r-1', errorCode: null, errorDetails: null },
  });
  t.strictSame(Object.keys(ended('Accepted')), ['sessionId', 'sessionStatus', 'relayState', 'errorCode', 'errorDetails'], "the documented example's key order");
  t.match(ended('Declined'), { sessionStatus: 'Declined', errorCode: null, errorDetails: null }, 'a decline is a result, not an error');
  t.match(ended('Timeout'), { sessionStatus: 'Timeout', errorCode: null });
  t.match(ended('Cancelled'), { sessionStatus: 'Cancelled', errorCode: 'USER_CANCEL', errorDetails: 'Action cancelled' });
  t.match(ended('Failed', [{ code: 'Internal Exception', description: 'The analysis provider did not answer.' }]), {
    sessionStatus: 'Failed',
    errorCode: 'Internal Exception',
    errorDetails: 'The analysis provider did not answer.',
  });
  t.strictSame(linkExpiredMessage({ id, settings: { relay_state: '12345' } as never }), {
    product: 'SCANNING',
    payload: { sessionId: id, sessionStatus: 'OperatorRequired', relayState: '12345', errorCode: 'LINK_EXPIRED', errorDetails: 'The link is already used or expired' },
  });
});

t.test("the message goes to each distinct origin of the merchant's URLs, or to any origin when the wire file says so", async (t) => {
  const urls = { target: 'https://shop.example/done?q=1', target_error: 'https://shop.example/failed', cancel_url: 'http://shop.example:8080/cancel' };
  t.strictSame(frameMessageTargets(urls, 'merchant_urls'), ['https://shop.example', 'http://shop.example:8080']);
  t.strictSame(frameMessageTargets({ target: '', target_error: 'javascript:alert(1)', cancel_url: 'not a url' }, 'merchant_urls'), [], 'no merchant URL: no message');
  t.strictSame(frameMessageTargets({ target: '', target_error: '', cancel_url: '' }, 'any'), ['*']);
});

t.test('a used or expired link of a known session carries the LINK_EXPIRED message and its script; other link errors carry none', async (t) => {
  const { app, clock } = await startTestApp(t, { OTP_TTL: '10m' });
  const create = async (body: Record<string, unknown> = {}) => {
    const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: { ...exampleLivenessRequest, ...body } })).json();
    const link = new URL(created.redirect_url);
    return { id: created.id as string, path: `${link.pathname}${link.search}` };
  };
  const frameBlock = (body: string) => /<script type="application\/json" id="zsm-frame">([^<]*)<\/script>/.exec(body)?.[1];
  const scriptSrc = (body: string) => /<script src="([^"]*link-error\.js[^"]*)" defer><\/script>/.exec(body)?.[1];

  const used = await create();
  await app.inject({ url: used.path });
  const again = await app.inject({ url: used.path });
  t.equal(again.statusCode, 403);
  t.strictSame(JSON.parse(frameBlock(again.body)!), {
    targets: ['https://www.google.com'],
    message: { product: 'SCANNING', payload: { sessionId: used.id, sessionStatus: 'OperatorRequired', relayState: '11111', errorCode: 'LINK_EXPIRED', errorDetails: 'The link is already used or expired' } },
  });
  const asset = await app.inject({ url: scriptSrc(again.body)! });
  t.equal(asset.statusCode, 200);
  t.match(asset.headers['content-type'], /^text\/javascript/);
  t.match(again.headers['content-security-policy'], "script-src 'self'", 'the script is the emulator own, within the CSP');

  const expired = await create();
  clock.advance(11 * 60_000);
  const late = await app.inject({ url: expired.path });
  t.equal(late.statusCode, 410);
  t.match(frameBlock(late.body), '"errorCode":"LINK_EXPIRED"');

  const noUrls = await create({ target: '', target_error: '', cancel_url: '' });
  await app.inject({ url: noUrls.path });
  const noTargets = await app.inject({ url: noUrls.path });
  t.equal(noTargets.statusCode, 403);
  t.equal(frameBlock(noTargets.body), undefined, 'no merchant origin to post to: no message');

  const wrongToken = await create();
  const invalid = await app.inject({ url: wrongToken.path.replace(/otp=.*/, 'otp=AAAAAAAAAAAAAAAAAAAAAA') });
  t.equal(invalid.statusCode, 403);
  t.match(invalid.body, 'data-reason="invalid"');
  t.equal(frameBlock(invalid.body), undefined, 'an invalid token: nothing documented, nothing sent');
  t.notMatch(invalid.body, '11111', 'and the relay state is not shown');

  const unknown = await app.inject({ url: '/v3/scan/ui/00000000-0000-4000-8000-000000000000/liveness?otp=x' });
  t.equal(unknown.statusCode, 404);
  t.equal(frameBlock(unknown.body), undefined);
});

t.test("the scan UI's state carries the end-of-flow message once the session is final", async (t) => {
  const { app } = await startTestApp(t);
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: { ...exampleLivenessRequest, relay_state: 'r-9' } })).json();
  const link = new URL(created.redirect_url);
  const page = await app.inject({ url: `${link.pathname}${link.search}` });
  t.match(page.body, '"frame":{"targets":["https://www.google.com"],"message":null}', 'the page knows where it may post');
  const cookie = String(page.headers['set-cookie']).split(';')[0];
  const before = (await app.inject({ url: `/v3/scan/ui/${created.id}/state`, headers: { cookie } })).json();
  t.equal(before.frame_message, null);
  await app.inject({ method: 'POST', url: `/__mock/sessions/${created.id}/complete`, payload: { outcome: 'provider_error' } });
  const after = (await app.inject({ url: `/v3/scan/ui/${created.id}/state`, headers: { cookie } })).json();
  t.strictSame(after.frame_message, {
    product: 'SCANNING',
    payload: { sessionId: created.id, sessionStatus: 'Failed', relayState: 'r-9', errorCode: 'Internal Exception', errorDetails: after.frame_message.payload.errorDetails },
  });
  t.type(after.frame_message.payload.errorDetails, 'string');
  const reload = await app.inject({ url: `${link.pathname}`, headers: { cookie } });
  t.match(reload.body, `"message":{"product":"SCANNING","payload":{"sessionId":"${created.id}","sessionStatus":"Failed"`, 'a page opened after the end posts it too');
});
