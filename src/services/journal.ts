// The request journal: every public API request with what it carried and what it got back, for
// "was it called, and with what" checks. A bounded ring: the oldest entries make room for new ones.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { maskKey } from '../http/auth.js';

export interface JournalEntry {
  id: number;
  at: number;
  method: string;
  path: string;
  /** The raw query string, parsed when read. */
  search: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
  /** Kept as sent and parsed only when read, so journaling stays cheap on the hot path. */
  responseText: string | null;
  responseType: string;
  duration_ms: number;
  session_id: string | null;
  /** The raw key, kept for filtering; never rendered (the masked key is in headers). */
  apiKey: string | null;
}

export interface JournalFilter {
  apiKey?: string;
  method?: string;
  path?: string;
  sessionId?: string;
  status?: number;
}

const MAX_BODY_CHARS = 16_384;
const hiddenHeaders = new Set(['authorization', 'cookie', 'x-mock-admin-token']);
const guidInPath = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** The id a create call answers with: `{"id":"<guid>"` or `{"session_id":"<guid>"`. */
const createdIdInBody = /(?<=^\{"(?:session_)?id":")[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Request headers as shown: the API key masked, cookies and the admin token hidden. */
export function headersOf(entry: JournalEntry): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    shown[name] = hiddenHeaders.has(name) ? (name === 'authorization' ? maskKey(text) : '****') : text;
  }
  return shown;
}

export const queryOf = (entry: JournalEntry): Record<string, string> => Object.fromEntries(new URLSearchParams(entry.search));

/** The response body as shown: JSON parsed, HTML summarised, long text cut. */
export function responseBodyOf(entry: JournalEntry): unknown {
  const raw = entry.responseText;
  const contentType = entry.responseType;
  if (raw === null || raw === '') return null;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(raw);
    } catch {
      /* fall through: keep it as text */
    }
  }
  if (contentType?.startsWith('text/html')) return `[html, ${raw.length} characters]`;
  return raw.length > MAX_BODY_CHARS ? `${raw.slice(0, MAX_BODY_CHARS)}…` : raw;
}

/** A glob over paths: `*` is one segment's worth of characters, `**` anything. */
export function pathMatcher(pattern: string): (path: string) => boolean {
  const regex = new RegExp(
    `^${pattern
      .split('**')
      .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
      .join('.*')}$`,
  );
  return (path) => regex.test(path);
}

export class RequestJournal {
  /** A ring of `capacity` slots; `next` is where the next entry goes, overwriting the oldest. */
  private slots: (JournalEntry | undefined)[] = [];
  private next = 0;
  private nextId = 1;

  constructor(private readonly capacity: number) {}

  /** Entries oldest first. */
  private get entries(): JournalEntry[] {
    if (this.slots.length < this.capacity) return this.slots as JournalEntry[];
    return [...this.slots.slice(this.next), ...this.slots.slice(0, this.next)] as JournalEntry[];
  }

  record(request: FastifyRequest, reply: FastifyReply, payload: unknown, at: number, durationMs: number): void {
    if (this.capacity === 0) return;
    // Kept by reference (each request has its own headers object); masking happens when read.
    const headers = request.headers;
    const [path, search = ''] = request.url.split('?');
    const responseText = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    const requestBody = request.isMultipart?.() ? '[multipart/form-data]' : (request.body ?? null);
    const sessionId = (guidInPath.exec(path) ?? (responseText ? createdIdInBody.exec(responseText.slice(0, 200)) : null))?.[0]?.toLowerCase() ?? null;
    const entry: JournalEntry = {
      id: this.nextId++,
      at,
      method: request.method,
      path,
      search,
      headers,
      body: requestBody,
      status: reply.statusCode,
      responseText,
      responseType: String(reply.getHeader('content-type') ?? ''),
      duration_ms: Math.round(durationMs * 100) / 100,
      session_id: sessionId,
      apiKey: typeof request.headers.authorization === 'string' ? request.headers.authorization.trim() : null,
    };
    this.slots[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  find(filter: JournalFilter = {}): JournalEntry[] {
    const matchesPath = filter.path ? pathMatcher(filter.path) : () => true;
    return this.entries.filter(
      (e) =>
        (filter.apiKey === undefined || e.apiKey === filter.apiKey) &&
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.sessionId === undefined || e.session_id === filter.sessionId.toLowerCase()) &&
        (filter.status === undefined || e.status === filter.status) &&
        matchesPath(e.path),
    );
  }

  clear(apiKey?: string): number {
    const before = this.entries;
    const kept = apiKey === undefined ? [] : before.filter((e) => e.apiKey !== apiKey);
    this.slots = kept;
    this.next = this.capacity > 0 ? kept.length % this.capacity : 0;
    return before.length - kept.length;
  }
}
