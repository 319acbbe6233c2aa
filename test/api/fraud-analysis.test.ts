// `fraud` as an analysis type: a public API test of ZignSec's test environment creates a scanning
// session with analysis_types ["document", "fraud", "selfie"] and expects 201 with a session_id.
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { OutcomePreset } from '../../src/schemas/fixtures.js';
import { auth, startTestApp } from '../helpers/app.js';
import { multipartBody, tinyJpeg, tinyPng } from '../helpers/multipart.js';
import { signIn, startPortalApp } from '../helpers/portal.js';
import { startReceiver } from '../helpers/receiver.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];
const base = '/v3/eid/scanningsessions';

const upload = (app: App, id: string, documentType: string, key = 'k') => {
  const { payload, headers } = multipartBody('document', 'img.png', 'image/png', tinyPng);
  return app.inject({ method: 'POST', url: `${base}/${id}/documents?documentType=${documentType}`, headers: { ...headers, ...auth(key) }, payload });
};

/** Creates a scanning session, uploads a passport and a selfie, starts the analysis, reads the result once. */
async function analysed(app: App, analysisTypes: string[], outcome?: string) {
  const headers = { ...auth('k'), ...(outcome ? { 'x-mock-outcome': outcome } : {}) };
  const id = (await app.inject({ method: 'POST', url: base, headers, payload: { analysis_types: analysisTypes } })).json().session_id as string;
  await upload(app, id, 'Passport');
  await upload(app, id, 'Selfie');
  const started = await app.inject({ method: 'POST', url: `${base}/${id}/analyses`, headers: auth('k'), payload: {} });
  return { id, started, result: (await app.inject({ url: `${base}/${id}/analyses`, headers: auth('k') })).json() };
}

t.test('the public API test: create with document, fraud and selfie answers 201 with a session_id, then a Passport uploads', async (t) => {
  const { app } = await startTestApp(t);
  const receiver = await startReceiver(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const appId = 'af5cd36b-83d0-43fb-bfe8-22a8addea553';

  const response = await fetch(`${baseUrl}/v3/eid/scanningsessions`, {
    method: 'POST',
    headers: { Authorization: appId, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      relay_state: 'client_state',
      analysis_types: ['document', 'fraud', 'selfie'],
      target: 'https://landing.mysite.com',
      target_error: 'https://landing.mysite.com/problem',
      // The test posts https://webhook.site/; a loopback receiver stands in for it (no traffic leaves the machine).
      webhook: receiver.url,
    }),
  });
  t.equal(response.status, 201);
  const data = (await response.json()) as { session_id: string };
  t.match(data, { session_id: /^[0-9a-f-]{36}$/ });

  const form = new FormData();
  form.append('document', new Blob([tinyJpeg], { type: 'image/jpeg' }), 'users.jpg');
  const uploaded = await fetch(`${baseUrl}/v3/eid/scanningsessions/${data.session_id}/documents?documentType=Passport&reference=users.json`, { method: 'POST', headers: { Authorization: appId }, body: form });
  t.equal(uploaded.status, 200);
  t.match(await uploaded.json(), { session_id: data.session_id, document_type: 'Passport', reference: 'users.json' });

  const view = (await app.inject({ url: `/__mock/sessions/${data.session_id}` })).json();
  t.same(view.settings.analysis_types, ['document', 'fraud', 'selfie']);
  t.same(view.analyses, { document: 'Requested', liveness: 'NotRequested', face_match: 'Requested', fraud: 'Requested' });
});

t.test('the fraud analysis is reported in the result with its status and score', async (t) => {
  const { app } = await startTestApp(t, { SEED: 'fraud' });
  const { id, result } = await analysed(app, ['document', 'fraud', 'selfie']);
  t.equal(result.status, 'Accepted');
  t.strictSame(result.result.fraudAnalysis, { status: 'Accepted', score: 0.98 });
  t.strictSame((await app.inject({ url: `/__mock/sessions/${id}` })).json().analyses, { document: 'Accepted', liveness: 'NotRequested', face_match: 'Accepted', fraud: 'Accepted' });

  const withoutFraud = await analysed(app, ['document']);
  t.strictSame(withoutFraud.result.result.fraudAnalysis, { status: 'NotRequested', score: null }, 'an analysis not asked for is NotRequested, without a score');
});

