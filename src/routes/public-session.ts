// Pieces shared by the public routes: creating a session from a request and finding the caller's session.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../http/error-catalogue.js';
import { guidPattern } from '../core/ids.js';
import type { Flow, Session } from '../core/session.js';
import { publicBaseUrl } from '../http/public-url.js';


export const OutcomeHeaders = z.object({
  'x-mock-outcome': z
    .string()
    .optional()
    .meta({ description: 'Emulator only: the outcome preset this session ends with (see GET /__mock/outcomes).' }),
});

/**
 * A session keeps its request exactly as sent when it is an object of ordinary size. A larger body
 * is kept as the fields the API reads (unknown fields dropped), so that unknown fields cannot make
 * every stored session as large as MAX_BODY_BYTES.
 */
const VERBATIM_REQUEST_MAX_CHARS = 4096;
const objectText = /^\s*\{/;

function verbatimRequest(request: FastifyRequest): string | undefined {
  const text = request.bodyText;
  return text !== null && text.length <= VERBATIM_REQUEST_MAX_CHARS && objectText.test(text) ? text : undefined;
}

export function createSessionFrom(request: FastifyRequest, reply: FastifyReply, flow: Flow): Session {
  const { sessions } = request.server.emulator;
  const header = request.headers['x-mock-outcome'];
  const headerOutcome = (Array.isArray(header) ? header[0] : header)?.trim() || undefined;
  const session = sessions.create(request.apiKey, flow, request.body as Record<string, unknown>, { headerOutcome, requestText: verbatimRequest(request) });
  request.authorisedSessionId = session.id;
  // Says which preset the session will end with and which rule chose it.
  reply.header('x-mock-outcome-selected', `${session.outcome.name}; rule=${session.outcome.rule}`);
  // The answer carries the one-time link: no cache may keep it.
  reply.header('cache-control', 'no-store');
  return session;
}

export function uiUrl(request: FastifyRequest, session: Session): string {
  const { config } = request.server.emulator;
  const page = session.flow === 'liveness' ? 'liveness' : 'scanning';
  return `${publicBaseUrl(request, config.PUBLIC_URL, config.PORT)}/v3/scan/ui/${session.id}/${page}?otp=${session.link!.token}`;
}

/** The caller's session by path id: 400 for a non-GUID, 404 SESSION_NOT_FOUND for unknown or another key's. */
export function sessionOfCaller(request: FastifyRequest, id: string): Session {
  if (!guidPattern.test(id)) throw new ApiError('INVALID_REQUEST', `${JSON.stringify(id.slice(0, 64))} is not a session id: ids are GUIDs.`);
  const session = request.server.emulator.sessions.getForKey(request.apiKey, id.toLowerCase());
  request.authorisedSessionId = session.id;
  return session;
}

/**
 * Sends the caller's session result: the cached JSON text, as every result path serves the same
 * object. It holds a person's identity data, so no cache may keep it.
 */
export function sendResult(request: FastifyRequest, reply: FastifyReply, session: Session): FastifyReply {
  return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store').send(request.server.emulator.sessions.resultJson(session));
}
