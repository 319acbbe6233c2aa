// Bad input on the public v3 API: every rejection is ZignSec's `{ errors: [{ code, description }] }`
// with the right status, never a stack trace and never Fastify's default `{ statusCode, error, message }`.
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

type ErrorEntry = { code: string; description: string };

const LIVENESS = '/v3/scanning/liveness';
const SCANNING = '/v3/scanning';
const SCANNING_SESSIONS = '/v3/eid/scanningsessions';
const KEY = auth('bad-input-key');
const minimal = { options: 'FrontSide', action: 'Random' };
const unknownId = '3f1c2b9a-7d4e-4c51-9a0b-5e6f7a8b9c0d';
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const OPTIONS_ENUM = 'options must be one of FrontSide, NoDocument, FrontAndBack';
const ACTION_ENUM =
  'action must be one of Random, HeadLeft, HeadRight, HeadUp, HeadDown, MoveTowardsCamera, MoveAwayFromCamera, FollowText, BlinkEyes, Smile';
const availableEnum = (index: number) =>
  `available_actions.${index} must be one of HeadLeft, HeadRight, HeadUp, HeadDown, MoveTowardsCamera, MoveAwayFromCamera, FollowText, BlinkEyes, Smile`;
const urlError = (field: string) => `${field} must be an absolute http or https URL, or an empty string`;
const urlCodes: Record<string, string> = {
  target: 'INVALID_TARGET',
  target_error: 'INVALID_TARGETERROR',
  cancel_url: 'INVALID_CANCELURL',
  webhook: 'INVALID_WEBHOOK',
};
const invalid = (description: string): ErrorEntry => ({ code: 'INVALID_REQUEST', description });
const notJson = [invalid('The request body is not valid JSON.')];
const notAnObject = [invalid('the request body must be a JSON object')];
const emptyBody = [invalid('The request body is empty; send a JSON object.')];
const tooLarge = [{ code: 'PAYLOAD_TOO_LARGE', description: 'The request body is too large.' }];
const unsupported = (type: string) => [{ code: 'UNSUPPORTED_MEDIA_TYPE', description: `Unsupported Content-Type "${type}"; send application/json.` }];
const notAGuid = (id: string) => [invalid(`${JSON.stringify(id.slice(0, 64))} is not a session id: ids are GUIDs.`)];
const sessionNotFound = (id: string) => [{ code: 'SESSION_NOT_FOUND', description: `No session with id ${JSON.stringify(id)} was found.` }];

function parsed(res: LightMyRequestResponse): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    return { unparseable: res.body };
  }
}

