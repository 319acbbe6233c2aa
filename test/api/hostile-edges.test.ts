// Hostile input at the edges: reflected values in headers, host names in URLs that end up in a CSP,
// webhook URLs with credentials, secrets in logged URLs, caching and sniffing of identity data, the
// portal cookie, key masking, bodiless DELETEs and POSTs, and requests without Host. Exact status and body,
// never a 500 or Fastify's own error body.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { maskKey } from '../../src/http/auth.js';
import { loadFixtures } from '../../src/services/fixtures.js';
import { contentSecurityPolicy } from '../../src/ui/html.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { multipartBody, tinyPng } from '../helpers/multipart.js';
import { startReceiver } from '../helpers/receiver.js';
import { cookiesOf, csrfIn, form, signIn, startPortalApp } from '../helpers/portal.js';

type InjectResponse = Awaited<ReturnType<Awaited<ReturnType<typeof startTestApp>>['app']['inject']>>;

const errorsOf = (res: InjectResponse) => res.json<{ errors: { code: string; description: string }[] }>();
const setCookieLines = (res: InjectResponse) => {
  const header = res.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
};

t.test('a reflected value never makes a header Node refuses', async (t) => {
  t.test('sign-in next with non-Latin-1 or control characters: a percent-encoded Location, not a 500', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'next-key-0001');
    const cases: [string, string][] = [
      ['/portal/%C4%80', '/portal/%C4%80'],
      ['/portal/%F0%9F%98%80?x=%C4%80', '/portal/%F0%9F%98%80?x=%C4%80'],
      ['/portal/a%01b', '/portal/a%01b'],
      ['/portal/a%7Fb', '/portal/a%7Fb'],
      ['/portal/%E9', '/portal/%E9'],
      ['/portal/a%0D%0ASet-Cookie:%20x=1', '/portal'],
    ];
    for (const [next, location] of cases) {
      const res = await client.get(`/portal/sign-in?next=${next}`);
      t.equal(res.statusCode, 303, next);
      t.equal(res.headers.location, location, next);
    }
    const signedOut = await app.inject({ url: '/portal/sign-in?next=/portal/%C4%80' });
    t.equal(signedOut.statusCode, 200);
    t.match(signedOut.body, /name="next" value="\/portal\/%C4%80"/);

    const page = await app.inject({ url: '/portal/sign-in' });
    const token = csrfIn(page.body)!;
    const posted = await app.inject({
      method: 'POST',
      url: '/portal/sign-in',
      payload: form({ _csrf: token, api_key: 'next-key-0002', next: '/portal/\u0100\u0001x' }).payload,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `zsm_portal_signin=${cookiesOf(page).zsm_portal_signin}` },
    });
    t.equal(posted.statusCode, 303);
    t.equal(posted.headers.location, '/portal/%C4%80%01x');
  });

  t.test('a header Node refuses still gets the error body of its surface, not Fastify\'s', async (t) => {
    const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent' }), { logger: false, checkResponses: true });
    t.teardown(() => app.close());
    app.get('/v3/reflects-into-a-header', async (_request, reply) => reply.header('x-reflected', 'caf\u0100').send({ ok: true }));
    await app.ready();
    const res = await app.inject({ url: '/v3/reflects-into-a-header' });
    t.equal(res.statusCode, 500);
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    t.strictSame(res.json(), { errors: [{ code: 'Internal Exception', description: 'An unexpected error occurred in the emulator; the log has the details.' }] });
    t.equal(res.headers['x-reflected'], undefined);
  });
});

