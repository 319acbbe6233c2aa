import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];
const presets = readdirSync('fixtures/outcomes').map((f) => JSON.parse(readFileSync(`fixtures/outcomes/${f}`, 'utf8')));

const createLiveness = async (app: App, key: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth(key), ...headers }, payload: { ...exampleLivenessRequest, ...extra } });

t.test('GET /__mock/outcomes lists the built-in catalogue with descriptions', async (t) => {
  const { app } = await startTestApp(t);
  const body = (await app.inject({ url: '/__mock/outcomes' })).json();
  const names = body.outcomes.map((o: { name: string }) => o.name).sort();
  t.same(names, [
    'abandoned', 'action_not_performed', 'approved', 'document_expired', 'document_tampered', 'document_unreadable',
    'face_mismatch', 'fraud_detected', 'liveness_failed', 'provider_error', 'slow_analysis', 'user_cancelled',
  ]);
  const approved = body.outcomes.find((o: { name: string }) => o.name === 'approved');
  t.strictSame(approved, {
    name: 'approved',
    description: 'Everything passes: genuine document, live person, face matches. Browser goes to target.',
    source: 'built-in',
    session_status: 'Accepted',
    analyses: { document: 'Accepted', liveness: 'Accepted', face_match: 'Accepted', fraud: 'Accepted' },
    redirect: 'target',
    analysis_duration_ms: 1500,
    api_flow_waits: false,
    never_finishes: false,
    failed_document_fields: [],
    reason: null,
  });
});

// A liveness session runs no fraud analysis, so fraud_detected (which declines through it alone) is
// tested on a scanning session below.
for (const preset of presets.filter((p) => p.name !== 'fraud_detected')) {
  t.test(`preset ${preset.name}: create -> complete -> result`, async (t) => {
    const { app } = await startTestApp(t, { SEED: 'presets' });
    const created = (await createLiveness(app, 'k', { options: 'FrontAndBack' }, { 'x-mock-outcome': preset.name })).json();
    const completed = await app.inject({ method: 'POST', url: `/__mock/sessions/${created.id}/complete`, payload: {} });
    t.equal(completed.statusCode, 200);
    const result = (await app.inject({ url: `/v3/scanning/${created.id}`, headers: auth('k') })).json();
    const withIdentity = (preset.identity ?? 'generated') === 'generated';
    const failed: string[] = preset.failed_document_fields ?? [];
    t.strictSame(result, {
      id: created.id,
      errors: preset.errors ?? [],
      status: preset.session_status,
      relay_state: '11111',
      created: '2026-01-15T09:00:00.000Z',
      updated: '2026-01-15T09:00:00.000Z',
      total_result: preset.session_status,
      action: 'FollowText',
      result: {
        identity: withIdentity ? result.result.identity : null,
        documentAnalysis: { status: preset.analyses.document, documentType: withIdentity ? 'Passport' : null, failedFields: failed, score: preset.scores?.document ?? null },
        livenessAnalysis: { status: preset.analyses.liveness, action: 'FollowText', score: preset.scores?.liveness ?? null },
        faceMatchAnalysis: { status: preset.analyses.face_match, score: preset.scores?.face_match ?? null },
        fraudAnalysis: { status: 'NotRequested', score: null },
        reason: preset.reason ?? null,
      },
      analysis_summary: {
        id: result.analysis_summary.id,
        id_document_summary: { status: preset.analyses.document, fields: withIdentity ? result.analysis_summary.id_document_summary.fields : {}, failed_fields: failed },
      },
    });
    if (withIdentity) {
      const identity = result.result.identity;
      t.match(identity, { countryCode: /^[A-Z]{2}$/, firstName: /\S/, lastName: /\S/, dateOfBirth: /^\d{4}-\d{2}-\d{2}$/, gender: /^(Male|Female)$/, identificationDate: '2026-01-15T09:00:00.000Z' });
      const fields = result.analysis_summary.id_document_summary.fields;
      t.equal(fields.First_Name, identity.firstName.toUpperCase());
      t.equal(fields.Date_Of_Birth, identity.dateOfBirth);
      const expired = fields.Expiry_Date < '2026-01-15';
      t.equal(expired, preset.document_expiry === 'expired', 'the expiry date matches the preset');
    }
    const view = (await app.inject({ url: `/__mock/sessions/${created.id}` })).json();
    t.strictSame(view.outcome, { name: preset.name, rule: 'armed' === view.outcome.rule ? 'armed' : 'header', description: preset.description });
    t.same(view.timeline.map((e: { status: string }) => e.status), ['Created', 'Pending', preset.session_status]);
  });
}

