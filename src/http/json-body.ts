// The application/json body parser. It behaves like Fastify's own (bad JSON is a client error;
// `__proto__` and `constructor.prototype` keys are refused), with these differences:
// - an empty body is no body where the route needs none (DELETE, GET, a POST whose body schema is
//   optional or absent), since clients send Content-Type: application/json on every call; it stays
//   a client error where the route needs a body;
// and two that matter on the hot path:
// - the body text is kept on the request (`request.bodyText`), so the journal and the session
//   store the request as sent without serializing the parsed object again;
// - the prototype-poisoning scan only runs on bodies that could hold such a key. A key spelled
//   `__proto__` or `constructor` either appears literally or uses a `\u` escape, so a body with
//   neither is parsed with plain JSON.parse, and any other body goes through secure-json-parse.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { ApiError } from './error-catalogue.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as sent, set once it parsed; null otherwise. */
    bodyText: string | null;
  }
}

const BYTE_ORDER_MARK = 0xfeff;
/** Methods whose requests carry no body by nature: an empty one with a JSON Content-Type is no body, not an empty object. */
const methodsWithoutBody = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS']);

/** A route's body schema as the zod type provider keeps it. */
interface BodySchema {
  safeParse(value: unknown): { success: boolean };
}

/** Whether each route's body schema accepts no body at all, worked out once per schema. */
const takesNoBody = new WeakMap<BodySchema, boolean>();

/** Whether the request's route can do without a body: it has no body schema, or one that accepts none. */
function bodyIsOptional(request: FastifyRequest): boolean {
  if (methodsWithoutBody.has(request.method)) return true;
  const schema = request.routeOptions.schema?.body as BodySchema | undefined;
  if (schema === undefined || typeof schema.safeParse !== 'function') return schema === undefined;
  let optional = takesNoBody.get(schema);
  if (optional === undefined) {
    optional = schema.safeParse(undefined).success;
    takesNoBody.set(schema, optional);
  }
  return optional;
}
const poisoningOptions = { protoAction: 'error', constructorAction: 'error' } as const;

function mayHoldPoisonedKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('\\u') || text.charCodeAt(0) === BYTE_ORDER_MARK;
}

/** Parses JSON as Fastify's default parser would; throws SyntaxError for bad JSON or a poisoned key. */
function parseJsonBody(text: string): unknown {
  return mayHoldPoisonedKey(text) ? secureJson.parse(text, poisoningOptions) : JSON.parse(text);
}

export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0) {
      // Clients send Content-Type: application/json on every call, body or not (a freeze, a redelivery).
      if (bodyIsOptional(request)) return done(null, undefined);
      return done(new ApiError('INVALID_REQUEST', 'The request body is empty; send a JSON object.'));
    }
    let value: unknown;
    try {
      value = parseJsonBody(text);
    } catch {
      return done(new ApiError('INVALID_REQUEST', 'The request body is not valid JSON.'));
    }
    // Kept without a byte order mark, so that the stored text parses again with JSON.parse.
    request.bodyText = text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
    done(null, value);
  });
}
