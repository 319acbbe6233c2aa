// Continue on mobile: the desktop shows a QR code, an emulated phone scans it and does the capture.
import assert from 'node:assert/strict';
import { defineJourney } from './journey.js';
import { verifyEnding } from './support/endings.js';
import { decodeQrElement } from './support/qr.js';
import { press, rootAttribute, testid, waitForStep, walkToAnalyzing } from './support/scan-ui.js';

export default defineJourney({
  name: 'mobile-handoff',
  description: 'Continue on mobile: the link decoded from the QR image (same as its text twin) opens on an emulated iPhone 13, which captures; the desktop follows and lands on target.',
  tags: ['mobile', 'qr'],
  integrator: true,
  async run(ctx) {
    const session = await ctx.step('open the scan UI on the desktop', () => ctx.startSession({ request: { options: 'FrontAndBack' } }));
    const desktop = session.page;
    const link = await ctx.step('choose "Continue on mobile" and decode the QR code', async () => {
      await press(desktop, 'start-mobile');
      await waitForStep(desktop, 'mobile');
      const qr = await desktop.waitForSelector(`${testid('mobile-qr')}:not([hidden])`, { visible: true });
      return decodeQrElement(qr!);
    });
    await ctx.step('the QR code holds the phone link, the same as its text twin', async () => {
      const url = new URL(link);
      assert.equal(url.pathname, `/v3/scan/ui/${session.id}/mobile`, 'the phone page of this session');
      assert.match(url.searchParams.get('t') ?? '', /^[A-Za-z0-9_-]{16,}$/, 'its own one-time token');
      const twin = await desktop.$eval(testid('mobile-link'), (el) => [el.textContent, (el as HTMLAnchorElement).href]);
      assert.deepEqual(twin, [link, link]);
      await desktop.waitForSelector(`${testid('mobile-status')}[data-mobile="waiting"]`);
    });
    const phone = await ctx.step('an emulated iPhone 13 opens the link', async () => {
      const page = await ctx.newPage({ device: 'iPhone 13' });
      const response = await page.goto(link);
      assert.equal(response?.status(), 200);
      await page.waitForSelector(testid('scan-root'));
      assert.equal(await rootAttribute(page, 'data-role'), 'mobile');
      return page;
    });
    await ctx.step('the desktop sees the phone', () => desktop.waitForSelector(`${testid('mobile-status')}[data-mobile="opened"]`));
    const seen = await ctx.step('the phone captures both sides and the face', () => walkToAnalyzing(phone));
    if (ctx.mode === 'emulator') assert.deepEqual(seen, ['document-front', 'document-back', 'face-align', 'face-action', 'analyzing']);
    await ctx.step('the desktop follows to Analyzing', () =>
      // The analysis may finish first (the clock runs in real time, and in integrator mode other journeys move
      // the app key's clock): then the desktop is already past it.
      desktop.waitForFunction(() => {
        const step = document.querySelector('[data-testid="scan-root"]')?.getAttribute('data-step');
        return step === undefined || step === null || step === 'analyzing' || step === 'done';
      }),
    );
    await ctx.step('finish the analysis on the clock', () => ctx.clock.finishAnalysis(session.id));
    await verifyEnding(ctx, session, { kind: 'target', status: 'Accepted' });
    await ctx.step('the phone ends on its own last step', async () => {
      await waitForStep(phone, 'mobile-done');
      assert.equal(new URL(phone.url()).pathname, `/v3/scan/ui/${session.id}/mobile`, 'the phone is not redirected');
      const { documents } = await ctx.admin.sessions.get(session.id);
      assert.ok(documents.length > 0 && documents.every((d) => d.reference === 'scan-ui:mobile'), 'every image came from the phone');
    });
  },
});
