// The merchant portal over HTTP (inject): sign-in and its cookie, CSRF, strict mode, settings and
// their validation, export, starting scans, the session pages, isolation between keys, image access
// and escaping.
import t from 'tap';
import { auth, exampleLivenessRequest } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { multipartBody, tinyPng } from '../helpers/multipart.js';
import { timelineOf } from '../../src/core/session.js';
import { PortalSessionStore } from '../../src/routes/portal/portal-auth.js';
import { cookiesOf, csrfIn, form, signIn, startPortalApp, textOf } from '../helpers/portal.js';
import { startReceiver } from '../helpers/receiver.js';

type App = Awaited<ReturnType<typeof startPortalApp>>['app'];

const expectedCsp =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'";

/** The raw Set-Cookie lines of a response. */
function setCookies(res: { headers: Record<string, unknown> }): string[] {
  const header = res.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header.map(String) : [header as string];
}

async function createLiveness(app: App, key: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { ...exampleLivenessRequest, ...body } });
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

async function uploadSelfie(app: App, key: string): Promise<{ sessionId: string; documentId: string }> {
  const created = await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: auth(key), payload: { analysis_types: ['selfie'] } });
  const sessionId = created.json().session_id;
  const upload = multipartBody('document', 'selfie.png', 'image/png', tinyPng);
  const res = await app.inject({
    method: 'POST',
    url: `/v3/eid/scanningsessions/${sessionId}/documents?documentType=Selfie`,
    payload: upload.payload,
    headers: { ...upload.headers, ...auth(key) },
  });
  if (res.statusCode >= 300) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  return { sessionId, documentId: app.emulator.sessions.findById(sessionId)!.documents[0].id };
}

t.test('sign-in', async (t) => {
  t.test('pages need a signed-in merchant: GET goes to the sign-in form with a way back', async (t) => {
    const { app } = await startPortalApp(t);
    for (const url of ['/portal', '/portal/sessions?status=Accepted', '/portal/settings']) {
      const res = await app.inject({ url });
      t.equal(res.statusCode, 303, url);
      t.equal(res.headers.location, `/portal/sign-in?next=${encodeURIComponent(url)}`);
    }
    const post = await app.inject({ method: 'POST', url: '/portal/scans', ...form({ mode: 'browser' }) });
    t.equal(post.statusCode, 303);
    t.equal(post.headers.location, '/portal/sign-in');
    t.equal(app.emulator.sessions.size, 0, 'no session was created');
  });

  t.test('the sign-in form carries a token cookie; the page has the portal CSP and is never cached', async (t) => {
    const { app } = await startPortalApp(t);
    const res = await app.inject({ url: '/portal/sign-in' });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-security-policy'], expectedCsp);
    t.equal(res.headers['cache-control'], 'no-store');
    t.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    t.equal(res.headers['x-content-type-options'], 'nosniff');
    const [line] = setCookies(res);
    t.match(line, /^zsm_portal_signin=[A-Za-z0-9_-]{43}; Path=\/portal; HttpOnly; SameSite=Lax$/);
    t.equal(csrfIn(res.body), cookiesOf(res).zsm_portal_signin, 'the form carries the same token');
    t.match(res.body, /data-testid="sign-in-key"/);
    t.match(res.body, /type="password"/, 'the key is typed into a password field');
  });

  t.test('signing in sets an HttpOnly SameSite=Lax cookie holding a random id, never the key', async (t) => {
    const { app } = await startPortalApp(t);
    const key = 'secret-key-4711-abcdef';
    const formPage = await app.inject({ url: '/portal/sign-in?next=/portal/sessions' });
    const res = await app.inject({
      method: 'POST',
      url: '/portal/sign-in',
      payload: form({ _csrf: csrfIn(formPage.body)!, api_key: `  ${key}  `, next: '/portal/sessions' }).payload,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `zsm_portal_signin=${cookiesOf(formPage).zsm_portal_signin}` },
    });
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, '/portal/sessions', 'back to where the person was going');
    const lines = setCookies(res);
    const session = lines.find((l) => l.startsWith('zsm_portal='))!;
    t.match(session, /^zsm_portal=[A-Za-z0-9_-]{43}; Path=\/portal; HttpOnly; SameSite=Lax$/);
    t.notMatch(session, key);
    t.ok(lines.some((l) => /^zsm_portal_signin=; Max-Age=0; Path=\/portal; HttpOnly; SameSite=Lax$/.test(l)), 'the sign-in token is spent');
    const cookie = session.split(';')[0];
    for (const url of ['/portal', '/portal/settings', '/portal/sessions']) {
      const page = await app.inject({ url, headers: { cookie } });
      t.equal(page.statusCode, 200, url);
      t.notOk(page.body.includes(key), `${url} never shows the key`);
      t.equal(textOf(page.body, 'portal-key'), 'sec****ef', 'only the masked key is shown');
    }
  });

  t.test('a cookie marked Secure when the portal is reached over https', async (t) => {
    const { app } = await startPortalApp(t);
    const formPage = await app.inject({ url: '/portal/sign-in', headers: { 'x-forwarded-proto': 'https' } });
    t.match(setCookies(formPage)[0], /; HttpOnly; Secure; SameSite=Lax$/);
    const res = await app.inject({
      method: 'POST',
      url: '/portal/sign-in',
      payload: form({ _csrf: csrfIn(formPage.body)!, api_key: 'k' }).payload,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https', cookie: `zsm_portal_signin=${csrfIn(formPage.body)}` },
    });
    t.match(setCookies(res).find((l) => l.startsWith('zsm_portal='))!, /; HttpOnly; Secure; SameSite=Lax$/);
  });

  t.test('a sign-in post without the form token is refused with 403 and no cookie', async (t) => {
    const { app } = await startPortalApp(t);
    const res = await app.inject({ method: 'POST', url: '/portal/sign-in', ...form({ api_key: 'k', _csrf: 'forged' }) });
    t.equal(res.statusCode, 403);
    t.equal(textOf(res.body, 'sign-in-error'), 'The sign-in form had expired. Please enter your key again.');
    t.notOk(setCookies(res).some((l) => l.startsWith('zsm_portal=')));
  });

  t.test('an empty key or a Bearer prefix is refused with the reason next to the field', async (t) => {
    const { app } = await startPortalApp(t);
    for (const [key, message] of [
      ['   ', 'Enter your API key.'],
      ['Bearer abc', "Enter the key itself, without 'Bearer ': ZignSec takes the raw key."],
      ['x'.repeat(513), 'An API key has at most 512 characters.'],
    ]) {
      const formPage = await app.inject({ url: '/portal/sign-in' });
      const token = csrfIn(formPage.body)!;
      const res = await app.inject({
        method: 'POST',
        url: '/portal/sign-in',
        payload: form({ _csrf: token, api_key: key }).payload,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `zsm_portal_signin=${token}` },
      });
      t.equal(res.statusCode, 400);
      t.equal(textOf(res.body, 'sign-in-error'), message);
      t.match(res.body, /aria-describedby="sign-in-error" aria-invalid="true"/);
    }
  });

  t.test('next never leaves the portal', async (t) => {
    const { app } = await startPortalApp(t);
    for (const next of ['https://evil.example/', '//evil.example/portal', '/v3/scanning']) {
      const formPage = await app.inject({ url: `/portal/sign-in?next=${encodeURIComponent(next)}` });
      t.match(formPage.body, /name="next" value="\/portal"/, next);
    }
  });

  t.test('signing out forgets the portal session and clears the cookie', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'key-a');
    const res = await client.post('/portal/sign-out');
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, '/portal/sign-in?signed_out=1');
    t.match(setCookies(res)[0], /^zsm_portal=; Max-Age=0; Path=\/portal; HttpOnly; SameSite=Lax$/);
    const after = await client.get('/portal');
    t.equal(after.statusCode, 303, 'the old cookie no longer works');
    t.equal(after.headers.location, '/portal/sign-in?next=%2Fportal');
    t.match((await app.inject({ url: '/portal/sign-in?signed_out=1' })).body, /data-testid="signed-out"/);
  });

  t.test('a signed-in browser opening the sign-in form goes on to the portal', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'key-a');
    const res = await client.get('/portal/sign-in');
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, '/portal');
  });
});

