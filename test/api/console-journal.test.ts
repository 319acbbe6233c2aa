// The QA console's journal page over HTTP (inject), and the control API's owner filter and checked
// filters it stands on: the key's requests (with its key, or the scan UI's for its sessions), newest
// first, filtered by method, path glob and status, each entry opened, polls collapsed, pages, live
// markup, and isolation from other keys.
import t from 'tap';
import { assertInvalidRequest, auth, exampleLivenessRequest } from '../helpers/app.js';
import { signIn, startPortalApp, textOf, textsOf } from '../helpers/portal.js';

type App = Awaited<ReturnType<typeof startPortalApp>>['app'];

async function createSession(app: App, key: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { ...exampleLivenessRequest, ...body } });
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** Opens the session's one-time link like a browser and returns the scan UI's cookie. */
async function openScanUi(app: App, id: string): Promise<string> {
  const session = app.emulator.sessions.findById(id)!;
  const opened = await app.inject({ url: `/v3/scan/ui/${id}/liveness?otp=${session.link!.token}` });
  if (opened.statusCode !== 200) throw new Error(`open failed: ${opened.statusCode}`);
  return String(opened.headers['set-cookie']).split(';')[0];
}

/** "<method> <path> <status>" of each entry line, in page order. */
const lines = (body: string) => [...body.matchAll(/<code>(\w+ [^<]+)<\/code> → <strong>(\d+)<\/strong>/g)].map((m) => `${m[1]} ${m[2]}`);

t.test('control API: owner= finds what belongs to a key, with the scan UI; bad filters are a 400 naming the field', async (t) => {
  const { app } = await startPortalApp(t);
  const id = await createSession(app, 'owner-a');
  const cookie = await openScanUi(app, id);
  await app.inject({ url: `/v3/scan/ui/${id}/state`, headers: { cookie } });
  await app.inject({ url: `/v3/scanning/${id}`, headers: auth('owner-b') });
  await app.inject({ url: `/v3/scan/ui/${id}/state` });
  const find = async (query: string) => (await app.inject({ url: `/__mock/journal?${query}` })).json();

  const owned = await find('owner=owner-a');
  t.same(
    owned.requests.map((r: { method: string; path: string; status: number }) => `${r.method} ${r.path} ${r.status}`),
    ['POST /v3/scanning/liveness 200', `GET /v3/scan/ui/${id}/liveness 200`, `GET /v3/scan/ui/${id}/state 200`],
    "its own call and its session's scan UI; not another key's read of the id, nor a refused scan UI call",
  );
  t.equal((await find('api_key=owner-a')).total, 1, 'api_key= still means "sent with this key"');
  t.same(
    (await find('owner=owner-b')).requests.map((r: { path: string; status: number }) => `${r.path} ${r.status}`),
    [`/v3/scanning/${id} 404`],
  );
  t.equal((await app.inject({ url: '/__mock/journal/count?owner=owner-a&method=get&status=200' })).json().count, 2, 'a method in any letter case');

  assertInvalidRequest(t, await app.inject({ url: '/__mock/journal?method=FETCH&status=700&path=v3/**' }), [
    'method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    'path must start with / (request paths do), or with *',
    'status must be an HTTP status, a whole number from 100 to 599',
  ]);
  assertInvalidRequest(t, await app.inject({ url: '/__mock/journal/count?status=abc' }), ['status must be an HTTP status, a whole number from 100 to 599']);
  t.equal((await app.inject({ url: '/__mock/journal?owner=' })).statusCode, 400);
});

t.test('the journal page needs a signed-in merchant; with nothing recorded it says what will show', async (t) => {
  const { app } = await startPortalApp(t, { JOURNAL_SIZE: '300' });
  const anonymous = await app.inject({ url: '/portal/journal?method=POST' });
  t.equal(anonymous.statusCode, 303);
  t.equal(anonymous.headers.location, `/portal/sign-in?next=${encodeURIComponent('/portal/journal?method=POST')}`);
  const client = await signIn(app, 'quiet-key');
  const page = await client.get('/portal/journal');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'data-testid="portal-root" data-page="journal"');
  t.match(page.body, 'data-testid="page-journal"');
  t.equal(textOf(page.body, 'journal-count'), 'No requests recorded for your key yet.');
  t.equal(
    textOf(page.body, 'journal-empty'),
    "Requests to the API with your key show here, and the scan UI's requests for your sessions. The journal keeps the last 300 requests of all keys.",
  );
});

