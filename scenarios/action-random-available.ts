// action Random limited by available_actions.
import assert from 'node:assert/strict';
import type { LivenessSessionRequest } from '../src/api-client.js';
import { defineJourney } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { walkToAnalyzing } from './support/scan-ui.js';

const allowed = ['BlinkEyes', 'HeadUp'] as const;

export default defineJourney({
  name: 'action-random-available',
  description: 'action Random with available_actions [BlinkEyes, HeadUp]: the page asks for one of them, the result names it, and further sessions never pick another.',
  tags: ['action'],
  async run(ctx) {
    const request: Partial<LivenessSessionRequest> = { options: 'NoDocument', action: 'Random', available_actions: [...allowed] };
    const session = await ctx.step('create a Random session limited to two actions', () => ctx.startSession({ request }));
    const chosen = session.created.chosen_action;
    assert.ok(chosen && (allowed as readonly string[]).includes(chosen), `chosen action ${chosen} is one of ${allowed.join(', ')}`);
    await ctx.step(`the page asks for the chosen action (${chosen})`, () =>
      walkToAnalyzing(session.page, { onAction: (asked) => assert.equal(asked, chosen, 'action-prompt data-action') }),
    );
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted', action: chosen });
    await ctx.step('eight more sessions all pick from available_actions', async () => {
      for (let i = 0; i < 8; i++) {
        const more = await ctx.startSession({ request, open: false });
        assert.ok((allowed as readonly string[]).includes(more.created.chosen_action ?? ''), `session ${i + 2} chose ${more.created.chosen_action}`);
      }
    });
  },
});
