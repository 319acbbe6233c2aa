import t from 'tap';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test("the product document's example request returns the documented response", async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('any-key'), host: 'localhost:8080' }, payload: exampleLivenessRequest });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  const body = res.json();
  t.same(Object.keys(body), ['id', 'errors', 'redirect_url']);
  t.match(body.id, guid);
  t.same(body.errors, []);
  const url = new URL(body.redirect_url);
  t.equal(url.origin, 'http://localhost:8080');
  t.equal(url.pathname, `/v3/scan/ui/${body.id}/liveness`);
  t.match(url.searchParams.get('otp'), /^[A-Za-z0-9_-]{22}$/);
  t.equal(res.headers['x-mock-outcome-selected'], 'approved; rule=default');
});

t.test('a new session reads back the same through every result path', async (t) => {
  const { app } = await startTestApp(t);
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).json();
  const paths = [
    `/v3/scanning/${created.id}`,
    `/v3/eid/scanningsessions/${created.id}/analysisStatus`,
    `/v3/eid/scanningsessions/${created.id}/analyses`,
    `/v3/eid/scanningsessions/${created.id}/analyses/`,
  ];
  const bodies = await Promise.all(paths.map(async (url) => (await app.inject({ url, headers: auth('k') })).json()));
  for (const body of bodies.slice(1)) t.strictSame(body, bodies[0]);
  const analysisId = bodies[0].analysis_summary.id;
  const single = await app.inject({ url: `/v3/eid/scanningsessions/${created.id}/analyses/${analysisId}`, headers: auth('k') });
  t.strictSame(single.json(), bodies[0]);
  t.strictSame(bodies[0], {
    id: created.id,
    errors: [],
    status: 'Created',
    relay_state: '11111',
    created: '2026-01-15T09:00:00.000Z',
    updated: '2026-01-15T09:00:00.000Z',
    total_result: 'Created',
    action: 'FollowText',
    result: {
      identity: null,
      documentAnalysis: { status: 'Requested', documentType: null, failedFields: [], score: null },
      livenessAnalysis: { status: 'Requested', action: 'FollowText', score: null },
      faceMatchAnalysis: { status: 'Requested', score: null },
      fraudAnalysis: { status: 'NotRequested', score: null },
      reason: null,
    },
    analysis_summary: { id: analysisId, id_document_summary: { status: 'Requested', fields: {}, failed_fields: [] } },
  });
});

t.test('relay_state defaults to the session id when absent or empty', async (t) => {
  const { app } = await startTestApp(t);
  for (const relay_state of [undefined, '', null]) {
    const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: { options: 'NoDocument', action: 'Smile', relay_state } })).json();
    const result = (await app.inject({ url: `/v3/scanning/${created.id}`, headers: auth('k') })).json();
    t.equal(result.relay_state, created.id, `relay_state ${JSON.stringify(relay_state)}`);
    t.equal(result.action, 'Smile');
    t.equal(result.result.documentAnalysis.status, 'NotRequested', 'NoDocument requests no document analysis');
    t.equal(result.result.faceMatchAnalysis.status, 'NotRequested', 'and no face match');
  }
});

t.test('PUBLIC_URL, then X-Forwarded-Proto/Host, then Host build the redirect_url', async (t) => {
  const { app } = await startTestApp(t);
  const forwarded = await app.inject({
    method: 'POST',
    url: '/v3/scanning/liveness',
    headers: { ...auth('k'), host: 'internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'mock.example.com' },
    payload: exampleLivenessRequest,
  });
  t.match(forwarded.json().redirect_url, /^https:\/\/mock\.example\.com\/v3\/scan\/ui\//);
  const injected = await app.inject({
    method: 'POST',
    url: '/v3/scanning/liveness',
    headers: { ...auth('k'), host: 'evil"><script>' },
    payload: exampleLivenessRequest,
  });
  t.match(injected.json().redirect_url, /^http:\/\/localhost:8080\/v3\/scan\/ui\//, 'an unsafe Host header is not reflected');
  for (const proto of ['javascript', 'ftp', 'https:evil', 'data']) {
    const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('k'), host: 'mock.example.com', 'x-forwarded-proto': proto }, payload: exampleLivenessRequest });
    t.match(res.json().redirect_url, /^http:\/\/mock\.example\.com\/v3\/scan\/ui\//, `X-Forwarded-Proto ${proto} is not reflected: the connection's scheme is used`);
  }

  const configured = await startTestApp(t, { PUBLIC_URL: 'https://zignsec.test/' });
  const res = await configured.app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('k'), host: 'other:1' }, payload: exampleLivenessRequest });
  t.match(res.json().redirect_url, /^https:\/\/zignsec\.test\/v3\/scan\/ui\/[0-9a-f-]{36}\/liveness\?otp=/);
});

