// How journeys check the end of a session, the same way every time: where the browser lands, the result
// object from the API, and the signed webhook; plus the expectations an outcome preset implies.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { OutcomeSummary, SessionView } from '../../src/admin-client.js';
import type { SessionResult } from '../../src/api-client.js';
import { packageRoot } from '../../src/config.js';
import type { SessionStatus } from '../../src/schemas/common.js';
import type { JourneyContext, LandingKind, StartedSession, WebhookCheck } from '../journey.js';

/** A file of fixtures/sample-documents/ (for the file-upload journeys). */
export const sampleDocument = (file: string) => join(packageRoot, 'fixtures', 'sample-documents', file);

type AnalysisKey = 'document' | 'liveness' | 'face_match' | 'fraud';
const resultBlock: Record<AnalysisKey, 'documentAnalysis' | 'livenessAnalysis' | 'faceMatchAnalysis' | 'fraudAnalysis'> = {
  document: 'documentAnalysis',
  liveness: 'livenessAnalysis',
  face_match: 'faceMatchAnalysis',
  fraud: 'fraudAnalysis',
};

export interface ExpectedEnding {
  kind: LandingKind;
  status: SessionStatus;
  analyses?: Partial<Record<AnalysisKey, string>>;
  reason?: string | null;
  action?: string;
}

/**
 * What a preset does to this session: analyses the session did not request stay NotRequested, and a
 * decline caused only by fields in doc.ignore_errors_in_fields is forgiven (README, Outcomes).
 */
export function expectedFromPreset(preset: OutcomeSummary, created: SessionView): ExpectedEnding {
  // Field names are forgiven whatever their letter case, as the emulator (and ZignSec's .NET service) match them.
  const ignored = new Set(((created.settings.ignore_errors_in_fields as string[] | undefined) ?? []).map((f) => f.toLowerCase()));
  const forgiven = preset.failed_document_fields.length > 0 && preset.failed_document_fields.every((f) => ignored.has(f.toLowerCase()));
  const analyses = {} as Record<AnalysisKey, string>;
  for (const key of Object.keys(resultBlock) as AnalysisKey[]) {
    const fromPreset = key === 'document' && forgiven ? 'Accepted' : preset.analyses[key];
    analyses[key] = created.analyses[key] === 'NotRequested' ? 'NotRequested' : fromPreset;
  }
  const allAccepted = Object.values(analyses).every((s) => s === 'Accepted' || s === 'NotRequested');
  // A decline that comes from an analysis needs that analysis to have failed here (see src/core/outcome.ts).
  const declinedByAnalysis = Object.values(preset.analyses).some((s) => s === 'Declined' || s === 'Failed');
  const upgraded = preset.session_status === 'Declined' && declinedByAnalysis && allAccepted;
  return {
    kind: upgraded ? 'target' : preset.redirect,
    status: upgraded ? 'Accepted' : preset.session_status,
    analyses,
    // A forgiven failure reads like an accepted session: no reason.
    reason: upgraded ? null : preset.reason,
  };
}

export function checkResult(result: SessionResult, session: StartedSession, expected: ExpectedEnding): void {
  assert.equal(result.id, session.id, 'the result is about the session');
  assert.equal(result.status, expected.status, 'session status in the result');
  assert.equal(result.relay_state, session.relayState, 'relay_state in the result');
  for (const [key, status] of Object.entries(expected.analyses ?? {})) {
    assert.equal(result.result[resultBlock[key as AnalysisKey]]?.status, status, `${resultBlock[key as AnalysisKey]}.status in the result`);
  }
  if (expected.reason !== undefined) assert.equal(result.result.reason ?? null, expected.reason, 'result.reason');
  if (expected.action !== undefined) {
    assert.equal(result.action, expected.action, 'the action in the result');
    assert.equal(result.result.livenessAnalysis.action, expected.action, 'livenessAnalysis.action in the result');
  }
}

/** Lands, reads the result from the API and receives the webhook: the three checks of every finished journey. */
export async function verifyEnding(ctx: JourneyContext, session: StartedSession, expected: ExpectedEnding): Promise<{ landed: URL; result: SessionResult; webhook: WebhookCheck }> {
  const landed = await ctx.step(`the browser lands on ${expected.kind} with relay_state and session_id`, () => ctx.expectLanding(session, expected.kind));
  const result = await ctx.step(`the API's result is ${expected.status}`, async () => {
    const found = await ctx.result(session);
    checkResult(found, session, expected);
    return found;
  });
  const webhook = await ctx.step(`the webhook delivers ${expected.status}, signed`, async () => {
    const check = await ctx.expectWebhook(session, expected.status);
    assert.deepEqual(check.body, JSON.parse(JSON.stringify(result)), 'the webhook carries the result object');
    return check;
  });
  return { landed, result, webhook };
}

/** Page errors and CSP violations are bugs of the scan UI; failed requests of a left page are not. */
export function pageErrors(ctx: JourneyContext, page = 1): string[] {
  return ctx.console.filter((e) => e.page === page && (e.type === 'pageerror' || e.type === 'error')).map((e) => e.text);
}
