// The mobile hand-off from a desktop page opened on loopback (inject, Host 127.0.0.1): the phone link
// (and the URL its QR code holds) uses this machine's LAN address when the emulator listens on every
// interface, stays on loopback with a message saying how to fix that otherwise, and PUBLIC_URL always
// wins. The machine's interfaces are a stub, and no request leaves app.inject.
import type { NetworkInterfaceInfo } from 'node:os';
import t from 'tap';
import { buildApp, type BuildOptions } from '../../src/app.js';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import { auth, exampleLivenessRequest, type TestContext } from '../helpers/app.js';
import { decodeQrSvg } from '../helpers/qr-svg.js';

const wifi = (address: string): NetworkInterfaceInfo =>
  ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: `${address}/24` });
const interfaces = () => ({
  lo: [{ ...wifi('127.0.0.1'), internal: true }],
  docker0: [wifi('172.17.0.1')],
  wlan0: [wifi('192.168.1.23')],
});

/** Not in a container (this test may well run in one): the interfaces above are the machine's. */
const onThisMachine = { interfaces, inContainer: () => false };

async function start(t: TestContext, settings: ConfigInput, network: BuildOptions['network'] = onThisMachine) {
  const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent', ...settings }), { logger: false, network, checkResponses: true });
  t.teardown(() => app.close());
  return app;
}

type App = Awaited<ReturnType<typeof start>>;

/** Opens the desktop page through 127.0.0.1, as a browser on this computer would, and asks for the phone link. */
async function handOff(app: App, host = '127.0.0.1:8080', key = 'reach-key') {
  const created = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth(key), host }, payload: exampleLivenessRequest })).json();
  const url = new URL(created.redirect_url);
  // Behind PUBLIC_URL's proxy, which strips its path prefix.
  const path = url.pathname.replace(/^.*(?=\/v3\/)/, '');
  const page = await app.inject({ url: `${path}${url.search}`, headers: { host } });
  const cookie = String(page.headers['set-cookie']).split(';')[0];
  const api = `/v3/scan/ui/${created.id}`;
  const link = await app.inject({ method: 'POST', url: `${api}/mobile-link`, headers: { cookie, host } });
  const qr = await app.inject({ url: `${api}/mobile-link/qr.svg`, headers: { cookie, host } });
  return { id: created.id as string, page: page.body, link: link.json(), qrText: decodeQrSvg(qr.body) };
}

const phonePath = (id: string) => `/v3/scan/ui/${id}/mobile\\?t=[A-Za-z0-9_-]{22}`;

t.test('listening on every interface: the QR code holds the LAN address and the other addresses are listed', async (t) => {
  const app = await start(t, { HOST: '0.0.0.0', PORT: '8080' });
  const { id, page, link, qrText } = await handOff(app);
  t.match(qrText, new RegExp(`^http://192\\.168\\.1\\.23:8080${phonePath(id)}$`), 'the private address of a real interface, with the listening port');
  t.equal(link.url, qrText, 'the text twin is the link in the QR code');
  t.equal(link.reach, 'lan');
  t.same(link.other_urls, [qrText.replace('192.168.1.23', '172.17.0.1')], 'the same link at the Docker bridge, listed after');
  t.match(page, '<p class="muted" data-testid="mobile-reach" data-reach="lan">');
  t.notMatch(page, 'data-reason=', 'no message about reachability');
});

