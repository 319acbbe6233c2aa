// An outage of ZignSec's API as a merchant's customer sees it, using the sample merchant app.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { buildMerchantApp } from '../fixtures/merchant-app/app.js';
import { defineJourney } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { testid, textOf, walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'api-fault-merchant-app',
  description: 'A 503 injected on session creation (POST /__mock/faults) shows as the sample merchant app\'s error page; the next attempt goes through the scan UI to the shop\'s /done and signed webhook.',
  tags: ['fault', 'merchant-app'],
  async run(ctx) {
    const shopUrl = await ctx.step('start the sample merchant app against the emulator', async () => {
      // The shop builds its webhook URL from the Host the browser used: under callbackHost, the emulator can call it.
      const shop = await buildMerchantApp({ zignsecUrl: ctx.baseUrl, apiKey: ctx.apiKey });
      ctx.defer(() => shop.close());
      if (ctx.callbackHost === '127.0.0.1') await shop.listen({ port: 0, host: '127.0.0.1' });
      else await shop.listen({ port: 0, host: '::' }).catch(() => shop.listen({ port: 0, host: '0.0.0.0' }));
      return `http://${ctx.callbackHost}:${(shop.server.address() as AddressInfo).port}`;
    });
    await ctx.step('inject a 503 on the next session creation of this key', async () => {
      const rule = await ctx.admin.faults.add({ method: 'POST', path: '/v3/scanning/liveness', api_key: ctx.apiKey, action: { type: 'error', status: 503 }, times: 1 });
      ctx.defer(() => ctx.admin.faults.remove(rule.id).catch(() => undefined));
    });
    await ctx.step('the shop shows its error page', async () => {
      const response = await ctx.page.goto(`${shopUrl}/start`);
      assert.equal(response?.status(), 502, 'the shop answers 502 Bad Gateway');
      await ctx.page.waitForSelector(testid('start-error'));
      assert.match(await textOf(ctx.page, 'start-error'), /503/, 'the page names ZignSec\'s 503');
      const count = await ctx.admin.journal.count({ api_key: ctx.apiKey, method: 'POST', path: '/v3/scanning/liveness', status: 503 });
      assert.equal(count, 1, 'the emulator journaled one 503');
    });
    const session = await ctx.step('the fault is used up: starting again reaches the scan UI', async () => {
      await ctx.page.goto(`${shopUrl}/start`);
      await ctx.page.waitForSelector(testid('scan-root'));
      const id = await ctx.page.$eval(testid('scan-root'), (el) => el.getAttribute('data-session-id') ?? '');
      ctx.track(id);
      const created = await ctx.admin.sessions.get(id);
      assert.match(created.relay_state, /^order-/, 'the shop put its order id in relay_state');
      return { id, relayState: created.relay_state, redirectUrl: ctx.page.url(), page: ctx.page, created };
    });
    await ctx.step('walk to Analyzing', () => walkToAnalyzing(session.page));
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    const { landed } = await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted' });
    await ctx.step('the shop shows the order on /done and recorded the verified webhook', async () => {
      assert.equal(landed.origin + landed.pathname, `${shopUrl}/done`);
      assert.equal(await textOf(ctx.page, 'landing-relay-state'), session.relayState);
      const { events } = (await (await fetch(`${shopUrl}/events`)).json()) as { events: { session_id: string; status: string; relay_state: string | null }[] };
      assert.ok(events.some((e) => e.session_id === session.id && e.status === 'Accepted' && e.relay_state === session.relayState), 'the shop recorded the Accepted webhook');
    });
  },
});
