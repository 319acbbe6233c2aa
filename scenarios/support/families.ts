// Journeys that come in families: one per liveness action and one per outcome preset. Each file of
// scenarios/ still declares one journey; these build its body from the one parameter that varies.
import assert from 'node:assert/strict';
import type { LivenessAction } from '../../src/schemas/common.js';
import { defineJourney, type Journey } from '../journey.js';
import { expectedFromPreset, verifyEnding } from './endings.js';
import { attributeOf, chooseOutcome, rootAttribute, textOf, walkToAnalyzing } from './scan-ui.js';

const kebab = (text: string) =>
  text
    .replace(/_/g, '-')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase();

/** A fixed liveness action: the page asks for it (prompt and cue) and the result names it. */
export function actionJourney(action: LivenessAction): Journey {
  return defineJourney({
    name: `action-${kebab(action)}`,
    description: `action ${action}: the face step shows its prompt and cue, and the result and webhook name the action.`,
    tags: ['action'],
    async run(ctx) {
      const session = await ctx.step(`create a NoDocument session asking for ${action}`, () => ctx.startSession({ request: { options: 'NoDocument', action } }));
      assert.equal(session.created.chosen_action, action, 'the control API records the fixed action');
      await ctx.step('walk to Analyzing, checking the action prompt and cue', () =>
        walkToAnalyzing(session.page, {
          onAction: async (asked) => {
            assert.equal(asked, action, 'action-prompt data-action');
            assert.equal(await attributeOf(session.page, 'action-cue', 'data-cue'), action, 'action-cue data-cue');
            assert.equal(await rootAttribute(session.page, 'data-action'), action, 'scan-root data-action');
            assert.notEqual((await textOf(session.page, 'action-prompt')).trim(), '', 'the prompt has text');
          },
        }),
      );
      await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
      await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted', action });
    },
  });
}

/**
 * An outcome preset chosen in the tester panel, checked against the emulator's catalogue: the landing
 * URL kind, the session and analysis statuses, the reason, and the webhook.
 */
export function outcomeJourney(preset: string, description: string, extraTags: string[] = []): Journey {
  return defineJourney({
    name: `outcome-${kebab(preset)}`,
    description,
    tags: ['outcome', ...extraTags],
    integrator: true,
    async run(ctx) {
      const summary = ctx.outcomes.get(preset);
      if (!summary) throw new Error(`the emulator has no outcome preset ${preset}`);
      const session = await ctx.step('open the scan UI', () => ctx.startSession());
      await ctx.step(`choose ${preset} in the tester panel`, () => chooseOutcome(session.page, preset));
      await ctx.step('walk to Analyzing', () => walkToAnalyzing(session.page));
      await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
      const expected = expectedFromPreset(summary, session.created);
      const { result } = await verifyEnding(ctx, session, expected);
      if (summary.failed_document_fields.length > 0 && expected.analyses?.document === 'Declined') {
        await ctx.step('the failed document fields are listed', () => {
          const failed = (result.result.documentAnalysis as { failedFields?: string[] }).failedFields ?? [];
          for (const field of summary.failed_document_fields) assert.ok(failed.includes(field), `documentAnalysis.failedFields includes ${field}`);
        });
      }
      if (summary.session_status === 'Failed') {
        await ctx.step('the result carries the provider error', () => assert.ok(result.errors.length > 0, 'result.errors is not empty'));
      }
    },
  });
}
