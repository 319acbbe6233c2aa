// Applying an outcome preset to a session: final statuses, identity, document fields, scores.
import type { AnalysisStatus } from '../schemas/common.js';
import type { OutcomePreset } from '../schemas/fixtures.js';
import { expireDocument, generateIdentity, type PersonPool } from './identity.js';
import type { Random } from './random.js';
import { transition, type AnalysisStatuses, type Session } from './session.js';

/** The statuses a preset gives, limited to what the session requested, with forgiven document fields applied. */
export function decideStatuses(
  session: Pick<Session, 'analyses' | 'settings'>,
  preset: OutcomePreset,
): { analyses: AnalysisStatuses; sessionStatus: OutcomePreset['session_status']; failedFields: string[]; redirect: OutcomePreset['redirect'] } {
  const ignored = new Set(session.settings.ignore_errors_in_fields);
  const failedFields = preset.failed_document_fields.filter((field) => !ignored.has(field));
  const forgiven = preset.failed_document_fields.length > 0 && failedFields.length === 0;
  const pick = (requested: AnalysisStatus, fromPreset: AnalysisStatus): AnalysisStatus =>
    requested === 'NotRequested' ? 'NotRequested' : fromPreset;
  const analyses: AnalysisStatuses = {
    document: pick(session.analyses.document, forgiven ? 'Accepted' : preset.analyses.document),
    liveness: pick(session.analyses.liveness, preset.analyses.liveness),
    face_match: pick(session.analyses.face_match, preset.analyses.face_match),
  };
  let sessionStatus = preset.session_status;
  let redirect = preset.redirect;
  // A decline caused only by forgiven document fields is no decline: the real API promises that
  // fields in doc.ignore_errors_in_fields do not fail the document analysis.
  const everyRequestedAccepted = Object.values(analyses).every((s) => s === 'Accepted' || s === 'NotRequested');
  if (forgiven && sessionStatus === 'Declined' && everyRequestedAccepted) {
    sessionStatus = 'Accepted';
    redirect = 'target';
  }
  return { analyses, sessionStatus, failedFields, redirect };
}

/** Ends the session the way the preset says. */
export function applyOutcome(session: Session, preset: OutcomePreset, random: Random, pools: readonly PersonPool[], now: number): void {
  const decided = decideStatuses(session, preset);
  let identity = null;
  let document = null;
  if (preset.identity === 'generated') {
    const generated = generateIdentity(random, pools, now);
    identity = generated.identity;
    document = preset.document_expiry === 'expired' ? expireDocument(generated.document, random, now) : generated.document;
    if (session.analyses.document === 'NotRequested') document = null;
  }
  session.analyses = decided.analyses;
  session.findings = {
    identity,
    document,
    failedFields: decided.failedFields,
    scores: preset.scores,
    reason: preset.reason,
    errors: preset.errors,
    redirect: decided.redirect,
  };
  transition(session, decided.sessionStatus, now, `analysis finished: ${preset.name}`);
}
