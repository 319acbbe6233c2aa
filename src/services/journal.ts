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
  /** The request body as sent: JSON text (parsed when read), a multipart marker, other text as is, or null. */
  body: string | null;
  bodyIsJson: boolean;
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
/** Larger JSON is kept cut, as text: far bigger than the API's answers or any ordinary request. */
const MAX_KEPT_JSON_CHARS = MAX_BODY_CHARS;
const hiddenHeaders = new Set(['authorization', 'cookie', 'x-mock-admin-token', 'zs-product-key']);
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

/** The request body as shown: JSON parsed, anything else as it was recorded. */
export const requestBodyOf = (entry: JournalEntry): unknown => (entry.bodyIsJson && entry.body !== null ? JSON.parse(entry.body) : entry.body);

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
  return raw;
}

/**
 * What the journal keeps of a body: JSON in full (the API's own JSON is small; parsed when read),
 * HTML as a note of its size, anything else up to MAX_BODY_CHARS. A full ring then holds at most
 * JOURNAL_SIZE times that much, whatever callers send.
 */
function keptText(text: string, type: string): string {
  if (type.includes('json') && text.length <= MAX_KEPT_JSON_CHARS) return text;
  if (type.startsWith('text/html')) return `[html, ${text.length} characters]`;
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text;
}

/** A glob over paths: `*` is one segment's worth of characters, `**` anything; letter case does not matter, as for the router. */
export function pathMatcher(pattern: string): (path: string) => boolean {
  const regex = new RegExp(
    `^${pattern
      .split('**')
      .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
      .join('.*')}$`,
    'i',
  );
  return (path) => regex.test(path);
}

/**
 * The ring is kept as columns, one array per field, rather than one object per request: recording
 * then allocates nothing of its own (numbers sit unboxed in their arrays, strings and the headers
 * object are the request's own), which matters because every entry outlives the young generation
 * and would otherwise be copied and collected as old garbage. Entries are built when read.
 */
export class RequestJournal {
  /** Slots in use; once the ring is full, `next` is both where the next entry goes and the oldest one. */
  private size = 0;
  private next = 0;
  private nextId = 1;
  private readonly ids: number[] = [];
  private readonly times: number[] = [];
  private readonly durations: number[] = [];
  private readonly statuses: number[] = [];
  private readonly methods: string[] = [];
  /** Path and query as requested, split when read. */
  private readonly urls: string[] = [];
  private readonly headers: JournalEntry['headers'][] = [];
  private readonly bodies: (string | null)[] = [];
  private readonly bodyIsJson: boolean[] = [];
  private readonly responseTexts: (string | null)[] = [];
  private readonly responseTypes: string[] = [];
  private readonly apiKeys: (string | null)[] = [];
  /** The session each entry is about: worked out on first read (undefined until then), as reads are rare. */
  private readonly sessionIds: (string | null | undefined)[] = [];

  constructor(private readonly capacity: number) {}

