import t from 'tap';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

async function createLink(app: Awaited<ReturnType<typeof startTestApp>>['app']) {
  const body = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).json();
  const url = new URL(body.redirect_url);
  return { id: body.id as string, path: `${url.pathname}${url.search}`, bare: url.pathname };
}

const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0];

t.test('the first open exchanges the OTP for an HttpOnly, SameSite=Lax cookie scoped to the session', async (t) => {
  const { app } = await startTestApp(t);
  const { id, path } = await createLink(app);
  const first = await app.inject({ url: path });
  t.equal(first.statusCode, 200);
  t.match(first.headers['content-type'], /^text\/html/);
  t.match(first.body, `data-session-id="${id}"`);
  t.match(String(first.headers['set-cookie']), new RegExp(`^zsm_ui=[A-Za-z0-9_-]{32}; Path=/v3/scan/ui/${id}; HttpOnly; SameSite=Lax$`));
  t.match(String(first.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
  const status = (await app.inject({ url: `/v3/scanning/${id}`, headers: auth('k') })).json().status;
  t.equal(status, 'Pending', 'opening the UI moves the session from Created to Pending');
});

t.test('served over https the cookie works in a cross-site iframe: SameSite=None; Secure; Partitioned', async (t) => {
  const { app } = await startTestApp(t);
  const body = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('k'), 'x-forwarded-proto': 'https', host: 'mock.example' }, payload: exampleLivenessRequest })).json();
  const url = new URL(body.redirect_url);
  t.equal(url.origin, 'https://mock.example');
  const first = await app.inject({ url: `${url.pathname}${url.search}`, headers: { 'x-forwarded-proto': 'https' } });
  t.match(String(first.headers['set-cookie']), new RegExp(`^zsm_ui=[A-Za-z0-9_-]{32}; Path=/v3/scan/ui/${body.id}; HttpOnly; Secure; Partitioned; SameSite=None$`));
});

t.test('a reload with the cookie works; the link opened again elsewhere gets the used-link page', async (t) => {
  const { app } = await startTestApp(t);
  const { path, bare } = await createLink(app);
  const first = await app.inject({ url: path });
  const cookie = cookieOf(first);
  const reload = await app.inject({ url: path, headers: { cookie } });
  t.equal(reload.statusCode, 200, 'reload of the same URL with the cookie');
  t.equal(reload.headers['set-cookie'], undefined, 'no second cookie is issued');
  t.equal((await app.inject({ url: bare, headers: { cookie } })).statusCode, 200, 'the cookie alone is enough');

  const elsewhere = await app.inject({ url: path });
  t.equal(elsewhere.statusCode, 403);
  t.match(elsewhere.body, 'data-testid="link-error" data-reason="used"');
  t.match(elsewhere.body, 'This link has already been used');
  const forged = await app.inject({ url: path, headers: { cookie: 'zsm_ui=forged' } });
  t.equal(forged.statusCode, 403, 'a wrong cookie does not help');
});

t.test('a wrong or missing OTP is refused and does not burn the real one', async (t) => {
  const { app } = await startTestApp(t);
  const { path, bare } = await createLink(app);
  const wrong = await app.inject({ url: `${bare}?otp=AAAAAAAAAAAAAAAAAAAAAA` });
  t.equal(wrong.statusCode, 403);
  t.match(wrong.body, 'data-reason="invalid"');
  t.equal((await app.inject({ url: bare })).statusCode, 403);
  t.equal((await app.inject({ url: path })).statusCode, 200);
});

t.test('an OTP past OTP_TTL on the clock gets the expired page', async (t) => {
  const { app, clock } = await startTestApp(t, { OTP_TTL: '5m' });
  const { path } = await createLink(app);
  clock.advance(5 * 60_000 - 1);
  const second = await createLink(app);
  clock.advance(1);
  const expired = await app.inject({ url: path });
  t.equal(expired.statusCode, 410);
  t.match(expired.body, 'data-reason="expired"');
  t.match(expired.body, 'This link has expired');
  t.equal((await app.inject({ url: second.path })).statusCode, 200, 'a younger link still works');
});

t.test('unknown sessions get a 404 page; the scanning flow has its own path', async (t) => {
  const { app } = await startTestApp(t);
  const missing = await app.inject({ url: '/v3/scan/ui/00000000-0000-4000-8000-000000000000/liveness?otp=x' });
  t.equal(missing.statusCode, 404);
  t.match(missing.body, 'data-reason="unknown"');
  const scanning = (await app.inject({ method: 'POST', url: '/v3/scanning', headers: auth('k'), payload: {} })).json();
  t.equal((await app.inject({ url: new URL(scanning.redirect_url).pathname + new URL(scanning.redirect_url).search })).statusCode, 200);
});

t.test('reflected values are escaped in the pages', async (t) => {
  const { app } = await startTestApp(t);
  const body = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: { ...exampleLivenessRequest, relay_state: '<script>alert(1)</script>' } })).json();
  const url = new URL(body.redirect_url);
  const page = await app.inject({ url: `${url.pathname}${url.search}` });
  t.notMatch(page.body, '<script>alert(1)</script>');
});
