// Deeply nested and large bodies: the journal keeps them as bounded text, every read (journal,
// session view, portal page) answers, a too-deep body is shown as text, pages stay small, and a
// request that never got into a session does not appear on that session's portal page.
import t from 'tap';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { signIn, startPortalApp } from '../helpers/portal.js';

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const json = { 'content-type': 'application/json' };

t.test('a body nested 8,000 levels deep is refused, journaled as text, and the journal still reads', async (t) => {
  const { app } = await startTestApp(t);
  const deep = nested(8000);
  const refused = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('deep-key'), ...json }, payload: deep });
  t.equal(refused.statusCode, 400);
  const journal = await app.inject({ url: '/__mock/journal' });
  t.equal(journal.statusCode, 200);
  const [entry] = journal.json().requests;
  t.equal(entry.body, deep, 'shown as the text it was, not parsed');
  t.equal((await app.inject({ url: '/__mock/journal?method=POST&status=400&path=/v3/**' })).json().total, 1, 'filters read it too');
});

t.test('a request with a deeply nested unknown field: the session views show it as text and the portal page stays small', async (t) => {
  const { app } = await startPortalApp(t);
  const body = JSON.stringify({ ...exampleLivenessRequest, extra: JSON.parse(nested(1800)) as unknown });
  t.ok(body.length <= 4096, 'small enough to be kept as sent');
  const created = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('key-a'), ...json }, payload: body });
  t.equal(created.statusCode, 200, 'unknown fields are ignored');
  const id = created.json().id;
  const view = await app.inject({ url: `/__mock/sessions/${id}` });
  t.equal(view.statusCode, 200);
  t.equal(view.json().request, body, 'too deep to show parsed: the text as sent');
  const client = await signIn(app, 'key-a');
  const page = await client.get(`/portal/sessions/${id}`);
  t.equal(page.statusCode, 200);
  t.ok(page.body.length < 100_000, `the page is ${page.body.length} characters (8 MB when pretty-printed)`);
  t.match(page.body, /data-testid="request-json"><code>&quot;\{/, 'the request is shown as a string');
});

t.test("a stranger's deep request naming a session stays off that session's portal page, which still renders", async (t) => {
  const { app } = await startPortalApp(t);
  const id = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('victim-key'), payload: exampleLivenessRequest })).json().id;
  // The scan UI's API parses the body before it finds there is no cookie: refused, but journaled.
  const stranger = await app.inject({ method: 'POST', url: `/v3/scan/ui/${id}/tester/outcome`, headers: json, payload: `{"outcome":${nested(8000)}}` });
  t.equal(stranger.statusCode, 400);
  const noCookie = await app.inject({ method: 'POST', url: `/v3/scan/ui/${id}/cancel`, headers: json, payload: '{}' });
  t.equal(noCookie.statusCode, 401);
  const otherKey = await app.inject({ url: `/v3/scanning/${id}`, headers: auth('other-key') });
  t.equal(otherKey.statusCode, 404);
  const noKey = await app.inject({ url: `/v3/scanning/${id}` });
  t.equal(noKey.statusCode, 401);
  t.equal((await app.inject({ url: `/__mock/journal/count?session_id=${id}` })).json().count, 5, 'the control API sees every request naming the session');

  const owner = await app.inject({ url: `/v3/scanning/${id}`, headers: auth('victim-key') });
  t.equal(owner.statusCode, 200);
  const client = await signIn(app, 'victim-key');
  const page = await client.get(`/portal/sessions/${id}`);
  t.equal(page.statusCode, 200);
  const entries = [...page.body.matchAll(/data-testid="journal-entry" data-journal-id="\d+" data-method="(\w+)" data-http-status="(\d+)"/g)].map((m) => m.slice(1));
  t.same(entries, [['POST', '200'], ['GET', '200']], "only the owner's create and read");
});

t.test("the scan UI's own requests, let in by the link and then the cookie, are on the session's page", async (t) => {
  const { app } = await startPortalApp(t);
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('ui-key'), payload: exampleLivenessRequest })).json();
  const path = new URL(created.redirect_url).pathname + new URL(created.redirect_url).search;
  const opened = await app.inject({ url: path });
  t.equal(opened.statusCode, 200);
  const cookie = String(opened.headers['set-cookie']).split(';')[0];
  t.equal((await app.inject({ url: `/v3/scan/ui/${created.id}/state`, headers: { cookie } })).statusCode, 200);
  t.equal((await app.inject({ url: path })).statusCode, 403, 'the used link, opened again without the cookie');
  const client = await signIn(app, 'ui-key');
  const page = await client.get(`/portal/sessions/${created.id}`);
  const entries = [...page.body.matchAll(/data-testid="journal-entry" data-journal-id="\d+" data-method="(\w+)" data-http-status="(\d+)"/g)].map((m) => m.slice(1));
  t.same(entries, [['POST', '200'], ['GET', '200'], ['GET', '200']], 'the create, the page and its state; not the refused reopening');
});

t.test('huge bodies are kept cut, as text, and long URLs cut too', async (t) => {
  const { app } = await startTestApp(t, { MAX_BODY_BYTES: '200000' });
  const big = JSON.stringify({ ...exampleLivenessRequest, filler: 'x'.repeat(150_000) });
  t.equal((await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('big-key'), ...json }, payload: big })).statusCode, 200);
  await app.inject({ url: `/v3/${'a'.repeat(10_000)}`, headers: auth('big-key') });
  const [create, longUrl] = (await app.inject({ url: '/__mock/journal?api_key=big-key' })).json().requests;
  t.type(create.body, 'string');
  t.equal(create.body.length, 16_385);
  t.equal(longUrl.path.length, 2049, 'the path is kept up to 2,048 characters');
  t.ok(longUrl.path.endsWith('…'));
});