t.test('POST /v3/scanning accepts {} as a document-only session with its own UI path', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject({ method: 'POST', url: '/v3/scanning', headers: auth('k'), payload: {} });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.match(body.redirect_url, new RegExp(`/v3/scan/ui/${body.id}/scanning\\?otp=[A-Za-z0-9_-]{22}$`));
  const result = (await app.inject({ url: `/v3/scanning/${body.id}`, headers: auth('k') })).json();
  t.equal(result.action, null, 'no liveness analysis, no action');
  t.same(
    [result.result.documentAnalysis.status, result.result.livenessAnalysis.status, result.result.faceMatchAnalysis.status],
    ['Requested', 'NotRequested', 'NotRequested'],
  );
});

t.test('POST /v3/scanning with every analysis type requests all three and picks an action', async (t) => {
  const { app } = await startTestApp(t);
  const body = (await app.inject({ method: 'POST', url: '/v3/scanning', headers: auth('k'), payload: { analysis_types: ['document', 'selfie', 'liveness'], relay_state: 'r' } })).json();
  const result = (await app.inject({ url: `/v3/scanning/${body.id}`, headers: auth('k') })).json();
  t.same(
    [result.result.documentAnalysis.status, result.result.livenessAnalysis.status, result.result.faceMatchAnalysis.status],
    ['Requested', 'Requested', 'Requested'],
  );
  t.match(result.action, /^(HeadLeft|HeadRight|HeadUp|HeadDown|MoveTowardsCamera|MoveAwayFromCamera|FollowText|BlinkEyes|Smile)$/);
});

t.test('SEED makes the Random action repeatable per key and sequence', async (t) => {
  const actions = async () => {
    const { app } = await startTestApp(t, { SEED: 'fixed' });
    const out: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('seeded'), payload: { options: 'NoDocument', action: 'Random' } })).json();
      out.push((await app.inject({ url: `/v3/scanning/${id}`, headers: auth('seeded') })).json().action);
    }
    return out;
  };
  const first = await actions();
  t.same(await actions(), first);
  t.ok(new Set(first).size > 1, 'and still varied');
});

t.test('paths match in any letter case, as on a .NET service; ids keep theirs', async (t) => {
  const { app } = await startTestApp(t);
  const created = await app.inject({ method: 'POST', url: '/V3/Scanning/Liveness', headers: auth('k'), payload: exampleLivenessRequest });
  t.equal(created.statusCode, 200);
  const { id } = created.json();
  const read = await app.inject({ url: `/v3/SCANNING/${id.toUpperCase()}`, headers: auth('k') });
  t.equal(read.statusCode, 200);
  t.equal(read.json().id, id);
  t.equal((await app.inject({ url: `/v3/eid/scanningsessions/${id}/analysisstatus`, headers: auth('k') })).statusCode, 200);
  const journal = (await app.inject({ url: '/__mock/journal/count?api_key=k' })).json();
  t.equal(journal.count, 3, 'every spelling is journaled');
  t.equal((await app.inject({ url: '/__mock/journal/count?path=/v3/scanning/liveness' })).json().count, 1, 'and found by the path in any spelling');
  await app.inject({ method: 'POST', url: '/__mock/faults', payload: { method: 'POST', path: '/v3/scanning/liveness', action: { type: 'error', status: 503 } } });
  const faulted = await app.inject({ method: 'POST', url: '/V3/SCANNING/LIVENESS', headers: auth('k'), payload: exampleLivenessRequest });
  t.equal(faulted.statusCode, 503, 'a fault rule matches the path in any spelling');
});

t.test('a session keeps an ordinary request as sent; a huge one without the fields the API ignores', async (t) => {
  const { app } = await startTestApp(t);
  const create = async (extra: Record<string, unknown>) => {
    const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: { ...exampleLivenessRequest, ...extra } });
    t.equal(res.statusCode, 200);
    return (await app.inject({ url: `/__mock/sessions/${res.json().id}` })).json().request;
  };
  t.strictSame(await create({ client_ref: 'r-1' }), { ...exampleLivenessRequest, client_ref: 'r-1' }, 'unknown fields kept when small');
  t.strictSame(await create({ junk: 'j'.repeat(20_000) }), exampleLivenessRequest, 'unknown fields dropped from a 20 KB body');
  const journal = (await app.inject({ url: '/__mock/journal?limit=1' })).json().requests[0];
  t.type(journal.body, 'string', 'the journal keeps a huge body cut, as text');
  t.equal(journal.body.length, 16_385);
  t.ok(journal.body.endsWith('…'));
  const scanning = await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: { ...auth('k'), 'content-type': 'application/json' }, payload: 'null' });
  t.strictSame((await app.inject({ url: `/__mock/sessions/${scanning.json().session_id}` })).json().request, {}, 'a null body is the empty request');
});