t.test('CSRF: every POST needs the token of its own portal session', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  const before = app.emulator.merchants.settingsFor('key-a');
  for (const csrf of [null, '', 'forged', b.csrf]) {
    const label = csrf === null ? 'missing' : csrf === b.csrf ? "another portal session's" : JSON.stringify(csrf);
    const settings = await a.post('/portal/settings', { name: 'Hijacked', options: 'NoDocument', locale: 'en' }, { csrf });
    t.equal(settings.statusCode, 403, `settings with a ${label} token`);
    t.equal(textOf(settings.body, 'problem-text'), 'The form was not sent from this portal session (missing or wrong CSRF token). Reload the page and try again.');
    t.equal((await a.post('/portal/scans', { mode: 'browser' }, { csrf })).statusCode, 403, `start scan with a ${label} token`);
    t.equal((await a.post('/portal/sign-out', {}, { csrf })).statusCode, 403, `sign-out with a ${label} token`);
    t.equal((await a.post('/portal/settings/reset', {}, { csrf })).statusCode, 403, `reset with a ${label} token`);
  }
  t.equal(app.emulator.merchants.settingsFor('key-a'), before, 'settings unchanged');
  t.equal(app.emulator.sessions.size, 0, 'no session created');
  t.equal((await a.get('/portal')).statusCode, 200, 'still signed in');
  const json = await app.inject({ method: 'POST', url: '/portal/settings', headers: { cookie: a.cookie, 'content-type': 'application/json' }, payload: { name: 'x' } });
  t.equal(json.statusCode, 403, 'a JSON post carries no form token either');
});

