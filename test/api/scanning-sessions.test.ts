import t from 'tap';
import { auth, startTestApp } from '../helpers/app.js';
import { multipartBody, tinyJpeg, tinyPng } from '../helpers/multipart.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];
const base = '/v3/eid/scanningsessions';

const upload = (app: App, id: string, documentType: string, bytes: Buffer, key = 'k', field = 'document', query = '') => {
  const { payload, headers } = multipartBody(field, 'img.bin', 'image/png', bytes);
  return app.inject({ method: 'POST', url: `${base}/${id}/documents?documentType=${documentType}${query}`, headers: { ...headers, ...auth(key) }, payload });
};

t.test('create returns 201 with session_id and provider_folder_id', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject({ method: 'POST', url: base, headers: auth('k'), payload: { analysis_types: ['document', 'selfie'], relay_state: 'app-1' } });
  t.equal(res.statusCode, 201);
  const body = res.json();
  t.same(Object.keys(body), ['session_id', 'provider_folder_id', 'errors']);
  t.match(body.provider_folder_id, /^[0-9a-z]{16}$/);
  t.same(body.errors, []);
  const noBody = await app.inject({ method: 'POST', url: base, headers: auth('k') });
  t.equal(noBody.statusCode, 201, 'a create without a body is a document-only session');
});

t.test('upload, analyse and poll (an outcome about time): Created -> ReadyToStart -> Pending -> Accepted on the clock', async (t) => {
  const { app, clock } = await startTestApp(t, { SEED: 'scan' });
  const { session_id: id } = (
    await app.inject({ method: 'POST', url: base, headers: { ...auth('k'), 'x-mock-outcome': 'slow_analysis' }, payload: { analysis_types: ['document', 'selfie', 'liveness'] } })
  ).json();

  const passport = await upload(app, id, 'Passport', tinyJpeg, 'k', 'document', '&reference=front');
  t.equal(passport.statusCode, 200);
  const doc = passport.json();
  t.match(doc, { session_id: id, document_type: 'Passport', reference: 'front', content_type: 'image/jpeg', size: tinyJpeg.length, errors: [] });
  t.equal((await app.inject({ url: `${base}/${id}/analysisStatus`, headers: auth('k') })).json().status, 'ReadyToStart');

  const tooEarly = await app.inject({ method: 'POST', url: `${base}/${id}/analyses`, headers: auth('k'), payload: {} });
  t.equal(tooEarly.statusCode, 400);
  t.strictSame(tooEarly.json(), {
    errors: [{ code: 'INVALID_REQUEST', description: 'Cannot start the analysis: selfie and liveness analyses need an uploaded documentType=Selfie image.' }],
  });

  t.equal((await upload(app, id, 'Selfie', tinyPng)).json().content_type, 'image/png');
  const started = await app.inject({ method: 'POST', url: `${base}/${id}/analyses?timeZoneOffset=-60`, headers: auth('k'), payload: { analysis_types: ['document', 'selfie', 'liveness'] } });
  t.equal(started.statusCode, 200);
  const analysis = started.json();
  t.strictSame(analysis, { id: analysis.id, session_id: id, status: 'Pending', errors: [] });

  const again = await app.inject({ method: 'POST', url: `${base}/${id}/ui/analyses/`, headers: auth('k'), payload: {} });
  t.equal(again.statusCode, 409);
  t.strictSame(again.json(), { errors: [{ code: 'SESSION_STATE', description: 'The analysis of this session has already started.' }] });

  const pending = (await app.inject({ url: `${base}/${id}/analysisStatus`, headers: auth('k') })).json();
  t.equal(pending.status, 'Pending');
  t.equal(pending.result.documentAnalysis.status, 'Pending');

  clock.advance(59_999);
  t.equal((await app.inject({ url: `${base}/${id}/analysisStatus`, headers: auth('k') })).json().status, 'Pending', 'Pending for the whole duration');
  clock.advance(1);
  const done = (await app.inject({ url: `${base}/${id}/analyses/${analysis.id}`, headers: auth('k') })).json();
  t.equal(done.status, 'Accepted');
  t.same(
    [done.result.documentAnalysis.status, done.result.livenessAnalysis.status, done.result.faceMatchAnalysis.status],
    ['Accepted', 'Accepted', 'Accepted'],
  );
  t.match(done.result.identity, { countryCode: /^[A-Z]{2}$/, firstName: String, lastName: String, dateOfBirth: /^\d{4}-\d{2}-\d{2}$/, gender: /^(Male|Female)$/ });
  t.equal(done.result.identity.fullName, `${done.result.identity.firstName} ${done.result.identity.lastName}`);
  t.match(done.analysis_summary.id_document_summary.fields.Document_Number, /^[A-Z]\d{8}$/, 'the field public clients read');
  t.same(done.result.livenessAnalysis.score, 0.98);
  t.strictSame((await app.inject({ url: `${base}/${id}/analyses`, headers: auth('k') })).json(), done);
});