t.test('an ignored failing field does not fail the document analysis, and the result reads like an accepted one', async (t) => {
  const { app } = await startTestApp(t);
  const created = (await createLiveness(app, 'k', { doc: { ignore_errors_in_fields: ['Expiry_Date'] } }, { 'x-mock-outcome': 'document_expired' })).json();
  await app.inject({ method: 'POST', url: `/__mock/sessions/${created.id}/complete` });
  const result = (await app.inject({ url: `/v3/scanning/${created.id}`, headers: auth('k') })).json();
  t.equal(result.status, 'Accepted');
  t.equal(result.total_result, 'Accepted');
  t.strictSame(result.result.documentAnalysis, { status: 'Accepted', documentType: 'Passport', failedFields: [], score: 0.97 });
  t.strictSame(result.result.livenessAnalysis, { status: 'Accepted', action: 'FollowText', score: 0.97 });
  t.strictSame(result.result.faceMatchAnalysis, { status: 'Accepted', score: 0.93 });
  t.equal(result.result.reason, null, 'no failure reason for a forgiven field');
  t.equal(result.analysis_summary.id_document_summary.status, 'Accepted');
  t.strictSame(result.analysis_summary.id_document_summary.failed_fields, []);
  const view = (await app.inject({ url: `/__mock/sessions/${created.id}` })).json();
  t.equal(view.outcome.name, 'document_expired', 'the preset is still the one chosen');
});

t.test('doc.ignore_errors_in_fields matches field names ignoring case', async (t) => {
  const { app } = await startTestApp(t);
  for (const spelling of ['expiry_date', 'EXPIRY_DATE']) {
    const created = (await createLiveness(app, 'k', { doc: { ignore_errors_in_fields: [spelling] } }, { 'x-mock-outcome': 'document_expired' })).json();
    await app.inject({ method: 'POST', url: `/__mock/sessions/${created.id}/complete` });
    const result = (await app.inject({ url: `/v3/scanning/${created.id}`, headers: auth('k') })).json();
    t.equal(result.status, 'Accepted', spelling);
    t.strictSame(result.result.documentAnalysis, { status: 'Accepted', documentType: 'Passport', failedFields: [], score: 0.97 }, spelling);
    t.equal(result.result.reason, null, spelling);
  }
});

t.test('a NoDocument liveness session has no identity, no document and no scores for analyses it did not request', async (t) => {
  const { app } = await startTestApp(t, { SEED: 'no-document' });
  const receiver = await startReceiver(t);
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: { options: 'NoDocument', action: 'Random', webhook: receiver.url } })).json();
  const completed = await app.inject({ method: 'POST', url: `/__mock/sessions/${created.id}/complete`, payload: {} });
  t.equal(completed.statusCode, 200);
  const result = (await app.inject({ url: `/v3/scanning/${created.id}`, headers: auth('k') })).json();
  t.strictSame(result, {
    id: created.id,
    errors: [],
    status: 'Accepted',
    relay_state: created.id,
    created: '2026-01-15T09:00:00.000Z',
    updated: '2026-01-15T09:00:00.000Z',
    total_result: 'Accepted',
    action: result.action,
    result: {
      identity: null,
      documentAnalysis: { status: 'NotRequested', documentType: null, failedFields: [], score: null },
      livenessAnalysis: { status: 'Accepted', action: result.action, score: 0.98 },
      faceMatchAnalysis: { status: 'NotRequested', score: null },
      fraudAnalysis: { status: 'NotRequested', score: null },
      reason: null,
    },
    analysis_summary: { id: result.analysis_summary.id, id_document_summary: { status: 'NotRequested', fields: {}, failed_fields: [] } },
  });
  t.match(result.action, /^[A-Za-z]+$/);
  const waited = await app.inject({ url: `/__mock/webhooks/wait?session_id=${created.id}&status=Accepted&timeout_ms=5000` });
  t.equal(waited.statusCode, 200);
  t.equal(receiver.received.length, 1);
  t.strictSame(JSON.parse(receiver.received[0].rawBody), result, 'the webhook body is the same object');
});

t.test('precedence: armed > queued > header > relay_state > merchant default > approved', async (t) => {
  const { app } = await startTestApp(t, { MERCHANTS_FILE: 'test/fixtures/merchants-with-default.json' });
  const selected = (res: { headers: Record<string, unknown> }) => res.headers['x-mock-outcome-selected'];

  t.equal(selected(await createLiveness(app, 'plain')), 'approved; rule=default');
  t.equal(selected(await createLiveness(app, 'face-key')), 'face_mismatch; rule=merchant_default');
  t.equal(selected(await createLiveness(app, 'face-key', { relay_state: 'order=1&mock_outcome=document_tampered' })), 'document_tampered; rule=relay_state');
  t.equal(selected(await createLiveness(app, 'face-key', { relay_state: 'mock_outcome=document_tampered' }, { 'x-mock-outcome': 'liveness_failed' })), 'liveness_failed; rule=header');

  const queued = await app.inject({ method: 'POST', url: '/__mock/outcomes/queue', payload: { api_key: 'face-key', outcomes: ['provider_error', 'user_cancelled'] } });
  t.strictSame(queued.json(), { api_key: 'face-key', queued: ['provider_error', 'user_cancelled'] });
  t.equal(selected(await createLiveness(app, 'face-key', {}, { 'x-mock-outcome': 'liveness_failed' })), 'provider_error; rule=queued');
  t.equal(selected(await createLiveness(app, 'other-key')), 'approved; rule=default', 'queues are per key');
  const second = await createLiveness(app, 'face-key');
  t.equal(selected(second), 'user_cancelled; rule=queued');
  t.strictSame((await app.inject({ url: '/__mock/outcomes/queue?api_key=face-key' })).json(), { api_key: 'face-key', queued: [] });
  t.equal(selected(await createLiveness(app, 'face-key')), 'face_mismatch; rule=merchant_default', 'the queue is used up');

  const armed = await app.inject({ method: 'POST', url: `/__mock/sessions/${second.json().id}/outcome`, payload: { outcome: 'slow_analysis' } });
  t.strictSame(armed.json().outcome, { name: 'slow_analysis', rule: 'armed', description: 'Approved, but the analysis stays Pending for 60 seconds (advance the clock to skip).' });
});

