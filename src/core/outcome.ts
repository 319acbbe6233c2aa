// Applying an outcome preset to a session: final statuses, identity, document fields, scores.
import { expireDocument, generateIdentity, type PersonPool } from './identity.js';
import type { Random } from './random.js';
import { analysisKeys, changeStatus, type AnalysisStatuses, type Session, type SessionEvent, type SessionFindings } from './session.js';
import type { AnalysisStatus, FinalStatus } from './vocabulary.js';

/**
 * What applying an outcome reads of a preset: the fixture schema (OutcomePreset in
 * src/schemas/fixtures.ts) parses the file into a value of this shape, and the compiler checks
 * that it fits wherever a parsed preset is handed to the core.
 */
export interface OutcomeRecipe {
  name: string;
  session_status: FinalStatus;
  analyses: AnalysisStatuses;
  redirect: SessionFindings['redirect'];
  identity: 'generated' | 'none';
  document_expiry: 'valid' | 'expired';
  failed_document_fields: string[];
  scores: SessionFindings['scores'];
  reason: string | null;
  errors: SessionFindings['errors'];
}

/**
 * The document score of an accepted document: fixtures/outcomes/approved.json's. A document whose only
 * failing fields were forgiven is an accepted document, so it is scored like one.
 */
export const ACCEPTED_DOCUMENT_SCORE = 0.97;

/** Field names compare as ZignSec's .NET backend compares them: ignoring case (Expiry_Date = expiry_date). */
const fieldKey = (field: string) => field.toLowerCase();

export interface Decision {
  analyses: AnalysisStatuses;
  sessionStatus: FinalStatus;
  failedFields: string[];
  redirect: SessionFindings['redirect'];
  /** Scores of the analyses the session requested; an analysis that did not run has none. */
  scores: SessionFindings['scores'];
  reason: string | null;
}

/** What a preset gives, limited to what the session requested, with forgiven document fields applied. */
export function decideStatuses(session: Pick<Session, 'analyses' | 'settings'>, preset: OutcomeRecipe): Decision {
  const ignored = new Set(session.settings.ignore_errors_in_fields.map(fieldKey));
  const unforgiven = preset.failed_document_fields.filter((field) => !ignored.has(fieldKey(field)));
  const forgiven = preset.failed_document_fields.length > 0 && unforgiven.length === 0;
  const pick = (requested: AnalysisStatus, fromPreset: AnalysisStatus): AnalysisStatus =>
    requested === 'NotRequested' ? 'NotRequested' : fromPreset;
  const analyses: AnalysisStatuses = {
    document: pick(session.analyses.document, forgiven ? 'Accepted' : preset.analyses.document),
    liveness: pick(session.analyses.liveness, preset.analyses.liveness),
    face_match: pick(session.analyses.face_match, preset.analyses.face_match),
    fraud: pick(session.analyses.fraud, preset.analyses.fraud),
  };
  // No document was read when no document analysis was asked for, so no field of it can fail.
  const failedFields = analyses.document === 'NotRequested' ? [] : unforgiven;
  let sessionStatus = preset.session_status;
  let redirect = preset.redirect;
  let reason = preset.reason;
  // A decline that comes from an analysis needs that analysis to have failed here. One caused only
  // by forgiven document fields is no decline (the real API promises that fields in
  // doc.ignore_errors_in_fields do not fail the document analysis), nor is one of an analysis the
  // session did not run (face_mismatch for a NoDocument session). The result then reads like an
  // accepted one, with no reason for a failure that did not happen. A preset that declines with
  // every analysis accepted (a policy decline) stays a decline.
  const declinedByAnalysis = Object.values(preset.analyses).some((s) => s === 'Declined' || s === 'Failed');
  const everyRequestedAccepted = Object.values(analyses).every((s) => s === 'Accepted' || s === 'NotRequested');
  if (sessionStatus === 'Declined' && declinedByAnalysis && everyRequestedAccepted) {
    sessionStatus = 'Accepted';
    redirect = 'target';
    reason = null;
  }
  const scores: SessionFindings['scores'] = {};
  for (const key of analysisKeys) {
    if (analyses[key] === 'NotRequested') continue;
    const score = key === 'document' && forgiven ? ACCEPTED_DOCUMENT_SCORE : preset.scores[key];
    if (score !== undefined) scores[key] = score;
  }
  return { analyses, sessionStatus, failedFields, redirect, scores, reason };
}

/**
 * What the document analysis read the document as. The scanning-sessions API says it with each upload
 * (`documentType=Passport`, `IdentityCard`, `DriversLicense`, ... as public clients send it): the
 * latest identity document uploaded (anything but a Selfie) counts, spelled as sent. The hosted scan
 * UI asks for no type, so its sessions read as `scanUiDocumentType` (fixtures/wire.json).
 */
export function documentTypeOf(session: Pick<Session, 'flow' | 'documents'>, scanUiDocumentType: string): string {
  if (session.flow !== 'scanningsession') return scanUiDocumentType;
  const identityDocuments = session.documents.filter((document) => document.documentType.toLowerCase() !== 'selfie');
  return identityDocuments.at(-1)?.documentType ?? scanUiDocumentType;
}

/** Ends the session the way the preset says; `event` says why it ended (by default: its analysis finished). */
export function applyOutcome(
  session: Session,
  preset: OutcomeRecipe,
  random: Random,
  pools: readonly PersonPool[],
  now: number,
  scanUiDocumentType: string,
  event: SessionEvent = { kind: 'analysis_finished', outcome: preset.name },
): void {
  const decided = decideStatuses(session, preset);
  let identity = null;
  let document = null;
  // Identity comes from the document: a session without a document analysis proves that a live person
  // was there (liveness), not who they are.
  if (preset.identity === 'generated' && decided.analyses.document !== 'NotRequested') {
    const generated = generateIdentity(random, pools, now, documentTypeOf(session, scanUiDocumentType));
    identity = generated.identity;
    document = preset.document_expiry === 'expired' ? expireDocument(generated.document, random, now) : generated.document;
  }
  session.analyses = decided.analyses;
  session.findings = {
    identity,
    document,
    failedFields: decided.failedFields,
    scores: decided.scores,
    reason: decided.reason,
    errors: preset.errors,
    redirect: decided.redirect,
  };
  changeStatus(session, decided.sessionStatus, now, event);
}
