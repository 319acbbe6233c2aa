// Outcome preset abandoned: the session times out on the clock.
import assert from 'node:assert/strict';
import { defineJourney } from './journey.js';
import { expectedFromPreset, verifyEnding } from './support/endings.js';
import { chooseOutcome, currentStep, walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'outcome-abandoned',
  description: 'abandoned: the analysis never finishes; moving the clock past the session\'s expiry makes it Timeout and sends the waiting browser to target_error.',
  tags: ['outcome', 'clock'],
  integrator: true,
  // It moves the clock by the whole SESSION_TTL, which in integrator mode (one app key for every journey)
  // would expire the other journeys' sessions.
  exclusive: true,
  async run(ctx) {
    const preset = ctx.outcomes.get('abandoned');
    if (!preset) throw new Error('the emulator has no outcome preset abandoned');
    const session = await ctx.step('open the scan UI', () => ctx.startSession());
    await ctx.step('choose abandoned in the tester panel', () => chooseOutcome(session.page, 'abandoned'));
    await ctx.step('walk to Analyzing', () => walkToAnalyzing(session.page));
    const started = await ctx.step('the analysis starts and does not finish on its own', async () => {
      const view = await ctx.clock.analysisStarted(session.id);
      await ctx.clock.advance(60_000);
      const later = await ctx.admin.sessions.get(session.id);
      assert.equal(later.status, 'Pending', 'still Pending a minute later');
      assert.equal(await currentStep(session.page), 'analyzing');
      return view;
    });
    await ctx.step('advance the clock past the session\'s expiry', async () => {
      const { now_ms } = await ctx.clock.get();
      await ctx.clock.advance(Math.max(0, Date.parse(started.expires) - now_ms) + 1000);
    });
    await verifyEnding(ctx, session, expectedFromPreset(preset, session.created));
  },
});