/** The body is never Fastify's default error, never carries a stack, and is served as JSON. */
function assertNoLeak(t: Test, res: LightMyRequestResponse) {
  t.notMatch(res.body, /stack/i, 'the body never contains "stack"');
  t.notMatch(res.body, /FST_|node_modules|at [\w.<>]+ \(/, 'the body never shows Fastify internals or a trace');
  const body = parsed(res) as Record<string, unknown>;
  t.notOk(body && typeof body === 'object' && ('statusCode' in body || 'error' in body || 'message' in body), "not Fastify's default error shape");
  t.match(String(res.headers['content-type']), /^application\/json/, 'served as JSON');
}

/** Exact status and exact `{ errors }` body. */
function assertErrors(t: Test, res: LightMyRequestResponse, status: number, errors: ErrorEntry[]) {
  t.equal(res.statusCode, status, `status ${status}`);
  t.strictSame(parsed(res), { errors }, 'exact error body');
  assertNoLeak(t, res);
}

/** For bugs whose exact wording is not pinned: one INVALID_REQUEST entry in ZignSec's shape. */
function assertZignSecShape(t: Test, res: LightMyRequestResponse, status: number, code: string) {
  t.equal(res.statusCode, status, `status ${status}`);
  const body = parsed(res) as { errors?: ErrorEntry[] };
  t.same(Object.keys(body ?? {}), ['errors'], 'only an errors field');
  t.equal(body.errors?.length, 1, 'one error entry');
  t.equal(body.errors?.[0]?.code, code, `code ${code}`);
  t.type(body.errors?.[0]?.description, 'string', 'a description');
  assertNoLeak(t, res);
}

function assertCreated(t: Test, res: LightMyRequestResponse, page = 'liveness'): string {
  t.equal(res.statusCode, 200, 'status 200');
  const body = parsed(res) as { id: string; errors: unknown[]; redirect_url: string };
  t.same(Object.keys(body), ['id', 'errors', 'redirect_url'], 'the documented fields, in order');
  t.match(body.id, guid, 'id is a GUID');
  t.strictSame(body.errors, [], 'errors is empty');
  t.match(body.redirect_url, new RegExp(`/v3/scan/ui/${body.id}/${page}\\?otp=[A-Za-z0-9_-]{22}$`), 'redirect_url points at the scan UI');
  return body.id;
}

const postJson = (url: string, payload: unknown, headers: Record<string, string> = KEY) => ({
  method: 'POST' as const,
  url,
  headers: { ...headers, 'content-type': 'application/json' },
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});

// ---------------------------------------------------------------- body framing

t.test('returns 400 INVALID_REQUEST "not valid JSON" for malformed JSON on every create route', async (t) => {
  const { app } = await startTestApp(t);
  for (const url of [LIVENESS, SCANNING, SCANNING_SESSIONS]) {
    for (const raw of ['{"options":', "{'options':'FrontSide'}", '{"options":"FrontSide",}', 'nope', '{"a":1}}']) {
      await t.test(`${url} ${raw}`, async (t) => assertErrors(t, await app.inject(postJson(url, raw)), 400, notJson));
    }
  }
});

t.test('returns 400 "not valid JSON" for a body with a __proto__ or constructor.prototype key, however spelled', async (t) => {
  const { app } = await startTestApp(t);
  const poisoned = [
    '{"options":"FrontSide","action":"Smile","__proto__":{"admin":true}}',
    '{"options":"FrontSide","action":"Smile","\\u005f_proto__":{"admin":true}}',
    '{"options":"FrontSide","action":"Smile","constructor":{"prototype":{"admin":true}}}',
  ];
  for (const raw of poisoned) {
    await t.test(raw, async (t) => assertErrors(t, await app.inject(postJson(LIVENESS, raw)), 400, notJson));
  }
  t.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype was touched');
});

t.test('accepts bodies that only look suspicious: escapes, a constructor string, a byte order mark', async (t) => {
  const { app } = await startTestApp(t);
  const accepted = [
    ['{"options":"FrontSide","action":"Smile","relay_state":"caf\\u00e9"}', 'café'],
    ['{"options":"FrontSide","action":"Smile","relay_state":"constructor"}', 'constructor'],
    ['\ufeff{"options":"FrontSide","action":"Smile","relay_state":"bom"}', 'bom'],
  ];
  for (const [raw, relayState] of accepted) {
    const res = await app.inject(postJson(LIVENESS, raw));
    assertCreated(t, res);
    const view = (await app.inject({ url: `/__mock/sessions/${res.json().id}` })).json();
    t.equal(view.settings.relay_state, relayState, `relay_state of ${JSON.stringify(raw)}`);
    t.strictSame(view.request, JSON.parse(raw.replace(/^\ufeff/, '')), 'the stored request parses back to what was sent');
  }
});

t.test('returns 415 UNSUPPORTED_MEDIA_TYPE for multipart/form-data on the JSON create routes', async (t) => {
  const { app } = await startTestApp(t);
  for (const url of [LIVENESS, SCANNING]) {
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { ...KEY, 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="options"\r\n\r\nFrontSide\r\n--x--\r\n',
    });
    assertErrors(t, res, 415, unsupported('multipart/form-data'));
  }
});

t.test('returns 415 UNSUPPORTED_MEDIA_TYPE naming the content type for application/xml', async (t) => {
  const { app } = await startTestApp(t);
  for (const url of [LIVENESS, SCANNING, SCANNING_SESSIONS]) {
    const res = await app.inject({ method: 'POST', url, headers: { ...KEY, 'content-type': 'application/xml' }, payload: '<options>FrontSide</options>' });
    assertErrors(t, res, 415, unsupported('application/xml'));
  }
});

