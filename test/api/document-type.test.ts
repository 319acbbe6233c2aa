// What the document analysis reports the document as: on the scanning-sessions API the type the app
// uploaded (public clients send Passport, IdentityCard, DriversLicense and Selfie), on the hosted scan
// UI the default of fixtures/wire.json. Uploads as public clients make them: an empty reference, the
// same type several times, a repeated query key.
import t from 'tap';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { multipartBody, tinyJpeg } from '../helpers/multipart.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];

async function apiSession(app: App, key: string, analysisTypes = ['document', 'selfie']): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: auth(key), payload: { analysis_types: analysisTypes } });
  return res.json().session_id;
}

function upload(app: App, key: string, id: string, query: string) {
  const body = multipartBody('document', 'Frontal_face_0.jpg', 'image/jpeg', tinyJpeg);
  return app.inject({ method: 'POST', url: `/v3/eid/scanningsessions/${id}/documents?${query}`, headers: { ...auth(key), ...body.headers }, payload: body.payload });
}

async function analysedResult(app: App, key: string, id: string) {
  const started = await app.inject({ method: 'POST', url: `/v3/eid/scanningsessions/${id}/analyses?timeZoneOffset=60`, headers: auth(key), payload: {} });
  if (started.statusCode !== 200) throw new Error(`start failed: ${started.body}`);
  return (await app.inject({ url: `/v3/eid/scanningsessions/${id}/analyses`, headers: auth(key) })).json();
}

for (const documentType of ['Passport', 'IdentityCard', 'DriversLicense']) {
  t.test(`an uploaded ${documentType} is reported as ${documentType}`, async (t) => {
    const { app } = await startTestApp(t);
    const id = await apiSession(app, 'k');
    t.equal((await upload(app, 'k', id, `documentType=${documentType}&reference=f-1`)).statusCode, 200);
    t.equal((await upload(app, 'k', id, 'documentType=Selfie&reference=f-1')).statusCode, 200);
    const result = await analysedResult(app, 'k', id);
    t.equal(result.total_result, 'Accepted');
    t.equal(result.result.documentAnalysis.documentType, documentType);
    t.equal(result.analysis_summary.id_document_summary.fields.Document_Type, documentType);
  });
}

t.test('the latest identity document counts, spelled as sent; selfies never do', async (t) => {
  const { app } = await startTestApp(t);
  const id = await apiSession(app, 'k');
  for (const type of ['Passport', 'Selfie', 'identityCard', 'Selfie']) t.equal((await upload(app, 'k', id, `documentType=${type}`)).statusCode, 200, type);
  t.equal((await analysedResult(app, 'k', id)).result.documentAnalysis.documentType, 'identityCard');
});

t.test('an empty reference and repeated uploads of one type are accepted, as a public client sends them', async (t) => {
  const { app } = await startTestApp(t);
  const id = await apiSession(app, 'k');
  const first = await upload(app, 'k', id, 'documentType=Passport&reference=');
  t.equal(first.statusCode, 200);
  t.match(first.json(), { session_id: id, document_type: 'Passport', reference: null, errors: [] }, 'an empty reference is no reference (.NET binds it as null)');
  for (let i = 0; i < 3; i++) {
    const selfie = await upload(app, 'k', id, 'documentType=Selfie&reference=%20');
    t.equal(selfie.statusCode, 200, `selfie ${i + 1}`);
    t.equal(selfie.json().reference, null);
  }
  const view = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
  t.strictSame(view.documents.map((d: { document_type: string }) => d.document_type), ['Passport', 'Selfie', 'Selfie', 'Selfie']);
  t.equal((await analysedResult(app, 'k', id)).total_result, 'Accepted');
});

t.test('a repeated query key binds its first value, as ASP.NET Core binds a simple type', async (t) => {
  const { app } = await startTestApp(t);
  const id = await apiSession(app, 'k', ['document']);
  const res = await upload(app, 'k', id, 'documentType=sample&reference=user.json&documentType=Passport');
  t.equal(res.statusCode, 200);
  t.match(res.json(), { document_type: 'sample', reference: 'user.json' });
  const started = await app.inject({ method: 'POST', url: `/v3/eid/scanningsessions/${id}/analyses?timeZoneOffset=60&timeZoneOffset=x`, headers: auth('k'), payload: {} });
  t.equal(started.statusCode, 200, 'the second timeZoneOffset is not read');
});

t.test('a missing or empty documentType is a 400 naming it', async (t) => {
  const { app } = await startTestApp(t);
  const id = await apiSession(app, 'k');
  for (const query of ['reference=x', 'documentType=', 'documentType=%20']) {
    const res = await upload(app, 'k', id, query);
    t.equal(res.statusCode, 400, query);
    t.strictSame(res.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'documentType is required' }] }, query);
  }
});

t.test('scan UI sessions read as the wire file default (Passport)', async (t) => {
  const { app } = await startTestApp(t);
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${created.id}/complete` });
  const result = (await app.inject({ url: `/v3/scanning/${created.id}`, headers: auth('k') })).json();
  t.equal(result.result.documentAnalysis.documentType, 'Passport');
  // An API-flow session finished without an identity upload has no type of its own either.
  const id = await apiSession(app, 'k');
  await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
  t.equal((await app.inject({ url: `/v3/eid/scanningsessions/${id}/analyses`, headers: auth('k') })).json().result.documentAnalysis.documentType, 'Passport');
});
