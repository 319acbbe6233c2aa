// No camera: the file upload is the way through.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { defineJourney } from './journey.js';
import { sampleDocument, verifyEnding } from './support/endings.js';
import { openTesterPanel, press, testid, textOf, waitForStep, walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'camera-denied-upload',
  description: '"Simulate camera denied" in the tester panel: the camera goes away, a notice says to upload, the file upload completes the document step and the session is Accepted.',
  tags: ['camera', 'upload'],
  async run(ctx) {
    const front = sampleDocument('id-card-front.jpg');
    const session = await ctx.step('create a FrontSide session and open it', () => ctx.startSession({ request: { options: 'FrontSide' } }));
    const page = session.page;
    await ctx.step('start: the camera comes on for the document', async () => {
      await press(page, 'start-browser');
      await waitForStep(page, 'document-front');
      await page.waitForSelector('[data-testid="scan-root"][data-camera="on"]');
    });
    await ctx.step('press "Simulate camera denied"', async () => {
      await openTesterPanel(page);
      await press(page, 'tester-camera-denied');
      await page.waitForSelector('[data-testid="scan-root"][data-camera="denied"]');
    });
    await ctx.step('the page offers the upload instead of the camera', async () => {
      assert.ok(await page.$eval(testid('camera-capture'), (el) => (el as HTMLElement).hidden), 'no capture button without a camera');
      assert.notEqual((await textOf(page, 'camera-notice')).trim(), '', 'a notice explains what to do');
    });
    await ctx.step('upload the front as a file', async () => {
      const input = await page.waitForSelector('input[data-testid="file-input"]');
      await input!.uploadFile(front);
      await waitForStep(page, 'face-align');
    });
    await ctx.step('the face steps go on without a camera', () => walkToAnalyzing(page));
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted' });
    await ctx.step('the uploaded file is the stored front, and no selfie was taken', async () => {
      const { documents } = await ctx.admin.sessions.get(session.id);
      assert.equal(documents.find((d) => d.document_type === 'DocumentFront')?.size, statSync(front).size);
      assert.ok(!documents.some((d) => d.document_type === 'Selfie'), 'no selfie without a camera');
    });
  },
});
