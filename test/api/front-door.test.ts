// GET / (inject): a page for browsers, with the figures of /health and /ready, the outcome catalogue
// and a working example command on the base URL the request used; API clients keep exactly the JSON
// 404 of any unknown path, and HEAD and other methods on / answer as they always did.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { startTestApp } from '../helpers/app.js';

const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** Text of the element carrying data-testid `id` (its first occurrence), with the HTML entities of the page decoded. */
function textOf(page: string, id: string): string {
  const match = new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</`).exec(page);
  if (!match) throw new Error(`no ${id} in the page`);
  return decodeEntities(match[1].replace(/<[^>]+>/g, ''));
}
const decodeEntities = (text: string) =>
  text.replace(/&(lt|gt|quot|#39|#96|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`', amp: '&' })[name]!);

t.test('a browser gets the front door: what this is, where to go, the figures, the outcomes and how to connect', async (t) => {
  const { app } = await startTestApp(t);
  await app.inject({ method: 'POST', url: '/v3/scanning', headers: { authorization: 'fd-key' }, payload: {} });
  const res = await app.inject({ url: '/', headers: { ...browser, host: '127.0.0.1:8080' } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(
    res.headers['content-security-policy'],
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  );
  t.equal(res.headers['cache-control'], 'no-store');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.headers.vary, 'Accept');
  const page = res.body;
  t.match(textOf(page, 'front-door-what'), "An emulator of ZignSec's v3 scanning and liveness API");
  t.match(textOf(page, 'front-door-what'), 'Nothing here talks to ZignSec.');
  t.match(page, '<a class="button primary" href="/portal" data-testid="front-door-portal">');
  t.match(page, '<a class="button secondary" href="/v3/scan/swagger" data-testid="front-door-swagger">');

  const ready = (await app.inject({ url: '/ready' })).json();
  t.same(
    ['front-door-sessions', 'front-door-presets', 'front-door-merchants'].map((id) => textOf(page, id)),
    [String(ready.sessions), String(ready.outcomes), String(ready.merchants)],
    'the figures of /ready',
  );
  t.equal(ready.sessions, 1);
  t.equal(textOf(page, 'front-door-version'), '0.1.0');
  t.match(page, /data-testid="front-door-uptime" data-ms="\d+">\d+ (s|min|h|d)/);

  const catalogue = (await app.inject({ url: '/__mock/outcomes' })).json();
  const listed = [...page.matchAll(/data-testid="front-door-outcome" data-outcome="([^"]+)"><code>[^<]+<\/code> <span>([^<]*)<\/span>/g)].map(([, name, text]) => [name, decodeEntities(text)]);
  t.same(
    listed,
    catalogue.outcomes.map((o: { name: string; description: string }) => [o.name, o.description]),
    'every preset, with its description',
  );

  t.equal(textOf(page, 'front-door-base-url'), 'http://127.0.0.1:8080');
  t.match(page, 'data-testid="front-door-base-url" data-source="request"');
});

t.test("the example command is the real create call: run through a shell, it creates a session with the raw key", async (t) => {
  const { app } = await startTestApp(t);
  const page = (await app.inject({ url: '/', headers: { ...browser, host: 'emulator.test:9000' } })).body;
  const command = textOf(page, 'front-door-curl');
  t.match(command, /^curl -s -X POST 'http:\/\/emulator\.test:9000\/v3\/scanning\/liveness' \\\n {2}-H 'Authorization: my-test-key' \\\n/);
  const words = execFileSync('/bin/sh', ['-c', command.replace(/^curl /, 'printf "%s\\n" ')], { encoding: 'utf8' }).trimEnd().split('\n');
  const url = new URL(words[3]);
  const created = await app.inject({
    method: words[2] as 'POST',
    url: url.pathname,
    headers: { host: url.host, [words[5].split(': ')[0]]: words[5].split(': ')[1], 'content-type': words[7].split(': ')[1] },
    payload: words.slice(9).join('\n'),
  });
  t.equal(created.statusCode, 200, created.body);
  t.match(created.json(), { id: /^[0-9a-f-]{36}$/, errors: [], redirect_url: /^http:\/\/emulator\.test:9000\/v3\/scan\/ui\// });
  t.equal(app.emulator.sessions.findById(created.json().id)!.apiKey, 'my-test-key');
});

t.test('PUBLIC_URL wins as the base URL; strict mode says which keys work', async (t) => {
  const { app } = await startTestApp(t, { PUBLIC_URL: 'https://proxy.example/zs', AUTH_MODE: 'strict' });
  const page = (await app.inject({ url: '/', headers: { ...browser, host: '127.0.0.1:8080' } })).body;
  t.equal(textOf(page, 'front-door-base-url'), 'https://proxy.example/zs');
  t.match(page, 'data-source="public_url"');
  t.match(textOf(page, 'front-door-curl'), "'https://proxy.example/zs/v3/scanning/liveness'");
  t.match(page, 'Only the keys in the merchants file (<code>MERCHANTS_FILE</code>) are accepted');
});

t.test('hostile Host and X-Forwarded headers are never reflected: the base URL falls back to localhost', async (t) => {
  const { app } = await startTestApp(t);
  for (const headers of [
    { host: 'evil.test"><script>alert(1)</script>' },
    { host: '127.0.0.1:8080', 'x-forwarded-host': "x'><img src=x onerror=alert(1)>", 'x-forwarded-proto': 'javascript' },
  ]) {
    const page = (await app.inject({ url: '/', headers: { ...browser, ...headers } })).body;
    t.notMatch(page, /<script>alert|<img|onerror|javascript/i, JSON.stringify(headers));
    t.match(textOf(page, 'front-door-base-url'), /^http:\/\/(localhost|127\.0\.0\.1):8080$/);
  }
});

t.test('a reflected PUBLIC_URL is escaped in the page and quoted for the shell', async (t) => {
  // The URL parser percent-encodes what cannot stand in a path (`<` becomes %3C); `'` and `&` stay.
  const { app } = await startTestApp(t, { PUBLIC_URL: "https://proxy.example/a'b&c<d" });
  const page = (await app.inject({ url: '/', headers: browser })).body;
  t.notMatch(page, "a'b&c", 'never raw in the HTML');
  t.match(page, 'data-testid="front-door-base-url" data-source="public_url">https://proxy.example/a&#39;b&amp;c');
  t.match(textOf(page, 'front-door-curl'), "curl -s -X POST 'https://proxy.example/a'\\''b&c");
});

t.test('API clients keep the ZignSec-shaped 404 of an unknown path; HEAD and other methods on / are unchanged', async (t) => {
  const { app } = await startTestApp(t);
  const notFound = (method: string) => ({ errors: [{ code: 'NOT_FOUND', description: `No route for ${method} /.` }] });
  for (const accept of [undefined, '*/*', 'application/json', 'text/html;q=0', 'text/*']) {
    const res = await app.inject({ url: '/', headers: accept === undefined ? {} : { accept } });
    t.equal(res.statusCode, 404, String(accept));
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    t.equal(res.headers['content-security-policy'], undefined);
    t.equal(res.headers.vary, undefined);
    t.same(res.json(), notFound('GET'));
  }
  const head = await app.inject({ method: 'HEAD', url: '/', headers: browser });
  t.same([head.statusCode, head.headers['content-type'], head.body], [404, 'application/json; charset=utf-8', ''], 'HEAD / stays a 404, also for a browser');
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
    const res = await app.inject({ method, url: '/', headers: browser });
    t.equal(res.statusCode, 404, `${method} is a 404, not a 405: / is no API path`);
    t.equal(res.headers.allow, undefined);
    t.same(res.json(), notFound(method));
  }
  t.same((await app.inject({ url: '/?x=1', headers: { accept: '*/*' } })).json(), notFound('GET'));
});

t.test('the stylesheet starts with the shared base and is cached for good; an unknown asset is the usual 404', async (t) => {
  const { app } = await startTestApp(t);
  const page = (await app.inject({ url: '/', headers: browser })).body;
  const style = /<link rel="stylesheet" href="(\/assets\/front-door\.css\?v=[\w-]{10})">/.exec(page)![1];
  const script = /<script src="(\/assets\/front-door\.js\?v=[\w-]{10})" defer><\/script>/.exec(page)![1];
  const css = await app.inject({ url: style });
  t.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  t.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.match(css.body, /^\/\* What the scan UI and the portal share/);
  t.equal((await app.inject({ url: script })).headers['content-type'], 'text/javascript; charset=utf-8');
  const unknown = await app.inject({ url: '/assets/nothing.css' });
  t.same([unknown.statusCode, unknown.json()], [404, { errors: [{ code: 'NOT_FOUND', description: 'No route for GET /assets/nothing.css.' }] }]);
  t.notMatch(page, /(src|href)="(https?:)?\/\//, 'nothing loads from another origin');
});
