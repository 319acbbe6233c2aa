// Outcome preset fraud_detected: a scanning session that asks for the fraud analysis, which alone declines.
import assert from 'node:assert/strict';
import { defineJourney } from './journey.js';
import { expectedFromPreset, verifyEnding } from './support/endings.js';
import { chooseOutcome, walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'outcome-fraud-detected',
  description: 'fraud_detected: a /v3/scanning session with analysis_types document and fraud; the document passes, the fraud analysis declines, and the browser lands on target, Declined.',
  tags: ['outcome', 'fraud'],
  async run(ctx) {
    const preset = ctx.outcomes.get('fraud_detected');
    if (!preset) throw new Error('the emulator has no outcome preset fraud_detected');
    const session = await ctx.step('open the scan UI of a scanning session with a fraud analysis', () => ctx.startSession({ scanning: { analysis_types: ['document', 'fraud'] } }));
    assert.deepEqual(session.created.analyses, { document: 'Requested', liveness: 'NotRequested', face_match: 'NotRequested', fraud: 'Requested' }, 'the analyses requested');
    await ctx.step('choose fraud_detected in the tester panel', () => chooseOutcome(session.page, 'fraud_detected'));
    await ctx.step('walk to Analyzing (the document front only)', async () => assert.deepEqual(await walkToAnalyzing(session.page), ['start', 'document-front', 'analyzing']));
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    const expected = expectedFromPreset(preset, session.created);
    assert.equal(expected.status, 'Declined');
    const { result } = await verifyEnding(ctx, session, expected);
    await ctx.step('the fraud analysis carries its score; the document analysis passed', () => {
      assert.equal(result.result.fraudAnalysis?.score, 0.04);
      assert.equal(result.result.documentAnalysis.status, 'Accepted');
      assert.equal(result.result.reason, 'FraudSuspected');
    });
  },
});
