// The scan UI over HTTP (inject): the UI API behind the page's cookie, uploads, the analysis and
// its redirect, the tester panel, the mobile hand-off links, assets and the page weight budget.
import t from 'tap';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { multipartBody, tinyPng } from '../helpers/multipart.js';
import { documentReferenceOf } from '../../src/core/session.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];

async function openPage(app: App, body: Record<string, unknown> = exampleLivenessRequest, key = 'k') {
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: body })).json();
  const url = new URL(created.redirect_url);
  const page = await app.inject({ url: `${url.pathname}${url.search}` });
  const cookie = String(page.headers['set-cookie']).split(';')[0];
  return { id: created.id as string, page, cookie, api: `/v3/scan/ui/${created.id}` };
}

t.test('the UI API refuses calls without the page cookie', async (t) => {
  const { app } = await startTestApp(t);
  const { api, id } = await openPage(app);
  for (const [method, path] of [
    ['GET', '/state'],
    ['POST', '/analysis'],
    ['POST', '/cancel'],
    ['POST', '/mobile-link'],
    ['GET', '/mobile-link/qr.svg'],
  ] as const) {
    const res = await app.inject({ method, url: `${api}${path}`, headers: { cookie: 'zsm_ui=forged' } });
    t.equal(res.statusCode, 401, `${method} ${path}`);
    t.same(res.json(), {
      errors: [{ code: 'UNAUTHORIZED', description: 'The scan UI API needs the cookie of the verification page: open the page through its one-time link first.' }],
    });
  }
  const upload = multipartBody('document', 'a.png', 'image/png', tinyPng);
  t.equal((await app.inject({ method: 'POST', url: `${api}/documents`, ...upload })).statusCode, 401);
  t.equal(app.emulator.sessions.findById(id)!.documents.length, 0);
  const unknown = await app.inject({ url: '/v3/scan/ui/00000000-0000-4000-8000-000000000000/state' });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().errors[0].code, 'SESSION_NOT_FOUND');
});

t.test('uploads: images only, within MAX_UPLOAD_BYTES, stored per side', async (t) => {
  const { app } = await startTestApp(t, { MAX_UPLOAD_BYTES: '2048' });
  const { api, cookie, id } = await openPage(app);
  const ok = await app.inject({ method: 'POST', url: `${api}/documents?side=back`, ...withCookie(multipartBody('document', 'x.bin', 'application/octet-stream', tinyPng), cookie) });
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { document_type: 'DocumentBack', content_type: 'image/png', size: tinyPng.length, errors: [] });
  t.equal(app.emulator.sessions.findById(id)!.documents[0].capturedBy, 'desktop');
  t.equal(documentReferenceOf(app.emulator.sessions.findById(id)!.documents[0]), 'scan-ui:desktop');

  const text = await app.inject({ method: 'POST', url: `${api}/documents`, ...withCookie(multipartBody('document', 'a.png', 'image/png', Buffer.from('<svg onload=alert(1)>')), cookie) });
  t.equal(text.statusCode, 415, 'the claimed type does not matter, the bytes do');
  t.equal(text.json().errors[0].code, 'UNSUPPORTED_MEDIA_TYPE');

  const big = Buffer.concat([tinyPng, Buffer.alloc(4096)]);
  const tooBig = await app.inject({ method: 'POST', url: `${api}/documents`, ...withCookie(multipartBody('document', 'b.png', 'image/png', big), cookie) });
  t.equal(tooBig.statusCode, 413);
  t.equal(tooBig.json().errors[0].code, 'PAYLOAD_TOO_LARGE');

  const side = await app.inject({ method: 'POST', url: `${api}/documents?side=left`, ...withCookie(multipartBody('document', 'a.png', 'image/png', tinyPng), cookie) });
  t.equal(side.statusCode, 400);
  t.equal(app.emulator.sessions.findById(id)!.documents.length, 1);
});

function withCookie(upload: { payload: Buffer; headers: Record<string, string> }, cookie: string) {
  return { payload: upload.payload, headers: { ...upload.headers, cookie } };
}

