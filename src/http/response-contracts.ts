// Test mode's response check: every JSON answer of a route is held against the zod schema the route
// declares for its status, so a response and its documented contract cannot drift apart unnoticed.
// Off in production (buildApp's `checkResponses`), where answers are serialized without a check.
import type { FastifyReply, FastifyRequest, FastifySerializerCompiler } from 'fastify';
import type { z } from 'zod';
import { ErrorBody } from '../schemas/common.js';

/** A response that does not match the schema its route declares (or a status the route does not declare). */
export class ResponseContractError extends Error {
  constructor(method: string, url: string, status: number | string, problems: string[]) {
    super(`Response contract broken: ${method} ${url} answered ${status}: ${problems.join('; ')}`);
    this.name = 'ResponseContractError';
  }
}

/**
 * The error handler turns the error into a 500 (which the test then sees); the test's logger is
 * usually off, so the reason is also written to stderr, where tap shows it beside the failure.
 */
function reported(error: ResponseContractError): ResponseContractError {
  process.stderr.write(`${error.message}\n`);
  return error;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Fields the answer carries that the schema does not declare: zod drops unknown keys of a plain
 * object instead of failing, so they are found by comparing what was sent with what zod kept.
 */
function undeclaredFields(sent: unknown, kept: unknown, path: string, found: string[]): string[] {
  if (Array.isArray(sent) && Array.isArray(kept)) {
    sent.forEach((item, index) => undeclaredFields(item, kept[index], `${path}[${index}]`, found));
  } else if (isPlainObject(sent) && isPlainObject(kept)) {
    for (const [key, value] of Object.entries(sent)) {
      if (value === undefined) continue;
      if (!Object.hasOwn(kept, key)) found.push(`${path}.${key} is not in the schema`);
      else undeclaredFields(value, kept[key], `${path}.${key}`, found);
    }
  }
  return found;
}

function problemsOf(schema: z.ZodType, data: unknown): string[] {
  // The answer is sent as JSON: what is checked is what the client reads (dates as strings, no undefined).
  const sent: unknown = JSON.parse(JSON.stringify(data) ?? 'null');
  const result = schema.safeParse(sent);
  if (!result.success) return result.error.issues.map((issue) => `${['body', ...issue.path.map(String)].join('.')}: ${issue.message}`);
  return undeclaredFields(sent, result.data, 'body', []);
}

/** Serializes as production does, after checking the answer against the route's schema for its status. */
export const checkingSerializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema, method, url, httpStatus }) => {
  return (data) => {
    const problems = problemsOf(schema, data);
    if (problems.length > 0) throw reported(new ResponseContractError(method, url, httpStatus ?? 'any status', problems));
    return JSON.stringify(data);
  };
};

const isJson = (contentType: unknown) => typeof contentType === 'string' && /^application\/json\b/i.test(contentType);

/** The API surfaces whose answers are contracts: the public API (not the docs, not the scan UI's pages) and the control API. */
const contractPath = /^\/(v3\/(?!scan\/swagger)|__mock\/)/i;

/** Answers a fault rule gave instead of the route: the rule's author chose their status and body. */
const answeredByFault = new WeakSet<FastifyRequest>();
export const exemptFromContract = (request: FastifyRequest) => answeredByFault.add(request);

/** The statuses fixtures/wire.json (and WIRE_FILE) gives the inferred errors of the public API. */
const wireErrorStatuses = (request: FastifyRequest) => new Set(Object.values(request.server.emulator.fixtures.wire.errors).map((form) => form.status));

/**
 * onSend hook of test mode: a JSON answer of the public or control API with a status its route does
 * not declare skipped the serializer (Fastify serializes undeclared statuses without a schema).
 */
export function refuseUndeclaredStatus(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void): void {
  const route = request.routeOptions;
  // Routes that declare no response at all (the scan UI's own page API) make no promise to check.
  const responses = route.schema?.response as Record<string, unknown> | undefined;
  if (!responses || !contractPath.test(request.url) || answeredByFault.has(request) || !isJson(reply.getHeader('content-type'))) return done(null, payload);
  const status = reply.statusCode;
  const declared = Object.hasOwn(responses, String(status)) || Object.hasOwn(responses, `${String(status)[0]}xx`) || Object.hasOwn(responses, 'default');
  if (declared) return done(null, payload);
  // A WIRE_FILE may move an error to a status of its choice: the answer is still an error body.
  const problems = wireErrorStatuses(request).has(status) ? problemsOf(ErrorBody, JSON.parse(String(payload))) : ['the route declares no response schema for this status'];
  if (problems.length === 0) return done(null, payload);
  done(reported(new ResponseContractError(request.method, route.url ?? request.url, status, problems)));
}