t.test('AUTH_MODE=strict: only keys in the merchants file can sign in', async (t) => {
  const { app } = await startPortalApp(t, { AUTH_MODE: 'strict' });
  const formPage = await app.inject({ url: '/portal/sign-in' });
  t.match(formPage.body, /only keys listed in the merchants file are accepted/);
  const token = csrfIn(formPage.body)!;
  const res = await app.inject({
    method: 'POST',
    url: '/portal/sign-in',
    payload: form({ _csrf: token, api_key: 'unknown-key' }).payload,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `zsm_portal_signin=${token}` },
  });
  t.equal(res.statusCode, 401);
  t.equal(textOf(res.body, 'sign-in-error'), 'This key is not known to the emulator (AUTH_MODE=strict): only keys in the merchants file can sign in.');
  t.notOk(setCookies(res).some((l) => l.startsWith('zsm_portal=')));

  const known = await signIn(app, 'demo-merchant-key');
  const home = await known.get('/portal');
  t.equal(textOf(home.body, 'portal-merchant-name'), 'Demo Merchant AB');
  t.equal(textOf(home.body, 'start-settings-options'), 'FrontAndBack');
});

t.test('settings', async (t) => {
  t.test('the page shows the merchant settings from the file', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'demo-merchant-key');
    const page = await client.get('/portal/settings');
    t.equal(page.statusCode, 200);
    t.match(page.body, /value="Demo Merchant AB"/);
    t.match(page.body, /value="FrontAndBack" data-testid="settings-options-FrontAndBack" checked/);
    for (const action of ['HeadLeft', 'HeadRight', 'BlinkEyes', 'Smile']) t.match(page.body, new RegExp(`data-testid="settings-action-${action}" checked`), action);
    t.notMatch(page.body, /data-testid="settings-action-FollowText" checked/);
    t.match(page.body, /<option value="se" selected>se<\/option>/);
    t.match(page.body, /data-testid="settings-mobile-flow" checked/);
  });

  t.test('a bad webhook URL is refused with the error next to the field, and nothing changes', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'key-a');
    const before = app.emulator.merchants.settingsFor('key-a');
    const res = await client.post('/portal/settings', { name: 'Shop', options: 'FrontSide', webhook: 'ftp://shop.example/hook', locale: 'en', css: '', default_outcome: '' });
    t.equal(res.statusCode, 400);
    const field = /<div class="field has-error" data-testid="field-webhook">([\s\S]*?)<\/div>/.exec(res.body)?.[1] ?? '';
    t.match(field, /value="ftp:\/\/shop.example\/hook"/, 'the typed value is kept');
    t.match(field, /aria-describedby="hint-webhook error-webhook" aria-invalid="true"/);
    t.match(field, /<p class="field-error" id="error-webhook" data-testid="settings-error-webhook">The webhook URL must be an absolute http or https URL, or an empty string<\/p>/);
    t.equal(textOf(res.body, 'settings-error-link-webhook'), 'The webhook URL must be an absolute http or https URL, or an empty string', 'and in the summary on top');
    t.equal(app.emulator.merchants.settingsFor('key-a'), before);
  });

  t.test('every field reports its own problem', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'key-a');
    const res = await client.post('/portal/settings', {
      name: '',
      options: 'BothSides',
      available_actions: ['HeadLeft', 'Dance'],
      webhook: 'https://ok.example/hook',
      locale: 'english!',
      css: 'https://cdn.example/a.css\njavascript:alert(1)',
      default_outcome: 'no_such_outcome',
    });
    t.equal(res.statusCode, 400);
    t.same(
      {
        name: textOf(res.body, 'settings-error-name'),
        options: textOf(res.body, 'settings-error-options'),
        actions: textOf(res.body, 'settings-error-available_actions'),
        locale: textOf(res.body, 'settings-error-locale'),
        css: textOf(res.body, 'settings-error-css'),
        outcome: textOf(res.body, 'settings-error-default_outcome'),
        webhook: textOf(res.body, 'settings-error-webhook'),
      },
      {
        name: 'A name is required',
        options: 'Choose one of NoDocument, FrontSide or FrontAndBack',
        actions: '"Dance" is not a liveness action',
        locale: 'The locale must be a language code such as en or se',
        css: 'Line 2 (javascript:alert(1)): must be an absolute http or https URL',
        outcome: 'Unknown outcome "no_such_outcome"; choose one from the catalogue',
        webhook: undefined,
      },
    );
  });

  t.test('valid settings are saved over the file and apply to new sessions at once', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'key-a');
    const res = await client.post('/portal/settings', {
      name: 'Nordic Shop AB',
      options: 'NoDocument',
      available_actions: ['BlinkEyes', 'Smile'],
      webhook: 'https://shop.example/hook',
      locale: 'de',
      css: ' https://cdn.example/brand.css \r\n\r\n',
      mobile_flow: 'on',
      default_outcome: 'face_mismatch',
    });
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, '/portal/settings?saved=1');
    t.same(app.emulator.merchants.settingsFor('key-a'), {
      name: 'Nordic Shop AB',
      options: 'NoDocument',
      available_actions: ['BlinkEyes', 'Smile'],
      webhook: 'https://shop.example/hook',
      locale: 'de',
      css: ['https://cdn.example/brand.css'],
      mobile_flow: true,
      default_outcome: 'face_mismatch',
      webhook_secret: null,
      webhook_format: 'result',
      webhook_intermediate_events: false,
      webhook_chaos: null,
      webhook_signature: 'legacy',
    });
    const saved = await client.get('/portal/settings?saved=1');
    t.equal(textOf(saved.body, 'settings-saved'), 'Saved. New sessions use these settings.');
    t.equal(textOf(saved.body, 'portal-merchant-name'), 'Nordic Shop AB');

    const id = await createLiveness(app, 'key-a', { webhook: '', available_actions: [] });
    const session = app.emulator.sessions.findById(id)!;
    t.same(
      [session.settings.webhook, session.settings.locale, session.settings.available_actions, session.settings.css, session.outcome],
      ['https://shop.example/hook', 'de', ['BlinkEyes', 'Smile'], ['https://cdn.example/brand.css'], { name: 'face_mismatch', rule: 'merchant_default' }],
    );

    const unticked = await client.post('/portal/settings', { name: 'Nordic Shop AB', options: 'FrontSide', locale: 'de', webhook: '', css: '', default_outcome: '' });
    t.equal(unticked.statusCode, 303);
    t.same(
      [app.emulator.merchants.settingsFor('key-a')!.mobile_flow, app.emulator.merchants.settingsFor('key-a')!.available_actions, app.emulator.merchants.settingsFor('key-a')!.default_outcome],
      [false, [], null],
      'unticked boxes and the empty outcome mean off, none and no default',
    );
  });

  t.test('fields the page does not show, or a form does not send, are kept', async (t) => {
    const { app } = await startPortalApp(t);
    app.emulator.merchants.update('key-a', { webhook_signatures: ['timestamped'], webhook_secret: 'kept-secret', webhook_intermediate_events: true, webhook_chaos: { drop_first: 2 } });
    const client = await signIn(app, 'key-a');
    await client.post('/portal/settings', { name: 'Shop', options: 'FrontSide', locale: 'en', webhook: '', css: '', default_outcome: '' });
    const settings = app.emulator.merchants.settingsFor('key-a')!;
    t.same(
      [settings.name, settings.webhook_signature, settings.webhook_secret, settings.webhook_intermediate_events, settings.webhook_chaos],
      ['Shop', 'timestamped', 'kept-secret', true, { drop_first: 2 }],
    );
  });

  t.test('forgetting the changes goes back to the merchants file', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'demo-merchant-key');
    await client.post('/portal/settings', { name: 'Changed', options: 'FrontSide', locale: 'en', webhook: '', css: '', default_outcome: '' });
    t.equal(app.emulator.merchants.settingsFor('demo-merchant-key')!.name, 'Changed');
    const res = await client.post('/portal/settings/reset');
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, '/portal/settings?reset=1');
    t.equal(app.emulator.merchants.settingsFor('demo-merchant-key')!.name, 'Demo Merchant AB');
  });

  t.test("export downloads the merchant's entry as it stands, runtime changes included, never other keys", async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'key-a');
    await client.post('/portal/settings', { name: 'Nordic Shop AB', options: 'FrontSide', locale: 'en', webhook: 'https://shop.example/hook', css: '', default_outcome: '' });
    const res = await client.get('/portal/settings/export');
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    t.equal(res.headers['content-disposition'], 'attachment; filename="merchants.json"');
    const file = JSON.parse(JSON.stringify(app.emulator.merchants.exportView()));
    t.same(res.json(), { default: file.default, merchants: { 'key-a': file.merchants['key-a'] } });
    t.equal(res.json().merchants['key-a'].webhook, 'https://shop.example/hook');
    t.equal(res.json().merchants['key-a'].webhook_secret, app.emulator.merchants.webhookSecretFor('key-a'), 'with the webhook secret in effect, so a re-import keeps it');
    t.notOk(res.json().merchants['demo-merchant-key'], "another merchant's key is not exported");
    t.equal((await app.inject({ url: '/portal/settings/export' })).statusCode, 303, 'only when signed in');
  });

  t.test('a merchant of the merchants file exports its own entry', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'demo-merchant-key');
    const res = await client.get('/portal/settings/export');
    t.same(Object.keys(res.json().merchants), ['demo-merchant-key']);
    t.ok(res.json().default);
  });
});