t.test('analysis of a FrontAndBack session needs both sides; the face photo is optional', async (t) => {
  const { app } = await startTestApp(t);
  const { api, cookie } = await openPage(app, { ...exampleLivenessRequest, options: 'FrontAndBack' });
  const start = () => app.inject({ method: 'POST', url: `${api}/analysis`, headers: { cookie } });
  const missing = (sides: string) => ({ errors: [{ code: 'INVALID_REQUEST', description: `Capture ${sides} before the analysis starts.` }] });
  t.strictSame((await start()).json(), missing('the front of the document and the back of the document'));
  await app.inject({ method: 'POST', url: `${api}/documents?side=front`, ...withCookie(multipartBody('document', 'a.png', 'image/png', tinyPng), cookie) });
  t.strictSame((await start()).json(), missing('the back of the document'));
  await app.inject({ method: 'POST', url: `${api}/documents?side=back`, ...withCookie(multipartBody('document', 'a.png', 'image/png', tinyPng), cookie) });
  t.equal((await start()).statusCode, 200, 'no selfie needed: the camera may have been denied');
});

t.test('a NoDocument session starts its analysis with nothing uploaded', async (t) => {
  const { app } = await startTestApp(t);
  const { api, cookie } = await openPage(app, { ...exampleLivenessRequest, options: 'NoDocument' });
  t.equal((await app.inject({ method: 'POST', url: `${api}/analysis`, headers: { cookie } })).statusCode, 200);
});

t.test('uploads: a multipart body the parser cannot read is a 400, never a 500', async (t) => {
  const { app } = await startTestApp(t);
  const { api, cookie, id } = await openPage(app);
  const unreadable = [
    { 'content-type': 'multipart/form-data', body: 'junk' },
    { 'content-type': 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="document"; filename="a.png"\r\n\r\nunfinished' },
  ];
  for (const { 'content-type': type, body } of unreadable) {
    const res = await app.inject({ method: 'POST', url: `${api}/documents?side=front`, headers: { cookie, 'content-type': type }, payload: body });
    t.equal(res.statusCode, 400, type);
    t.equal(res.json().errors[0].code, 'INVALID_REQUEST');
    t.match(res.json().errors[0].description, /^The multipart body could not be read \(.+\); send multipart\/form-data with a file field named "document"\.$/);
  }
  const json = await app.inject({ method: 'POST', url: `${api}/documents?side=front`, headers: { cookie, 'content-type': 'application/json' }, payload: '{}' });
  t.equal(json.statusCode, 415, 'JSON on the upload route');
  t.equal(app.emulator.sessions.findById(id)!.documents.length, 0);
});

t.test('HEAD on a one-time link tells whether it works without using it up', async (t) => {
  const { app } = await startTestApp(t);
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).json();
  const url = new URL(created.redirect_url);
  const head = await app.inject({ method: 'HEAD', url: `${url.pathname}${url.search}` });
  t.equal(head.statusCode, 200);
  t.equal(head.headers['set-cookie'], undefined, 'no cookie handed out');
  t.equal(app.emulator.sessions.findById(created.id)!.status, 'Created', 'the session is not opened');
  const get = await app.inject({ url: `${url.pathname}${url.search}` });
  t.equal(get.statusCode, 200, 'the browser still gets in');
  t.ok(get.headers['set-cookie']);
  const headAfter = await app.inject({ method: 'HEAD', url: `${url.pathname}${url.search}` });
  t.equal(headAfter.statusCode, 403, 'and HEAD then sees it used');
});

t.test("a session's link opens its own page only", async (t) => {
  const { app } = await startTestApp(t);
  const liveness = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).json();
  const wrong = new URL(liveness.redirect_url.replace('/liveness?', '/scanning?'));
  const res = await app.inject({ url: `${wrong.pathname}${wrong.search}` });
  t.equal(res.statusCode, 404);
  t.match(res.body, /data-testid="link-error" data-reason="unknown"/);
  const right = new URL(liveness.redirect_url);
  t.equal((await app.inject({ url: `${right.pathname}${right.search}` })).statusCode, 200, 'the token was not used up by the wrong page');
  const scanning = (await app.inject({ method: 'POST', url: '/v3/scanning', headers: auth('k'), payload: {} })).json();
  const wrongScanning = new URL(scanning.redirect_url.replace('/scanning?', '/liveness?'));
  t.equal((await app.inject({ url: `${wrongScanning.pathname}${wrongScanning.search}` })).statusCode, 404);
});