t.test('document uploads are checked: image content only, size-limited, field name, documentType', async (t) => {
  const { app } = await startTestApp(t, { MAX_UPLOAD_BYTES: '2048' });
  const { session_id: id } = (await app.inject({ method: 'POST', url: base, headers: auth('k'), payload: {} })).json();

  const text = await upload(app, id, 'Passport', Buffer.from('<svg onload=alert(1)>'));
  t.equal(text.statusCode, 415);
  t.strictSame(text.json(), { errors: [{ code: 'UNSUPPORTED_MEDIA_TYPE', description: 'The document must be an image (JPEG, PNG, WebP, GIF, BMP, TIFF or HEIC).' }] });

  const big = await upload(app, id, 'Passport', Buffer.concat([tinyPng, Buffer.alloc(4096)]));
  t.equal(big.statusCode, 413);
  t.strictSame(big.json(), { errors: [{ code: 'PAYLOAD_TOO_LARGE', description: 'The uploaded file is too large.' }] });

  const wrongField = await upload(app, id, 'Passport', tinyPng, 'k', 'file');
  t.equal(wrongField.statusCode, 400);
  t.strictSame(wrongField.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'Send the image as multipart/form-data in a file field named "document".' }] });

  const json = await app.inject({ method: 'POST', url: `${base}/${id}/documents?documentType=Passport`, headers: auth('k'), payload: { document: 'x' } });
  t.equal(json.statusCode, 415);
  t.strictSame(json.json(), { errors: [{ code: 'UNSUPPORTED_MEDIA_TYPE', description: 'Send the document as multipart/form-data with a file field named "document".' }] });

  const noType = await app.inject({ method: 'POST', url: `${base}/${id}/documents`, headers: { ...multipartBody('document', 'a.png', 'image/png', tinyPng).headers, ...auth('k') }, payload: multipartBody('document', 'a.png', 'image/png', tinyPng).payload });
  t.equal(noType.statusCode, 400);
  t.strictSame(noType.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'documentType is required' }] });

  const status = (await app.inject({ url: `${base}/${id}/analysisStatus`, headers: auth('k') })).json();
  t.equal(status.status, 'Created', 'rejected uploads leave the session untouched');
});

t.test('an unknown analysis id is 404 ANALYSIS_NOT_FOUND; finished sessions refuse uploads', async (t) => {
  const { app } = await startTestApp(t);
  const { session_id: id } = (await app.inject({ method: 'POST', url: base, headers: auth('k'), payload: {} })).json();
  const other = await app.inject({ url: `${base}/${id}/analyses/3f1f0f2b-0000-4000-8000-000000000000`, headers: auth('k') });
  t.equal(other.statusCode, 404);
  t.strictSame(other.json(), { errors: [{ code: 'ANALYSIS_NOT_FOUND', description: 'No analysis with id "3f1f0f2b-0000-4000-8000-000000000000" in this session.' }] });
  await upload(app, id, 'Passport', tinyPng);
  await app.inject({ method: 'POST', url: `${base}/${id}/analyses`, headers: auth('k'), payload: { analysis_types: ['document'] } });
  app.emulator.clock.advance(2000);
  const late = await upload(app, id, 'Passport', tinyPng);
  t.equal(late.statusCode, 409);
  t.strictSame(late.json(), { errors: [{ code: 'SESSION_STATE', description: 'The session is already Accepted.' }] });
});

t.test('multipart is for uploads only: the JSON routes of this API answer 415', async (t) => {
  const { app } = await startTestApp(t);
  const { payload, headers } = multipartBody('analysis_types', 'a.txt', 'text/plain', Buffer.from('document'));
  const create = await app.inject({ method: 'POST', url: base, headers: { ...headers, ...auth('k') }, payload });
  t.equal(create.statusCode, 415);
  t.equal(create.json().errors[0].code, 'UNSUPPORTED_MEDIA_TYPE');
  const id = (await app.inject({ method: 'POST', url: base, headers: auth('k'), payload: {} })).json().session_id;
  const analyse = await app.inject({ method: 'POST', url: `${base}/${id}/analyses`, headers: { ...headers, ...auth('k') }, payload });
  t.equal(analyse.statusCode, 415);
});

t.test('a refused analysis start leaves the session exactly as it was', async (t) => {
  const { app } = await startTestApp(t);
  const id = (await app.inject({ method: 'POST', url: base, headers: auth('k'), payload: {} })).json().session_id;
  t.equal((await upload(app, id, 'Passport', tinyPng)).statusCode, 200);
  const before = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
  const refused = await app.inject({ method: 'POST', url: `${base}/${id}/analyses`, headers: auth('k'), payload: { analysis_types: ['document', 'liveness'] } });
  t.equal(refused.statusCode, 400);
  t.match(refused.json().errors[0].description, /Selfie/);
  const after = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
  t.strictSame(after, before, 'analyses, settings and action unchanged');
  const started = await app.inject({ method: 'POST', url: `${base}/${id}/analyses`, headers: auth('k'), payload: {} });
  t.equal(started.statusCode, 200, 'the document-only analysis it was created for still starts');
});
