// What the request log may show of a URL: API keys (`?api_key=`, `/__mock/merchants/<key>`) and
// one-time tokens (`?otp=`, the phone link's `?t=`) masked as everywhere else keys are shown.
import type { FastifyRequest } from 'fastify';
import { maskKey } from './auth.js';

const secretQueryNames = new Set(['api_key', 'otp', 't']);
const merchantKeyInPath = /^(\/__mock\/merchants\/)([^/]+)/i;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The URL with every secret it can carry masked; everything else as requested. */
export function maskSecretsInUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = (queryAt === -1 ? url : url.slice(0, queryAt)).replace(merchantKeyInPath, (whole, prefix: string, key: string) =>
    key.toLowerCase() === 'export' ? whole : `${prefix}${maskKey(decoded(key))}`,
  );
  if (queryAt === -1) return path;
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1 || !secretQueryNames.has(decoded(pair.slice(0, equals)).toLowerCase())) return pair;
      return `${pair.slice(0, equals)}=${maskKey(decoded(pair.slice(equals + 1)))}`;
    })
    .join('&');
  return `${path}?${query}`;
}

/** Fastify's request serializer with the URL masked (same fields as Fastify's own). */
function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: maskSecretsInUrl(request.url),
    version: request.headers?.['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Logger options (or true/false) with the masking request serializer, whoever chose the rest. */
export function withSecretsMasked(logger: boolean | object): boolean | object {
  if (logger === false) return false;
  const options = (logger === true ? {} : logger) as { serializers?: Record<string, unknown> };
  return { ...options, serializers: { req: serializeRequest, ...options.serializers } };
}