t.test('analysis: the state says analyzing, then the redirect to target once the clock passes it', async (t) => {
  const { app, clock } = await startTestApp(t);
  const { api, cookie, id } = await openPage(app);
  const uploadSide = (side: string) => app.inject({ method: 'POST', url: `${api}/documents?side=${side}`, ...withCookie(multipartBody('document', 'a.png', 'image/png', tinyPng), cookie) });
  const early = await app.inject({ method: 'POST', url: `${api}/analysis`, headers: { cookie } });
  t.equal(early.statusCode, 400, 'no analysis before the document is captured');
  t.strictSame(early.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'Capture the front of the document before the analysis starts.' }] });
  t.equal(app.emulator.sessions.findById(id)!.analysisDueAt, null, 'the refused start changed nothing');
  t.equal((await uploadSide('front')).statusCode, 200);
  const started = await app.inject({ method: 'POST', url: `${api}/analysis`, headers: { cookie } });
  t.equal(started.statusCode, 200);
  t.match(started.json(), { status: 'Pending', analyzing: true, remaining_ms: 1500, duration_ms: 1500, redirect: null, mobile: 'none' });
  t.equal((await app.inject({ method: 'POST', url: `${api}/analysis`, headers: { cookie } })).statusCode, 200, 'a second start is harmless');
  clock.advance(1500);
  const state = (await app.inject({ url: `${api}/state`, headers: { cookie } })).json();
  t.equal(state.status, 'Accepted');
  t.same(state.redirect, { url: `https://www.google.com/?q=Success&relay_state=11111&session_id=${id}`, via: 'target', kind: 'target' });
});

t.test('cancel ends the session and returns cancel_url; a second cancel returns the same', async (t) => {
  const { app } = await startTestApp(t);
  const { api, cookie, id } = await openPage(app);
  const res = (await app.inject({ method: 'POST', url: `${api}/cancel`, headers: { cookie } })).json();
  t.equal(res.status, 'Cancelled');
  t.equal(res.redirect.url, `https://www.google.com/?q=Cancel&relay_state=11111&session_id=${id}`);
  const again = (await app.inject({ method: 'POST', url: `${api}/cancel`, headers: { cookie } })).json();
  t.same(again.redirect, res.redirect);
  const page = await app.inject({ url: `${api}/liveness`, headers: { cookie } });
  t.match(page.body, 'data-step="done"', 'a reload after the end shows the done step');
});

t.test('the tester panel: picks an outcome, refuses unknown names, and is gone with TEST_MODE=false', async (t) => {
  const { app } = await startTestApp(t);
  const { api, cookie, id, page } = await openPage(app);
  t.match(page.body, 'data-testid="tester-panel"');
  const chosen = await app.inject({ method: 'POST', url: `${api}/tester/outcome`, headers: { cookie }, payload: { outcome: 'face_mismatch' } });
  t.same(chosen.json(), { applied: true, outcome: { name: 'face_mismatch', rule: 'tester_panel' }, errors: [] });
  t.equal(app.emulator.sessions.findById(id)!.outcome.name, 'face_mismatch');
  const unknown = await app.inject({ method: 'POST', url: `${api}/tester/outcome`, headers: { cookie }, payload: { outcome: 'nope' } });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.json().errors[0].description, 'Unknown outcome "nope"');

  const off = await startTestApp(t, { TEST_MODE: 'false' });
  const other = await openPage(off.app);
  t.notMatch(other.page.body, 'tester-panel');
  t.notMatch(other.page.body, 'data-testid="samples"');
  const refused = await off.app.inject({ method: 'POST', url: `${other.api}/tester/outcome`, headers: { cookie: other.cookie }, payload: { outcome: 'approved' } });
  t.equal(refused.statusCode, 404);
  t.equal((await off.app.inject({ url: '/v3/scan/ui/assets/samples/passport' })).statusCode, 404);
});

