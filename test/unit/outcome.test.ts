// Applying outcome presets to sessions: scores, identity and reason follow what the session requested
// and what doc.ignore_errors_in_fields forgives.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ACCEPTED_DOCUMENT_SCORE, applyOutcome, decideStatuses } from '../../src/core/outcome.js';
import { seededRandom } from '../../src/core/random.js';
import { renderResult } from '../../src/core/result.js';
import { DomainError } from '../../src/core/domain-errors.js';
import { effectiveSettings, NO_DOCUMENTS, requestedAnalyses, changeStatus, type Flow, type Session } from '../../src/core/session.js';
import { toApiError } from '../../src/http/errors.js';
import { MerchantSettings, OutcomePreset } from '../../src/schemas/fixtures.js';
import people from '../../fixtures/people.json' with { type: 'json' };

const NOW = Date.UTC(2026, 0, 15, 9, 0, 0);
const preset = (name: string) => OutcomePreset.parse(JSON.parse(readFileSync(`fixtures/outcomes/${name}.json`, 'utf8')));
const template = JSON.parse(readFileSync('fixtures/result-template.json', 'utf8'));

/** A Pending session of the flow, as the service holds it just before its analysis is decided. */
function pendingSession(flow: Flow, request: Record<string, unknown>): Session {
  const settings = effectiveSettings(flow, request, MerchantSettings.parse({}), '00000000-0000-4000-8000-00000000000a');
  const analyses = requestedAnalyses(flow, settings);
  for (const key of ['document', 'liveness', 'face_match'] as const) if (analyses[key] === 'Requested') analyses[key] = 'Pending';
  return {
    id: '00000000-0000-4000-8000-00000000000a',
    apiKey: 'k',
    flow,
    sequence: 1,
    providerFolderId: 'folder',
    analysisId: '00000000-0000-4000-8000-00000000000b',
    status: 'Pending',
    createdAt: NOW - 1500,
    updatedAt: NOW - 1500,
    finishedAt: null,
    expiresAt: NOW + 3_600_000,
    requestJson: JSON.stringify(request),
    settings,
    chosenAction: analyses.liveness === 'NotRequested' ? null : 'Smile',
    analyses,
    documents: NO_DOCUMENTS,
    link: null,
    events: [],
    findings: null,
    analysisDueAt: null,
    outcome: { name: 'approved', rule: 'default' },
  };
}

function finish(session: Session, presetName: string) {
  applyOutcome(session, preset(presetName), seededRandom('outcome-test'), people.pools, NOW, 'Passport');
  return renderResult(template, session) as { result: Record<string, unknown>; analysis_summary: Record<string, unknown> } & Record<string, unknown>;
}

t.test('the accepted document score is the approved preset\'s document score', async (t) => {
  t.equal(ACCEPTED_DOCUMENT_SCORE, 0.97);
  t.equal(preset('approved').scores.document, ACCEPTED_DOCUMENT_SCORE);
});

t.test('a NoDocument liveness session scores only its liveness analysis and has no identity', async (t) => {
  const session = pendingSession('liveness', { options: 'NoDocument', action: 'Random' });
  const result = finish(session, 'approved');
  t.strictSame(result.result, {
    identity: null,
    documentAnalysis: { status: 'NotRequested', documentType: null, failedFields: [], score: null },
    livenessAnalysis: { status: 'Accepted', action: 'Smile', score: 0.98 },
    faceMatchAnalysis: { status: 'NotRequested', score: null },
    fraudAnalysis: { status: 'NotRequested', score: null },
    reason: null,
  });
  t.strictSame(result.analysis_summary, {
    id: '00000000-0000-4000-8000-00000000000b',
    id_document_summary: { status: 'NotRequested', fields: {}, failed_fields: [] },
  });
  t.equal(result.status, 'Accepted');
  t.strictSame(session.findings, {
    identity: null,
    document: null,
    failedFields: [],
    scores: { liveness: 0.98 },
    reason: null,
    errors: [],
    redirect: 'target',
  });
});

