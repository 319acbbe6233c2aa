// The QA console's "API faults" page over HTTP (inject): presets and the form add rules for the
// signed-in key only, rules fire for that key's calls only, every bad field is refused next to it,
// and one key's console never shows or changes another key's rules (checked through the control API).
import t from 'tap';
import { auth, exampleLivenessRequest } from '../helpers/app.js';
import { followNotice, signIn, startPortalApp, textOf, textsOf } from '../helpers/portal.js';

type App = Awaited<ReturnType<typeof startPortalApp>>['app'];

const rulesOf = async (app: App, key?: string) => (await app.inject({ url: `/__mock/faults${key ? `?api_key=${key}` : ''}` })).json().faults as Record<string, unknown>[];
const addRule = async (app: App, rule: Record<string, unknown>) => (await app.inject({ method: 'POST', url: '/__mock/faults', payload: rule })).json<{ id: string }>();
const create = (app: App, key: string) => app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: exampleLivenessRequest });
const withoutStamps = (rule: Record<string, unknown>) => {
  const { id: _id, created: _created, ...rest } = rule;
  return rest;
};
const formFields = { method: '*', path: '/v3/**', type: 'error', status: '503', code: 'Internal Exception', ms: '2000', max_ms: '', retry_after_s: '30', times: '1' };

t.test('a preset adds a rule for the signed-in key, which answers that key\'s calls only', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const page = (await a.get('/portal/faults')).body;
  t.strictSame(textsOf(page, 'fault-preset').map((text) => text.split('\n')[0]), [
    'The next create call fails with 503',
    'Every result read is 2 s slow',
    'The next 3 calls are rate-limited',
    'The next upload resets the connection',
    'The next result read is broken JSON',
    'The next create call is cut off mid-body',
  ]);
  t.equal(textOf(page, 'faults-empty'), "No rules: your key's calls are answered normally.");

  const { notice, page: after } = await followNotice(a, await a.post('/portal/faults', { preset: 'rate-limited-3' }));
  t.equal(notice, 'Added fault-1: 429 rate limit, Retry-After 30 s on the next 3 calls of your key to * /v3/**.');
  const [rule] = await rulesOf(app, 'key-a');
  t.strictSame(withoutStamps(rule), { method: '*', path: '/v3/**', api_key: 'key-a', action: { type: 'rate_limit', retry_after_s: 30 }, times: 3, matched: 0 });
  t.strictSame(textsOf(after, 'fault-id'), ['fault-1']);

  t.equal((await create(app, 'key-b')).statusCode, 200, "another key's call is answered normally");
  const limited = await create(app, 'key-a');
  t.equal(limited.statusCode, 429);
  t.equal(limited.headers['retry-after'], '30');
  const fired = (await a.get('/portal/faults')).body;
  t.strictSame([textOf(fired, 'fault-matched'), textOf(fired, 'fault-times'), textOf(fired, 'fault-action')], ['1', '2', '429 rate limit, Retry-After 30 s']);

  const create503 = await followNotice(a, await a.post('/portal/faults', { preset: 'create-503' }));
  t.equal(create503.notice, 'Added fault-2: error 503 Internal Exception on the next call of your key to POST /v3/scanning/liveness.');
  const slow = await followNotice(a, await a.post('/portal/faults', { preset: 'reads-slow' }));
  t.equal(slow.notice, 'Added fault-3: 2000 ms slower on every call of your key to GET /v3/**, until you remove it.');
  const unknown = await a.post('/portal/faults', { preset: 'explode' });
  t.equal(unknown.statusCode, 400);
  t.equal(textOf(unknown.body, 'console-error'), 'There is no such preset. Nothing changed.');
  t.equal((await rulesOf(app)).length, 3);
});

t.test('the form adds the rule it shows, with only the chosen answer\'s fields', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const res = await a.post('/portal/faults', { ...formFields, method: 'GET', path: '/v3/scanning/*', type: 'latency', ms: '50', max_ms: '80', status: 'ignored', times: '' });
  t.equal((await followNotice(a, res)).notice, 'Added fault-1: 50 to 80 ms slower on every call of your key to GET /v3/scanning/*, until you remove it.');
  t.strictSame(withoutStamps((await rulesOf(app, 'key-a'))[0]), { method: 'GET', path: '/v3/scanning/*', api_key: 'key-a', action: { type: 'latency', ms: 50, max_ms: 80 }, times: null, matched: 0 });

  await a.post('/portal/faults', { ...formFields, method: 'POST', path: '/v3/eid/scanningsessions', status: '502', code: 'BadGateway', times: '2' });
  await a.post('/portal/faults', { ...formFields, type: 'reset', status: 'ignored too' });
  t.strictSame(
    (await rulesOf(app, 'key-a')).slice(1).map((rule) => [rule.action, rule.times]),
    [
      [{ type: 'error', status: 502, code: 'BadGateway', description: 'Injected fault: the service is unavailable.' }, 2],
      [{ type: 'reset' }, 1],
    ],
  );

  // "Change first": the preset in the form, to be changed before it is added.
  const prefilled = (await a.get('/portal/faults?preset=reads-slow')).body;
  t.match(prefilled, '<option value="GET" selected>GET</option>');
  t.match(prefilled, 'name="path" value="/v3/**"');
  t.match(prefilled, 'value="latency" data-testid="fault-form-type-latency" checked');
  t.match(prefilled, 'name="ms" value="2000"');
  t.match(prefilled, 'name="times" value=""');
  t.match((await a.get('/portal/faults?preset=nope')).body, 'name="path" value="/v3/**"', 'an unknown preset leaves the form as it is');
});

