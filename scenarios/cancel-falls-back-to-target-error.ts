// Cancel when the merchant gave no cancel_url.
import assert from 'node:assert/strict';
import { defineJourney } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { press, waitForStep } from './support/scan-ui.js';

export default defineJourney({
  name: 'cancel-falls-back-to-target-error',
  description: 'Cancel in a session without cancel_url: the browser goes to target_error instead, still with relay_state and session_id.',
  tags: ['cancel'],
  async run(ctx) {
    const session = await ctx.step('create a session with an empty cancel_url', () => ctx.startSession({ request: { cancel_url: '' } }));
    await ctx.step('press cancel on the start step', async () => {
      await waitForStep(session.page, 'start');
      await press(session.page, 'cancel');
    });
    const { landed } = await verifyEnding(ctx, session, { kind: 'target_error', status: 'Cancelled' });
    assert.equal(landed.pathname, new URL(ctx.landing.url('/error')).pathname);
  },
});