t.test('a NoDocument session reports no failing document fields even when the preset fails some', async (t) => {
  const result = finish(pendingSession('liveness', { options: 'NoDocument', action: 'Random' }), 'document_tampered');
  t.strictSame(result.result.documentAnalysis, { status: 'NotRequested', documentType: null, failedFields: [], score: null });
  t.strictSame(result.result.faceMatchAnalysis, { status: 'NotRequested', score: null });
  t.strictSame(result.result.livenessAnalysis, { status: 'Accepted', action: 'Smile', score: 0.97 });
  t.equal(result.result.identity, null);
  t.strictSame(result.analysis_summary.id_document_summary, { status: 'NotRequested', fields: {}, failed_fields: [] });
});

t.test('a scanning session without a document analysis has no identity and no document score', async (t) => {
  const result = finish(pendingSession('scanningsession', { analysis_types: ['selfie', 'liveness'] }), 'approved');
  t.strictSame(result.result, {
    identity: null,
    documentAnalysis: { status: 'NotRequested', documentType: null, failedFields: [], score: null },
    livenessAnalysis: { status: 'Accepted', action: 'Smile', score: 0.98 },
    faceMatchAnalysis: { status: 'Accepted', score: 0.94 },
    fraudAnalysis: { status: 'NotRequested', score: null },
    reason: null,
  });
});

t.test('a session with a document analysis still gets an identity and every score', async (t) => {
  const result = finish(pendingSession('liveness', { options: 'FrontSide', action: 'Random' }), 'approved');
  const identity = result.result.identity as Record<string, unknown>;
  t.equal(identity.identificationDate, '2026-01-15T09:00:00.000Z');
  t.equal(identity.fullName, `${identity.firstName as string} ${identity.lastName as string}`);
  t.match(result.result.documentAnalysis, { status: 'Accepted', documentType: 'Passport', failedFields: [], score: 0.97 });
  t.match(result.result.faceMatchAnalysis, { status: 'Accepted', score: 0.94 });
});

t.test('document_expired with Expiry_Date forgiven reads like an accepted session', async (t) => {
  const session = pendingSession('liveness', { options: 'FrontSide', action: 'Random', doc: { ignore_errors_in_fields: ['Expiry_Date'] } });
  const result = finish(session, 'document_expired');
  t.equal(result.status, 'Accepted');
  t.equal(result.total_result, 'Accepted');
  t.equal(result.result.reason, null, 'no failure reason');
  t.strictSame(result.result.documentAnalysis, { status: 'Accepted', documentType: 'Passport', failedFields: [], score: 0.97 });
  t.strictSame(result.result.livenessAnalysis, { status: 'Accepted', action: 'Smile', score: 0.97 });
  t.strictSame(result.result.faceMatchAnalysis, { status: 'Accepted', score: 0.93 });
  t.equal(session.findings!.redirect, 'target');
  const fields = (result.analysis_summary.id_document_summary as { fields: { Expiry_Date: string } }).fields;
  t.ok(fields.Expiry_Date < '2026-01-15', 'the document itself is still expired: only its error was forgiven');
});

t.test('document_expired without forgiveness keeps its reason and low score', async (t) => {
  const result = finish(pendingSession('liveness', { options: 'FrontSide', action: 'Random' }), 'document_expired');
  t.equal(result.status, 'Declined');
  t.equal(result.result.reason, 'DocumentExpired');
  t.strictSame(result.result.documentAnalysis, { status: 'Declined', documentType: 'Passport', failedFields: ['Expiry_Date'], score: 0.41 });
});

t.test('forgiving some but not all failing fields changes nothing but the list of failed fields', async (t) => {
  const result = finish(pendingSession('liveness', { options: 'FrontSide', action: 'Random', doc: { ignore_errors_in_fields: ['Personal_Number'] } }), 'document_tampered');
  t.equal(result.status, 'Declined');
  t.equal(result.result.reason, 'DocumentTampered');
  t.strictSame(result.result.documentAnalysis, { status: 'Declined', documentType: 'Passport', failedFields: ['Document_Number'], score: 0.12 });
});