t.test('mobile hand-off links: their own one-time token, cookie, QR code, and one phone only', async (t) => {
  const { app } = await startTestApp(t);
  const { api, cookie, id } = await openPage(app);
  const link = (await app.inject({ method: 'POST', url: `${api}/mobile-link`, headers: { cookie, host: 'emulator.test:8080' } })).json();
  t.match(link.url, new RegExp(`^http://emulator\\.test:8080/v3/scan/ui/${id}/mobile\\?t=[A-Za-z0-9_-]{22}$`));
  const again = (await app.inject({ method: 'POST', url: `${api}/mobile-link`, headers: { cookie, host: 'emulator.test:8080' } })).json();
  t.equal(again.url, link.url, 'the same link while the session lives');
  const qr = await app.inject({ url: link.qr, headers: { cookie } });
  t.equal(qr.headers['content-type'], 'image/svg+xml; charset=utf-8');
  t.match(qr.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);

  const path = new URL(link.url);
  const phone = await app.inject({ url: `${path.pathname}${path.search}` });
  t.equal(phone.statusCode, 200);
  t.match(phone.body, 'data-role="mobile"');
  t.match(phone.body, 'data-step="document-front"', 'the phone starts at the first capture step');
  const phoneCookie = String(phone.headers['set-cookie']).split(';')[0];
  t.match(String(phone.headers['set-cookie']), new RegExp(`^zsm_m=[A-Za-z0-9_-]{32}; Path=/v3/scan/ui/${id}; HttpOnly; SameSite=Lax$`));
  t.equal((await app.inject({ url: `${api}/state`, headers: { cookie } })).json().mobile, 'opened', 'the desktop sees the phone');
  t.equal((await app.inject({ url: `${api}/state`, headers: { cookie: phoneCookie } })).statusCode, 200, 'the phone cookie works for the UI API');
  t.equal((await app.inject({ method: 'POST', url: `${api}/mobile-link`, headers: { cookie: phoneCookie } })).statusCode, 409, 'the phone cannot hand off again');

  const secondPhone = await app.inject({ url: `${path.pathname}${path.search}` });
  t.equal(secondPhone.statusCode, 403);
  t.match(secondPhone.body, 'data-testid="link-error" data-reason="used"');
  t.equal((await app.inject({ url: `${api}/mobile?t=wrong` })).statusCode, 403);
  const desktopReload = await app.inject({ url: `${api}/liveness`, headers: { cookie } });
  t.match(desktopReload.body, 'data-step="mobile"', 'a desktop reload returns to the waiting screen');
});

t.test('an unused mobile link expires after OTP_TTL', async (t) => {
  const { app, clock } = await startTestApp(t, { OTP_TTL: '2m' });
  const { api, cookie } = await openPage(app);
  const link = (await app.inject({ method: 'POST', url: `${api}/mobile-link`, headers: { cookie } })).json();
  clock.advance(2 * 60_000);
  const path = new URL(link.url);
  const late = await app.inject({ url: `${path.pathname}${path.search}` });
  t.equal(late.statusCode, 410);
  t.match(late.body, 'data-reason="expired"');
});

t.test('a mobile link is never issued when the merchant turned the mobile flow off', async (t) => {
  const { app } = await startTestApp(t);
  const { api, cookie, page } = await openPage(app, exampleLivenessRequest, 'no-mobile-key');
  t.notMatch(page.body, 'start-mobile');
  const res = await app.inject({ method: 'POST', url: `${api}/mobile-link`, headers: { cookie } });
  t.equal(res.statusCode, 409);
  t.equal((await app.inject({ url: `${api}/mobile?t=x` })).statusCode, 403);
});

t.test('the result page needs the cookie and escapes relay_state', async (t) => {
  const { app } = await startTestApp(t);
  const { api, cookie } = await openPage(app, { ...exampleLivenessRequest, relay_state: '<b>x</b>' });
  t.equal((await app.inject({ url: `${api}/result` })).statusCode, 403);
  const page = await app.inject({ url: `${api}/result`, headers: { cookie } });
  t.equal(page.statusCode, 200);
  t.match(page.body, '&lt;b&gt;x&lt;/b&gt;');
  t.notMatch(page.body, '<b>x</b>');
});

t.test('the page: CSP with the merchant css origins, no external requests, escaped JSON config', async (t) => {
  const { app } = await startTestApp(t);
  const { page } = await openPage(app, { ...exampleLivenessRequest, css: ['https://cdn.merchant.example/brand/zs.css'], relay_state: '</script><script>alert(1)</script>' });
  t.equal(
    page.headers['content-security-policy'],
    "default-src 'none'; script-src 'self'; style-src 'self' https://cdn.merchant.example; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors *",
  );
  t.match(page.body, /<link rel="stylesheet" href="\/v3\/scan\/ui\/assets\/scan\.css\?v=[\w-]+"><link rel="stylesheet" href="https:\/\/cdn\.merchant\.example\/brand\/zs\.css">/, 'merchant css after ours');
  const external = [...page.body.matchAll(/(?:src|href)="(https?:[^"]*)"/g)].map((m) => m[1]);
  t.same(external, ['https://cdn.merchant.example/brand/zs.css'], 'the only absolute URL is the merchant stylesheet');
  t.notMatch(page.body, '<script>alert(1)</script>');
  t.equal(page.body.match(/<script/g)!.length, 2, 'only the asset script and the JSON data block');
});