t.test('CSS URLs: hosts are real host names or addresses, and the CSP is built from parsed origins', async (t) => {
  const hostile = [
    'https://a.example;sandbox/x.css',
    'https://a.example,evil.example/x.css',
    "https://a.example'/x.css",
    'https://a"b.example/x.css',
    'https://a%20b.example/x.css',
    'https://a.example%3Bsandbox/x.css',
    'https://*.example/x.css',
    'https://a.example$/x.css',
    'https://user:pw@cdn.example/x.css',
  ];

  t.test('refused on create, in ZignSec shape', async (t) => {
    const { app } = await startTestApp(t);
    for (const css of hostile) {
      const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('css-key-0001'), payload: { ...exampleLivenessRequest, css: [css] } });
      t.equal(res.statusCode, 400, css);
      const description = css.includes('@')
        ? 'css.0 must not carry credentials (user:password@): browsers do not load such stylesheets'
        : 'css.0 must be an absolute http or https URL';
      t.strictSame(errorsOf(res), { errors: [{ code: 'INVALID_REQUEST', description }] }, css);
    }
    const target = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('css-key-0001'), payload: { ...exampleLivenessRequest, target: 'https://shop.example;sandbox/done' } });
    t.strictSame(errorsOf(target), { errors: [{ code: 'INVALID_TARGET', description: 'target must be an absolute http or https URL, or an empty string' }] }, 'every URL field has the same host rule');
    t.equal(app.emulator.sessions.size, 0);
  });

  t.test('refused in merchant settings: control API, portal and merchants file', async (t) => {
    const { app } = await startPortalApp(t);
    const put = await app.inject({ method: 'PUT', url: '/__mock/merchants/css-key-0002', payload: { css: [hostile[0]] } });
    t.equal(put.statusCode, 400);
    t.strictSame(put.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'css.0: must be an absolute http or https URL' }] });

    const client = await signIn(app, 'css-key-0002');
    const res = await client.post('/portal/settings', { name: 'Shop', options: 'FrontSide', webhook: '', locale: 'en', css: hostile[0], default_outcome: '' });
    t.equal(res.statusCode, 400);
    t.match(res.body, /data-testid="settings-error-css">Line 1 \(https:\/\/a\.example;sandbox\/x\.css\): must be an absolute http or https URL</);
    t.same(app.emulator.merchants.settingsFor('css-key-0002')!.css, []);

    const file = join(mkdtempSync(join(tmpdir(), 'zsm-css-')), 'merchants.json');
    writeFileSync(file, JSON.stringify({ merchants: { 'css-key-0003': { css: [hostile[0]] } } }));
    t.throws(() => loadFixtures(loadConfig({}, { MERCHANTS_FILE: file })), { message: `${file}: invalid\n  merchants.css-key-0003.css.0: must be an absolute http or https URL` });
  });

  t.test('the scan UI allows exactly the normalised origins of the stylesheets', async (t) => {
    const { app } = await startTestApp(t);
    const css = ['HTTPS://CDN.Example:8443/brand/a.css', 'https://bücher.example/b.css', 'http://127.0.0.1:9000/c.css', 'https://[::1]/d.css', 'https://cdn.example:443/e.css'];
    const created = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('css-key-0004'), payload: { ...exampleLivenessRequest, css } });
    t.equal(created.statusCode, 200);
    const page = await app.inject({ url: new URL(created.json().redirect_url).pathname + new URL(created.json().redirect_url).search });
    t.equal(page.statusCode, 200);
    const styleSrc = /style-src ([^;]*)/.exec(String(page.headers['content-security-policy']))?.[1];
    t.equal(styleSrc, "'self' https://cdn.example:8443 https://xn--bcher-kva.example http://127.0.0.1:9000 https://[::1] https://cdn.example");
  });

  t.test('contentSecurityPolicy leaves out anything that is not a plain origin', async (t) => {
    const csp = contentSecurityPolicy(['https://ok.example', 'https://a.example;sandbox', "'unsafe-inline'", 'https://b.example, script-src *', 'data:']);
    t.match(csp, /^default-src 'none'; script-src 'self'; style-src 'self' https:\/\/ok\.example; img-src/);
    t.notMatch(csp, /sandbox|unsafe-inline|script-src \*|data:;/);
  });
});