t.test("the key's requests, newest first: its API calls and its sessions' scan UI, with the polls collapsed; never another key's", async (t) => {
  const { app, clock } = await startPortalApp(t);
  const id = await createSession(app, 'journal-a', { relay_state: 'order-77' });
  clock.advance(1000);
  const cookie = await openScanUi(app, id);
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    await app.inject({ url: `/v3/scan/ui/${id}/state`, headers: { cookie } });
  }
  clock.advance(1000);
  await app.inject({ url: `/v3/scanning/${id}`, headers: auth('journal-a') });
  const other = await createSession(app, 'journal-b', { relay_state: 'b-secret-order' });
  await app.inject({ url: `/v3/scanning/${id}`, headers: auth('journal-b') });
  await app.inject({ url: `/v3/scan/ui/${id}/state` });
  const a = await signIn(app, 'journal-a');

  const page = await a.get('/portal/journal');
  t.equal(page.statusCode, 200);
  t.same(lines(page.body), [
    `GET /v3/scanning/${id} 200`,
    `GET /v3/scan/ui/${id}/state 200`,
    `GET /v3/scan/ui/${id}/liveness 200`,
    'POST /v3/scanning/liveness 200',
  ]);
  t.equal(textOf(page.body, 'journal-count'), 'Showing 1–6 of 6, newest first (repeated polls shown once: 4 lines)');
  t.equal(textOf(page.body, 'journal-entry-repeat'), '×3');
  t.equal(textOf(page.body, 'journal-repeat-text'), '3 times with the same answer, the first shown here');
  t.notOk(page.body.includes(other) || page.body.includes('b-secret-order'), "nothing of the other key's session");
  t.equal(page.body.match(/data-testid="journal-entry"/g)!.length, 4, "and neither the other key's read of this id nor the refused scan UI call");
  t.match(page.body, /data-live="on" data-fingerprint="[\w-]{16}" data-testid="journal-live" data-total="6"/, 'the first page is live');
  t.match(page.body, /<details id="journal-entry-\d+" data-testid="journal-entry"/, 'entries carry an id, so a live page keeps the open one open');

  const b = await signIn(app, 'journal-b');
  const pageB = await b.get('/portal/journal');
  t.same(lines(pageB.body), [`GET /v3/scanning/${id} 404`, 'POST /v3/scanning/liveness 200']);
  t.notOk(pageB.body.includes('order-77'), "the other key's request body is not shown");
  t.notOk(pageB.body.includes('data-testid="journal-session-link"><code>' + id), "and no link into a session it cannot see");
});

t.test('an entry opens to the request line, the status and duration, the query, the headers with the key masked and cookies hidden, the body, the answer, and its session', async (t) => {
  const { app } = await startPortalApp(t);
  const key = 'journal-entry-key-4711';
  const id = await createSession(app, key, { relay_state: 'order-5' });
  await app.inject({ url: `/v3/scanning/${id}?lang=sv`, headers: { ...auth(key), cookie: 'tracking=abc123' } });
  const client = await signIn(app, key);
  const page = await client.get('/portal/journal?method=GET');
  t.same(lines(page.body), [`GET /v3/scanning/${id} 200`]);
  t.equal(textOf(page.body, 'journal-request-line'), `GET /v3/scanning/${id}`);
  t.match(textOf(page.body, 'journal-status'), /^200 in [\d.]+ (ms|s)$/);
  t.equal(textOf(page.body, 'journal-session-link'), id);
  t.match(page.body, `href="/portal/sessions/${id}" data-testid="journal-session-link"`);
  t.strictSame(JSON.parse(textOf(page.body, 'journal-query')!), { lang: 'sv' });
  const headers = JSON.parse(textOf(page.body, 'journal-headers')!);
  t.equal(headers.authorization, 'jou****11', 'the key masked');
  t.equal(headers.cookie, '****', 'cookies hidden');
  t.notOk(page.body.includes(key) || page.body.includes('abc123'), 'neither the key nor the cookie is anywhere on the page');
  t.equal(JSON.parse(textOf(page.body, 'journal-response')!).relay_state, 'order-5', 'the answer as recorded');
  t.equal(textOf(page.body, 'journal-body'), 'null', 'a GET has no body');

  const post = await client.get('/portal/journal?method=post');
  t.same(lines(post.body), ['POST /v3/scanning/liveness 200']);
  t.match(post.body, '<option value="POST" selected>');
  t.strictSame(JSON.parse(textOf(post.body, 'journal-body')!), { ...exampleLivenessRequest, relay_state: 'order-5' }, 'the body as sent');
});