t.test('a bad field is refused next to it, keeps what was typed, and adds nothing', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const cases: [Record<string, string>, Record<string, string>][] = [
    [{ path: '/v4/**' }, { path: 'The path glob can never match: fault rules see only the public API, whose paths start with /v3/' }],
    [{ path: 'v3/**' }, { path: 'The path glob must start with /' }],
    [{ path: '/v3/a b' }, { path: 'The path glob can never match: it holds a character no request path has (a space, ?, # or a letter outside ASCII; the query is not part of the path)' }],
    [{ path: `/v3/${'x'.repeat(300)}` }, { path: 'The path glob must be at most 256 characters' }],
    [{ times: '-1' }, { times: 'Times must be a whole number from 1, or empty: until you remove the rule' }],
    [{ times: '0' }, { times: 'Times must be a whole number from 1, or empty: until you remove the rule' }],
    [{ times: 'often' }, { times: 'Times must be a whole number from 1, or empty: until you remove the rule' }],
    [{ type: 'explode' }, { type: 'Choose one of error, latency, reset, malformed, truncated, rate_limit' }],
    [{ type: '' }, { type: 'Choose one of error, latency, reset, malformed, truncated, rate_limit' }],
    [{ method: 'FOO' }, { method: 'The method must be *, GET, POST, PUT, PATCH or DELETE' }],
    [{ status: '200' }, { status: 'The status must be a whole number from 400 to 599' }],
    [{ status: '' }, { status: 'The status must be a whole number from 400 to 599' }],
    [{ code: 'x'.repeat(201) }, { code: 'The error code must be at most 200 characters long' }],
    [{ type: 'latency', ms: 'slow' }, { ms: 'The delay must be a whole number of milliseconds from 0 to 120000' }],
    [{ type: 'latency', ms: '130000' }, { ms: 'The delay must be a whole number of milliseconds from 0 to 120000' }],
    [{ type: 'latency', ms: '80', max_ms: '10' }, { max_ms: 'The longest delay must be at least the delay' }],
    [{ type: 'rate_limit', retry_after_s: '-3' }, { retry_after_s: 'Retry-After must be a whole number of seconds from 0 to 86400' }],
    [
      { path: '/v4', times: '-2', status: '99' },
      {
        path: 'The path glob can never match: fault rules see only the public API, whose paths start with /v3/',
        status: 'The status must be a whole number from 400 to 599',
        times: 'Times must be a whole number from 1, or empty: until you remove the rule',
      },
    ],
  ];
  const fields = ['method', 'path', 'type', 'status', 'code', 'ms', 'max-ms', 'retry-after-s', 'times'];
  for (const [change, errors] of cases) {
    const sent = { ...formFields, ...change };
    const res = await a.post('/portal/faults', sent);
    t.equal(res.statusCode, 400, JSON.stringify(change));
    const shown = Object.fromEntries(fields.map((f) => [f.replace(/-/g, '_'), textOf(res.body, `fault-error-${f}`)]).filter(([, text]) => text !== undefined));
    t.strictSame(shown, errors, JSON.stringify(change));
    for (const [name, value] of Object.entries(change)) {
      if (name === 'type' || name === 'method') t.match(res.body, name === 'method' ? `<option value="${value}" selected>` : `name="type"`, name);
      else t.match(res.body, `name="${name}" value="${value}"`, `${name} as typed`);
    }
  }
  t.strictSame(await rulesOf(app), [], 'no rule was added');
});

