// The quick check that everything is wired: the flow a person takes most often, start to finish.
import assert from 'node:assert/strict';
import { defineJourney } from './journey.js';
import { pageErrors, verifyEnding } from './support/endings.js';
import { walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'happy-path',
  description: 'Scan the ID front (test-mode sample), align the face, perform the action: the browser lands on target and the API and the signed webhook say Accepted.',
  tags: ['smoke'],
  integrator: true,
  async run(ctx) {
    const session = await ctx.step('open the scan UI', () => ctx.startSession());
    const seen = await ctx.step('walk to Analyzing', () => walkToAnalyzing(session.page));
    if (ctx.mode === 'emulator') assert.deepEqual(seen, ['start', 'document-front', 'face-align', 'face-action', 'analyzing'], 'the steps of a FrontSide session');
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await verifyEnding(ctx, session, {
      kind: 'target',
      status: 'Accepted',
      analyses: { liveness: 'Accepted' },
      action: session.created.chosen_action ?? undefined,
    });
    // The integrator's pages are theirs to keep clean; ours (scan UI and landing) must have no errors.
    if (ctx.mode === 'emulator') await ctx.step('no page errors or CSP violations', () => assert.deepEqual(pageErrors(ctx), []));
  },
});
