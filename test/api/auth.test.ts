// Authentication on the public v3 API: `Authorization: <raw api key>`, each key its own merchant
// namespace, AUTH_MODE=strict, and authentication before any body validation.
import t, { type Test } from 'tap';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

type ErrorEntry = { code: string; description: string };

const LIVENESS = '/v3/scanning/liveness';
const SCANNING = '/v3/scanning';
const SCANNING_SESSIONS = '/v3/eid/scanningsessions';
const DEMO_KEY = 'demo-merchant-key';
const DEMO_ACTIONS = ['HeadLeft', 'HeadRight', 'BlinkEyes', 'Smile'];
const ALL_ACTIONS = ['HeadLeft', 'HeadRight', 'HeadUp', 'HeadDown', 'MoveTowardsCamera', 'MoveAwayFromCamera', 'FollowText', 'BlinkEyes', 'Smile'];
const minimal = { options: 'FrontSide', action: 'Random' };
const unknownId = '9b2e6f10-4c3d-4a5b-8c7d-0e1f2a3b4c5d';

const missingKey = [{ code: 'UNAUTHORIZED', description: 'Missing Authorization header: send your API access token as the raw header value.' }];
const bearerKey = [{ code: 'UNAUTHORIZED', description: "ZignSec expects the raw API key in the Authorization header, without the 'Bearer ' prefix." }];
const longKey = [{ code: 'UNAUTHORIZED', description: 'The Authorization header is too long to be an API key.' }];
const unknownKey = [{ code: 'UNAUTHORIZED', description: 'The API key is not known to this emulator (AUTH_MODE=strict).' }];
const sessionNotFound = (id: string) => [{ code: 'SESSION_NOT_FOUND', description: `No session with id ${JSON.stringify(id)} was found.` }];