t.test('returns 415 UNSUPPORTED_MEDIA_TYPE for a text/plain body, even one that holds valid JSON', async (t) => {
  const { app } = await startTestApp(t);
  for (const url of [LIVENESS, SCANNING]) {
    const res = await app.inject({ method: 'POST', url, headers: { ...KEY, 'content-type': 'text/plain' }, payload: JSON.stringify(minimal) });
    assertErrors(t, res, 415, unsupported('text/plain'));
  }
});

t.test('accepts application/json with a charset parameter', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject({ method: 'POST', url: LIVENESS, headers: { ...KEY, 'content-type': 'application/json; charset=utf-8' }, payload: JSON.stringify(minimal) });
  assertCreated(t, res);
});

t.test('returns 413 PAYLOAD_TOO_LARGE for a body over MAX_BODY_BYTES, and accepts one just under it', async (t) => {
  const { app } = await startTestApp(t, { MAX_BODY_BYTES: '2048' });
  const padded = (size: number) => {
    const body = { ...minimal, relay_state: '' };
    body.relay_state = 'x'.repeat(size - JSON.stringify(body).length);
    const text = JSON.stringify(body);
    t.equal(Buffer.byteLength(text), size, `body is ${size} bytes`);
    return text;
  };
  for (const url of [LIVENESS, SCANNING, SCANNING_SESSIONS]) {
    assertErrors(t, await app.inject(postJson(url, padded(2049))), 413, tooLarge);
  }
  assertCreated(t, await app.inject(postJson(LIVENESS, padded(2048))));
});

t.test('returns 413 PAYLOAD_TOO_LARGE for a body over the default 64 KiB limit', async (t) => {
  const { app } = await startTestApp(t);
  const body = JSON.stringify({ ...minimal, doc: { ignore_errors_in_fields: Array.from({ length: 7000 }, (_, i) => `field_${i}`) } });
  t.ok(Buffer.byteLength(body) > 64 * 1024, 'the body is over 64 KiB');
  assertErrors(t, await app.inject(postJson(LIVENESS, body)), 413, tooLarge);
});

t.test('returns 400 INVALID_REQUEST "body is empty" for an empty body sent as application/json', async (t) => {
  const { app } = await startTestApp(t);
  for (const url of [LIVENESS, SCANNING]) {
    assertErrors(t, await app.inject(postJson(url, '')), 400, emptyBody);
  }
});

t.test('returns 400 "the request body must be a JSON object" when no body is sent to a route that needs one', async (t) => {
  const { app } = await startTestApp(t);
  for (const url of [LIVENESS, SCANNING]) {
    assertErrors(t, await app.inject({ method: 'POST', url, headers: KEY }), 400, notAnObject);
  }
});

t.test('returns 400 "the request body must be a JSON object" for an array, string, number, boolean or null body', async (t) => {
  const { app } = await startTestApp(t);
  for (const url of [LIVENESS, SCANNING]) {
    for (const raw of ['[]', JSON.stringify([minimal]), '"FrontSide"', '42', 'true', 'null']) {
      await t.test(`${url} ${raw}`, async (t) => assertErrors(t, await app.inject(postJson(url, raw)), 400, notAnObject));
    }
  }
  for (const raw of ['[]', '"x"', '7']) {
    await t.test(`${SCANNING_SESSIONS} ${raw}`, async (t) => assertErrors(t, await app.inject(postJson(SCANNING_SESSIONS, raw)), 400, notAnObject));
  }
});

// ---------------------------------------------------------------- liveness fields

