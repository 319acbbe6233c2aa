// options FrontAndBack, with file uploads: both sides arrive whole.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { defineJourney } from './journey.js';
import { sampleDocument, verifyEnding } from './support/endings.js';
import { walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'options-front-and-back',
  description: 'options FrontAndBack: front then back uploaded as files, then the face; both images are stored whole and the session is Accepted.',
  tags: ['options', 'upload'],
  async run(ctx) {
    const front = sampleDocument('id-card-front.jpg');
    const back = sampleDocument('id-card-back.jpg');
    const session = await ctx.step('create a FrontAndBack session and open it', () => ctx.startSession({ request: { options: 'FrontAndBack', action: 'Smile' } }));
    const seen = await ctx.step('upload the front and the back, then the face steps', () => walkToAnalyzing(session.page, { documents: { kind: 'file', front, back } }));
    assert.deepEqual(seen, ['start', 'document-front', 'document-back', 'face-align', 'face-action', 'analyzing']);
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted', analyses: { document: 'Accepted', liveness: 'Accepted', face_match: 'Accepted' } });
    await ctx.step('both sides are stored whole', async () => {
      const { documents } = await ctx.admin.sessions.get(session.id);
      const size = (type: string) => documents.find((d) => d.document_type === type)?.size;
      assert.equal(size('DocumentFront'), statSync(front).size, 'the front arrived whole');
      assert.equal(size('DocumentBack'), statSync(back).size, 'the back arrived whole');
    });
  },
});
