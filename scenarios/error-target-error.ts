// An analysis error sends the browser to target_error.
import { defineJourney } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { attributeOf, openTesterPanel, press, textOf, walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'error-target-error',
  description: '"Simulate analysis error" in the tester panel: the analysis fails, the browser goes to target_error, and the API and the webhook say Failed.',
  tags: ['error'],
  integrator: true,
  async run(ctx) {
    const session = await ctx.step('open the scan UI', () => ctx.startSession());
    await ctx.step('press "Simulate analysis error" in the tester panel', async () => {
      await openTesterPanel(session.page);
      await press(session.page, 'tester-analysis-error');
      await session.page.waitForSelector('[data-testid="tester-message"][data-applied]');
      if ((await attributeOf(session.page, 'tester-message', 'data-applied')) !== 'true') {
        throw new Error(`the tester panel did not apply the error: ${await textOf(session.page, 'tester-message')}`);
      }
    });
    await ctx.step('walk to Analyzing', () => walkToAnalyzing(session.page));
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await verifyEnding(ctx, session, { kind: 'target_error', status: 'Failed' });
  },
});
