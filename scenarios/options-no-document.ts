// options NoDocument: straight to the face; no document or face-match analysis.
import assert from 'node:assert/strict';
import { defineJourney } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'options-no-document',
  description: 'options NoDocument: no document step; only liveness is analysed (document and face match stay NotRequested) and the session is Accepted.',
  tags: ['options'],
  async run(ctx) {
    const session = await ctx.step('create a NoDocument session and open it', () => ctx.startSession({ request: { options: 'NoDocument', action: 'BlinkEyes' } }));
    const seen = await ctx.step('walk to Analyzing', () => walkToAnalyzing(session.page));
    assert.deepEqual(seen, ['start', 'face-align', 'face-action', 'analyzing']);
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted', analyses: { document: 'NotRequested', liveness: 'Accepted', face_match: 'NotRequested' } });
    await ctx.step('no document image is stored', async () => {
      const { documents } = await ctx.admin.sessions.get(session.id);
      assert.deepEqual(documents.filter((d) => d.document_type.startsWith('Document')), []);
    });
  },
});