t.test('starting a scan', async (t) => {
  t.test('in this browser: a liveness session with the merchant settings, and off to the scan UI', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'demo-merchant-key');
    const res = await client.post('/portal/scans', { mode: 'browser', relay_state: 'order-7', outcome: '' });
    t.equal(res.statusCode, 303);
    t.match(String(res.headers.location), /^http:\/\/localhost:80\/v3\/scan\/ui\//, 'redirect_url as the public API builds it');
    const location = new URL(String(res.headers.location));
    t.match(location.pathname, /^\/v3\/scan\/ui\/[0-9a-f-]{36}\/liveness$/);
    const id = location.pathname.split('/')[4];
    const session = app.emulator.sessions.getForKey('demo-merchant-key', id);
    t.equal(location.searchParams.get('otp'), session.link!.token, 'the one-time link, as redirect_url has it');
    t.same(JSON.parse(session.requestJson), {
      relay_state: 'order-7',
      target: 'http://localhost:80/portal/return?via=target',
      cancel_url: 'http://localhost:80/portal/return?via=cancel_url',
      target_error: 'http://localhost:80/portal/return?via=target_error',
      webhook: '',
      options: 'FrontAndBack',
      action: 'Random',
      available_actions: ['HeadLeft', 'HeadRight', 'BlinkEyes', 'Smile'],
      css: [],
      doc: { ignore_errors_in_fields: [] },
    });
    t.equal(session.settings.locale, 'se', "the merchant's locale applies");
    t.same(session.outcome, { name: 'approved', rule: 'default' });
  });

  t.test('an outcome picked in the portal is armed for the session', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'key-a');
    const res = await client.post('/portal/scans', { mode: 'browser', outcome: 'document_expired' });
    const id = new URL(String(res.headers.location)).pathname.split('/')[4];
    t.same(app.emulator.sessions.findById(id)!.outcome, { name: 'document_expired', rule: 'armed' });
    const unknown = await client.post('/portal/scans', { mode: 'browser', outcome: 'nope' });
    t.equal(unknown.statusCode, 400);
    t.equal(textOf(unknown.body, 'start-error'), 'Unknown outcome "nope".');
  });

  t.test('on mobile: the portal page frames the scan UI for its QR step and follows the session', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'key-a');
    const res = await client.post('/portal/scans', { mode: 'mobile' });
    t.equal(res.statusCode, 303);
    const match = /^\/portal\/scans\/([0-9a-f-]{36})\/mobile$/.exec(String(res.headers.location));
    t.ok(match, 'to the portal mobile page');
    const session = app.emulator.sessions.findById(match![1])!;
    const page = await client.get(String(res.headers.location));
    t.equal(page.statusCode, 200);
    t.equal(page.headers['content-security-policy'], `${expectedCsp}; frame-src 'self'`);
    t.match(page.body, `<iframe src="/v3/scan/ui/${session.id}/liveness?otp=${session.link!.token}"`);
    t.match(page.body, /data-testid="mobile-progress" data-state="waiting"/);
    t.equal(textOf(page.body, 'mobile-progress-text'), 'Waiting for a phone to scan the QR code.');

    app.emulator.sessions.complete(session);
    const done = await client.get(String(res.headers.location));
    t.match(done.body, `data-go="/portal/sessions/${session.id}"`, 'once finished, the page sends the browser to the session');
  });

  t.test('on mobile is refused when the merchant has the mobile flow off', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'no-mobile-key');
    const home = await client.get('/portal');
    t.match(home.body, /data-testid="start-mobile" disabled/);
    const res = await client.post('/portal/scans', { mode: 'mobile' });
    t.equal(res.statusCode, 409);
    t.equal(textOf(res.body, 'start-error'), 'The mobile flow is off in your settings.');
    t.equal(app.emulator.sessions.size, 0);
  });

  t.test('the way back from the scan UI leads to the session page', async (t) => {
    const { app } = await startPortalApp(t);
    const client = await signIn(app, 'key-a');
    const id = await createLiveness(app, 'key-a');
    const res = await client.get(`/portal/return?via=target&relay_state=x&session_id=${id}`);
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, `/portal/sessions/${id}?back=target`);
    const page = await client.get(String(res.headers.location));
    t.equal(textOf(page.body, 'session-returned'), 'The scan UI sent you back through target.');
  });
});

