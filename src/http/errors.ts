// Renders every error the same way ZignSec does: `{ errors: [{ code, description }] }` with the
// matching HTTP status. Never a stack trace, never Fastify's default error body.
import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type DomainErrorKind } from '../core/domain-errors.js';
import { ApiError, errorCatalogue, type ErrorCode, type WireErrorForms } from './error-catalogue.js';

/** The ZignSec error code each refusal of a domain rule is answered with (its status is the catalogue's). */
const codeByDomainErrorKind: Record<DomainErrorKind, ErrorCode> = {
  'illegal-transition': 'SESSION_STATE',
};

/** URL fields have their own ZignSec codes; everything else is INVALID_REQUEST. */
const codeByField: Record<string, ErrorCode> = {
  target: 'INVALID_TARGET',
  target_error: 'INVALID_TARGETERROR',
  cancel_url: 'INVALID_CANCELURL',
  webhook: 'INVALID_WEBHOOK',
};

interface ValidationIssue {
  instancePath: string;
  message: string;
  keyword: string;
  params: Record<string, unknown>;
}

const contextNames: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

function valueAt(input: unknown, path: string[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function describeIssue(issue: ValidationIssue, context: string, input: unknown): string {
  const parts = issue.instancePath.split('/').filter(Boolean);
  const path = parts.join('.');
  const where = path ? path : `the ${contextNames[context] ?? context}`;
  if (path && input !== null && typeof input === 'object' && valueAt(input, parts) === undefined) return `${path} is required`;
  if (issue.keyword === 'invalid_value' && Array.isArray(issue.params.values)) {
    return `${where} must be one of ${(issue.params.values as unknown[]).join(', ')}`;
  }
  if (issue.keyword === 'unrecognized_keys') return `${where} has unknown fields: ${(issue.params.keys as string[]).join(', ')}`;
  if (!path && issue.keyword === 'invalid_type') return `the request ${contextNames[context] ?? context} must be a JSON object`;
  // zod's own size messages ("Too big: expected array to have <=3 items") in plain words; schemas
  // with a message of their own keep it.
  if ((issue.keyword === 'too_big' || issue.keyword === 'too_small') && /^Too (big|small)/.test(issue.message)) {
    const { origin, maximum, minimum } = issue.params as { origin?: string; maximum?: number; minimum?: number };
    const limit = issue.keyword === 'too_big' ? `at most ${maximum}` : `at least ${minimum}`;
    if (origin === 'array') return `${where} must have ${limit} items`;
    if (origin === 'string') return `${where} must be ${limit} characters long`;
  }
  return `${where} ${issue.message.replace(/^Invalid input: /, '')}`;
}

export function unsupportedContentType(request: FastifyRequest): ApiError {
  const given = String(request.headers['content-type'] ?? '').split(';')[0].trim().slice(0, 100);
  return new ApiError('UNSUPPORTED_MEDIA_TYPE', `Unsupported Content-Type ${JSON.stringify(given)}; send application/json.`);
}

export function validationToApiError(issues: ValidationIssue[], context: string, input: unknown): ApiError {
  // A value of the wrong type can trip other checks too (zod measures a string against an array's
  // max); the type error is the one that helps, so later issues at the same path are dropped.
  const wrongType = new Set(issues.filter((i) => i.keyword === 'invalid_type').map((i) => i.instancePath));
  const relevant = issues.filter((i) => i.keyword === 'invalid_type' || !wrongType.has(i.instancePath));
  const problems = relevant.map((issue) => {
    const field = issue.instancePath.split('/')[1] ?? '';
    const code: ErrorCode = context === 'body' ? (codeByField[field] ?? 'INVALID_REQUEST') : 'INVALID_REQUEST';
    return { code, description: describeIssue(issue, context, input) };
  });
  return ApiError.many(problems);
}

/** Fastify's own client errors (bad JSON, wrong content type, oversized body) in ZignSec's shape. */
function fastifyClientError(error: FastifyError, request: FastifyRequest): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE', error.code === 'FST_REQ_FILE_TOO_LARGE' ? 'The uploaded file is too large.' : 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedContentType(request);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('INVALID_REQUEST', 'The Content-Length header does not match the body.');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the document as multipart/form-data with a file field named "document".');
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/.test(error.message))) {
    return new ApiError('INVALID_REQUEST', 'The request body is not valid JSON.');
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    const code = (Object.keys(errorCatalogue) as ErrorCode[]).find((key) => errorCatalogue[key].status === error.statusCode) ?? 'INVALID_REQUEST';
    return new ApiError(code, 'The request could not be processed.');
  }
  return undefined;
}