t.test('returns 400 "options is required" / "action is required" for missing required fields', async (t) => {
  const { app } = await startTestApp(t);
  assertErrors(t, await app.inject(postJson(LIVENESS, { action: 'Random' })), 400, [invalid('options is required')]);
  assertErrors(t, await app.inject(postJson(LIVENESS, { options: 'FrontSide' })), 400, [invalid('action is required')]);
  assertErrors(t, await app.inject(postJson(LIVENESS, {})), 400, [invalid('options is required'), invalid('action is required')]);
  const { options: _o, action: _a, ...rest } = exampleLivenessRequest;
  assertErrors(t, await app.inject(postJson(LIVENESS, rest)), 400, [invalid('options is required'), invalid('action is required')]);
});

t.test('returns 400 listing the allowed values for unknown options and action values (names in any case are known: enum-names.test.ts)', async (t) => {
  const { app } = await startTestApp(t);
  assertErrors(t, await app.inject(postJson(LIVENESS, { options: 'BackSide', action: 'Random' })), 400, [invalid(OPTIONS_ENUM)]);
  assertErrors(t, await app.inject(postJson(LIVENESS, { options: 'FrontSide', action: 'Jump' })), 400, [invalid(ACTION_ENUM)]);
  assertErrors(t, await app.inject(postJson(LIVENESS, { options: 'front_side', action: 'random-ly' })), 400, [invalid(OPTIONS_ENUM), invalid(ACTION_ENUM)]);
  assertErrors(t, await app.inject(postJson(LIVENESS, { options: '', action: '' })), 400, [invalid(OPTIONS_ENUM), invalid(ACTION_ENUM)]);
});

t.test('returns 400 for "Random" and unknown values in available_actions, one entry per bad item', async (t) => {
  const { app } = await startTestApp(t);
  assertErrors(t, await app.inject(postJson(LIVENESS, { ...minimal, available_actions: ['Random'] })), 400, [invalid(availableEnum(0))]);
  assertErrors(t, await app.inject(postJson(LIVENESS, { ...minimal, available_actions: ['Smile', 'Random', 'Wink'] })), 400, [
    invalid(availableEnum(1)),
    invalid(availableEnum(2)),
  ]);
});

t.test('returns 400 INVALID_REQUEST for wrong types, one entry per field in schema order', async (t) => {
  const { app } = await startTestApp(t);
  assertErrors(t, await app.inject(postJson(LIVENESS, { options: 5, action: 'Random', css: 'x', available_actions: 'HeadLeft', doc: [] })), 400, [
    invalid(OPTIONS_ENUM),
    invalid('available_actions expected array, received string'),
    invalid('css expected array, received string'),
    invalid('doc expected object, received array'),
  ]);
  assertErrors(t, await app.inject(postJson(LIVENESS, { ...minimal, relay_state: 5, doc: { ignore_errors_in_fields: 'x' }, locale: 'english!' })), 400, [
    invalid('relay_state expected string, received number'),
    invalid('doc.ignore_errors_in_fields expected array, received string'),
    invalid('locale must be a language code such as en or se'),
  ]);
  assertErrors(t, await app.inject(postJson(LIVENESS, { ...minimal, target: 42, webhook: { url: 'https://a.example' } })), 400, [
    { code: 'INVALID_TARGET', description: 'target expected string, received number' },
    { code: 'INVALID_WEBHOOK', description: 'webhook expected string, received object' },
  ]);
});

t.test('a string where an array is expected gives one type error, whatever the string length', async (t) => {
  const { app } = await startTestApp(t);
  // Array length limits must not be applied to the characters of a string (no bogus "Too big" entry).
  assertErrors(t, await app.inject(postJson(LIVENESS, { ...minimal, available_actions: 'MoveTowardsCamera', css: 'https://cdn.example/brand.css' })), 400, [
    invalid('available_actions expected array, received string'),
    invalid('css expected array, received string'),
  ]);
  assertErrors(t, await app.inject(postJson(SCANNING, { analysis_types: 'document' })), 400, [invalid('analysis_types expected array, received string')]);
  assertErrors(t, await app.inject(postJson(SCANNING_SESSIONS, { analysis_types: 'liveness' })), 400, [invalid('analysis_types expected array, received string')]);
});

t.test('returns 400 for a relay_state over 2048 characters', async (t) => {
  const { app } = await startTestApp(t);
  assertErrors(t, await app.inject(postJson(LIVENESS, { ...minimal, relay_state: 'r'.repeat(2049) })), 400, [invalid('relay_state must be at most 2048 characters')]);
});