t.test("removing one rule or all of them: the key's own only; key-less rules are shown read-only", async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  const own1 = await addRule(app, { api_key: 'key-a', action: { type: 'reset' }, times: null });
  const everyone = await addRule(app, { path: '/v3/eid/**', action: { type: 'latency', ms: 300 }, times: null });
  const others = await addRule(app, { api_key: 'key-b', action: { type: 'malformed' } });
  const own2 = await addRule(app, { api_key: 'key-a', method: 'GET', action: { type: 'error', status: 500 } });

  const page = (await a.get('/portal/faults')).body;
  t.strictSame(textsOf(page, 'fault-id'), [own1.id, own2.id]);
  t.strictSame(textsOf(page, 'global-fault-id'), [everyone.id]);
  t.notMatch(page, others.id, "another key's rule is never shown");
  t.match(page, new RegExp(`data-fault-id="${own2.id}" data-type="error" data-order="3"`), 'the order rules are matched in for this key: key-less rules count, other keys\' do not');
  t.equal(textsOf(page, 'fault-remove').length, 2, 'key-less rules have no remove button');
  t.equal(textOf(page, 'global-fault-action'), '300 ms slower');

  for (const [id, why] of [
    [others.id, "another key's"],
    [everyone.id, 'a key-less one'],
    ['fault-999', 'a missing one'],
    ['', 'no id'],
  ]) {
    const res = await a.post('/portal/faults/remove', { id });
    t.equal(res.statusCode, 404, why);
    t.equal(textOf(res.body, 'console-error'), `Your key has no fault rule ${JSON.stringify(id)}: it was used up or removed already, or it is not your key's. Nothing changed.`, why);
  }
  const removed = await followNotice(a, await a.post('/portal/faults/remove', { id: own2.id }));
  t.equal(removed.notice, `Removed ${own2.id} (error 500 Internal Exception on GET /v3/**, fired 0 times).`);
  t.equal((await followNotice(b, await b.post('/portal/faults/clear'))).notice, 'Removed 1 fault rule of your key. Rules for every key are left as they are.');
  t.strictSame((await rulesOf(app)).map((r) => r.id), [own1.id, everyone.id], "key-b's clear removed only key-b's rule");
  t.equal((await followNotice(a, await a.post('/portal/faults/clear'))).notice, 'Removed 1 fault rule of your key. Rules for every key are left as they are.');
  t.equal((await followNotice(a, await a.post('/portal/faults/clear'))).notice, 'Your key had no fault rules.');
  t.strictSame((await rulesOf(app)).map((r) => r.id), [everyone.id], 'the key-less rule stays');
});

t.test('a form that names a key, or one past the limit, adds nothing', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const b = await signIn(app, 'key-b');
  const theirs = await addRule(app, { api_key: 'key-a', action: { type: 'reset' } });
  const named = 'This form has no field "api_key": the console acts for the key you signed in with, on its own data only. Nothing was changed.';
  for (const [url, fields] of [
    ['/portal/faults', { ...formFields, api_key: 'key-a' }],
    ['/portal/faults', { preset: 'create-503', api_key: 'key-b' }],
    ['/portal/faults/remove', { id: theirs.id, api_key: 'key-a' }],
    ['/portal/faults/clear', { api_key: 'key-a' }],
  ] as const) {
    const res = await b.post(url, fields);
    t.equal(res.statusCode, 400, url);
    t.equal(textOf(res.body, 'problem-text'), named);
  }
  t.strictSame((await rulesOf(app)).map((r) => r.id), [theirs.id], "nothing added, key-a's rule still there");

  for (let i = 1; i < 100; i++) await addRule(app, { api_key: 'key-a', action: { type: 'reset' } });
  const full = await a.post('/portal/faults', { preset: 'create-503' });
  t.equal(full.statusCode, 400);
  t.equal(textOf(full.body, 'console-error'), 'This key holds 100 fault rules, the most allowed: remove some first. Nothing changed.');
  t.equal((await rulesOf(app, 'key-a')).length, 100);
  t.equal((await b.post('/portal/faults', { preset: 'create-503' })).statusCode, 303, 'another key still has room');
  for (const url of ['/portal/faults', '/portal/faults/remove', '/portal/faults/clear']) t.equal((await a.post(url, { preset: 'create-503', id: theirs.id }, { csrf: null })).statusCode, 403, url);
  t.equal((await rulesOf(app, 'key-a')).length, 100, 'a post without the CSRF token changes nothing');
});

t.test('values from rules are escaped', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  await addRule(app, { api_key: 'key-a', path: '/v3/<script>', action: { type: 'error', code: '"><img src=x>' } });
  const page = (await a.get('/portal/faults')).body;
  t.notMatch(page, '<script>');
  t.notMatch(page, '<img src=x>');
  t.match(page, '/v3/&lt;script&gt;');
  const typed = await a.post('/portal/faults', { ...formFields, path: '/v3/"><b>x</b>', code: '<i>' });
  t.equal(typed.statusCode, 303, 'a path that looks like markup is still a glob');
  t.notMatch((await a.get('/portal/faults')).body, '<b>x</b>');
});
