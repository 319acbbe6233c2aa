// The merchant's webhook endpoint is down for a while: ZignSec retries on its schedule.
import assert from 'node:assert/strict';
import type { WebhookDelivery } from '../src/admin-client.js';
import { waitUntil } from '../src/scenarios/wait.js';
import { defineJourney, type JourneyContext } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { walkToAnalyzing } from './support/scan-ui.js';

/** The session's final delivery once `attempts` attempts are settled (none in flight). */
function settledAttempts(ctx: JourneyContext, sessionId: string, attempts: number): Promise<WebhookDelivery> {
  return waitUntil(
    async () => {
      const deliveries = await ctx.admin.webhooks.list({ session_id: sessionId });
      const final = deliveries.find((d) => d.session_status === 'Accepted');
      return final && !final.in_flight && final.attempts.length >= attempts ? final : undefined;
    },
    `${attempts} settled webhook attempt(s)`,
    { signal: ctx.signal },
  );
}

async function advanceToNextAttempt(ctx: JourneyContext, delivery: WebhookDelivery): Promise<number> {
  assert.ok(delivery.next_attempt, 'a retry is scheduled');
  const { now_ms } = await ctx.clock.get();
  const wait = Math.max(0, Date.parse(delivery.next_attempt) - now_ms);
  await ctx.clock.advance(wait);
  return wait;
}

export default defineJourney({
  name: 'webhook-retry-recovers',
  description: 'The webhook endpoint answers 500 twice, then 200: moving the clock through the retry schedule delivers the same signed body a third time, once acknowledged.',
  tags: ['webhook', 'clock'],
  async run(ctx) {
    ctx.receiver.respondWith((n) => (n <= 2 ? { status: 500, body: 'database is down' } : { status: 200 }));
    const session = await ctx.step('create a session and open it', () => ctx.startSession({ request: { options: 'NoDocument' } }));
    await ctx.step('walk to Analyzing', () => walkToAnalyzing(session.page));
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await ctx.step('the browser lands on target', () => ctx.expectLanding(session, 'target'));
    const first = await ctx.step('the first attempt fails with 500 and a retry is scheduled', async () => {
      const delivery = await settledAttempts(ctx, session.id, 1);
      assert.equal(delivery.attempts[0].status, 500);
      assert.equal(delivery.status, 'pending');
      return delivery;
    });
    const second = await ctx.step('advance the clock to the second attempt: 500 again', async () => {
      const waited = await advanceToNextAttempt(ctx, first);
      ctx.log(`advanced the clock ${Math.round(waited / 1000)} s`);
      const delivery = await settledAttempts(ctx, session.id, 2);
      assert.equal(delivery.attempts[1].status, 500);
      return delivery;
    });
    await ctx.step('advance the clock to the third attempt: acknowledged', async () => {
      const waited = await advanceToNextAttempt(ctx, second);
      ctx.log(`advanced the clock ${Math.round(waited / 1000)} s`);
    });
    const { webhook } = await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted' });
    await ctx.step('three attempts, one delivery id, the same bytes each time', () => {
      assert.deepEqual(
        webhook.delivery.attempts.map((a) => a.status),
        [500, 500, 200],
      );
      const mine = ctx.receiver.received.filter((r) => r.headers['x-zignsec-webhook-id'] === webhook.delivery.id);
      assert.equal(mine.length, 3, 'the receiver saw three attempts');
      assert.ok(mine.every((r) => r.rawBody === webhook.delivery.body && r.verified), 'every attempt carries the same signed body');
      const at = webhook.delivery.attempts.map((a) => Date.parse(a.at));
      assert.ok(at[1] > at[0] && at[2] > at[1], 'the retries are spaced on the clock');
    });
  },
});