t.test('filters: method, path glob (* within a segment, ** across) and status; a bad one is an error next to its field, kept as typed', async (t) => {
  const { app } = await startPortalApp(t);
  const key = 'journal-filter-key';
  const id = await createSession(app, key);
  await app.inject({ url: `/v3/scanning/${id}`, headers: auth(key) });
  await app.inject({ url: '/v3/scanning/00000000-0000-4000-8000-000000000000', headers: auth(key) });
  await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { webhook: 'not a url' } });
  const client = await signIn(app, key);
  const show = async (query: string) => lines((await client.get(`/portal/journal?${query}`)).body);

  t.same(await show('path=/v3/scanning/*'), [
    'POST /v3/scanning/liveness 400',
    'GET /v3/scanning/00000000-0000-4000-8000-000000000000 404',
    `GET /v3/scanning/${id} 200`,
    'POST /v3/scanning/liveness 200',
  ]);
  t.same(await show('path=/V3/**/LIVENESS&status=200'), ['POST /v3/scanning/liveness 200'], 'any letter case, across segments');
  t.same(await show('status=404'), ['GET /v3/scanning/00000000-0000-4000-8000-000000000000 404']);
  t.same(await show('method=GET&status=200'), [`GET /v3/scanning/${id} 200`]);
  t.same(await show('path=/v3/scan'), [], 'a glob matches the whole path');
  const none = await client.get('/portal/journal?path=/v3/eid/**');
  t.equal(textOf(none.body, 'journal-count'), 'No recorded requests match these filters.');
  t.match(none.body, 'data-testid="journal-filter-clear"');

  const longGlob = `/v3/${'*'.repeat(300)}`;
  const cases: [string, Record<string, string>, string][] = [
    ['path=v3/**', { path: 'The path glob must start with / (request paths do), or with *' }, 'value="v3/**"'],
    [`path=${encodeURIComponent(longGlob)}`, { path: 'The path glob must be a glob of at most 256 characters' }, `value="${longGlob}"`],
    ['status=abc&method=BREW', { status: 'The status must be an HTTP status, a whole number from 100 to 599', method: 'The method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' }, 'value="abc"'],
    ['status=99', { status: 'The status must be an HTTP status, a whole number from 100 to 599' }, 'value="99"'],
  ];
  for (const [query, errors, kept] of cases) {
    const res = await client.get(`/portal/journal?${query}`);
    t.equal(res.statusCode, 400, query);
    for (const [field, message] of Object.entries(errors)) {
      t.equal(textOf(res.body, `journal-filter-error-${field}`), message, `${query}: ${field}`);
      t.match(res.body, new RegExp(`id="journal-filter-${field}"[^>]*aria-describedby="[^"]*journal-filter-error-${field}" aria-invalid="true"`));
    }
    t.match(res.body, kept, `${query}: kept as typed`);
    t.equal(textOf(res.body, 'journal-count'), 'Fix the filter above to see your requests.');
    t.same(lines(res.body), []);
    t.match(res.body, /data-live="off"/, 'a refused filter does not go live');
  }
  t.match((await client.get('/portal/journal?method=BREW')).body, '<option value="BREW" selected>BREW</option>');
});