t.test('each step stays under 50 KB of HTML, CSS and script together', async (t) => {
  const { app } = await startTestApp(t);
  const { page } = await openPage(app, { ...exampleLivenessRequest, options: 'FrontAndBack' });
  const script = page.body.match(/<script src="([^"]+)"/)![1];
  const style = page.body.match(/<link rel="stylesheet" href="([^"]+)"/)![1];
  const js = await app.inject({ url: script });
  const css = await app.inject({ url: style });
  t.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
  const total = Buffer.byteLength(page.body) + js.rawPayload.length + css.rawPayload.length;
  t.comment(`page ${Buffer.byteLength(page.body)} B + js ${js.rawPayload.length} B + css ${css.rawPayload.length} B = ${total} B (every step is this one document)`);
  t.ok(total < 50 * 1024, `${total} bytes`);
  t.equal((await app.inject({ url: '/v3/scan/ui/assets/nope.js' })).statusCode, 404);
});

t.test('samples are served in test mode as images', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject({ url: '/v3/scan/ui/assets/samples/id-card-front' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'image/jpeg');
  t.ok(res.rawPayload.length < 20_000);
});

t.test('the page speaks Swedish for se and sv, English otherwise', async (t) => {
  const { app } = await startTestApp(t);
  for (const [locale, lang, text] of [
    ['se', 'sv', 'Skanna i den här webbläsaren'],
    ['sv-SE', 'sv', 'Skanna i den här webbläsaren'],
    ['en', 'en', 'Scan in this browser'],
    ['de', 'en', 'Scan in this browser'],
  ]) {
    const { page } = await openPage(app, { ...exampleLivenessRequest, locale });
    t.match(page.body, `<html lang="${lang}">`, locale);
    t.match(page.body, text);
  }
});

t.test('behind a proxy serving the emulator under a path prefix, every path the page hands out has it', async (t) => {
  const { app } = await startTestApp(t, { PUBLIC_URL: 'https://proxy.example/zignsec' });
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).json();
  t.match(created.redirect_url, new RegExp(`^https://proxy\\.example/zignsec/v3/scan/ui/${created.id}/liveness\\?otp=`));
  const url = new URL(created.redirect_url);
  const page = await app.inject({ url: `${url.pathname.replace('/zignsec', '')}${url.search}` });
  t.equal(page.statusCode, 200);
  t.match(String(page.headers['set-cookie']), `Path=/zignsec/v3/scan/ui/${created.id};`);
  t.match(page.body, /src="\/zignsec\/v3\/scan\/ui\/assets\/scan\.js\?v=/);
  t.match(page.body, /href="\/zignsec\/v3\/scan\/ui\/assets\/scan\.css\?v=/);
  t.notMatch(page.body, /["(]\/v3\/scan\/ui\//, 'no path without the prefix');
  const used = await app.inject({ url: `${url.pathname.replace('/zignsec', '')}${url.search}` });
  t.match(used.body, /href="\/zignsec\/v3\/scan\/ui\/assets\/scan\.css/, 'the link-error page too');
  t.match(used.body, /src="\/zignsec\/v3\/scan\/ui\/assets\/link-error\.js\?v=/, 'and its frame-message script');
  t.notMatch(used.body, /["(]\/v3\/scan\/ui\//, 'no path without the prefix there either');
});

t.test('asset names that are object members are unknown assets, not errors', async (t) => {
  const { app } = await startTestApp(t);
  for (const name of ['constructor', 'toString', '__proto__']) {
    const res = await app.inject({ url: `/v3/scan/ui/assets/${name}` });
    t.equal(res.statusCode, 404, name);
    t.equal(res.json().errors[0].code, 'NOT_FOUND');
    t.equal((await app.inject({ url: `/portal/assets/${name}` })).statusCode, 404, `portal ${name}`);
  }
});
