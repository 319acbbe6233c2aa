// The one-time link: once opened, it belongs to that browser.
import assert from 'node:assert/strict';
import { defineJourney } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { attributeOf, testid, waitForStep, walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'otp-link-reused',
  description: 'redirect_url opened a second time in a fresh browser context shows link-error (data-reason=used, 403); the first browser can reload and finish.',
  tags: ['link'],
  integrator: true,
  async run(ctx) {
    const session = await ctx.step('open the scan UI', () => ctx.startSession());
    await ctx.step('a reload in the same browser keeps working', async () => {
      const response = await session.page.reload();
      assert.equal(response?.status(), 200);
      await waitForStep(session.page, 'start');
    });
    await ctx.step('the same link in a fresh browser context shows "link already used"', async () => {
      const other = await ctx.newPage();
      const response = await other.goto(session.redirectUrl);
      assert.equal(response?.status(), 403, 'the used link answers 403');
      await other.waitForSelector(testid('link-error'));
      assert.equal(await attributeOf(other, 'link-error', 'data-reason'), 'used');
      assert.equal(await other.$(testid('scan-root')), null, 'no scan UI for the second browser');
    });
    await ctx.step('the first browser walks to Analyzing', () => walkToAnalyzing(session.page));
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted' });
  },
});
