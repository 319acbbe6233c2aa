// The catalogue of ZignSec error codes the emulator can return, with HTTP status and default text.
// Code throws ApiError; the app's one error handler renders `{ errors: [{ code, description }] }`,
// on the public API with the codes and statuses fixtures/wire.json gives the inferred ones.

export const errorCatalogue = {
  INVALID_REQUEST: { status: 400, description: 'The request is invalid.' },
  INVALID_TARGET: { status: 400, description: 'target must be an absolute http or https URL, or an empty string.' },
  INVALID_TARGETERROR: { status: 400, description: 'target_error must be an absolute http or https URL, or an empty string.' },
  INVALID_CANCELURL: { status: 400, description: 'cancel_url must be an absolute http or https URL, or an empty string.' },
  INVALID_WEBHOOK: { status: 400, description: 'webhook must be an absolute http or https URL, or an empty string.' },
  UNAUTHORIZED: { status: 401, description: 'The Authorization header must carry your API access token.' },
  SESSION_NOT_FOUND: { status: 404, description: 'No session with that id was found.' },
  ANALYSIS_NOT_FOUND: { status: 404, description: 'No analysis with that id was found for this session.' },
  NOT_FOUND: { status: 404, description: 'No such resource.' },
  METHOD_NOT_ALLOWED: { status: 405, description: 'The path does not take this method.' },
  WAIT_TIMEOUT: { status: 408, description: 'What the request waited for did not happen in time.' },
  SESSION_STATE: { status: 409, description: 'The session is not in a state that allows this.' },
  STATE_CHANGED: { status: 409, description: 'What the request acts on changed since it was read; nothing was done.' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'Unsupported content type.' },
  TOO_MANY_SESSIONS: { status: 429, description: 'The emulator holds its maximum number of unfinished sessions.' },
  TOO_MANY_REQUESTS: { status: 429, description: 'Rate limit exceeded.' },
  TOO_MANY_CLOCKS: { status: 429, description: 'The emulator holds its maximum number of API keys with a clock of their own.' },
  MISSING_CONFIG: { status: 500, description: 'The merchant configuration is missing.' },
  INTERNAL_EXCEPTION: { status: 500, description: 'Internal Exception' },
  SERVICE_UNAVAILABLE: { status: 503, description: 'The service is temporarily unavailable.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/**
 * The catalogue entries no ZignSec source shows (their codes and statuses are the emulator's
 * choice): fixtures/wire.json gives each its wire code and HTTP status on the public API. The
 * others are documented (INVALID_REQUEST, the URL codes, SESSION_NOT_FOUND, Internal Exception),
 * or never sent by the public API.
 */
export const inferredErrorCodes = [
  'INVALID_CANCELURL',
  'UNAUTHORIZED',
  'ANALYSIS_NOT_FOUND',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'SESSION_STATE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'TOO_MANY_SESSIONS',
] as const satisfies readonly ErrorCode[];
export type InferredErrorCode = (typeof inferredErrorCodes)[number];

/** How the public API spells an inferred error: its code and HTTP status (fixtures/wire.json `errors`). */
export type WireErrorForms = Readonly<Record<InferredErrorCode, { code: string; status: number }>>;

interface Problem {
  code: ErrorCode;
  description: string;
}

export interface ErrorEntry {
  code: string;
  description: string;
}

/** The wire code: ZignSec spells its internal error "Internal Exception". */
export function wireCode(code: ErrorCode): string {
  return code === 'INTERNAL_EXCEPTION' ? 'Internal Exception' : code;
}

const formOf = (code: ErrorCode, forms: WireErrorForms | undefined) => (forms && Object.hasOwn(forms, code) ? forms[code as InferredErrorCode] : undefined);

export class ApiError extends Error {
  /** The catalogue's status of the first problem (the control API's, and the public API's unless wire.json says otherwise). */
  readonly status: number;
  private readonly problems: readonly Problem[];

  constructor(code: ErrorCode, description?: string, extra: Problem[] = []) {
    const text = description ?? errorCatalogue[code].description;
    super(`${code}: ${text}`);
    this.status = errorCatalogue[code].status;
    this.problems = [{ code, description: text }, ...extra];
  }

  /** Several problems at once, each with its own code; the status is the first one's. */
  static many(problems: Problem[]): ApiError {
    const [first, ...rest] = problems;
    return new ApiError(first.code, first.description, rest);
  }

  /** The entries as the catalogue spells them. */
  get entries(): ErrorEntry[] {
    return this.problems.map((p) => ({ code: wireCode(p.code), description: p.description }));
  }

  body(): { errors: ErrorEntry[] } {
    return { errors: this.entries };
  }

  /** Status and body with the inferred codes and statuses spelled as `forms` says (the public API's, from wire.json). */
  render(forms: WireErrorForms | undefined): { status: number; body: { errors: ErrorEntry[] } } {
    const errors = this.problems.map((p) => ({ code: formOf(p.code, forms)?.code ?? wireCode(p.code), description: p.description }));
    return { status: formOf(this.problems[0].code, forms)?.status ?? this.status, body: { errors } };
  }
}