// ---------------------------------------------------------------- URLs

const badUrls: [string, string][] = [
  ['a relative path', '/done'],
  ['a relative URL without scheme', 'merchant.example/done'],
  ['javascript:', 'javascript:alert(1)'],
  ['ftp:', 'ftp://x'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['mailto:', 'mailto:ops@merchant.example'],
  ['a scheme without host', 'http://'],
  ['a URL over 2048 characters', `https://merchant.example/${'a'.repeat(2048)}`],
  ['a single slash after the scheme', 'http:/merchant.example/done'],
  ['backslashes', 'http:\\\\merchant.example\\done'],
  ['a leading space', ' https://merchant.example/done'],
  ['a control character', 'https://merchant.example/\u0000done'],
  ['a raw space', 'https://merchant.example/a b'],
];

for (const field of ['target', 'target_error', 'cancel_url', 'webhook']) {
  t.test(`returns 400 ${urlCodes[field]} when ${field} is not an absolute http(s) URL`, async (t) => {
    const { app } = await startTestApp(t);
    for (const [what, value] of badUrls) {
      await t.test(what, async (t) => {
        assertErrors(t, await app.inject(postJson(LIVENESS, { ...minimal, [field]: value })), 400, [{ code: urlCodes[field], description: urlError(field) }]);
      });
    }
  });
}

t.test('the URL fields of POST /v3/scanning and /v3/eid/scanningsessions have the same codes', async (t) => {
  const { app } = await startTestApp(t);
  const payload = { target: '/done', target_error: 'javascript:alert(1)', webhook: 'ftp://x' };
  const expected = [
    { code: 'INVALID_TARGET', description: urlError('target') },
    { code: 'INVALID_TARGETERROR', description: urlError('target_error') },
    { code: 'INVALID_WEBHOOK', description: urlError('webhook') },
  ];
  assertErrors(t, await app.inject(postJson(SCANNING, payload)), 400, expected);
  assertErrors(t, await app.inject(postJson(SCANNING_SESSIONS, payload)), 400, expected);
});

t.test('returns 400 INVALID_REQUEST for a css item that is not an absolute http(s) URL', async (t) => {
  const { app } = await startTestApp(t);
  assertErrors(t, await app.inject(postJson(LIVENESS, { ...minimal, css: ['/brand.css'] })), 400, [invalid('css.0 must be an absolute http or https URL')]);
  assertErrors(t, await app.inject(postJson(LIVENESS, { ...minimal, css: ['https://cdn.example/a.css', 'javascript:alert(1)', ''] })), 400, [
    invalid('css.1 must be an absolute http or https URL'),
    invalid('css.2 must be an absolute http or https URL'),
  ]);
});

t.test('accepts a 2048-character URL (the limit) in every URL field', async (t) => {
  const { app } = await startTestApp(t);
  const url = `https://merchant.example/${'a'.repeat(2048 - 'https://merchant.example/'.length)}`;
  t.equal(url.length, 2048);
  assertCreated(t, await app.inject(postJson(LIVENESS, { ...minimal, target: url, target_error: url, cancel_url: url, webhook: url, css: [url] })));
});

t.test('accepts empty strings as "not given" for the URL fields and relay_state', async (t) => {
  const { app } = await startTestApp(t);
  const id = assertCreated(t, await app.inject(postJson(LIVENESS, { ...minimal, relay_state: '', target: '', target_error: '', cancel_url: '', webhook: '' })));
  const result = await app.inject({ url: `/v3/scanning/${id}`, headers: KEY });
  t.equal(result.statusCode, 200);
  t.equal(result.json().relay_state, id, 'an empty relay_state defaults to the session id');
  assertCreated(t, await app.inject(postJson(SCANNING, { target: '', target_error: '', webhook: '' })), 'scanning');
});

t.test('accepts null as absent for every optional liveness field', async (t) => {
  const { app } = await startTestApp(t);
  const nulls = { relay_state: null, target: null, target_error: null, cancel_url: null, webhook: null, available_actions: null, css: null, doc: null, locale: null };
  const id = assertCreated(t, await app.inject(postJson(LIVENESS, { ...minimal, ...nulls })));
  const result = await app.inject({ url: `/v3/scanning/${id}`, headers: KEY });
  t.equal(result.statusCode, 200);
  t.equal(result.json().relay_state, id, 'a null relay_state defaults to the session id');
  assertCreated(t, await app.inject(postJson(LIVENESS, { ...minimal, doc: { ignore_errors_in_fields: null } })));
  assertCreated(t, await app.inject(postJson(SCANNING, { locale: null, relay_state: null, analysis_types: null, target: null, target_error: null, webhook: null })), 'scanning');
});

// ---------------------------------------------------------------- several errors, unknown fields

t.test('several problems at once give several entries in errors, in schema field order, the status from the first', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject(
    postJson(LIVENESS, {
      css: ['/relative.css'],
      webhook: 'data:,x',
      action: 'Dance',
      target_error: 'javascript:alert(1)',
      cancel_url: 'ftp://x',
      target: '/done',
      available_actions: ['Random'],
    }),
  );
  assertErrors(t, res, 400, [
    { code: 'INVALID_TARGET', description: urlError('target') },
    { code: 'INVALID_CANCELURL', description: urlError('cancel_url') },
    { code: 'INVALID_TARGETERROR', description: urlError('target_error') },
    { code: 'INVALID_WEBHOOK', description: urlError('webhook') },
    invalid('options is required'),
    invalid(ACTION_ENUM),
    invalid(availableEnum(0)),
    invalid('css.0 must be an absolute http or https URL'),
  ]);
});