t.test('listening on loopback: the link stays on loopback and the page says how to make it reachable', async (t) => {
  const app = await start(t, { HOST: '127.0.0.1', PORT: '8080' });
  const { id, page, link, qrText } = await handOff(app);
  t.match(qrText, new RegExp(`^http://127\\.0\\.0\\.1:8080${phonePath(id)}$`), 'a browser on this computer can still use it');
  t.same({ reach: link.reach, other_urls: link.other_urls }, { reach: 'loopback', other_urls: [] });
  t.match(
    page,
    '<div class="reach-note" data-testid="mobile-reach" data-reach="loopback" data-reason="listens_on_loopback"><p><strong>A phone cannot open this link yet.</strong> ' +
      'It points at this computer (127.0.0.1:8080), and the emulator listens on <code>127.0.0.1</code> only, so the link works in a browser on this computer. ' +
      'For a phone on the same network, start the emulator with <code>HOST=0.0.0.0</code> (this page then offers the computer&#39;s network addresses), ' +
      'or add <code>PUBLIC_URL=http://&lt;this computer&#39;s LAN address&gt;:8080</code> to choose the address. ' +
      'In Docker, publish the port (<code>-p 8080:8080</code>) and set <code>PUBLIC_URL</code> the same way.</p></div>',
  );
});

t.test('listening on every interface of a machine without a network: the page says so', async (t) => {
  const app = await start(t, { HOST: '0.0.0.0', PORT: '8080' }, { interfaces: () => ({ lo: [{ ...wifi('127.0.0.1'), internal: true }] }), inContainer: () => false });
  const { link, page } = await handOff(app, 'localhost:8080');
  t.equal(link.reach, 'loopback');
  t.match(link.url, /^http:\/\/localhost:8080\//);
  t.match(page, 'data-reason="no_lan_address"><p><strong>A phone cannot open this link yet.</strong> It points at this computer (localhost:8080): the emulator listens on every interface');
});

t.test('in a container listening on every interface (the Docker image): the page asks for the port mapping and PUBLIC_URL', async (t) => {
  const app = await start(t, { HOST: '0.0.0.0', PORT: '8080' }, { interfaces, inContainer: () => true });
  const { id, link, page, qrText } = await handOff(app, 'localhost:8080');
  t.match(qrText, new RegExp(`^http://localhost:8080${phonePath(id)}$`), 'not the container\'s own address');
  t.same({ reach: link.reach, other_urls: link.other_urls }, { reach: 'loopback', other_urls: [] });
  t.match(
    page,
    'data-reason="in_container"><p><strong>A phone cannot open this link yet.</strong> It points at this computer (localhost:8080), and the emulator runs in a container, ' +
      'whose own network addresses a phone cannot reach, so the link works in a browser on this computer. For a phone on the same network, publish the port ' +
      '(<code>-p 8080:8080</code>) and set <code>PUBLIC_URL=http://&lt;this computer&#39;s LAN address&gt;:8080</code>.</p></div>',
  );
});

t.test('PUBLIC_URL wins over every address, and a page opened on another host keeps that host', async (t) => {
  const proxied = await start(t, { HOST: '0.0.0.0', PUBLIC_URL: 'https://scan.example/zs' });
  const { id, link, qrText, page } = await handOff(proxied);
  t.match(qrText, new RegExp(`^https://scan\\.example/zs${phonePath(id)}$`));
  t.same({ reach: link.reach, url: link.url }, { reach: 'public_url', url: qrText });
  t.match(page, '<p data-testid="mobile-reach" data-reach="public_url" hidden></p>');

  const direct = await start(t, { HOST: '0.0.0.0' });
  const lan = await handOff(direct, '192.168.1.23:8080');
  t.match(lan.qrText, new RegExp(`^http://192\\.168\\.1\\.23:8080${phonePath(lan.id)}$`));
  t.equal(lan.link.reach, 'request_host');
});

t.test('the phone page is not told about reachability, and the interfaces are read only for a loopback desktop', async (t) => {
  let reads = 0;
  const app = await start(t, { HOST: '0.0.0.0' }, { interfaces: () => (reads++, interfaces()), inContainer: () => false });
  const { link } = await handOff(app, 'emulator.test:8080');
  t.equal(reads, 0, 'a desktop on a real host name never needs them');
  const phoneUrl = new URL(link.url);
  const phone = await app.inject({ url: `${phoneUrl.pathname}${phoneUrl.search}`, headers: { host: '127.0.0.1:8080' } });
  t.equal(phone.statusCode, 200);
  t.notMatch(phone.body, 'mobile-reach');
  t.equal(reads, 0);
});