  record(request: FastifyRequest, reply: FastifyReply, payload: unknown, at: number, durationMs: number): void {
    if (this.capacity === 0) return;
    const slot = this.next;
    const bodyText = request.bodyText;
    const bodyIsJson = bodyText !== null && bodyText.length <= MAX_KEPT_JSON_CHARS;
    const authorization = request.raw.headers.authorization;
    this.ids[slot] = this.nextId++;
    this.times[slot] = at;
    this.durations[slot] = durationMs;
    this.statuses[slot] = reply.statusCode;
    this.methods[slot] = request.method;
    this.urls[slot] = request.url;
    // The request's own headers object, kept by reference; masking happens when read.
    this.headers[slot] = request.raw.headers;
    this.bodies[slot] =
      bodyText !== null ? keptText(bodyText, 'application/json') : request.isMultipart?.() ? '[multipart/form-data]' : typeof request.body === 'string' ? keptText(request.body, '') : null;
    this.bodyIsJson[slot] = bodyIsJson;
    const responseType = String(reply.getHeader('content-type') ?? '');
    this.responseTexts[slot] = typeof payload === 'string' ? keptText(payload, responseType) : Buffer.isBuffer(payload) ? keptText(payload.toString('utf8', 0, MAX_BODY_CHARS + 1), responseType) : null;
    this.responseTypes[slot] = responseType;
    this.apiKeys[slot] = typeof authorization === 'string' ? authorization.trim() : null;
    this.sessionIds[slot] = undefined;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.size < this.capacity) this.size++;
  }

  /** Slot numbers, oldest first. */
  private *slotsInOrder(): Generator<number> {
    const first = this.size < this.capacity ? 0 : this.next;
    for (let i = 0; i < this.size; i++) yield (first + i) % this.capacity;
  }

  private sessionIdAt(slot: number): string | null {
    let sessionId = this.sessionIds[slot];
    if (sessionId === undefined) {
      const path = this.urls[slot].split('?')[0];
      const responseText = this.responseTexts[slot];
      sessionId = (guidInPath.exec(path) ?? (responseText ? createdIdInBody.exec(responseText.slice(0, 200)) : null))?.[0]?.toLowerCase() ?? null;
      this.sessionIds[slot] = sessionId;
    }
    return sessionId;
  }

  private entryAt(slot: number): JournalEntry {
    const url = this.urls[slot];
    const query = url.indexOf('?');
    return {
      id: this.ids[slot],
      at: this.times[slot],
      method: this.methods[slot],
      path: query === -1 ? url : url.slice(0, query),
      search: query === -1 ? '' : url.slice(query + 1),
      headers: this.headers[slot],
      body: this.bodies[slot],
      bodyIsJson: this.bodyIsJson[slot],
      status: this.statuses[slot],
      responseText: this.responseTexts[slot],
      responseType: this.responseTypes[slot],
      duration_ms: Math.round(this.durations[slot] * 100) / 100,
      session_id: this.sessionIdAt(slot),
      apiKey: this.apiKeys[slot],
    };
  }

  find(filter: JournalFilter = {}): JournalEntry[] {
    const matchesPath = filter.path ? pathMatcher(filter.path) : () => true;
    const method = filter.method?.toUpperCase();
    const sessionId = filter.sessionId?.toLowerCase();
    const found: JournalEntry[] = [];
    for (const slot of this.slotsInOrder()) {
      if (filter.apiKey !== undefined && this.apiKeys[slot] !== filter.apiKey) continue;
      if (method !== undefined && this.methods[slot] !== method) continue;
      if (filter.status !== undefined && this.statuses[slot] !== filter.status) continue;
      if (sessionId !== undefined && this.sessionIdAt(slot) !== sessionId) continue;
      const entry = this.entryAt(slot);
      if (matchesPath(entry.path)) found.push(entry);
    }
    return found;
  }

  /** Forgets every entry, or one key's; returns how many went. */
  clear(apiKey?: string): number {
    const kept = apiKey === undefined ? [] : [...this.slotsInOrder()].filter((slot) => this.apiKeys[slot] !== apiKey).map((slot) => this.entryAt(slot));
    const removed = this.size - kept.length;
    this.size = 0;
    this.next = 0;
    for (const column of [this.ids, this.times, this.durations, this.statuses, this.methods, this.urls, this.headers, this.bodies, this.bodyIsJson, this.responseTexts, this.responseTypes, this.apiKeys, this.sessionIds]) {
      column.length = 0;
    }
    for (const entry of kept) this.restore(entry);
    return removed;
  }

  /** Puts a kept entry back (after a partial clear), oldest first. */
  private restore(entry: JournalEntry): void {
    const slot = this.next;
    this.ids[slot] = entry.id;
    this.times[slot] = entry.at;
    this.durations[slot] = entry.duration_ms;
    this.statuses[slot] = entry.status;
    this.methods[slot] = entry.method;
    this.urls[slot] = entry.search === '' ? entry.path : `${entry.path}?${entry.search}`;
    this.headers[slot] = entry.headers;
    this.bodies[slot] = entry.body;
    this.bodyIsJson[slot] = entry.bodyIsJson;
    this.responseTexts[slot] = entry.responseText;
    this.responseTypes[slot] = entry.responseType;
    this.apiKeys[slot] = entry.apiKey;
    this.sessionIds[slot] = entry.session_id;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    this.size++;
  }
}