t.test('fraud_detected: only the fraud analysis declines; without a fraud analysis the session is accepted', async (t) => {
  const { app } = await startTestApp(t);
  const { result } = await analysed(app, ['document', 'fraud', 'selfie'], 'fraud_detected');
  t.equal(result.status, 'Declined');
  t.equal(result.total_result, 'Declined');
  t.strictSame(
    [result.result.documentAnalysis.status, result.result.faceMatchAnalysis.status, result.result.fraudAnalysis, result.result.reason],
    ['Accepted', 'Accepted', { status: 'Declined', score: 0.04 }, 'FraudSuspected'],
  );
  t.match(result.analysis_summary.id_document_summary.fields, { Document_Number: /^[A-Z]\d{8}$/ }, 'the document itself was read');

  const notAsked = await analysed(app, ['document', 'selfie'], 'fraud_detected');
  t.same([notAsked.result.status, notAsked.result.result.fraudAnalysis.status, notAsked.result.result.reason], ['Accepted', 'NotRequested', null]);

  const liveness = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('k'), 'x-mock-outcome': 'fraud_detected' }, payload: { options: 'FrontSide', action: 'Smile' } })).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${liveness.id}/complete` });
  const livenessResult = (await app.inject({ url: `/v3/scanning/${liveness.id}`, headers: auth('k') })).json();
  t.same([livenessResult.status, livenessResult.result.fraudAnalysis.status], ['Accepted', 'NotRequested'], 'a liveness session runs no fraud analysis');
});

t.test('every built-in preset gives the fraud analysis a result', async (t) => {
  const { app } = await startTestApp(t);
  const outcomes = (await app.inject({ url: '/__mock/outcomes' })).json().outcomes as { name: string; analyses: { fraud: string } }[];
  t.same(Object.fromEntries(outcomes.map((o) => [o.name, o.analyses.fraud])), {
    abandoned: 'Cancelled',
    action_not_performed: 'Accepted',
    approved: 'Accepted',
    document_expired: 'Accepted',
    document_tampered: 'Declined',
    document_unreadable: 'Failed',
    face_mismatch: 'Accepted',
    fraud_detected: 'Declined',
    liveness_failed: 'Accepted',
    provider_error: 'Failed',
    slow_analysis: 'Accepted',
    user_cancelled: 'Cancelled',
  });
  const tampered = await analysed(app, ['fraud', 'selfie'], 'document_tampered');
  t.same([tampered.result.status, tampered.result.result.fraudAnalysis.status, tampered.result.result.documentAnalysis.status], ['Declined', 'Declined', 'NotRequested'], 'a tampered document is a fraud finding on its own');
  const unreadable = await analysed(app, ['fraud'], 'document_unreadable');
  t.same([unreadable.result.status, unreadable.result.result.fraudAnalysis], ['Declined', { status: 'Failed', score: null }]);
});

t.test('a preset written before fraud existed gets a default fraud result from its session status', async (t) => {
  const parse = (session_status: string) =>
    OutcomePreset.parse({ name: 'old', description: 'old', session_status, analyses: { document: 'Accepted', liveness: 'Accepted', face_match: 'Accepted' }, redirect: 'target' }).analyses.fraud;
  t.same(['Accepted', 'Declined', 'Failed', 'Cancelled', 'Timeout'].map(parse), ['Accepted', 'Accepted', 'Failed', 'Cancelled', 'Cancelled']);
});

t.test('a fraud analysis needs the identity document', async (t) => {
  const { app } = await startTestApp(t);
  const id = (await app.inject({ method: 'POST', url: base, headers: auth('k'), payload: { analysis_types: ['fraud', 'selfie'] } })).json().session_id;
  await upload(app, id, 'Selfie');
  const refused = await app.inject({ method: 'POST', url: `${base}/${id}/analyses`, headers: auth('k'), payload: {} });
  t.equal(refused.statusCode, 400);
  t.strictSame(refused.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'Cannot start the analysis: a fraud analysis needs an uploaded identity document (e.g. documentType=Passport).' }] });
});

t.test('the browser scanning flow captures the document for a fraud analysis', async (t) => {
  const { app } = await startTestApp(t);
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning', headers: auth('k'), payload: { analysis_types: ['fraud'] } })).json();
  const page = await app.inject({ url: new URL(created.redirect_url).pathname + new URL(created.redirect_url).search });
  t.equal(page.statusCode, 200);
  t.match(page.body, /"steps":\["document-front"\]/, 'the scan UI asks for the front of the document');
});

t.test('the portal session page lists the fraud analysis beside the others', async (t) => {
  const { app } = await startPortalApp(t);
  const id = (await app.inject({ method: 'POST', url: base, headers: auth('portal-key'), payload: { analysis_types: ['document', 'fraud'] } })).json().session_id;
  const portal = await signIn(app, 'portal-key');
  const page = (await portal.get(`/portal/sessions/${id}`)).body;
  for (const [name, status] of [['document', 'Requested'], ['liveness', 'NotRequested'], ['face_match', 'NotRequested'], ['fraud', 'Requested']]) {
    t.match(page, `data-testid="analysis-${name}" data-status="${status}"`, name);
  }
});