t.test("the portal shows a key's own clock, and starts its scans on it; another key's page is on the global clock", async (t) => {
  const { app } = await startPortalApp(t);
  const mine = await signIn(app, 'clock-portal-key');
  t.equal(textOf((await mine.get('/portal')).body, 'start-settings-clock'), '2026-01-15 09:00:00.000 UTC (the global clock)');
  await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: '90m', api_key: 'clock-portal-key' } });
  await app.inject({ method: 'POST', url: '/__mock/clock/freeze', payload: { api_key: 'clock-portal-key' } });
  t.equal(textOf((await mine.get('/portal')).body, 'start-settings-clock'), "2026-01-15 10:30:00.000 UTC (your key's own, 1 h 30 min ahead; frozen)");
  const started = await mine.post('/portal/scans', { mode: 'browser', relay_state: 'clocked', outcome: '' });
  const id = new URL(String(started.headers.location)).pathname.split('/')[4];
  t.match((await mine.get(`/portal/sessions/${id}`)).body, '<time datetime="2026-01-15T10:30:00.000Z">', "the session is stamped with the key's time");
  const theirs = await signIn(app, 'another-portal-key');
  t.equal(textOf((await theirs.get('/portal')).body, 'start-settings-clock'), '2026-01-15 09:00:00.000 UTC (the global clock)');

  // Back on the global clock, the key's next session is stamped earlier than the last one: still the newest.
  await app.inject({ method: 'POST', url: '/__mock/clock/reset', payload: { api_key: 'clock-portal-key' } });
  const next = await createLiveness(app, 'clock-portal-key');
  const rows = [...(await mine.get('/portal/sessions')).body.matchAll(/data-testid="session-row" data-session-id="([^"]+)"/g)].map((m) => m[1]);
  t.same(rows, [next, id], 'newest first in the order they were created');
});

