// A small client of the public v3 API, called the way a merchant backend calls ZignSec (the raw key in
// Authorization), plus the fetch transport the admin client shares. Types come from the zod contracts.
import type { z } from 'zod';
import type { ErrorEntry } from './schemas/common.js';
import type { CreatedSessionResponse, LivenessRequest, ScanningRequest, SessionResult } from './schemas/public.js';

/** One `{ code, description }` entry of an `errors` array. */
export type ApiErrorEntry = z.infer<typeof ErrorEntry>;
export type LivenessSessionRequest = z.input<typeof LivenessRequest>;
export type ScanningSessionRequest = z.input<typeof ScanningRequest>;
export type CreatedSession = z.infer<typeof CreatedSessionResponse>;
export type { SessionResult };

/** An HTTP call as the clients describe it; undefined query values are left out. */
export interface JsonCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | null | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ErrorFactory = (status: number, errors: ApiErrorEntry[], call: JsonCall) => Error;

function errorsOf(status: number, text: string): ApiErrorEntry[] {
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    const list = parsed?.errors;
    if (Array.isArray(list) && list.length > 0 && (list as (Partial<ApiErrorEntry> | null)[]).every((e) => typeof e?.code === 'string' && typeof e?.description === 'string')) {
      return list as ApiErrorEntry[];
    }
  } catch {
    // Not JSON: reported below with an excerpt.
  }
  return [{ code: `HTTP_${status}`, description: text.slice(0, 500) || 'The response had no body.' }];
}

/** Describes errors on one line: `CODE: description; CODE: description`. */
export const describeErrors = (errors: ApiErrorEntry[]) => errors.map((e) => `${e.code}: ${e.description}`).join('; ');

/**
 * Sends one call and returns the response when it is 2xx. Any other status becomes the error built by
 * `fail` from the body's `errors` array; a connection failure names the URL.
 */
export async function sendCall(fetchImpl: typeof fetch, baseUrl: string, call: JsonCall, fail: ErrorFactory): Promise<Response> {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${call.path}`);
  for (const [name, value] of Object.entries(call.query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = { ...call.headers };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetchImpl(url, { method: call.method, headers, body: call.body === undefined ? undefined : JSON.stringify(call.body) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${call.method} ${url.href} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`, { cause: error });
  }
  if (response.ok) return response;
  throw fail(response.status, errorsOf(response.status, await response.text()), call);
}

/** The parsed JSON body, or undefined for 204 No Content. */
export async function jsonOf<T>(response: Response): Promise<T> {
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** A non-2xx answer of the emulator, with the `errors` array it sent. */
export class HttpApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiErrorEntry[],
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path} answered ${status}: ${describeErrors(errors)}`);
  }
}

/** A non-2xx answer of the public API, with ZignSec's `errors` array. */
export class ZignSecApiError extends HttpApiError {
  override name = 'ZignSecApiError';
}

export interface ApiClientOptions {
  /** A fetch implementation (defaults to the global fetch). */
  fetch?: typeof fetch;
}

export interface CreateSessionOptions {
  /** Emulator only: the outcome preset the session ends with (sent as X-Mock-Outcome). */
  outcome?: string;
}

/** A client of the public v3 calls for one API key. */
export function createApiClient(baseUrl: string, apiKey: string, options: ApiClientOptions = {}) {
  const fetchImpl = options.fetch ?? fetch;
  const fail: ErrorFactory = (status, errors, call) => new ZignSecApiError(status, errors, call.method, call.path);
  const call = async <T>(request: JsonCall): Promise<T> =>
    jsonOf<T>(await sendCall(fetchImpl, baseUrl, { ...request, headers: { authorization: apiKey, ...request.headers } }, fail));
  const outcomeHeader = (create?: CreateSessionOptions): Record<string, string> => (create?.outcome ? { 'x-mock-outcome': create.outcome } : {});

  return {
    /** POST /v3/scanning/liveness: a web-flow liveness session; send the browser to `redirect_url`. */
    createLivenessSession: (body: LivenessSessionRequest, create?: CreateSessionOptions) =>
      call<CreatedSession>({ method: 'POST', path: '/v3/scanning/liveness', body, headers: outcomeHeader(create) }),
    /** POST /v3/scanning: a browser scanning session (`{}` is a document-only session). */
    createScanningSession: (body: ScanningSessionRequest = {}, create?: CreateSessionOptions) =>
      call<CreatedSession>({ method: 'POST', path: '/v3/scanning', body, headers: outcomeHeader(create) }),
    /** GET /v3/scanning/{id}: the result object of a session of any flow (the webhook body). */
    getResult: (id: string) => call<SessionResult>({ method: 'GET', path: `/v3/scanning/${encodeURIComponent(id)}` }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