const inputOf = (request: FastifyRequest, context: string): unknown =>
  ({ body: request.body, querystring: request.query, params: request.params, headers: request.headers })[context];

export function toApiError(error: FastifyError | ApiError | Error, request: FastifyRequest): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) return new ApiError(codeByDomainErrorKind[error.kind], error.message);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FastifyError).validationContext ?? 'body';
    return validationToApiError(error.validation as unknown as ValidationIssue[], context, inputOf(request, context));
  }
  return fastifyClientError(error as FastifyError, request);
}

const unsendableHeaderErrors = new Set(['ERR_INVALID_CHAR', 'ERR_HTTP_INVALID_HEADER_VALUE', 'ERR_INVALID_HTTP_TOKEN']);

/**
 * After Node refused a header the reply carried (a value it may not send), takes off every such
 * header so that the error answer itself can be sent, instead of Fastify's own last-resort body.
 */
export function dropUnsendableHeaders(error: { code?: string }, reply: FastifyReply): void {
  if (!unsendableHeaderErrors.has(error.code ?? '')) return;
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    try {
      validateHeaderName(name);
      for (const part of Array.isArray(value) ? value : [value]) validateHeaderValue(name, String(part ?? ''));
    } catch {
      reply.removeHeader(name);
    }
  }
}

/**
 * onRequest hook: an HTTP/1.1 request without Host is refused in the ZignSec shape. (Node's own
 * check answers an empty 400 before Fastify sees the request, so it is turned off in buildApp.)
 */
export function requireHost(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  if (request.headers.host || request.raw.httpVersion !== '1.1') return done();
  done(new ApiError('INVALID_REQUEST', 'The Host header is missing: every HTTP/1.1 request must carry one.'));
}

/** The public API and the scan UI (not the control API, the portal or the docs). */
const wirePath = /^\/v3\//i;

/**
 * How the inferred errors are spelled for this request: fixtures/wire.json's codes and statuses on
 * the public API; the catalogue's own on the control API, whose contract is the emulator's.
 */
export function wireErrorFormsFor(request: FastifyRequest): WireErrorForms | undefined {
  return wirePath.test(request.url) ? request.server.emulator?.fixtures.wire.errors : undefined;
}

/** Sends an ApiError in ZignSec's shape, spelled for the request's surface (see wireErrorFormsFor). */
export function sendApiError(request: FastifyRequest, reply: FastifyReply, apiError: ApiError): FastifyReply {
  const { status, body } = apiError.render(wireErrorFormsFor(request));
  request.log.info({ errors: body.errors, status }, 'request rejected');
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  dropUnsendableHeaders(error, reply);
  const apiError = toApiError(error, request);
  if (apiError) return sendApiError(request, reply, apiError);
  request.log.error({ err: error }, 'unexpected error');
  const internal = new ApiError('INTERNAL_EXCEPTION', 'An unexpected error occurred in the emulator; the log has the details.');
  return reply.status(500).type('application/json; charset=utf-8').send(internal.body());
}

/** Errors the router raises before any route runs (over-long or badly encoded URLs), in ZignSec's shape. */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const description = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is too long.' : 'The URL is not valid.';
  request.log.info({ code: error.code }, 'request rejected by the router');
  reply.status(400).type('application/json; charset=utf-8').send(new ApiError('INVALID_REQUEST', description).body());
}


/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a broken request line, a control
 * character in a header, Content-Length with Transfer-Encoding, headers over the size limit): the
 * same ZignSec-style body as every other error, then the connection is closed as Node does.
 */
export function handleClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, description] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request headers are too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request was not received in time.']
        : [400, 'The HTTP request could not be parsed.'];
  const body = JSON.stringify({ errors: [{ code: 'INVALID_REQUEST', description }] });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
