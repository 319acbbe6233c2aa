// Whether the emulator is reachable beyond this machine with its control API open, and the warning
// printed at startup then: whoever reaches /__mock can read and steer every key's sessions.
import { isIP } from 'node:net';
import type { Config } from './config.js';

/** 127.0.0.0/8, ::1 (and IPv4-mapped loopback), or the name localhost. */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '').toLowerCase();
  if (plain === 'localhost' || plain === '::1') return true;
  const v4 = plain.startsWith('::ffff:') ? plain.slice('::ffff:'.length) : plain;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The warning for an emulator listening on `boundAddress`, or undefined when the control API is not exposed. */
export function openControlApiWarning(config: Pick<Config, 'HOST' | 'MOCK_ADMIN_TOKEN'>, boundAddress: string): string | undefined {
  if (config.MOCK_ADMIN_TOKEN || isLoopbackAddress(boundAddress)) return undefined;
  return (
    `the control API (/__mock) is open to anyone who can reach ${boundAddress} (HOST ${config.HOST}): MOCK_ADMIN_TOKEN is not set. ` +
    "They can read every API key's sessions and identity data and the one-time links in the journal, arm or complete other keys' sessions, " +
    'inject faults and change merchant settings. Set MOCK_ADMIN_TOKEN (or --mock-admin-token), or HOST=127.0.0.1 to listen on this machine only.'
  );
}
