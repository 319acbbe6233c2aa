// The request journal: every public API request with what it carried and what it got back, for
// "was it called, and with what" checks. A bounded ring: the oldest entries make room for new ones.
// Everything it keeps is bounded text (URL, bodies), and reading it never blocks the event loop for
// long: filters walk the ring in short slices, giving way to other requests between them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { compileGlob } from '../core/glob.js';
import { guidInText } from '../core/ids.js';
import { jsonForView } from '../core/json-view.js';
import { maskKey } from '../http/auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The session this request was let into: by its owner's key (public API) or by the scan UI's
     * cookie or one-time link. Set by the routes once they have checked; null for everything else
     * (refused requests, other keys, requests naming a session they may not see).
     */
    authorisedSessionId: string | null;
  }
}

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
  /** The session the request was authorised for, else the session id its path names, else null. */
  session_id: string | null;
  /** The session the request was authorised for (see FastifyRequest.authorisedSessionId). */
  authorisedSessionId: string | null;
  /** The raw key, kept for filtering; never rendered (the masked key is in headers). */
  apiKey: string | null;
}

/** Finds the key a session belongs to, for journal entries let into that session (the scan UI sends no key). */
export type SessionOwnerLookup = (sessionId: string) => string | undefined;

export interface JournalFilter {
  /** Requests sent with this key in Authorization. */
  apiKey?: string;
  /** Requests that belong to this key: let into one of its sessions, or else sent with it. */
  owner?: string;
  method?: string;
  path?: string;
  sessionId?: string;
  status?: number;
}

const MAX_BODY_CHARS = 16_384;
/** Larger JSON is kept cut, as text: far bigger than the API's answers or any ordinary request. */
const MAX_KEPT_JSON_CHARS = MAX_BODY_CHARS;
/** Path and query as kept (and matched by `path` globs); Node accepts request lines of about 16 KB. */
export const MAX_KEPT_URL_CHARS = 2048;
/** How long one slice of a filter may run before other requests get their turn. */
const SLICE_MS = 8;
/** The clock is read every this many entries (a power of two): at most a few milliseconds of matching. */
const SLICE_CHECK_EVERY = 64;
/** Match results remembered per filter run: entries share paths (the create path, a session's paths). */
const MEMO_MAX = 4096;
const hiddenHeaders = new Set(['authorization', 'cookie', 'x-mock-admin-token', 'zs-product-key']);

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

/** The request body as shown: JSON parsed (when it nests shallowly enough to show), anything else as it was recorded. */
export const requestBodyOf = (entry: JournalEntry): unknown => (entry.bodyIsJson && entry.body !== null ? jsonForView(entry.body) : entry.body);