t.test('webhook URLs with credentials are refused everywhere, and never shown', async (t) => {
  const credentialed = ['http://user:pw@127.0.0.1:9/hook', 'https://user@hooks.example/x', 'https://:pw@hooks.example/x'];
  const refusal = { errors: [{ code: 'INVALID_WEBHOOK', description: 'webhook must not carry credentials (user:password@): check the X-ZignSec-Hmac-SHA256 signature instead' }] };

  t.test('on every create route: INVALID_WEBHOOK', async (t) => {
    const { app } = await startTestApp(t);
    for (const webhook of credentialed) {
      for (const [url, payload] of [
        ['/v3/scanning/liveness', { ...exampleLivenessRequest, webhook }],
        ['/v3/scanning', { webhook }],
        ['/v3/eid/scanningsessions', { webhook }],
      ] as const) {
        const res = await app.inject({ method: 'POST', url, headers: auth('hook-key-0001'), payload });
        t.equal(res.statusCode, 400, `${url} ${webhook}`);
        t.strictSame(res.json(), refusal, `${url} ${webhook}`);
      }
    }
    t.equal(app.emulator.sessions.size, 0);
    t.same(app.emulator.webhooks.list(), []);
  });

  t.test('in merchant settings: control API, portal and merchants file, without echoing the password', async (t) => {
    const { app } = await startPortalApp(t);
    const put = await app.inject({ method: 'PUT', url: '/__mock/merchants/hook-key-0002', payload: { webhook: credentialed[0] } });
    t.equal(put.statusCode, 400);
    t.strictSame(put.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'webhook: must not carry credentials (user:password@): check the X-ZignSec-Hmac-SHA256 signature instead' }] });

    const client = await signIn(app, 'hook-key-0002');
    const res = await client.post('/portal/settings', { name: 'Shop', options: 'FrontSide', webhook: credentialed[0], locale: 'en', css: '', default_outcome: '' });
    t.equal(res.statusCode, 400);
    t.match(res.body, /data-testid="settings-error-webhook">The webhook URL must not carry credentials \(user:password@\): check the X-ZignSec-Hmac-SHA256 signature instead</);
    t.equal(app.emulator.merchants.settingsFor('hook-key-0002')!.webhook, '');

    const file = join(mkdtempSync(join(tmpdir(), 'zsm-hook-')), 'merchants.json');
    writeFileSync(file, JSON.stringify({ merchants: { 'hook-key-0003': { webhook: credentialed[0] } } }));
    let message = '';
    try {
      loadFixtures(loadConfig({}, { MERCHANTS_FILE: file }));
    } catch (error) {
      message = (error as Error).message;
    }
    t.equal(message, `${file}: invalid\n  merchants.hook-key-0003.webhook: must not carry credentials (user:password@): check the X-ZignSec-Hmac-SHA256 signature instead`);
  });
});

t.test('at LOG_LEVEL=debug the logged URLs carry no API key and no one-time token', async (t) => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'debug' }), { logger: { level: 'debug', stream } });
  t.teardown(() => app.close());
  await app.ready();
  const key = 'pipeline-secret-key-4711';
  const created = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: exampleLivenessRequest });
  const redirect = new URL(created.json().redirect_url);
  const otp = redirect.searchParams.get('otp')!;
  const opened = await app.inject({ url: `${redirect.pathname}${redirect.search}` });
  const uiCookie = String(opened.headers['set-cookie']).split(';')[0];
  const mobile = await app.inject({ method: 'POST', url: `${redirect.pathname.replace(/\/liveness$/, '')}/mobile-link`, headers: { cookie: uiCookie } });
  const phone = new URL(mobile.json().url);
  const phoneToken = phone.searchParams.get('t')!;
  await app.inject({ url: `${phone.pathname}${phone.search}` });
  for (const url of [
    `/__mock/sessions?api_key=${key}&limit=5`,
    `/__mock/merchants/${key}`,
    '/__mock/merchants/export',
    `/__mock/journal?API_KEY=${key}`,
    `/__mock/outcomes/queue?api_key=${key}`,
    `/__mock/webhooks?session_id=x&api_key=${key}`,
  ]) {
    await app.inject({ url });
  }
  const urls = lines.map((line) => JSON.parse(line) as { req?: { url: string } }).flatMap((entry) => (entry.req ? [entry.req.url] : []));
  t.ok(urls.length >= 10, `per-request lines were logged (${urls.length})`);
  for (const secret of [key, otp, phoneToken]) t.notOk(lines.some((line) => line.includes(secret)), `${secret.slice(0, 3)}… appears in no log line`);
  const masked = maskKey(key);
  t.equal(masked, 'pip****11');
  t.ok(urls.includes(`/__mock/sessions?api_key=${masked}&limit=5`), 'query keys masked as the journal masks them');
  t.ok(urls.includes(`/__mock/merchants/${masked}`), 'path keys masked');
  t.ok(urls.includes(`/__mock/journal?API_KEY=${masked}`));
  t.ok(urls.includes(`${redirect.pathname}?otp=${maskKey(otp)}`), 'one-time link tokens masked');
  t.ok(urls.includes(`${phone.pathname}?t=${maskKey(phoneToken)}`), 'the phone link token masked');
  t.ok(urls.includes('/__mock/merchants/export'), 'the export route is not a key');
});