t.test('unknown fields are ignored (documented decision) and the session is created', async (t) => {
  const { app } = await startTestApp(t);
  const payload = { ...exampleLivenessRequest, colour: 'blue', Options: 'Nonsense', nested: { deep: [1, 2, 3] }, analysis_types: ['bogus'], extra: null };
  const id = assertCreated(t, await app.inject(postJson(LIVENESS, payload)));
  const result = await app.inject({ url: `/v3/scanning/${id}`, headers: KEY });
  t.equal(result.statusCode, 200, 'the session reads back');
  t.equal(result.json().relay_state, '11111');
  t.equal(result.json().action, 'FollowText', 'the known fields were used');
  assertCreated(t, await app.inject(postJson(SCANNING, { unknown: true })), 'scanning');
  const ss = await app.inject(postJson(SCANNING_SESSIONS, { unknown: true }));
  t.equal(ss.statusCode, 201);
});

// ---------------------------------------------------------------- ids and routes

t.test('GET /v3/scanning/:id returns 400 INVALID_REQUEST for ids that are not GUIDs', async (t) => {
  const { app } = await startTestApp(t);
  const ids = ['not-a-guid', '12345', `{${unknownId}}`, unknownId.replace(/-/g, ''), `${unknownId}x`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', ' '];
  for (const id of ids) {
    await t.test(JSON.stringify(id), async (t) => {
      assertErrors(t, await app.inject({ url: `/v3/scanning/${encodeURIComponent(id)}`, headers: KEY }), 400, notAGuid(id));
    });
  }
});

t.test('GET /v3/scanning/:id gives the same GUID message for a long non-GUID id (101-200 characters)', async (t) => {
  const { app } = await startTestApp(t);
  const id = 'a'.repeat(150);
  assertErrors(t, await app.inject({ url: `/v3/scanning/${id}`, headers: KEY }), 400, notAGuid(id));
});

t.test('GET /v3/scanning/:id answers an id longer than the router allows in ZignSec shape, not Fastify’s', async (t) => {
  const { app } = await startTestApp(t);
  assertZignSecShape(t, await app.inject({ url: `/v3/scanning/${'a'.repeat(300)}`, headers: KEY }), 400, 'INVALID_REQUEST');
});

t.test('a path with broken percent-encoding is answered in ZignSec shape, not Fastify’s', async (t) => {
  const { app } = await startTestApp(t);
  assertZignSecShape(t, await app.inject({ url: '/v3/scanning/%E0%A4%A', headers: KEY }), 400, 'INVALID_REQUEST');
});

t.test('GET /v3/scanning/:id returns 404 SESSION_NOT_FOUND with the id for an unknown GUID (any case)', async (t) => {
  const { app } = await startTestApp(t);
  assertErrors(t, await app.inject({ url: `/v3/scanning/${unknownId}`, headers: KEY }), 404, sessionNotFound(unknownId));
  assertErrors(t, await app.inject({ url: `/v3/scanning/${unknownId.toUpperCase()}`, headers: KEY }), 404, sessionNotFound(unknownId));
  assertErrors(t, await app.inject({ url: `/v3/scanning/${unknownId}/`, headers: KEY }), 404, sessionNotFound(unknownId));
});

t.test('every /v3/eid/scanningsessions/:id route answers a bad id with 400 and an unknown GUID with 404 SESSION_NOT_FOUND', async (t) => {
  const { app } = await startTestApp(t);
  for (const id of ['nope', unknownId]) {
    const expected = id === 'nope' ? ([400, notAGuid(id)] as const) : ([404, sessionNotFound(id)] as const);
    const base = `${SCANNING_SESSIONS}/${id}`;
    const requests = [
      { method: 'GET' as const, url: `${base}/analysisStatus`, headers: KEY },
      { method: 'GET' as const, url: `${base}/analyses`, headers: KEY },
      { method: 'GET' as const, url: `${base}/analyses/${unknownId}`, headers: KEY },
      postJson(`${base}/analyses`, { analysis_types: ['document'] }),
      postJson(`${base}/ui/analyses`, { analysis_types: ['document'] }),
    ];
    for (const req of requests) {
      await t.test(`${req.method} ${req.url}`, async (t) => assertErrors(t, await app.inject(req), expected[0], [...expected[1]]));
    }
  }
});

t.test('unknown routes return 404 NOT_FOUND naming the method and path (without the query)', async (t) => {
  const { app } = await startTestApp(t);
  const cases: [string, string, string][] = [
    ['GET', '/v3/nope?secret=1', 'No route for GET /v3/nope.'],
    ['POST', '/v3/scanning/liveness/extra', 'No route for POST /v3/scanning/liveness/extra.'],
    ['GET', '/v2/eid/abc', 'No route for GET /v2/eid/abc.'],
    ['GET', '/', 'No route for GET /.'],
  ];
  for (const [method, url, description] of cases) {
    await t.test(`${method} ${url}`, async (t) => {
      const res = await app.inject({ method: method as 'GET', url, headers: KEY });
      assertErrors(t, res, 404, [{ code: 'NOT_FOUND', description }]);
    });
  }
});

// (The over-long id and broken percent-encoding paths have their own tests above.)
t.test('a response never contains "stack" nor Fastify’s default error shape, across a mix of bad requests', async (t) => {
  const { app } = await startTestApp(t, { MAX_BODY_BYTES: '1024' });
  const requests = [
    postJson(LIVENESS, '{'),
    postJson(LIVENESS, ''),
    postJson(LIVENESS, '[1,2]'),
    postJson(LIVENESS, { options: { $gt: '' }, action: ['Random'], css: [{}], doc: { ignore_errors_in_fields: [1, {}] } }),
    postJson(LIVENESS, 'x'.repeat(5000)),
    { method: 'POST' as const, url: LIVENESS, headers: { ...KEY, 'content-type': 'application/xml' }, payload: '<x/>' },
    { method: 'POST' as const, url: LIVENESS, headers: { ...KEY, 'content-type': 'application/json', 'content-length': '3' }, payload: JSON.stringify(minimal) },
    { method: 'GET' as const, url: '/v3/scanning/..%2F..%2Fetc%2Fpasswd', headers: KEY },
    { method: 'GET' as const, url: `/v3/scanning/${'b'.repeat(99)}`, headers: KEY },
    { method: 'POST' as const, url: `${SCANNING_SESSIONS}/${unknownId}/analyses?timeZoneOffset=abc`, headers: KEY },
  ];
  for (const req of requests) {
    await t.test(`${req.method} ${req.url.slice(0, 60)}`, async (t) => {
      const res = await app.inject(req);
      t.ok(res.statusCode >= 400 && res.statusCode < 500, `a 4xx (got ${res.statusCode})`);
      const body = parsed(res) as { errors?: ErrorEntry[] };
      t.ok(Array.isArray(body.errors) && body.errors.length > 0, 'a non-empty errors array');
      for (const entry of body.errors ?? []) t.strictSame(Object.keys(entry), ['code', 'description'], 'each entry is { code, description }');
      assertNoLeak(t, res);
    });
  }
});

t.test('requests Node cannot parse get a ZignSec error body too, and the connection closes', async (t) => {
  const { app } = await startTestApp(t);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = new URL(address);
  const { connect } = await import('node:net');
  // The server answers and closes while a long request may still be arriving, so the connection can
  // end in a reset after the answer: what counts is what was read before it closed.
  const send = (raw: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(raw));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
    });
  const cases = [
    ['a broken request line', 'NOT AN HTTP REQUEST\r\n\r\n', 400, 'The HTTP request could not be parsed.'],
    ['a control character in a header', 'GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n', 400, 'The HTTP request could not be parsed.'],
    ['headers over the size limit', `GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: ${'k'.repeat(20_000)}\r\n\r\n`, 431, 'The request headers are too large.'],
  ] as const;
  for (const [what, raw, status, description] of cases) {
    const response = await send(raw);
    t.match(response, new RegExp(`^HTTP/1.1 ${status} `), what);
    t.strictSame(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)), { errors: [{ code: 'INVALID_REQUEST', description }] }, what);
  }
});

