// The base of every URL the emulator hands out: PUBLIC_URL, or what the client used to reach us
// (Host, X-Forwarded-Proto, X-Forwarded-Host), so links work behind Docker port maps and proxies.
import type { FastifyRequest } from 'fastify';

const safeHost = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

const firstValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();

/**
 * The scheme the client used: X-Forwarded-Proto's first value when it is http or https, otherwise
 * the connection's own. (Fastify's request.protocol repeats whatever that header says.)
 */
export function requestScheme(request: FastifyRequest): 'http' | 'https' {
  const forwarded = firstValue(request.headers['x-forwarded-proto'])?.toLowerCase();
  if (forwarded === 'https' || forwarded === 'http') return forwarded;
  return (request.raw.socket as { encrypted?: boolean } | null)?.encrypted ? 'https' : 'http';
}

export function publicBaseUrl(request: FastifyRequest, configured: string | undefined, port: number): string {
  if (configured) return configured;
  const proto = requestScheme(request);
  const forwardedHost = firstValue(request.headers['x-forwarded-host']);
  const host = [forwardedHost, firstValue(request.headers.host)].find((h) => h !== undefined && safeHost.test(h));
  return `${proto}://${host ?? `localhost:${port}`}`;
}