t.test('an unknown preset is a 400 listing the valid names, wherever it comes from', async (t) => {
  const { app } = await startTestApp(t);
  const names = (await app.inject({ url: '/__mock/outcomes' })).json().outcomes.map((o: { name: string }) => o.name);
  const expected = { errors: [{ code: 'INVALID_REQUEST', description: `Unknown outcome "sunny". Valid outcomes: ${names.join(', ')}.` }] };
  const header = await createLiveness(app, 'k', {}, { 'x-mock-outcome': 'sunny' });
  t.equal(header.statusCode, 400);
  t.strictSame(header.json(), expected);
  t.strictSame((await createLiveness(app, 'k', { relay_state: 'mock_outcome=sunny' })).json(), expected);
  t.strictSame((await app.inject({ method: 'POST', url: '/__mock/outcomes/queue', payload: { api_key: 'k', outcomes: ['approved', 'sunny'] } })).json(), expected);
  t.strictSame((await app.inject({ url: '/__mock/outcomes/queue?api_key=k' })).json().queued, [], 'a bad queue request queues nothing');
  const id = (await createLiveness(app, 'k')).json().id;
  t.strictSame((await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/outcome`, payload: { outcome: 'sunny' } })).json(), expected);
  t.strictSame((await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete`, payload: { outcome: 'sunny' } })).json(), expected);
  t.equal((await app.inject({ url: `/v3/scanning/${id}`, headers: auth('k') })).json().status, 'Created', 'the session is untouched');
  t.equal((await app.inject({ url: '/__mock/sessions?api_key=k' })).json().total, 1, 'rejected creates stored nothing');
});

t.test('abandoned never finishes by analysis and times out through the clock; slow_analysis stays Pending', async (t) => {
  const { app, clock } = await startTestApp(t, { SESSION_TTL: '30m' });
  const base = '/v3/eid/scanningsessions';
  const start = async (outcome: string) => {
    const { session_id } = (await app.inject({ method: 'POST', url: base, headers: { ...auth('k'), 'x-mock-outcome': outcome }, payload: { analysis_types: ['document'] } })).json();
    const { multipartBody, tinyPng } = await import('../helpers/multipart.js');
    const { payload, headers } = multipartBody('document', 'p.png', 'image/png', tinyPng);
    await app.inject({ method: 'POST', url: `${base}/${session_id}/documents?documentType=Passport`, headers: { ...headers, ...auth('k') }, payload });
    await app.inject({ method: 'POST', url: `${base}/${session_id}/analyses`, headers: auth('k'), payload: {} });
    return session_id as string;
  };
  const abandoned = await start('abandoned');
  const slow = await start('slow_analysis');
  const status = async (id: string) => (await app.inject({ url: `${base}/${id}/analysisStatus`, headers: auth('k') })).json().status;
  clock.advance(59_999);
  t.same([await status(abandoned), await status(slow)], ['Pending', 'Pending']);
  clock.advance(1);
  t.same([await status(abandoned), await status(slow)], ['Pending', 'Accepted']);
  clock.advance(30 * 60_000);
  t.equal(await status(abandoned), 'Timeout');
});

t.test(
  'a session that times out says so at its deadline, however far past it the clock was moved',
  async (t) => {
    const { app, clock } = await startTestApp(t, { SESSION_TTL: '30m' });
    const created = (await createLiveness(app, 'k', {}, { 'x-mock-outcome': 'abandoned' })).json();
    clock.advance(6 * 3_600_000);
    const result = (await app.inject({ url: `/v3/scanning/${created.id}`, headers: auth('k') })).json();
    t.equal(result.status, 'Timeout');
    t.equal(result.created, '2026-01-15T09:00:00.000Z');
    t.equal(result.updated, '2026-01-15T09:30:00.000Z');
    const view = (await app.inject({ url: `/__mock/sessions/${created.id}` })).json();
    t.strictSame(view.timeline.at(-1), { at: '2026-01-15T09:30:00.000Z', status: 'Timeout', event: 'session timed out' });
  },
);