t.test('analysis_types: sizes are described in plain words', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject(postJson(SCANNING, { analysis_types: Array.from({ length: 11 }, () => 'selfie') }));
  assertErrors(t, res, 400, [invalid('analysis_types must have at most 10 items')]);
});

t.test('relay_state: a mock_outcome that names no preset is refused, whatever its spelling', async (t) => {
  const { app } = await startTestApp(t);
  for (const relayState of ['order=1&mock_outcome=Face_Mismatch', 'mock_outcome=', 'mock_outcome=approved!']) {
    const res = await app.inject(postJson(LIVENESS, { ...minimal, relay_state: relayState }));
    t.equal(res.statusCode, 400, relayState);
    t.match(res.json().errors[0].description, /^Unknown outcome ".*"\. Valid outcomes: .*approved/, relayState);
  }
  t.equal((await app.inject(postJson(LIVENESS, { ...minimal, relay_state: 'order=1&mock_outcome=face_mismatch' }))).headers['x-mock-outcome-selected'], 'face_mismatch; rule=relay_state');
});

t.test('a known path with another method is 405 with Allow; an unknown path is 404', async (t) => {
  const { app } = await startTestApp(t);
  const wrongMethod = await app.inject({ method: 'PUT', url: SCANNING_SESSIONS, headers: KEY });
  t.equal(wrongMethod.statusCode, 405);
  t.equal(wrongMethod.headers.allow, 'POST');
  t.strictSame(wrongMethod.json(), { errors: [{ code: 'METHOD_NOT_ALLOWED', description: 'PUT is not allowed on /v3/eid/scanningsessions; it takes POST.' }] });
  const onId = await app.inject({ method: 'DELETE', url: `/v3/Scanning/${unknownId}/`, headers: KEY });
  t.equal(onId.statusCode, 405, 'any letter case, a trailing slash');
  t.equal(onId.headers.allow, 'GET, HEAD');
  const unknown = await app.inject({ method: 'GET', url: '/v3/nothing-here?x=1', headers: KEY });
  t.equal(unknown.statusCode, 404);
  t.strictSame(unknown.json(), { errors: [{ code: 'NOT_FOUND', description: 'No route for GET /v3/nothing-here.' }] });
});