/** The response body as shown: JSON parsed (as for requests), HTML summarised, long text cut. */
export function responseBodyOf(entry: JournalEntry): unknown {
  const raw = entry.responseText;
  if (raw === null || raw === '') return null;
  return entry.responseType.includes('json') ? jsonForView(raw) : raw;
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

const keptUrl = (url: string) => (url.length > MAX_KEPT_URL_CHARS ? `${url.slice(0, MAX_KEPT_URL_CHARS)}…` : url);

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One recorded request as the ring keeps it; entries as shown are built from it when read. */
interface Recorded {
  id: number;
  at: number;
  durationMs: number;
  status: number;
  method: string;
  /** Path and query as requested (cut at MAX_KEPT_URL_CHARS), split when read. */
  url: string;
  headers: JournalEntry['headers'];
  body: string | null;
  bodyIsJson: boolean;
  responseText: string | null;
  responseType: string;
  apiKey: string | null;
  authorised: string | null;
  /** The key the entry belongs to: its authorised session's owner, else the key it was sent with. */
  owner: string | null;
  /** The session the entry is about: worked out on first read (undefined until then), as reads are rare. */
  sessionId: string | null | undefined;
}

/** Entry ids grow along the ring, so a position is found again by id after the ring has moved. */
export class RequestJournal {
  /** Slots in use; once the ring is full, `next` is both where the next entry goes and the oldest one. */
  private size = 0;
  private next = 0;
  private nextId = 1;
  private ring: Recorded[] = [];
  /** Entry ids by the session they were authorised for, oldest first: a session's page reads these only. */
  private readonly bySession = new Map<string, number[]>();
  private readonly updateListeners = new Set<(apiKey: string | undefined) => void>();

  constructor(
    private readonly capacity: number,
    private readonly ownerOfSession: SessionOwnerLookup = () => undefined,
  ) {}

  /**
   * Told the key whose entries changed: the owner of an entry recorded, and of the oldest entry it
   * pushed out of a full ring; on clear, the key cleared (undefined: every key). The portal's live
   * pages follow this (services/change-feed.ts).
   */
  onUpdate(listener: (apiKey: string | undefined) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  private updated(apiKey: string | undefined): void {
    for (const listener of this.updateListeners) listener(apiKey);
  }

  record(request: FastifyRequest, reply: FastifyReply, payload: unknown, at: number, durationMs: number): void {
    if (this.capacity === 0) return;
    const slot = this.next;
    const pushedOut = this.size === this.capacity ? this.ring[slot].owner : null;
    if (this.size === this.capacity) this.unindex(slot);
    const id = this.nextId++;
    const bodyText = request.bodyText;
    const authorization = request.raw.headers.authorization;
    const sessionId = request.authorisedSessionId;
    const responseType = String(reply.getHeader('content-type') ?? '');
    const apiKey = typeof authorization === 'string' ? authorization.trim() : null;
    // Settled now, while the session is held: its owner stays the entry's owner after the session is forgotten.
    const owner = (sessionId !== null ? this.ownerOfSession(sessionId) : undefined) ?? apiKey;
    this.ring[slot] = {
      id,
      at,
      durationMs,
      status: reply.statusCode,
      method: request.method,
      url: keptUrl(request.url),
      // The request's own headers object, kept by reference (Node bounds its size); masking happens when read.
      headers: request.raw.headers,
      body: bodyText !== null ? keptText(bodyText, 'application/json') : request.isMultipart?.() ? '[multipart/form-data]' : typeof request.body === 'string' ? keptText(request.body, '') : null,
      bodyIsJson: bodyText !== null && bodyText.length <= MAX_KEPT_JSON_CHARS,
      responseText: typeof payload === 'string' ? keptText(payload, responseType) : Buffer.isBuffer(payload) ? keptText(payload.toString('utf8', 0, MAX_BODY_CHARS + 1), responseType) : null,
      responseType,
      apiKey,
      authorised: sessionId,
      owner,
      sessionId: sessionId ?? undefined,
    };
    if (sessionId !== null) {
      const ids = this.bySession.get(sessionId);
      if (ids) ids.push(id);
      else this.bySession.set(sessionId, [id]);
    }
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.size < this.capacity) this.size++;
    if (owner !== null) this.updated(owner);
    if (pushedOut !== null && pushedOut !== owner) this.updated(pushedOut);
  }

  /** The entry in `slot` is about to be overwritten: it is the oldest of its session's ids. */
  private unindex(slot: number): void {
    const { authorised: sessionId, id } = this.ring[slot];
    if (sessionId === null) return;
    const ids = this.bySession.get(sessionId);
    if (!ids) return;
    if (ids[0] === id) ids.shift();
    if (ids.length === 0) this.bySession.delete(sessionId);
  }

  private slotAt(position: number): number {
    const first = this.size < this.capacity ? 0 : this.next;
    return (first + position) % this.capacity;
  }

  /** The position of the first entry whose id is above `id` (ids grow along the ring). */
  private positionAfter(id: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.ring[this.slotAt(middle)].id <= id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private sessionIdOf(recorded: Recorded): string | null {
    if (recorded.sessionId === undefined) {
      const url = recorded.url;
      const query = url.indexOf('?');
      recorded.sessionId = guidInText.exec(query === -1 ? url : url.slice(0, query))?.[0]?.toLowerCase() ?? null;
    }
    return recorded.sessionId;
  }

  private entryOf(recorded: Recorded): JournalEntry {
    const url = recorded.url;
    const query = url.indexOf('?');
    return {
      id: recorded.id,
      at: recorded.at,
      method: recorded.method,
      path: query === -1 ? url : url.slice(0, query),
      search: query === -1 ? '' : url.slice(query + 1),
      headers: recorded.headers,
      body: recorded.body,
      bodyIsJson: recorded.bodyIsJson,
      status: recorded.status,
      responseText: recorded.responseText,
      responseType: recorded.responseType,
      duration_ms: Math.round(recorded.durationMs * 100) / 100,
      session_id: this.sessionIdOf(recorded),
      authorisedSessionId: recorded.authorised,
      apiKey: recorded.apiKey,
    };
  }

  /**
   * The entries matching `filter`, oldest first: how many there are, and the newest `limit` of them.
   * The walk gives way to the event loop every few milliseconds; entries recorded meanwhile are left
   * out, entries the ring drops meanwhile are gone.
   */
  async select(filter: JournalFilter, limit: number): Promise<{ total: number; entries: JournalEntry[] }> {
    const matchesGlob = filter.path ? compileGlob(filter.path) : undefined;
    const memo = new Map<string, boolean>();
    const matchesPath = (url: string): boolean => {
      if (!matchesGlob) return true;
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      let matched = memo.get(path);
      if (matched === undefined) {
        matched = matchesGlob(path);
        if (memo.size >= MEMO_MAX) memo.clear();
        memo.set(path, matched);
      }
      return matched;
    };
    const method = filter.method?.toUpperCase();
    const sessionId = filter.sessionId?.toLowerCase();
    // The ids of the newest `limit` matches, as a ring; their entries are built at the end.
    const newestIds: number[] = [];
    let total = 0;
    const lastId = this.nextId - 1;
    let seenId = 0;
    for (;;) {
      const sliceEnds = performance.now() + SLICE_MS;
      let position = this.positionAfter(seenId);
      for (let n = 1; position < this.size; position++, n++) {
        // Every entry counts towards the slice, matched or not: a filter that matches nothing walks
        // the whole ring, and one glob match costs up to MAX_KEPT_URL_CHARS steps.
        if ((n & (SLICE_CHECK_EVERY - 1)) === 0 && performance.now() > sliceEnds) break;
        const recorded = this.ring[this.slotAt(position)];
        const id = recorded.id;
        if (id > lastId) {
          position = this.size;
          break;
        }
        seenId = id;
        if (filter.apiKey !== undefined && recorded.apiKey !== filter.apiKey) continue;
        if (filter.owner !== undefined && recorded.owner !== filter.owner) continue;
        if (method !== undefined && recorded.method !== method) continue;
        if (filter.status !== undefined && recorded.status !== filter.status) continue;
        if (sessionId !== undefined && this.sessionIdOf(recorded) !== sessionId) continue;
        if (!matchesPath(recorded.url)) continue;
        if (limit > 0) newestIds[total % limit] = id;
        total++;
      }
      if (position >= this.size) break;
      await yieldToEventLoop();
    }
    const start = total > limit ? total % limit : 0;
    const ids = [...newestIds.slice(start), ...newestIds.slice(0, start)];
    return { total, entries: this.entriesById(ids) };
  }

  /** The entries with these ids that the ring still holds, in the order given. */
  private entriesById(ids: readonly number[]): JournalEntry[] {
    const entries: JournalEntry[] = [];
    for (const id of ids) {
      const position = this.positionAfter(id - 1);
      const recorded = this.ring[this.slotAt(position)];
      if (position < this.size && recorded.id === id) entries.push(this.entryOf(recorded));
    }
    return entries;
  }

  /** The entries authorised for one session, oldest first (see FastifyRequest.authorisedSessionId). */
  forSession(sessionId: string): JournalEntry[] {
    return this.entriesById(this.bySession.get(sessionId) ?? []);
  }

  /**
   * Forgets every entry, or one key's (sent with it, or belonging to it: its sessions' scan UI
   * requests); returns how many went. The kept ones stay in order.
   */
  clear(apiKey?: string): number {
    const kept: Recorded[] = [];
    if (apiKey !== undefined) {
      for (let position = 0; position < this.size; position++) {
        const recorded = this.ring[this.slotAt(position)];
        if (recorded.apiKey !== apiKey && recorded.owner !== apiKey) kept.push(recorded);
      }
    }
    const removed = this.size - kept.length;
    this.ring = kept;
    this.size = kept.length;
    this.next = this.size === this.capacity ? 0 : this.size;
    this.bySession.clear();
    for (const { authorised: sessionId, id } of kept) {
      if (sessionId === null) continue;
      const ids = this.bySession.get(sessionId);
      if (ids) ids.push(id);
      else this.bySession.set(sessionId, [id]);
    }
    this.updated(apiKey);
    return removed;
  }
}