t.test('identity data is never cached; the control image route is never sniffed', async (t) => {
  const { app } = await startTestApp(t);
  const key = 'cache-key-0001';
  const created = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: exampleLivenessRequest });
  t.equal(created.headers['cache-control'], 'no-store', 'the create answer holds a one-time link');
  const id = created.json().id;
  await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete`, payload: {} });
  const scanning = await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: auth(key), payload: { analysis_types: ['selfie'] } });
  const sessionId = scanning.json().session_id;
  const upload = multipartBody('document', 'selfie.png', 'image/png', tinyPng);
  await app.inject({ method: 'POST', url: `/v3/eid/scanningsessions/${sessionId}/documents?documentType=Selfie`, payload: upload.payload, headers: { ...upload.headers, ...auth(key) } });
  const started = await app.inject({ method: 'POST', url: `/v3/eid/scanningsessions/${sessionId}/analyses`, headers: auth(key), payload: {} });
  const analysisId = started.json().id;
  for (const url of [
    `/v3/scanning/${id}`,
    `/v3/eid/scanningsessions/${sessionId}/analysisStatus`,
    `/v3/eid/scanningsessions/${sessionId}/analyses`,
    `/v3/eid/scanningsessions/${sessionId}/analyses/${analysisId}`,
  ]) {
    const res = await app.inject({ url, headers: auth(key) });
    t.equal(res.statusCode, 200, url);
    t.equal(res.headers['cache-control'], 'no-store', url);
  }
  for (const url of [`/__mock/sessions/${id}`, `/__mock/sessions?api_key=${key}`, '/__mock/webhooks', '/__mock/journal']) {
    const res = await app.inject({ url });
    t.equal(res.headers['cache-control'], 'no-store', url);
    t.equal(res.headers['x-content-type-options'], 'nosniff', url);
  }
  const documentId = app.emulator.sessions.findById(sessionId)!.documents[0].id;
  const image = await app.inject({ url: `/__mock/sessions/${sessionId}/documents/${documentId}` });
  t.equal(image.statusCode, 200);
  t.equal(image.headers['content-type'], 'image/png');
  t.equal(image.headers['x-content-type-options'], 'nosniff');
  t.equal(image.headers['cache-control'], 'no-store');
});

t.test('signing in sets the portal cookie once', async (t) => {
  const { app } = await startPortalApp(t);
  const page = await app.inject({ url: '/portal/sign-in' });
  t.equal(setCookieLines(page).length, 1, 'the form: its token cookie');
  const token = csrfIn(page.body)!;
  const res = await app.inject({
    method: 'POST',
    url: '/portal/sign-in',
    payload: form({ _csrf: token, api_key: 'cookie-key-0001' }).payload,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `zsm_portal_signin=${token}` },
  });
  t.equal(res.statusCode, 303);
  const lines = setCookieLines(res);
  t.equal(lines.length, 2, JSON.stringify(lines));
  t.match(lines[0], /^zsm_portal=[A-Za-z0-9_-]{43}; Path=\/portal; HttpOnly; SameSite=Lax$/);
  t.equal(lines[1], 'zsm_portal_signin=; Max-Age=0; Path=/portal; HttpOnly; SameSite=Lax');
});

t.test('a short key is never shown beyond a safe share, the same way everywhere', async (t) => {
  const cases: [string, string][] = [
    ['abcdefg', '****'],
    ['abcdefghijkl', '****'],
    ['abcdefghijklm', 'a****'],
    ['abcdefghijklmnop', 'ab****op'],
    ['abcdefghijklmnopqrstuvwxyz', 'abc****yz'],
  ];
  for (const [key, masked] of cases) t.equal(maskKey(key), masked, key);

  const { app } = await startPortalApp(t);
  const key = 'k7-abcd';
  const created = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: exampleLivenessRequest });
  const id = created.json().id;
  t.equal((await app.inject({ url: `/__mock/sessions/${id}` })).json().api_key, '****', 'control API');
  t.equal((await app.inject({ url: `/__mock/journal?api_key=${key}` })).json().requests[0].headers.authorization, '****', 'journal');
  const client = await signIn(app, key);
  t.match((await client.get('/portal')).body, /data-testid="portal-key" title="API key \(masked\)">\*\*\*\*</, 'portal');
});

t.test('DELETE with Content-Type: application/json and no body is accepted', async (t) => {
  const { app } = await startTestApp(t);
  const json = { 'content-type': 'application/json' };
  const created = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('delete-key-0001'), payload: exampleLivenessRequest });
  const cases: [string, number][] = [
    [`/__mock/sessions/${created.json().id}`, 204],
    ['/__mock/sessions?api_key=delete-key-0001', 200],
    ['/__mock/journal', 200],
    ['/__mock/faults', 200],
    ['/__mock/merchants/delete-key-0001', 204],
    ['/__mock/webhooks/chaos', 200],
  ];
  for (const [url, status] of cases) {
    const res = await app.inject({ method: 'DELETE', url, headers: json });
    t.equal(res.statusCode, status, url);
  }
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const res = await fetch(`${address}/__mock/journal`, { method: 'DELETE', headers: { ...json, 'content-length': '0' } });
  t.equal(res.status, 200, 'over HTTP with Content-Length: 0');
  t.strictSame(await res.json(), { removed: 0 });
  const post = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('delete-key-0001'), ...json } });
  t.strictSame(post.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'The request body is empty; send a JSON object.' }] }, 'a POST still needs its body');
});

t.test('POST with Content-Type: application/json and an empty body: no body where the route takes none or an optional one, a 400 where it needs one', async (t) => {
  const { app, clock } = await startTestApp(t);
  const json = { 'content-type': 'application/json' };
  const empty = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, headers: { ...json, ...headers }, payload: '' });
  const receiver = await startReceiver(t);
  const live = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('empty-body-key'), payload: { ...exampleLivenessRequest, webhook: receiver.url } })).json();
  const folder = (await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: auth('empty-body-key'), payload: {} })).json();
  const upload = multipartBody('document', 'passport.png', 'image/png', tinyPng);
  const uploaded = await app.inject({ method: 'POST', url: `/v3/eid/scanningsessions/${folder.session_id}/documents?documentType=Passport`, headers: { ...auth('empty-body-key'), ...upload.headers }, payload: upload.payload });
  t.equal(uploaded.statusCode, 200, 'a passport uploaded');

  // Optional bodies (the clock's scope, complete's outcome, the analysis types) and routes without one.
  const frozen = await empty('/__mock/clock/freeze');
  t.equal(frozen.statusCode, 200, 'freeze');
  t.strictSame(frozen.json(), { now: '2026-01-15T09:00:00.000Z', now_ms: clock.now(), frozen: true, offset_ms: 0, keys_with_own_clock: 0 });
  t.equal((await empty('/__mock/clock/unfreeze')).json().frozen, false, 'unfreeze');
  t.equal((await empty('/__mock/clock/reset')).json().offset_ms, 0, 'reset');
  const completed = await empty(`/__mock/sessions/${live.id}/complete`);
  t.equal(completed.statusCode, 200, 'complete');
  t.equal(completed.json().status, 'Accepted');
  const delivery = await eventually(async () => (await app.inject({ url: `/__mock/webhooks?session_id=${live.id}` })).json().deliveries.find((d: { status: string }) => d.status === 'succeeded'), 'the delivery');
  const redelivered = await empty(`/__mock/webhooks/${delivery.id}/redeliver`);
  t.equal(redelivered.statusCode, 200, 'redeliver');
  t.equal(redelivered.json().id, delivery.id);
  const started = await empty(`/v3/eid/scanningsessions/${folder.session_id}/analyses`, auth('empty-body-key'));
  t.equal(started.statusCode, 200, 'start an analysis of the scanning-sessions API (its body is optional)');
  t.equal(started.json().status, 'Accepted');
  const folderWithoutBody = await empty('/v3/eid/scanningsessions', auth('empty-body-key'));
  t.equal(folderWithoutBody.statusCode, 201, 'create a scanning session of the scanning-sessions API (its body is optional): as with no Content-Type');
  t.strictSame(Object.keys(folderWithoutBody.json()), ['session_id', 'provider_folder_id', 'errors']);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const overHttp = await fetch(`${address}/__mock/clock/freeze`, { method: 'POST', headers: { ...json, 'content-length': '0' } });
  t.equal(overHttp.status, 200, 'over HTTP with Content-Length: 0');
  t.equal((await overHttp.json()).frozen, true);

  // Required bodies stay a 400, with the same description everywhere.
  const needsBody = { errors: [{ code: 'INVALID_REQUEST', description: 'The request body is empty; send a JSON object.' }] };
  const required: [string, Record<string, string>][] = [
    ['/v3/scanning/liveness', auth('empty-body-key')],
    ['/v3/scanning', auth('empty-body-key')],
    ['/__mock/clock/advance', {}],
    ['/__mock/faults', {}],
    ['/__mock/outcomes/queue', {}],
    ['/__mock/webhooks/chaos', {}],
    [`/__mock/sessions/${live.id}/outcome`, {}],
  ];
  for (const [url, headers] of required) {
    const res = await empty(url, headers);
    t.equal(res.statusCode, 400, url);
    t.strictSame(res.json(), needsBody, url);
  }
});

t.test('a request without Host gets the ZignSec error body', async (t) => {
  const { app } = await startTestApp(t);
  const { port } = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
  const send = (raw: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(raw));
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        const head = text.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(text)?.[1];
        // Content-Length counts bytes: a page with non-ASCII text has fewer characters than that.
        if (head !== -1 && length !== undefined && Buffer.byteLength(text.slice(head + 4)) >= Number(length)) socket.end();
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
    });
  const missing = { errors: [{ code: 'INVALID_REQUEST', description: 'The Host header is missing: every HTTP/1.1 request must carry one.' }] };
  for (const raw of [
    'GET /health HTTP/1.1\r\n\r\n',
    'GET /v3/scanning/61652a58-1921-4593-abab-fcbc24f972b0 HTTP/1.1\r\nAuthorization: k\r\n\r\n',
    'POST /v3/scanning/liveness HTTP/1.1\r\nAuthorization: k\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    'GET /health HTTP/1.1\r\nHost:\r\n\r\n',
  ]) {
    const response = await send(raw);
    t.match(response, /^HTTP\/1\.1 400 Bad Request\r\n/, raw.split('\r\n')[0]);
    t.match(response, /\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
    t.strictSame(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)), missing, raw.split('\r\n')[0]);
  }
  const old = await send('GET /health HTTP/1.0\r\n\r\n');
  t.match(old, /^HTTP\/1\.1 200 OK\r\n/, 'HTTP/1.0 has no Host requirement');
  // The portal answers with a page of its own, refused before its cookies were read.
  for (const path of ['/portal/sessions', '/portal/nowhere']) {
    const page = await send(`GET ${path} HTTP/1.1\r\nCookie: zsm_portal=x\r\n\r\n`);
    t.match(page, /^HTTP\/1\.1 400 Bad Request\r\n/, path);
    t.match(page, 'The Host header is missing: every HTTP/1.1 request must carry one.');
  }
});
