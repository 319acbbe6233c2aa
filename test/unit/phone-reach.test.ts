// Which address the mobile hand-off gives a phone: PUBLIC_URL, the desktop's own host, this machine's
// LAN addresses (best first), or none. The machine's network is a stub: no traffic goes anywhere.
import type { NetworkInterfaceInfo } from 'node:os';
import type { FastifyRequest } from 'fastify';
import t from 'tap';
import { lanAddresses, MAX_LAN_ADDRESSES, phoneReach, type MachineNetwork } from '../../src/http/phone-reach.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo =>
  ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal, cidr: `${address}/24` });
const v6 = (address: string, internal = false): NetworkInterfaceInfo =>
  ({ address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal, cidr: `${address}/64`, scopeid: 0 });

/** A laptop on Wi-Fi with Docker installed, a public address on a second card and a link-local one. */
const laptop: NodeJS.Dict<NetworkInterfaceInfo[]> = {
  lo: [v4('127.0.0.1', true), v6('::1', true)],
  docker0: [v4('172.17.0.1')],
  eth1: [v4('203.0.113.7')],
  usb0: [v4('169.254.10.20')],
  wlan0: [v4('192.168.1.23'), v6('fe80::1c2b:3ff:fe4d:5e6f'), v6('fd12:3456::23')],
  tun0: [v4('10.8.0.5')],
};

const requestTo = (host: string, headers: Record<string, string> = {}) => ({ headers: { host, ...headers }, raw: { socket: {} } }) as unknown as FastifyRequest;

const network = (interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>, address: string | null, port = 8080, inContainer = false): MachineNetwork => ({
  interfaces: () => interfaces,
  listening: () => (address === null ? null : { address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' }),
  inContainer: () => inContainer,
});

const config = (settings: { HOST?: string; PORT?: number; PUBLIC_URL?: string } = {}) => ({ HOST: '127.0.0.1', PORT: 8080, ...settings });

t.test('LAN addresses: IPv4 first, real interfaces before bridges, private ranges first, link-local last, loopback never', async (t) => {
  t.same(lanAddresses(laptop, 'ipv4'), ['192.168.1.23', '10.8.0.5', '203.0.113.7', '169.254.10.20', '172.17.0.1']);
  t.same(lanAddresses(laptop, 'ipv4-and-ipv6'), ['192.168.1.23', '10.8.0.5', '203.0.113.7', '169.254.10.20', '172.17.0.1', 'fd12:3456::23'], 'IPv6 after, link-local IPv6 left out');
  t.same(lanAddresses({ lo: [v4('127.0.0.1', true)] }, 'ipv4-and-ipv6'), [], 'loopback only: none');
  t.same(lanAddresses({ a: [v4('192.168.1.23')], b: [v4('192.168.1.23')], c: undefined }, 'ipv4'), ['192.168.1.23'], 'each address once');
});

t.test('a desktop on a loopback address with the emulator on every interface gets the best LAN address, with the listening port', async (t) => {
  for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', '127.0.0.2:8080']) {
    t.same(phoneReach(requestTo(host), config({ HOST: '0.0.0.0' }), network(laptop, '0.0.0.0')), {
      kind: 'lan',
      base: 'http://192.168.1.23:8080',
      others: ['http://10.8.0.5:8080', 'http://203.0.113.7:8080', 'http://169.254.10.20:8080', 'http://172.17.0.1:8080'],
    }, host);
  }
  const dualStack = phoneReach(requestTo('127.0.0.1:9000'), config(), network(laptop, '::', 8443));
  t.equal(dualStack.kind === 'lan' && dualStack.base, 'http://192.168.1.23:8443', 'the port the server listens on, not the one the desktop used');
  t.equal(dualStack.kind === 'lan' && dualStack.others.at(-1), 'http://[fd12:3456::23]:8443', 'listening on :: offers IPv6 too, bracketed');
});

t.test('at most MAX_LAN_ADDRESSES are offered', async (t) => {
  const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`veth${i}`, [v4(`10.0.${i}.1`)]]));
  const reach = phoneReach(requestTo('127.0.0.1:8080'), config(), network(many, '0.0.0.0'));
  t.equal(reach.kind === 'lan' && 1 + reach.others.length, MAX_LAN_ADDRESSES);
});