t.test('ignore_errors_in_fields matches field names ignoring case', async (t) => {
  const documentExpired = preset('document_expired');
  const pending = { document: 'Pending', liveness: 'Pending', face_match: 'Pending', fraud: 'NotRequested' } as const;
  for (const spelling of ['expiry_date', 'EXPIRY_DATE', 'Expiry_date', 'Expiry_Date']) {
    const decided = decideStatuses({ analyses: { ...pending }, settings: { ignore_errors_in_fields: [spelling] } as never }, documentExpired);
    t.strictSame(
      decided,
      {
        analyses: { document: 'Accepted', liveness: 'Accepted', face_match: 'Accepted', fraud: 'NotRequested' },
        sessionStatus: 'Accepted',
        failedFields: [],
        redirect: 'target',
        scores: { document: 0.97, liveness: 0.97, face_match: 0.93 },
        reason: null,
      },
      spelling,
    );
  }
  const tampered = decideStatuses({ analyses: { ...pending }, settings: { ignore_errors_in_fields: ['document_number'] } as never }, preset('document_tampered'));
  t.strictSame(tampered.failedFields, ['Personal_Number'], 'the reported names keep their own spelling');
  t.equal(tampered.sessionStatus, 'Declined');
  const notAField = decideStatuses({ analyses: { ...pending }, settings: { ignore_errors_in_fields: ['expiry date'] } as never }, documentExpired);
  t.equal(notAField.sessionStatus, 'Declined', 'case is ignored, other differences are not');
});

t.test('the same seed gives the same finished session', async (t) => {
  const one = finish(pendingSession('liveness', { options: 'FrontSide', action: 'Random' }), 'approved');
  const two = finish(pendingSession('liveness', { options: 'FrontSide', action: 'Random' }), 'approved');
  t.strictSame(one, two);
});

t.test('a decline needs a declined analysis the session requested', async (t) => {
  for (const name of ['document_tampered', 'document_expired', 'document_unreadable', 'face_mismatch']) {
    const session = pendingSession('liveness', { options: 'NoDocument', action: 'Random' });
    const result = finish(session, name);
    t.equal(result.status, 'Accepted', `${name} on a NoDocument session: nothing it declines was run`);
    t.equal(result.result.reason, null, `${name}: no reason for a failure that did not happen`);
    t.equal(session.findings!.redirect, 'target', `${name}: the browser goes to target`);
  }
  for (const name of ['liveness_failed', 'action_not_performed']) {
    const session = pendingSession('liveness', { options: 'NoDocument', action: 'Random' });
    t.equal(finish(session, name).status, 'Declined', `${name} declines the liveness analysis it ran`);
  }
  const withDocument = pendingSession('liveness', { options: 'FrontSide', action: 'Random' });
  t.equal(finish(withDocument, 'face_mismatch').status, 'Declined', 'face_mismatch declines a session that ran the face match');
});

t.test('a preset that declines with every analysis accepted (a policy decline) stays a decline', async (t) => {
  const policy = OutcomePreset.parse({ ...preset('approved'), name: 'policy_decline', session_status: 'Declined', redirect: 'target_error', reason: 'PolicyDecline' });
  const session = pendingSession('liveness', { options: 'NoDocument', action: 'Random' });
  applyOutcome(session, policy, seededRandom('outcome-test'), people.pools, NOW, 'Passport');
  t.equal(session.status, 'Declined');
  t.equal(session.findings!.reason, 'PolicyDecline');
  t.equal(session.findings!.redirect, 'target_error');
});

t.test('a finished session refuses a move as a domain error, which the edge answers as 409 SESSION_STATE', async (t) => {
  const session = pendingSession('liveness', {});
  applyOutcome(session, preset('approved'), seededRandom('s'), people.pools, NOW, 'Passport');
  let refusal: unknown;
  try {
    changeStatus(session, 'Cancelled', NOW, { kind: 'cancelled', by: 'user', device: 'desktop' });
  } catch (error) {
    refusal = error;
  }
  t.ok(refusal instanceof DomainError, 'the core throws its own error kind, no HTTP status');
  t.equal((refusal as DomainError).kind, 'illegal-transition');
  t.notOk('status' in (refusal as object));
  const answered = toApiError(refusal as Error, {} as never);
  t.equal(answered?.status, 409);
  t.same(answered?.body(), { errors: [{ code: 'SESSION_STATE', description: 'The session is Accepted and cannot become Cancelled.' }] });
});
