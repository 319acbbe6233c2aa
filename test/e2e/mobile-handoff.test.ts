// The mobile hand-off: the desktop shows a QR code (and its text twin) for a phone link with its own
// one-time token; an emulated phone opens it, captures, and the desktop follows and finishes. Opened on
// 127.0.0.1, the desktop says how a real phone could reach the emulator, or offers this machine's LAN
// addresses (a stub: the browser only reads them, every request goes to 127.0.0.1).
import type { NetworkInterfaceInfo } from 'node:os';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import type { Page } from 'puppeteer';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { documentReferenceOf } from '../../src/core/session.js';
import {
  createSession,
  finishAnalysis,
  jsQR,
  landedAt,
  press,
  startScanSuite,
  testid,
  waitForStep,
  walkToAnalyzing,
} from '../helpers/browser.js';

const { app, clock, baseUrl, request, newPage, landing } = await startScanSuite(t, { relay_state: 'desk-1', options: 'FrontAndBack', action: 'HeadRight' });

const pageFor = async (phone = false): Promise<Page> => (await newPage({ phone })).page;

/** Reads the QR code the way a phone camera would: from the pixels on the desktop screen. */
async function decodeQr(page: Page): Promise<string> {
  const img = await page.waitForSelector(`${testid('mobile-qr')}:not([hidden])`);
  await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, {}, img);
  const png = PNG.sync.read(Buffer.from(await img!.screenshot({ type: 'png' })));
  const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (!code) throw new Error('no QR code found in the screenshot');
  return code.data;
}

async function startHandOff(extra: Record<string, unknown> = {}) {
  const { id, url } = await createSession(app, baseUrl, request(extra));
  const desktop = await pageFor();
  await desktop.goto(url);
  await press(desktop, 'start-mobile');
  await waitForStep(desktop, 'mobile');
  const fromQr = await decodeQr(desktop);
  const twin = await desktop.$eval(testid('mobile-link'), (el) => [el.textContent, (el as HTMLAnchorElement).href]);
  return { id, desktop, fromQr, twin };
}

t.test('desktop shows a QR code; a phone opens it, captures, and the desktop finishes on target', async (t) => {
  const { id, desktop, fromQr, twin } = await startHandOff();
  t.match(fromQr, new RegExp(`^${baseUrl}/v3/scan/ui/${id}/mobile\\?t=[A-Za-z0-9_-]{22}$`), 'the QR code holds the mobile link');
  t.same(twin, [fromQr, fromQr], 'the text twin is the same link');
  t.ok(await desktop.waitForSelector(`${testid('mobile-status')}[data-mobile="waiting"]`), 'the desktop waits for the phone');

  const phone = await pageFor(true);
  await phone.goto(fromQr);
  await waitForStep(phone, 'document-front');
  t.equal(await phone.$eval(testid('scan-root'), (el) => el.getAttribute('data-role')), 'mobile');
  t.equal(await phone.evaluate(() => window.innerWidth), 390, 'an emulated phone viewport');
  t.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page fits the phone without horizontal scrolling');
  await desktop.waitForSelector(`${testid('mobile-status')}[data-mobile="opened"]`);

  const seen = await walkToAnalyzing(phone, 'sample');
  t.same(seen, ['document-front', 'document-back', 'face-align', 'face-action', 'analyzing']);
  await waitForStep(desktop, 'analyzing');
  await finishAnalysis(app, clock, id);

  const landed = await landedAt(desktop);
  t.equal(landed.pathname, '/success', 'the desktop ends with the redirect');
  t.equal(landed.searchParams.get('relay_state'), 'desk-1');
  t.equal(landed.searchParams.get('session_id'), id);
  await waitForStep(phone, 'mobile-done');
  t.equal(new URL(phone.url()).pathname, `/v3/scan/ui/${id}/mobile`, 'the phone stays on its page');
  const documents = app.emulator.sessions.findById(id)!.documents;
  t.same(
    documents.map((d) => [d.documentType, documentReferenceOf(d)]),
    [
      ['DocumentFront', 'scan-ui:mobile'],
      ['DocumentBack', 'scan-ui:mobile'],
      ['Selfie', 'scan-ui:mobile'],
    ],
  );
});

t.test('a second phone opening the same mobile link gets the error page', async (t) => {
  const { fromQr } = await startHandOff();
  const first = await pageFor(true);
  await first.goto(fromQr);
  await waitForStep(first, 'document-front');
  const reload = await first.reload();
  t.equal(reload!.status(), 200, 'the first phone can reload');
  const second = await pageFor(true);
  const response = await second.goto(fromQr);
  t.equal(response!.status(), 403);
  t.equal(await second.$eval(testid('link-error'), (el) => el.getAttribute('data-reason')), 'used');
});

