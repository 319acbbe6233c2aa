// options FrontSide, with the camera: the front of the document is a shot from the (fake) camera.
import assert from 'node:assert/strict';
import { defineJourney } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'options-front-side',
  description: 'options FrontSide: one document step, captured with the camera, then the face; the shot is stored as DocumentFront and every analysis is Accepted.',
  tags: ['options', 'camera'],
  async run(ctx) {
    const session = await ctx.step('create a FrontSide session and open it', () => ctx.startSession({ request: { options: 'FrontSide', action: 'HeadLeft' } }));
    const seen = await ctx.step('take the front with the camera, then the face steps', () => walkToAnalyzing(session.page, { documents: { kind: 'camera' } }));
    assert.deepEqual(seen, ['start', 'document-front', 'face-align', 'face-action', 'analyzing']);
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted', analyses: { document: 'Accepted', liveness: 'Accepted', face_match: 'Accepted' } });
    await ctx.step('the camera shot is stored as the front', async () => {
      const { documents } = await ctx.admin.sessions.get(session.id);
      const front = documents.find((d) => d.document_type === 'DocumentFront');
      assert.ok(front, 'a DocumentFront image');
      assert.equal(front.content_type, 'image/jpeg');
      assert.equal(front.reference, 'scan-ui:desktop');
      assert.ok(!documents.some((d) => d.document_type === 'DocumentBack'), 'no back side');
    });
  },
});
