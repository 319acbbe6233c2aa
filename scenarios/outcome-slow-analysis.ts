// Outcome preset slow_analysis: a long analysis, skipped through with the clock.
import assert from 'node:assert/strict';
import { defineJourney } from './journey.js';
import { expectedFromPreset, verifyEnding } from './support/endings.js';
import { chooseOutcome, currentStep, testid, walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'outcome-slow-analysis',
  description: 'slow_analysis: after 30 s on the clock the page is still analyzing with the progress bar half way; after the full 60 s it lands on target, Accepted.',
  tags: ['outcome', 'clock'],
  integrator: true,
  // It checks the session is still Pending after exactly half the analysis: in integrator mode (one app key
  // for every journey) other journeys must not move that key's clock meanwhile.
  exclusive: true,
  async run(ctx) {
    const preset = ctx.outcomes.get('slow_analysis');
    if (!preset) throw new Error('the emulator has no outcome preset slow_analysis');
    const half = Math.round(preset.analysis_duration_ms / 2);
    const session = await ctx.step('open the scan UI', () => ctx.startSession());
    await ctx.step('choose slow_analysis in the tester panel', () => chooseOutcome(session.page, 'slow_analysis'));
    await ctx.step('walk to Analyzing', () => walkToAnalyzing(session.page));
    await ctx.step(`after ${half / 1000} s on the clock: still analyzing, progress at least half way`, async () => {
      await ctx.clock.analysisStarted(session.id);
      await ctx.clock.advance(half);
      await session.page.waitForFunction(
        (selector) => Number(document.querySelector(selector)?.getAttribute('aria-valuenow')) >= 50,
        {},
        testid('analyzing-progress'),
      );
      assert.equal((await ctx.admin.sessions.get(session.id)).status, 'Pending');
      assert.equal(await currentStep(session.page), 'analyzing');
    });
    await ctx.step('advance the clock through the rest of the analysis', () => ctx.clock.advance(preset.analysis_duration_ms - half + 1000));
    await verifyEnding(ctx, session, expectedFromPreset(preset, session.created));
  },
});