t.test('the session list: newest first, filtered, paged', async (t) => {
  const { app, clock } = await startPortalApp(t);
  const client = await signIn(app, 'key-a');
  const ids: string[] = [];
  for (let i = 0; i < 25; i++) {
    ids.push(await createLiveness(app, 'key-a', { relay_state: `r-${i}` }));
    clock.advance(1000);
  }
  app.emulator.sessions.complete(app.emulator.sessions.findById(ids[3])!, 'face_mismatch');
  app.emulator.sessions.complete(app.emulator.sessions.findById(ids[4])!);
  const rowsOf = (body: string) => [...body.matchAll(/data-testid="session-row" data-session-id="([^"]+)" data-status="([^"]+)" data-outcome="([^"]+)"/g)].map((m) => m.slice(1));

  const first = await client.get('/portal/sessions');
  t.equal(textOf(first.body, 'session-count'), 'Showing 1–20 of 25');
  t.same(
    rowsOf(first.body).map(([id]) => id),
    [...ids].reverse().slice(0, 20),
  );
  t.equal(textOf(first.body, 'pager-position'), 'Page 1 of 2');
  t.match(first.body, /href="\/portal\/sessions\?page=2" rel="next" data-testid="pager-next"/);
  t.match(first.body, /data-live="on"/, 'live while sessions on the page are running');

  const second = await client.get('/portal/sessions?page=2');
  t.same(
    rowsOf(second.body).map(([id]) => id),
    ids.slice(0, 5).reverse(),
  );
  t.match(second.body, /data-testid="pager-prev"/);

  const declined = await client.get('/portal/sessions?status=Declined');
  t.same(rowsOf(declined.body), [[ids[3], 'Declined', 'face_mismatch']]);
  const approved = await client.get('/portal/sessions?status=Accepted&outcome=approved');
  t.same(rowsOf(approved.body), [[ids[4], 'Accepted', 'approved']]);
  t.match(approved.body, /<option value="Accepted" selected>/);
  t.match(approved.body, /data-testid="filter-clear"/);
  const byOutcome = await client.get('/portal/sessions?outcome=face_mismatch');
  t.same(rowsOf(byOutcome.body), [[ids[3], 'Declined', 'face_mismatch']]);
  const none = await client.get('/portal/sessions?status=Timeout');
  t.equal(textOf(none.body, 'session-count'), 'No sessions match these filters.');
  const nonsense = await client.get('/portal/sessions?status=Bogus&page=x');
  t.equal(textOf(nonsense.body, 'session-count'), 'Showing 1–20 of 25', 'bad filter values are ignored');
  const pastTheEnd = await client.get('/portal/sessions?page=99');
  t.equal(textOf(pastTheEnd.body, 'pager-position'), 'Page 2 of 2');
});

