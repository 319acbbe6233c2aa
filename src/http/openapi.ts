// The OpenAPI document's route transform: the zod schemas become JSON Schema (fastify-type-provider-zod),
// then two things the schemas cannot say are filled in: what each response status means, and the
// multipart body of the upload routes (their body is read as a stream, so it has no zod schema).
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

const statusDescriptions: Record<string, string> = {
  200: 'Success',
  201: 'Created',
  204: 'Done; no body',
  400: 'INVALID_REQUEST (or a field-specific code such as INVALID_TARGET): the request is malformed or a value is not allowed',
  401: 'UNAUTHORIZED: the Authorization header is missing, not a raw API key, or (strict mode) an unknown key',
  403: 'Forbidden',
  404: 'SESSION_NOT_FOUND / ANALYSIS_NOT_FOUND / NOT_FOUND: unknown, or another key’s',
  408: 'Timed out waiting',
  409: 'SESSION_STATE: not allowed in the session’s current state',
  410: 'Gone',
  413: 'PAYLOAD_TOO_LARGE: body over MAX_BODY_BYTES or upload over MAX_UPLOAD_BYTES',
  415: 'UNSUPPORTED_MEDIA_TYPE: wrong Content-Type (or an upload that is not an image)',
  429: 'TOO_MANY_SESSIONS: MAX_SESSIONS unfinished sessions are held',
  500: 'Internal Exception (an emulator bug, or an injected fault)',
  503: 'SERVICE_UNAVAILABLE (an injected fault)',
};

const uploadBody = {
  type: 'object',
  required: ['document'],
  properties: {
    document: { type: 'string', format: 'binary', description: 'The image: JPEG, PNG, WebP, GIF, BMP, TIFF or HEIC (checked by content).' },
  },
};

type RouteSchema = {
  response?: Record<string, unknown>;
  consumes?: string[];
  body?: unknown;
};

export const openApiTransform: typeof jsonSchemaTransform = (input) => {
  const transformed = jsonSchemaTransform(input);
  const schema = transformed.schema as RouteSchema | undefined;
  if (!schema) return transformed;
  if (schema.response) {
    for (const [status, body] of Object.entries(schema.response)) {
      if (body && typeof body === 'object' && !('description' in body)) {
        schema.response[status] = { ...body, description: statusDescriptions[status] ?? `HTTP ${status}` };
      }
    }
  }
  if (schema.consumes?.includes('multipart/form-data') && schema.body === undefined) schema.body = uploadBody;
  return transformed;
};