/** A 1x1 PNG, uploaded as multipart/form-data in the field "document". */
const tinyPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const boundary = '----authtestboundary4f7a2c';
const pngUpload = {
  payload: Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`),
    tinyPng,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]),
  headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
};

function parsed(res: LightMyRequestResponse): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    return { unparseable: res.body };
  }
}

function assertErrors(t: Test, res: LightMyRequestResponse, status: number, errors: ErrorEntry[]) {
  t.equal(res.statusCode, status, `status ${status}`);
  t.strictSame(parsed(res), { errors }, 'exact error body');
  t.notMatch(res.body, /stack/i, 'no stack in the body');
  t.match(String(res.headers['content-type']), /^application\/json/, 'served as JSON');
}

type Inject = { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: InjectOptions['payload'] };
const withKey = (req: Inject, headers: Record<string, string>): Inject => ({ ...req, headers: { ...req.headers, ...headers } });

/** One request on every authenticated public route (session routes aimed at an unknown id). */
const everyRoute: Inject[] = [
  { method: 'POST', url: LIVENESS, payload: minimal },
  { method: 'POST', url: SCANNING, payload: {} },
  { method: 'POST', url: SCANNING_SESSIONS, payload: {} },
  { method: 'GET', url: `${SCANNING}/${unknownId}` },
  { method: 'POST', url: `${SCANNING_SESSIONS}/${unknownId}/documents?documentType=Passport`, ...pngUpload },
  { method: 'POST', url: `${SCANNING_SESSIONS}/${unknownId}/analyses`, payload: { analysis_types: ['document'] } },
  { method: 'POST', url: `${SCANNING_SESSIONS}/${unknownId}/ui/analyses`, payload: { analysis_types: ['document'] } },
  { method: 'GET', url: `${SCANNING_SESSIONS}/${unknownId}/analysisStatus` },
  { method: 'GET', url: `${SCANNING_SESSIONS}/${unknownId}/analyses` },
  { method: 'GET', url: `${SCANNING_SESSIONS}/${unknownId}/analyses/${unknownId}` },
];

// ---------------------------------------------------------------- header forms

t.test('returns 401 UNAUTHORIZED when Authorization is missing, on every public route', async (t) => {
  const { app } = await startTestApp(t);
  for (const req of everyRoute) {
    await t.test(`${req.method} ${req.url}`, async (t) => assertErrors(t, await app.inject(req), 401, missingKey));
  }
});

t.test('returns 401 UNAUTHORIZED "missing" when Authorization is empty or only whitespace', async (t) => {
  const { app } = await startTestApp(t);
  for (const value of ['', ' ', '   \t ']) {
    for (const req of [everyRoute[0], everyRoute[3]]) {
      await t.test(`${JSON.stringify(value)} ${req.method} ${req.url}`, async (t) => assertErrors(t, await app.inject(withKey(req, { authorization: value })), 401, missingKey));
    }
  }
});

t.test("returns 401 UNAUTHORIZED saying ZignSec expects the raw key for 'Bearer <key>'", async (t) => {
  const { app } = await startTestApp(t);
  for (const value of [`Bearer ${DEMO_KEY}`, `bearer ${DEMO_KEY}`, `BEARER  ${DEMO_KEY}`, 'Bearer x', 'Bearer', 'bearer ']) {
    for (const req of [everyRoute[0], everyRoute[3]]) {
      await t.test(`${JSON.stringify(value)} ${req.method} ${req.url}`, async (t) => assertErrors(t, await app.inject(withKey(req, { authorization: value })), 401, bearerKey));
    }
  }
});

t.test('a key sent only in Zs-Product-Key (the gateway APIs\' header) is 401 naming Authorization, and the journal hides it', async (t) => {
  const { app } = await startTestApp(t);
  const productKeyOnly = [{ code: 'UNAUTHORIZED', description: "Missing Authorization header: the v3 API takes the raw API key in Authorization; Zs-Product-Key is the header of ZignSec's newer gateway APIs." }];
  for (const req of [everyRoute[0], everyRoute[3]]) {
    await t.test(`${req.method} ${req.url}`, async (t) => assertErrors(t, await app.inject(withKey(req, { 'zs-product-key': 'product-key-1234567890' })), 401, productKeyOnly));
  }
  const [entry] = (await app.inject({ url: '/__mock/journal?limit=1' })).json().requests;
  t.equal(entry.headers['zs-product-key'], '****');
  t.notMatch(JSON.stringify((await app.inject({ url: '/__mock/journal' })).json()), 'product-key-1234567890');
  const both = await app.inject(withKey(everyRoute[0], { authorization: DEMO_KEY, 'zs-product-key': 'other' }));
  t.equal(both.statusCode, 200, 'Authorization is what counts');
});

t.test('returns 401 UNAUTHORIZED for a key over 512 characters, and accepts one of exactly 512', async (t) => {
  const { app } = await startTestApp(t);
  assertErrors(t, await app.inject(withKey(everyRoute[0], { authorization: 'k'.repeat(513) })), 401, longKey);
  assertErrors(t, await app.inject(withKey(everyRoute[3], { authorization: 'k'.repeat(4000) })), 401, longKey);
  const ok = await app.inject(withKey(everyRoute[0], { authorization: 'k'.repeat(512) }));
  t.equal(ok.statusCode, 200, 'a 512-character key is accepted');
});

t.test('AUTH_MODE=any (the default) accepts any non-empty raw key', async (t) => {
  const { app } = await startTestApp(t);
  for (const key of ['x', 'some-random-key', DEMO_KEY]) {
    const res = await app.inject(withKey(everyRoute[0], auth(key)));
    t.equal(res.statusCode, 200, `key ${key}`);
    t.strictSame(res.json().errors, []);
  }
});

// ---------------------------------------------------------------- strict mode

t.test('AUTH_MODE=strict returns 401 UNAUTHORIZED for a key not in fixtures/merchants.json on the create routes', async (t) => {
  const { app } = await startTestApp(t, { AUTH_MODE: 'strict' });
  for (const req of everyRoute.slice(0, 3)) {
    await t.test(`${req.method} ${req.url}`, async (t) => assertErrors(t, await app.inject(withKey(req, auth('not-a-merchant'))), 401, unknownKey));
  }
});

t.test('AUTH_MODE=strict returns 401 UNAUTHORIZED (not 404) for an unknown key on the session routes', async (t) => {
  const { app } = await startTestApp(t, { AUTH_MODE: 'strict' });
  for (const req of everyRoute.slice(3)) {
    await t.test(`${req.method} ${req.url}`, async (t) => assertErrors(t, await app.inject(withKey(req, auth('not-a-merchant'))), 401, unknownKey));
  }
});

t.test('AUTH_MODE=strict checks the key before the body: an unknown key with a bad body is 401', async (t) => {
  const { app } = await startTestApp(t, { AUTH_MODE: 'strict' });
  assertErrors(t, await app.inject({ method: 'POST', url: LIVENESS, headers: auth('not-a-merchant'), payload: {} }), 401, unknownKey);
  assertErrors(t, await app.inject({ method: 'POST', url: SCANNING, headers: auth('not-a-merchant'), payload: { target: 'ftp://x' } }), 401, unknownKey);
});

t.test('AUTH_MODE=strict accepts demo-merchant-key from fixtures/merchants.json and serves its sessions', async (t) => {
  const { app } = await startTestApp(t, { AUTH_MODE: 'strict' });
  const created = await app.inject({ method: 'POST', url: LIVENESS, headers: auth(DEMO_KEY), payload: exampleLivenessRequest });
  t.equal(created.statusCode, 200);
  const { id, errors } = created.json();
  t.strictSame(errors, []);
  const result = await app.inject({ url: `${SCANNING}/${id}`, headers: auth(DEMO_KEY) });
  t.equal(result.statusCode, 200);
  t.equal(result.json().id, id);
  t.equal(result.json().relay_state, '11111');
  const ss = await app.inject({ method: 'POST', url: SCANNING_SESSIONS, headers: auth('no-mobile-key'), payload: {} });
  t.equal(ss.statusCode, 201, 'another listed merchant is accepted too');
});

// ---------------------------------------------------------------- isolation

t.test('a session of key A is 404 SESSION_NOT_FOUND for key B on every session route, exactly like an unknown id', async (t) => {
  const { app } = await startTestApp(t);
  const A = auth('merchant-a-key');
  const B = auth('merchant-b-key');
  const liveness = (await app.inject({ method: 'POST', url: LIVENESS, headers: A, payload: exampleLivenessRequest })).json().id as string;
  const apiSession = (await app.inject({ method: 'POST', url: SCANNING_SESSIONS, headers: A, payload: { analysis_types: ['document', 'selfie'] } })).json().session_id as string;
  const upload = await app.inject({ method: 'POST', url: `${SCANNING_SESSIONS}/${apiSession}/documents?documentType=Passport`, ...pngUpload, headers: { ...A, ...pngUpload.headers } });
  t.equal(upload.statusCode, 200, 'A can upload to its own session');

  for (const id of [liveness, apiSession]) {
    const before = await app.inject({ url: `${SCANNING}/${id}`, headers: A });
    t.equal(before.statusCode, 200, 'A reads its own session');
    const analysisId = before.json().analysis_summary.id as string;
    const routes = (sessionId: string): Inject[] => [
      { method: 'GET', url: `${SCANNING}/${sessionId}` },
      { method: 'GET', url: `${SCANNING_SESSIONS}/${sessionId}/analysisStatus` },
      { method: 'GET', url: `${SCANNING_SESSIONS}/${sessionId}/analyses` },
      { method: 'GET', url: `${SCANNING_SESSIONS}/${sessionId}/analyses/` },
      { method: 'GET', url: `${SCANNING_SESSIONS}/${sessionId}/analyses/${analysisId}` },
      { method: 'POST', url: `${SCANNING_SESSIONS}/${sessionId}/documents?documentType=Selfie`, ...pngUpload },
      { method: 'POST', url: `${SCANNING_SESSIONS}/${sessionId}/analyses`, payload: { analysis_types: ['document'] } },
      { method: 'POST', url: `${SCANNING_SESSIONS}/${sessionId}/ui/analyses`, payload: { analysis_types: ['document'] } },
      { method: 'POST', url: `${SCANNING_SESSIONS}/${sessionId}/analyses?timeZoneOffset=60`, payload: {} },
    ];
    const foreign = routes(id);
    const unknown = routes(unknownId);
    for (let i = 0; i < foreign.length; i++) {
      await t.test(`B: ${foreign[i].method} ${foreign[i].url.replace(id, '<A session>')}`, async (t) => {
        const forB = await app.inject(withKey(foreign[i], B));
        assertErrors(t, forB, 404, sessionNotFound(id));
        // No existence leak: the same status, headers and body (up to the id itself) as for an id nobody has.
        const none = await app.inject(withKey(unknown[i], B));
        t.equal(forB.statusCode, none.statusCode, 'same status as an unknown id');
        t.equal(forB.body, none.body.replaceAll(unknownId, id), 'same body as an unknown id');
        t.strictSame(Object.keys(forB.headers).sort(), Object.keys(none.headers).sort(), 'same header names as an unknown id');
        t.equal(forB.headers['content-type'], none.headers['content-type'], 'same content type as an unknown id');
      });
    }
    // Upper-case ids are the same id; still hidden from B.
    assertErrors(t, await app.inject({ url: `${SCANNING}/${id.toUpperCase()}`, headers: B }), 404, sessionNotFound(id));

    const after = await app.inject({ url: `${SCANNING}/${id}`, headers: A });
    t.equal(after.statusCode, 200, 'A still reads its session');
    t.strictSame(after.json(), before.json(), "B's attempts changed nothing in A's session");
  }
});

// ---------------------------------------------------------------- order of checks

t.test('authentication is checked before body validation: a bad body without a key is 401', async (t) => {
  const { app } = await startTestApp(t, { MAX_BODY_BYTES: '1024' });
  const badBodies: [string, Inject][] = [
    ['missing options and action', { method: 'POST', url: LIVENESS, payload: {} }],
    ['bad URLs', { method: 'POST', url: LIVENESS, payload: { ...minimal, target: 'javascript:alert(1)' } }],
    ['malformed JSON', { method: 'POST', url: LIVENESS, headers: { 'content-type': 'application/json' }, payload: '{"options":' }],
    ['an empty JSON body', { method: 'POST', url: LIVENESS, headers: { 'content-type': 'application/json' }, payload: '' }],
    ['a JSON array', { method: 'POST', url: LIVENESS, headers: { 'content-type': 'application/json' }, payload: '[]' }],
    ['application/xml', { method: 'POST', url: LIVENESS, headers: { 'content-type': 'application/xml' }, payload: '<x/>' }],
    ['an oversized body', { method: 'POST', url: LIVENESS, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ ...minimal, relay_state: 'x'.repeat(5000) }) }],
    ['bad scanning fields', { method: 'POST', url: SCANNING, payload: { analysis_types: ['x'] } }],
    ['bad scanning-session fields', { method: 'POST', url: SCANNING_SESSIONS, payload: { webhook: 'ftp://x' } }],
    ['a non-GUID id', { method: 'GET', url: `${SCANNING}/not-a-guid` }],
    ['a bad query string', { method: 'POST', url: `${SCANNING_SESSIONS}/${unknownId}/documents`, ...pngUpload }],
  ];
  for (const [what, req] of badBodies) {
    await t.test(what, async (t) => {
      assertErrors(t, await app.inject(req), 401, missingKey);
      assertErrors(t, await app.inject(withKey(req, { authorization: 'Bearer abc' })), 401, bearerKey);
    });
  }
});

// ---------------------------------------------------------------- merchant settings

t.test("with demo-merchant-key, action Random without available_actions picks from the merchant's available_actions", async (t) => {
  const { app } = await startTestApp(t);
  const seen = new Set<string>();
  for (let i = 0; i < 24; i++) {
    const payload: { options: string; action: string; available_actions?: string[] | null } = i % 3 === 0 ? { ...minimal } : i % 3 === 1 ? { ...minimal, available_actions: [] } : { ...minimal, available_actions: null };
    const created = await app.inject({ method: 'POST', url: LIVENESS, headers: auth(DEMO_KEY), payload });
    t.equal(created.statusCode, 200);
    const result = await app.inject({ url: `${SCANNING}/${created.json().id}`, headers: auth(DEMO_KEY) });
    const action = result.json().action as string;
    t.ok(DEMO_ACTIONS.includes(action), `${action} is one of the merchant's actions (${JSON.stringify(payload.available_actions)})`);
    t.equal(result.json().result.livenessAnalysis.action, action, 'the liveness block names the same action');
    seen.add(action);
  }
  t.ok(seen.size > 1, `Random varies over the merchant's list (saw ${[...seen].join(', ')})`);
});