t.test('cancel on the phone sends the desktop to cancel_url', async (t) => {
  const { id, desktop, fromQr } = await startHandOff();
  const phone = await pageFor(true);
  await phone.goto(fromQr);
  await waitForStep(phone, 'document-front');
  await press(phone, 'cancel');
  await waitForStep(phone, 'mobile-done');
  const landed = await landedAt(desktop);
  t.equal(landed.pathname, '/cancel');
  t.equal(landed.searchParams.get('session_id'), id);
});

t.test('the desktop can go back and scan in the browser itself', async (t) => {
  const { id, desktop } = await startHandOff({ options: 'NoDocument' });
  await press(desktop, 'mobile-back');
  await walkToAnalyzing(desktop);
  await finishAnalysis(app, clock, id);
  t.equal((await landedAt(desktop)).pathname, '/success');
});

t.test('a merchant with mobile_flow off gets no mobile choice', async (t) => {
  const { url } = await createSession(app, baseUrl, request(), { key: 'no-mobile-key' });
  const desktop = await pageFor();
  await desktop.goto(url);
  await waitForStep(desktop, 'start');
  t.equal(await desktop.$(testid('start-mobile')), null);
  t.equal(await desktop.$(testid('step-mobile')), null);
});

t.test('opened on 127.0.0.1 with the emulator on 127.0.0.1 only: the page says how to make it reachable and keeps the loopback link', async (t) => {
  const { id, desktop, fromQr, twin } = await startHandOff();
  const port = new URL(baseUrl).port;
  t.match(fromQr, new RegExp(`^${baseUrl}/v3/scan/ui/${id}/mobile\\?t=`), 'the QR code still opens in a browser on this computer');
  t.same(twin, [fromQr, fromQr]);
  const note = await desktop.waitForSelector(`${testid('mobile-reach')}[data-reach="loopback"][data-reason="listens_on_loopback"]`, { visible: true });
  const text = await note!.evaluate((el) => el.textContent);
  t.match(text, `A phone cannot open this link yet. It points at this computer (127.0.0.1:${port}), and the emulator listens on 127.0.0.1 only`);
  t.match(text, `HOST=0.0.0.0`);
  t.match(text, `PUBLIC_URL=http://<this computer's LAN address>:${port}`);
  t.match(text, `-p ${port}:${port}`);
  t.equal(await desktop.$eval(testid('mobile-link'), (el) => el.getAttribute('data-reach')), 'loopback');
  t.ok(await desktop.$eval(testid('mobile-more-links'), (el) => (el as HTMLElement).hidden), 'no other addresses to list');
});

t.test('listening on every interface: the QR code holds the LAN address, the others are listed as links', async (t) => {
  const wifi = (address: string) => ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: `${address}/24` }) as NetworkInterfaceInfo;
  // Really on 127.0.0.1; the hand-off is told it listens on every interface of a machine on 192.168.1.0/24.
  const lanApp = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent' }), {
    logger: false,
    checkResponses: true,
    network: {
      interfaces: () => ({ docker0: [wifi('172.17.0.1')], wlan0: [wifi('192.168.1.23')] }),
      listening: () => ({ address: '0.0.0.0', family: 'IPv4', port: 8080 }),
      inContainer: () => false,
    },
  });
  t.teardown(() => lanApp.close());
  await lanApp.listen({ port: 0, host: '127.0.0.1' });
  const lanBase = `http://127.0.0.1:${(lanApp.server.address() as AddressInfo).port}`;
  const { id, url } = await createSession(lanApp, lanBase, { ...request(), target: `${landing.base}/success` });
  const desktop = await pageFor();
  await desktop.goto(url);
  await press(desktop, 'start-mobile');
  await waitForStep(desktop, 'mobile');
  const fromQr = await decodeQr(desktop);
  t.match(fromQr, new RegExp(`^http://192\\.168\\.1\\.23:8080/v3/scan/ui/${id}/mobile\\?t=[A-Za-z0-9_-]{22}$`));
  t.same(await desktop.$eval(testid('mobile-link'), (el) => [el.textContent, el.getAttribute('data-reach')]), [fromQr, 'lan']);
  await desktop.waitForSelector(`${testid('mobile-more-links')}:not([hidden])`);
  t.same(
    await desktop.$$eval(testid('mobile-more-link'), (links) => links.map((a) => [a.textContent, (a as HTMLAnchorElement).href])),
    [[fromQr.replace('192.168.1.23', '172.17.0.1'), fromQr.replace('192.168.1.23', '172.17.0.1')]],
  );
  t.match(await desktop.$eval(testid('mobile-reach'), (el) => el.textContent), 'for a phone on the same network');
  t.equal(await desktop.$(`${testid('mobile-reach')}[data-reason]`), null, 'no message about reachability');
});
