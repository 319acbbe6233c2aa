// `Authorization: <api key>`: the raw key, as ZignSec expects. Each key is its own merchant namespace.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './error-catalogue.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: string;
  }
}

export function apiKeyOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const value = (Array.isArray(header) ? (header as string[])[0] : header)?.trim();
  if (!value) {
    // ZignSec's newer gateway APIs take the key in Zs-Product-Key; no source shows the v3 API reading it.
    if (request.headers['zs-product-key'] !== undefined) {
      throw new ApiError('UNAUTHORIZED', "Missing Authorization header: the v3 API takes the raw API key in Authorization; Zs-Product-Key is the header of ZignSec's newer gateway APIs.");
    }
    throw new ApiError('UNAUTHORIZED', 'Missing Authorization header: send your API access token as the raw header value.');
  }
  if (/^bearer(\s|$)/i.test(value)) {
    // A common integration bug: ZignSec takes the key itself, not an OAuth-style bearer token.
    throw new ApiError('UNAUTHORIZED', "ZignSec expects the raw API key in the Authorization header, without the 'Bearer ' prefix.");
  }
  if (value.length > 512) throw new ApiError('UNAUTHORIZED', 'The Authorization header is too long to be an API key.');
  return value;
}

/** Characters of a key that stay hidden, however long the key: a guess still has to find these. */
const ALWAYS_HIDDEN = 12;

/**
 * Shows a key (or any other secret) without giving it away, wherever one is shown: logs, the
 * journal, the control API, the portal. At most a quarter of it and at most 5 characters are
 * shown, and at least 12 always stay hidden: a key of 7 or 12 characters is `****`, one of 16
 * `ab****yz`, a long one `abc****yz`.
 */
export function maskKey(key: string): string {
  const shown = Math.min(5, Math.floor(key.length / 4), Math.max(0, key.length - ALWAYS_HIDDEN));
  if (shown === 0) return '****';
  const tail = Math.floor(shown / 2);
  return `${key.slice(0, shown - tail)}****${tail > 0 ? key.slice(-tail) : ''}`;
}

/** onRequest hook for the public API: authentication comes before body validation, as in the real API. */
export function authenticate(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  try {
    const key = apiKeyOf(request);
    if (!request.server.emulator.sessions.merchantFor(key)) {
      throw new ApiError('UNAUTHORIZED', 'The API key is not known to this emulator (AUTH_MODE=strict).');
    }
    request.apiKey = key;
    done();
  } catch (error) {
    done(error as Error);
  }
}