t.test("the request's available_actions and a fixed action win over the merchant's settings", async (t) => {
  const { app } = await startTestApp(t);
  for (let i = 0; i < 5; i++) {
    const created = await app.inject({ method: 'POST', url: LIVENESS, headers: auth(DEMO_KEY), payload: { ...minimal, available_actions: ['FollowText'] } });
    const result = await app.inject({ url: `${SCANNING}/${created.json().id}`, headers: auth(DEMO_KEY) });
    t.equal(result.json().action, 'FollowText', 'request available_actions win');
  }
  const fixed = await app.inject({ method: 'POST', url: LIVENESS, headers: auth(DEMO_KEY), payload: { options: 'FrontSide', action: 'HeadUp' } });
  const result = await app.inject({ url: `${SCANNING}/${fixed.json().id}`, headers: auth(DEMO_KEY) });
  t.equal(result.json().action, 'HeadUp', 'a fixed action is used as given, even outside the merchant list');
});

t.test('a key with the default settings (empty available_actions) picks Random from every action', async (t) => {
  const { app } = await startTestApp(t);
  for (let i = 0; i < 10; i++) {
    const created = await app.inject({ method: 'POST', url: LIVENESS, headers: auth('plain-key'), payload: minimal });
    const result = await app.inject({ url: `${SCANNING}/${created.json().id}`, headers: auth('plain-key') });
    t.ok(ALL_ACTIONS.includes(result.json().action), `${result.json().action} is a liveness action`);
  }
});

t.test('keys named like built-in object members are keys like any other', async (t) => {
  const names = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'];
  const open = await startTestApp(t);
  for (const key of names) {
    const created = await open.app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { authorization: key }, payload: { options: 'FrontSide', action: 'Random' } });
    t.equal(created.statusCode, 200, `AUTH_MODE=any: ${key} creates a session`);
    const read = await open.app.inject({ url: `/v3/scanning/${created.json().id}`, headers: { authorization: key } });
    t.equal(read.statusCode, 200, `and reads it back`);
  }
  const strict = await startTestApp(t, { AUTH_MODE: 'strict' });
  for (const key of names) {
    const res = await strict.app.inject({ url: '/v3/scanning/3f1c2b9a-7d4e-4c51-9a0b-5e6f7a8b9c0d', headers: { authorization: key } });
    t.equal(res.statusCode, 401, `AUTH_MODE=strict: ${key} is not a known key`);
    t.equal(res.json().errors[0].code, 'UNAUTHORIZED');
  }
});