t.test('fifty to a page, newest first; older pages hold still', async (t) => {
  const { app, clock } = await startPortalApp(t);
  const key = 'journal-pages-key';
  for (let i = 0; i < 55; i++) {
    clock.advance(1000);
    await app.inject({ url: `/v3/scanning/00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`, headers: auth(key) });
  }
  const client = await signIn(app, key);
  const path = (i: number) => `GET /v3/scanning/00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')} 404`;
  const first = await client.get('/portal/journal');
  t.equal(textOf(first.body, 'journal-count'), 'Showing 1–50 of 55, newest first');
  t.same(
    lines(first.body),
    Array.from({ length: 50 }, (_, i) => path(54 - i)),
  );
  t.equal(textOf(first.body, 'pager-position'), 'Page 1 of 2');
  t.match(first.body, 'href="/portal/journal?page=2" rel="next" data-testid="pager-next"');
  const second = await client.get('/portal/journal?page=2');
  t.equal(textOf(second.body, 'journal-count'), 'Showing 51–55 of 55, newest first');
  t.same(lines(second.body), [path(4), path(3), path(2), path(1), path(0)]);
  t.match(second.body, /data-live="off"[^>]*data-testid="journal-live"/, 'an older page holds still');
  t.equal(textOf((await client.get('/portal/journal?page=40')).body, 'pager-position'), 'Page 2 of 2', 'past the end: the last page');
  t.match((await client.get('/portal/journal?status=404&page=2')).body, 'href="/portal/journal?status=404" rel="prev" data-testid="pager-prev"', 'the pager keeps the filters');
  t.same(textsOf(second.body, 'journal-entry-repeat'), [], 'different paths are never collapsed');
});

t.test('values from requests are escaped on the journal page', async (t) => {
  const { app } = await startPortalApp(t);
  const key = 'journal-escape-key';
  const evil = '<script>alert("x")</script>';
  await createSession(app, key, { relay_state: evil });
  await app.inject({ url: `/v3/scanning/${encodeURIComponent('<img src=x>')}?q=${encodeURIComponent(evil)}`, headers: { ...auth(key), 'x-note': evil } });
  const client = await signIn(app, key);
  for (const url of ['/portal/journal', `/portal/journal?path=${encodeURIComponent(`/${evil}`)}`]) {
    const page = await client.get(url);
    t.notOk(page.body.includes('<script>alert'), `${url}: no live script tag`);
    t.notOk(page.body.includes('<img src=x>'), `${url}: no injected element`);
  }
  const page = await client.get('/portal/journal');
  t.ok(page.body.includes('&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;'), 'the body shown as text');
  t.equal([...page.body.matchAll(/<script\b[^>]*>/g)].length, 1, 'the only script is the portal script file');
});

t.test("resetting a key's namespace (or its journal) forgets its sessions' scan UI requests too", async (t) => {
  const { app } = await startPortalApp(t);
  const id = await createSession(app, 'reset-a');
  const cookie = await openScanUi(app, id);
  await app.inject({ url: `/v3/scan/ui/${id}/state`, headers: { cookie } });
  const other = await createSession(app, 'reset-b');
  await openScanUi(app, other);
  const client = await signIn(app, 'reset-a');
  t.equal(lines((await client.get('/portal/journal')).body).length, 3);

  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/journal?api_key=reset-a' })).json(), { removed: 3 }, 'the create and the two scan UI requests');
  t.equal(textOf((await client.get('/portal/journal')).body, 'journal-count'), 'No requests recorded for your key yet.');
  t.equal((await app.inject({ url: '/__mock/journal/count?owner=reset-b' })).json().count, 2, "the other key's entries stay");

  const again = await createSession(app, 'reset-a');
  await openScanUi(app, again);
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/sessions?api_key=reset-a' })).json(), { removed: 2 });
  t.equal((await app.inject({ url: '/__mock/journal/count?owner=reset-a' })).json().count, 0, 'a namespace reset empties the console journal');
  t.equal((await app.inject({ url: '/__mock/journal/count?owner=reset-b' })).json().count, 2);
});