t.test('the server bound to one LAN address offers that address', async (t) => {
  t.same(phoneReach(requestTo('127.0.0.1:8080'), config({ HOST: '192.168.1.23' }), network(laptop, '192.168.1.23')), { kind: 'lan', base: 'http://192.168.1.23:8080', others: [] });
});

t.test('on loopback only, or with no LAN address, the link stays on loopback and says why', async (t) => {
  t.same(phoneReach(requestTo('127.0.0.1:8080'), config(), network(laptop, '127.0.0.1')), {
    kind: 'loopback',
    base: 'http://127.0.0.1:8080',
    reason: 'listens_on_loopback',
    port: 8080,
    host: '127.0.0.1',
  });
  t.same(phoneReach(requestTo('localhost:3000'), config({ HOST: '0.0.0.0' }), network({ lo: [v4('127.0.0.1', true)] }, '0.0.0.0', 3000)), {
    kind: 'loopback',
    base: 'http://localhost:3000',
    reason: 'no_lan_address',
    port: 3000,
    host: '0.0.0.0',
  });
});

t.test('in a container on every interface, the interfaces are the container\'s own: the link stays on loopback and says why', async (t) => {
  t.same(phoneReach(requestTo('localhost:9000'), config({ HOST: '0.0.0.0' }), network(laptop, '0.0.0.0', 8080, true)), {
    kind: 'loopback',
    base: 'http://localhost:9000',
    reason: 'in_container',
    port: 8080,
    host: '0.0.0.0',
  });
  t.match(phoneReach(requestTo('localhost:9000'), config(), network(laptop, '192.168.1.23', 8080, true)), { kind: 'lan' }, 'bound to one address on purpose: that one');
  t.match(phoneReach(requestTo('localhost:9000'), config({ PUBLIC_URL: 'http://192.168.1.23:9000' }), network(laptop, '0.0.0.0', 8080, true)), { kind: 'public_url' });
});

t.test('the bound address counts, not HOST: HOST=0.0.0.0 in the configuration but bound to loopback gives no LAN address', async (t) => {
  const reach = phoneReach(requestTo('127.0.0.1:8080'), config({ HOST: '0.0.0.0' }), network(laptop, '127.0.0.1'));
  t.equal(reach.kind, 'loopback');
  const named = phoneReach(requestTo('127.0.0.1:8080'), config({ HOST: 'localhost' }), network(laptop, '::1'));
  t.match(named, { kind: 'loopback', reason: 'listens_on_loopback', host: '::1' }, 'HOST as a name: the address it was bound to');
});

t.test('not listening yet (app.inject): the configured HOST and PORT stand in', async (t) => {
  t.match(phoneReach(requestTo('127.0.0.1'), config({ HOST: '0.0.0.0', PORT: 9000 }), network(laptop, null)), { kind: 'lan', base: 'http://192.168.1.23:9000' });
  t.match(phoneReach(requestTo('127.0.0.1'), config(), network(laptop, null)), { kind: 'loopback', reason: 'listens_on_loopback' });
});

t.test('PUBLIC_URL always wins; a desktop on another host shares it with the phone', async (t) => {
  t.same(phoneReach(requestTo('127.0.0.1:8080'), config({ PUBLIC_URL: 'https://proxy.example/zs' }), network(laptop, '0.0.0.0')), { kind: 'public_url', base: 'https://proxy.example/zs' });
  t.same(phoneReach(requestTo('192.168.1.23:8080'), config(), network(laptop, '0.0.0.0')), { kind: 'request_host', base: 'http://192.168.1.23:8080' });
  t.same(phoneReach(requestTo('127.0.0.1:8080', { 'x-forwarded-host': 'scan.example', 'x-forwarded-proto': 'https' }), config(), network(laptop, '0.0.0.0')), {
    kind: 'request_host',
    base: 'https://scan.example',
  });
});