t.test('the session page', async (t) => {
  t.test('shows the request, action, outcome and rule, timeline, result, webhook attempts and journal', async (t) => {
    const { app } = await startPortalApp(t);
    const receiver = await startReceiver(t, (n) => (n === 1 ? { status: 500, body: 'oops' } : { status: 200 }));
    const id = await createLiveness(app, 'key-a', { webhook: receiver.url, relay_state: 'order-9', available_actions: ['Smile'] });
    const client = await signIn(app, 'key-a');
    const running = await client.get(`/portal/sessions/${id}`);
    t.match(running.body, /data-testid="session-live" data-status="Created"/);
    t.match(running.body, /data-live="on"/);
    t.match(running.body, /data-testid="session-open-scan-ui"/, 'a way into the scan UI while it runs');
    t.equal(textOf(running.body, 'webhooks-empty'), 'No deliveries yet: the result is sent when the session ends.');

    const session = app.emulator.sessions.findById(id)!;
    app.emulator.sessions.complete(session, 'liveness_failed');
    await eventually(() => app.emulator.webhooks.list({ sessionId: id })[0]?.attempts.length === 1, 'the first webhook attempt');
    const page = await client.get(`/portal/sessions/${id}`);
    t.equal(page.statusCode, 200);
    t.equal(textOf(page.body, 'session-id'), id);
    t.equal(textOf(page.body, 'session-action'), 'Smile');
    t.equal(textOf(page.body, 'session-relay-state'), 'order-9');
    t.match(page.body, /data-testid="session-status" data-status="Declined"/);
    t.equal(textOf(page.body, 'outcome-name'), 'liveness_failed');
    t.match(page.body, /data-testid="outcome-rule" data-rule="armed"/);
    t.ok(textOf(page.body, 'outcome-reason'), 'the reason from the preset');
    t.same(
      [...page.body.matchAll(/data-testid="timeline-event">([^<]*)</g)].map((m) => m[1]),
      timelineOf(session).map((e) => e.event),
    );
    t.same(
      [...page.body.matchAll(/data-testid="timeline-entry" data-status="([^"]+)"/g)].map((m) => m[1]),
      ['Created', 'Pending', 'Declined'],
    );
    const requestJson = /data-testid="request-json"><code>([\s\S]*?)<\/code>/.exec(page.body)![1];
    t.same(JSON.parse(requestJson.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&")), JSON.parse(session.requestJson));
    const resultJson = /data-testid="result-json"><code>([\s\S]*?)<\/code>/.exec(page.body)![1];
    t.same(JSON.parse(resultJson.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')), app.emulator.sessions.result(session));
    const attempts = [...page.body.matchAll(/data-testid="webhook-attempt" data-http-status="(\d*)" data-ok="(true|false)"/g)].map((m) => m.slice(1));
    t.same(attempts[0], ['500', 'false'], 'the failed first attempt');
    t.equal(textOf(page.body, 'webhook-attempt-error'), 'receiver answered 500');
    t.match(page.body, /data-testid="webhook-redeliver"/);
    t.match(page.body, /data-testid="journal-entry" data-journal-id="\d+" data-method="POST" data-http-status="200"/, 'the create call in the journal');
    t.match(page.body, /<code>POST \/v3\/scanning\/liveness<\/code>/);
    t.notOk(page.body.includes('key-a'), 'the key is masked in the journal headers');
  });

  t.test('redeliver sends a delivery again and comes back to the page', async (t) => {
    const { app } = await startPortalApp(t);
    const receiver = await startReceiver(t);
    const id = await createLiveness(app, 'key-a', { webhook: receiver.url });
    app.emulator.sessions.complete(app.emulator.sessions.findById(id)!);
    const delivered = await app.emulator.webhooks.waitFor(id, undefined, 5000);
    t.ok(delivered);
    const client = await signIn(app, 'key-a');
    const res = await client.post(`/portal/sessions/${id}/webhooks/${delivered!.id}/redeliver`);
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, `/portal/sessions/${id}?redelivered=${delivered!.id}#session-webhooks`);
    await eventually(() => receiver.received.length === 2 && delivered!.attempts.length === 2, 'the second attempt');
    t.equal(delivered!.attempts.length, 2);
    const page = await client.get(String(res.headers.location).split('#')[0]);
    t.equal(textOf(page.body, 'webhook-redelivered'), `Delivery ${delivered!.id} is being sent again.`);
    t.equal((await client.post(`/portal/sessions/${id}/webhooks/whd_nope/redeliver`)).statusCode, 404);
  });

  t.test('a scanning-sessions upload is shown as an image, served to its own key only', async (t) => {
    const { app } = await startPortalApp(t);
    const { sessionId, documentId } = await uploadSelfie(app, 'key-a');
    const a = await signIn(app, 'key-a');
    const page = await a.get(`/portal/sessions/${sessionId}`);
    const url = `/portal/sessions/${sessionId}/documents/${documentId}`;
    t.match(page.body, `<img src="${url}"`);
    const image = await a.get(url);
    t.equal(image.statusCode, 200);
    t.equal(image.headers['content-type'], 'image/png');
    t.equal(image.headers['cache-control'], 'private, no-store');
    t.equal(image.headers['content-security-policy'], "default-src 'none'; sandbox");
    t.equal(image.headers['x-content-type-options'], 'nosniff');
    t.same(image.rawPayload, tinyPng);

    const b = await signIn(app, 'key-b');
    const other = await b.get(url);
    t.equal(other.statusCode, 404, "another key cannot load the image");
    t.notSame(other.rawPayload, tinyPng);
    t.equal(textOf(other.body, 'problem-text'), `No session with id ${JSON.stringify(sessionId)} was found.`);
    const anonymous = await app.inject({ url });
    t.equal(anonymous.statusCode, 303, 'nor can a browser that is not signed in');
    t.equal((await a.get(`/portal/sessions/${sessionId}/documents/nope`)).statusCode, 404);
  });
});

t.test("a second key sees none of the first key's sessions", async (t) => {
  const { app } = await startPortalApp(t);
  const receiver = await startReceiver(t);
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  const started = await a.post('/portal/scans', { mode: 'browser', relay_state: 'a-secret-order' });
  const id = new URL(String(started.headers.location)).pathname.split('/')[4];
  const apiId = await createLiveness(app, 'key-a', { relay_state: 'a-api-order', webhook: receiver.url });
  app.emulator.sessions.complete(app.emulator.sessions.findById(apiId)!);
  const delivery = await app.emulator.webhooks.waitFor(apiId, undefined, 5000);

  const aList = await a.get('/portal/sessions');
  t.equal(textOf(aList.body, 'session-count'), 'Showing 1–2 of 2');
  const bList = await b.get('/portal/sessions');
  t.equal(textOf(bList.body, 'session-count'), 'No sessions yet.');
  t.notOk(bList.body.includes(id) || bList.body.includes(apiId) || bList.body.includes('a-secret-order'));
  t.equal(textOf((await b.get('/portal')).body, 'recent-empty'), 'No sessions yet.');

  for (const url of [`/portal/sessions/${id}`, `/portal/sessions/${apiId}`, `/portal/scans/${id}/mobile`, `/portal/return?session_id=${id}&via=target`]) {
    const res = await b.get(url);
    t.equal(res.statusCode, 404, url);
    t.match(res.body, /data-testid="problem" data-status="404"/);
    t.match(res.body, /<h1 id="h-problem">Session not found<\/h1>/);
    t.notOk(res.body.includes('a-secret-order'));
  }
  const redeliver = await b.post(`/portal/sessions/${apiId}/webhooks/${delivery!.id}/redeliver`);
  t.equal(redeliver.statusCode, 404, "nor redeliver another key's webhook");
  t.equal(delivery!.attempts.length, 1);
});

t.test("the journal on a session page leaves out other keys' requests for that id", async (t) => {
  const { app } = await startPortalApp(t);
  const id = await createLiveness(app, 'key-a');
  await app.inject({ url: `/v3/scanning/${id}`, headers: auth('key-b') });
  const a = await signIn(app, 'key-a');
  const page = await a.get(`/portal/sessions/${id}`);
  const entries = [...page.body.matchAll(/data-testid="journal-entry" data-journal-id="\d+" data-method="(\w+)" data-http-status="(\d+)"/g)].map((m) => m.slice(1));
  t.same(entries, [['POST', '200']]);
});

t.test('values from requests are escaped everywhere they are shown', async (t) => {
  const { app } = await startPortalApp(t);
  const evil = '<script>alert("x")</script><img src=x onerror=alert(1)>';
  const id = await createLiveness(app, 'key-a', { relay_state: evil });
  const client = await signIn(app, 'key-a');
  await client.post('/portal/settings', { name: evil, options: 'FrontSide', locale: 'en', webhook: '', css: '', default_outcome: '' });
  for (const url of ['/portal', '/portal/sessions', `/portal/sessions/${id}`, '/portal/settings']) {
    const page = await client.get(url);
    t.equal(page.statusCode, 200, url);
    t.notOk(page.body.includes('<script>alert'), `${url}: no live script tag`);
    t.notOk(page.body.includes('<img src=x'), `${url}: no injected element`);
    t.ok(page.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), `${url}: shown as text`);
  }
  const scripts = [...(await client.get(`/portal/sessions/${id}`)).body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  t.same(scripts, [`<script src="${/<script src="([^"]+)"/.exec(scripts[0])![1]}" defer>`], 'the only script is the portal script file');
});

t.test('assets and unknown pages', async (t) => {
  const { app } = await startPortalApp(t);
  const page = await app.inject({ url: '/portal/sign-in' });
  for (const [file, type] of [
    ['portal.js', 'text/javascript; charset=utf-8'],
    ['portal.css', 'text/css; charset=utf-8'],
  ]) {
    const url = new RegExp(`/portal/assets/${file.replace('.', '\\.')}\\?v=[A-Za-z0-9_-]{10}`).exec(page.body)![0];
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, file);
    t.equal(res.headers['content-type'], type);
    t.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  }
  const missing = await app.inject({ url: '/portal/assets/evil.js' });
  t.equal(missing.statusCode, 404);
  const unknown = await app.inject({ url: '/portal/no/such/page' });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(textOf(unknown.body, 'problem-text'), 'There is no portal page at /portal/no/such/page.');
  const client = await signIn(app, 'key-a');
  const signedIn = await client.get('/portal/nope');
  t.equal(textOf(signedIn.body, 'portal-key'), '****', 'a 404 page still shows who is signed in');
  t.equal((await client.get('/portal/sessions/not-a-guid')).statusCode, 404);
});

t.test("the scan UI's polling shows as one journal entry with a count", async (t) => {
  const { app } = await startPortalApp(t);
  const id = await createLiveness(app, 'key-a');
  const session = app.emulator.sessions.findById(id)!;
  const opened = await app.inject({ url: `/v3/scan/ui/${id}/liveness?otp=${session.link!.token}` });
  const uiCookie = String(opened.headers['set-cookie']).split(';')[0];
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ url: `/v3/scan/ui/${id}/state`, headers: { cookie: uiCookie } })).statusCode, 200);
  const client = await signIn(app, 'key-a');
  const page = await client.get(`/portal/sessions/${id}`);
  const entries = [...page.body.matchAll(/<code>(\w+ [^<]+)<\/code> → <strong>(\d+)<\/strong>/g)].map((m) => `${m[1]} ${m[2]}`);
  t.same(entries, ['POST /v3/scanning/liveness 200', `GET /v3/scan/ui/${id}/liveness 200`, `GET /v3/scan/ui/${id}/state 200`]);
  t.equal(textOf(page.body, 'journal-entry-repeat'), '×3');
  t.notOk(page.body.includes(uiCookie.split('=')[1]), "the scan UI's cookie is not shown");
});

t.test('portal sign-ins expire when idle (12 hours by default) and are bounded in number', async (t) => {
  let now = 0;
  const store = new PortalSessionStore({ idleMs: 1000, capacity: 2, activeMs: 100, wallClock: () => now });
  const opened = (apiKey: string) => {
    const result = store.open(apiKey);
    if (!result.ok) throw new Error(`refused: ${JSON.stringify(result)}`);
    return result.session;
  };
  const first = opened('key-a');
  now = 999;
  t.equal(store.get(first.id), first, 'still there just before the idle limit');
  now = 1998;
  t.equal(store.get(first.id), first, 'each use restarts the idle time');
  now = 3000;
  t.equal(store.get(first.id), undefined, 'gone after the idle limit');
  const a = opened('a');
  const b = opened('b');
  now = 3100;
  store.get(a.id);
  const c = opened('c');
  t.same([store.get(a.id)?.apiKey, store.get(b.id), store.get(c.id)?.apiKey], ['a', undefined, 'c'], 'the least recently used goes first once idle');
  t.not(a.id, b.id);
  t.not(a.csrf, a.id);
});
