// The person cancels midway.
import { defineJourney } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { captureDocument, currentStep, press, waitForStep } from './support/scan-ui.js';

export default defineJourney({
  name: 'cancel',
  description: 'Cancel on the face step: the browser goes to cancel_url with relay_state and session_id; the API and the webhook say Cancelled.',
  tags: ['cancel', 'smoke'],
  integrator: true,
  async run(ctx) {
    const session = await ctx.step('open the scan UI', () => ctx.startSession());
    await ctx.step('start and get past the documents', async () => {
      await press(session.page, 'start-browser');
      await session.page.waitForFunction(() => document.querySelector('[data-testid="scan-root"]')?.getAttribute('data-step') !== 'start');
      while ((await currentStep(session.page))?.startsWith('document-')) await captureDocument(session.page, { kind: 'sample' });
      await waitForStep(session.page, 'face-align');
    });
    await ctx.step('press cancel', () => press(session.page, 'cancel'));
    await verifyEnding(ctx, session, { kind: 'cancel_url', status: 'Cancelled' });
  },
});
