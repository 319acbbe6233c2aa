// Where a phone can open the mobile hand-off: PUBLIC_URL when set; the host the desktop used when that
// is not this computer's loopback; else this machine's LAN addresses when the emulator listens on them
// (and is not in a container, whose addresses are its own); else nowhere, and the page says how to
// make the emulator reachable.
import { existsSync } from 'node:fs';
import { BlockList, isIP, type AddressInfo } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { FastifyRequest } from 'fastify';
import { isLoopbackAddress } from '../exposure.js';
import { publicBaseUrl } from './public-url.js';

/** What the hand-off needs to know about this machine's network; tests replace it with a stub. */
export interface MachineNetwork {
  /** This machine's interfaces and their addresses, as os.networkInterfaces() lists them. */
  interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Where the server listens once it does (server.address()); null before (app.inject). */
  listening: () => AddressInfo | string | null;
  /** Whether the emulator runs in a container, whose own addresses no phone can reach. */
  inContainer: () => boolean;
}

/** Docker and Podman leave these files in every container they start. */
const containerMarkers = ['/.dockerenv', '/run/.containerenv'];

/** The real network: the OS's interfaces, the address the server is bound to, the container it may run in. */
export function machineNetwork(server: { address(): AddressInfo | string | null }, overrides: Partial<MachineNetwork> = {}): MachineNetwork {
  let inContainer: boolean | undefined;
  return {
    interfaces: overrides.interfaces ?? networkInterfaces,
    listening: overrides.listening ?? (() => server.address()),
    inContainer: overrides.inContainer ?? (() => (inContainer ??= containerMarkers.some((marker) => existsSync(marker)))),
  };
}

/**
 * How the phone link is chosen: `public_url` (PUBLIC_URL), `request_host` (the desktop's own, not
 * loopback), `lan` (this machine's addresses, best first) or `loopback` (no address a phone can use:
 * `reason` says why, and the link works on this computer only).
 */
export type PhoneReach =
  | { kind: 'public_url' | 'request_host'; base: string }
  | { kind: 'lan'; base: string; others: string[] }
  | { kind: 'loopback'; base: string; reason: 'listens_on_loopback' | 'in_container' | 'no_lan_address'; port: number; host: string };

/** At most this many LAN addresses are offered (a host with containers can have hundreds of interfaces). */
export const MAX_LAN_ADDRESSES = 8;

const privateRanges = new BlockList();
privateRanges.addSubnet('10.0.0.0', 8, 'ipv4');
privateRanges.addSubnet('172.16.0.0', 12, 'ipv4');
privateRanges.addSubnet('192.168.0.0', 16, 'ipv4');
privateRanges.addSubnet('fc00::', 7, 'ipv6');

const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');

/** Interfaces of containers and virtual machines on this host: private, but no phone can reach them. */
const virtualInterface = /^(docker|br-|veth|virbr|vboxnet|vmnet|cni|podman)/i;

const familyOf = (address: string): 'ipv4' | 'ipv6' | undefined => {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
};

const isUnspecified = (address: string) => address === '0.0.0.0' || address === '::' || address === '::0';

/**
 * The machine's addresses a phone on the same network may use, best first: IPv4 before IPv6 (IPv6
 * only when the server listens on `::`), real interfaces before container and VM bridges, private
 * ranges before others, link-local last (IPv6 link-local needs a zone no URL can carry: left out).
 */
export function lanAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>, families: 'ipv4' | 'ipv4-and-ipv6'): string[] {
  const withIpv6 = families === 'ipv4-and-ipv6';
  const candidates: { address: string; rank: number[]; order: number }[] = [];
  const seen = new Set<string>();
  for (const [name, entries] of Object.entries(interfaces)) {
    for (const entry of entries ?? []) {
      const family = familyOf(entry.address);
      if (entry.internal || family === undefined || seen.has(entry.address)) continue;
      if (family === 'ipv6' && (!withIpv6 || linkLocal.check(entry.address, 'ipv6'))) continue;
      if (isLoopbackAddress(entry.address)) continue;
      seen.add(entry.address);
      const range = privateRanges.check(entry.address, family) ? 0 : linkLocal.check(entry.address, family) ? 2 : 1;
      candidates.push({ address: entry.address, rank: [family === 'ipv4' ? 0 : 1, virtualInterface.test(name) ? 1 : 0, range], order: candidates.length });
    }
  }
  const byRank = (a: (typeof candidates)[number], b: (typeof candidates)[number]) =>
    a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2] || a.order - b.order;
  return candidates.sort(byRank).map((candidate) => candidate.address);
}

const urlHost = (address: string) => (familyOf(address) === 'ipv6' ? `[${address}]` : address);

/** Where the server listens: its bound address once listening, else the configured HOST and PORT. */
function listeningOn(network: MachineNetwork, config: { HOST: string; PORT: number }): { address: string; port: number } {
  const bound = network.listening();
  if (bound && typeof bound === 'object') return { address: bound.address, port: bound.port };
  return { address: config.HOST, port: config.PORT };
}

/**
 * The base URL a phone should open, for a desktop page reached through `request`. PUBLIC_URL always
 * wins; a desktop on a non-loopback host shares that host with the phone; a desktop on loopback gets
 * the LAN addresses the server listens on, or a loopback base with the reason no phone can use it.
 */
export function phoneReach(request: FastifyRequest, config: { PUBLIC_URL?: string; HOST: string; PORT: number }, network: MachineNetwork): PhoneReach {
  if (config.PUBLIC_URL) return { kind: 'public_url', base: config.PUBLIC_URL };
  const desktopBase = publicBaseUrl(request, undefined, config.PORT);
  if (!isLoopbackAddress(new URL(desktopBase).hostname)) return { kind: 'request_host', base: desktopBase };
  const listening = listeningOn(network, config);
  // The phone talks to the emulator directly, past any proxy in front of the desktop's loopback address.
  const scheme = (request.raw.socket as { encrypted?: boolean } | null)?.encrypted ? 'https' : 'http';
  const baseAt = (address: string) => `${scheme}://${urlHost(address)}:${listening.port}`;
  let addresses: string[] = [];
  const everyInterface = isUnspecified(listening.address);
  // In a container (the Docker image listens on 0.0.0.0) the interfaces are the container's own.
  if (everyInterface && network.inContainer()) return { kind: 'loopback', base: desktopBase, reason: 'in_container', port: listening.port, host: listening.address };
  if (everyInterface) {
    addresses = lanAddresses(network.interfaces(), listening.address === '0.0.0.0' ? 'ipv4' : 'ipv4-and-ipv6').slice(0, MAX_LAN_ADDRESSES);
  } else if (familyOf(listening.address) !== undefined && !isLoopbackAddress(listening.address)) {
    // Bound to one address of this machine that is not loopback: a phone on its network can use it.
    addresses = [listening.address];
  }
  const [best, ...others] = addresses;
  if (best !== undefined) return { kind: 'lan', base: baseAt(best), others: others.map(baseAt) };
  const reason = everyInterface ? 'no_lan_address' : 'listens_on_loopback';
  return { kind: 'loopback', base: desktopBase, reason, port: listening.port, host: listening.address };
}
