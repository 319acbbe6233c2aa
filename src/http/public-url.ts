// The base of every URL the emulator hands out: PUBLIC_URL, or what the client used to reach us
// (Host, X-Forwarded-Proto, X-Forwarded-Host), so links work behind Docker port maps and proxies.
import type { FastifyRequest } from 'fastify';

const safeHost = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

const firstValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();

export function publicBaseUrl(request: FastifyRequest, configured: string | undefined, port: number): string {
  if (configured) return configured;
  const forwardedProto = firstValue(request.headers['x-forwarded-proto'])?.toLowerCase();
  const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : request.protocol;
  const forwardedHost = firstValue(request.headers['x-forwarded-host']);
  const host = [forwardedHost, firstValue(request.headers.host)].find((h) => h !== undefined && safeHost.test(h));
  return `${proto}://${host ?? `localhost:${port}`}`;
}
