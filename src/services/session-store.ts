// Where sessions are kept: every session by id, a record per API key (its numbering, how many
// sessions it holds, which of them are finished) and the eviction that keeps the store bounded and
// shared fairly (MAX_SESSIONS, MAX_SESSIONS_PER_KEY). What happens to a session is SessionService's.
import { ApiError } from '../http/error-catalogue.js';
import type { Session } from '../core/session.js';
import type { KeyDueQueues } from './session-due-queues.js';

/**
 * Per API key: the key as first seen, shared by all its sessions (one string, not one per request),
 * its last session ordinal, how many sessions it holds and which of them are finished (oldest
 * finished first: its eviction order past MAX_SESSIONS_PER_KEY), and its timed work (made on first
 * use, dropped when it runs dry). Kept while the key holds a session: a key that holds none is as
 * new, so keys that come and go (AUTH_MODE=any) leave nothing behind.
 */
export interface KeyRecord {
  readonly key: string;
  sequence: number;
  held: number;
  readonly finished: Set<string>;
  due: KeyDueQueues | undefined;
}

/** How eviction reaches back into the life cycle: removing a session, and timing out a key's overdue ones. */
export interface EvictionHooks {
  remove(id: string): void;
  expireOverdue(record: KeyRecord): void;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  /** Finished session ids, oldest finished first: the eviction order past MAX_SESSIONS. */
  private readonly finished = new Set<string>();
  private readonly keys = new Map<string, KeyRecord>();

  constructor(private readonly limits: { MAX_SESSIONS: number; MAX_SESSIONS_PER_KEY: number }) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  values(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** The key's record while it holds a session. */
  recordOf(apiKey: string): KeyRecord | undefined {
    return this.keys.get(apiKey);
  }

  records(): IterableIterator<KeyRecord> {
    return this.keys.values();
  }

  hasRecord(apiKey: string): boolean {
    return this.keys.has(apiKey);
  }

  get recordCount(): number {
    return this.keys.size;
  }

  /**
   * The key's record for a new session: `known` when it is still held (making room may have taken the
   * key's last session, and so its record, whose numbering then goes on), else a new one.
   */
  recordFor(apiKey: string, known: KeyRecord | undefined): KeyRecord {
    let record = known ?? this.keys.get(apiKey);
    if (!record) record = { key: apiKey, sequence: 0, held: 0, finished: new Set(), due: undefined };
    if (!this.keys.has(record.key)) this.keys.set(record.key, record);
    return record;
  }

  add(session: Session, record: KeyRecord): void {
    this.sessions.set(session.id, session);
    record.held++;
  }

  /** Enters a finished session in the eviction orders (the store's and its key's). */
  markFinished(session: Session): void {
    this.finished.add(session.id);
    this.keys.get(session.apiKey)?.finished.add(session.id);
  }

  /** Takes a session out; its key's record goes with its last session. */
  remove(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const record = this.keys.get(session.apiKey);
    if (record) {
      record.held--;
      record.finished.delete(id);
      if (record.held === 0) this.keys.delete(record.key);
    }
    this.finished.delete(id);
    this.sessions.delete(id);
    return session;
  }

  /** Forgets one key's record (its numbering starts again), or every key's. */
  forgetRecords(apiKey?: string): void {
    if (apiKey === undefined) this.keys.clear();
    else this.keys.delete(apiKey);
  }

  /**
   * Keeps memory bounded and shared fairly. A key at MAX_SESSIONS_PER_KEY makes room by dropping its
   * own oldest finished session, and is refused (429, to that key only) when all of its sessions are
   * unfinished; past MAX_SESSIONS the oldest finished session of any key goes. Unfinished sessions
   * are never dropped. As one key holds at most MAX_SESSIONS_PER_KEY (a tenth of MAX_SESSIONS by
   * default), one runaway key cannot fill the store for the others.
   */
  makeRoom(record: KeyRecord | undefined, hooks: EvictionHooks): void {
    const perKey = this.limits.MAX_SESSIONS_PER_KEY;
    while (record && record.held >= perKey) {
      const oldest = record.finished.values().next();
      if (oldest.done) {
        throw new ApiError(
          'TOO_MANY_SESSIONS',
          `This API key already holds MAX_SESSIONS_PER_KEY=${perKey} unfinished sessions; finish some, wait for SESSION_TTL, or raise MAX_SESSIONS_PER_KEY.`,
        );
      }
      hooks.remove(oldest.value);
    }
    while (this.sessions.size >= this.limits.MAX_SESSIONS) {
      let oldest = this.finished.values().next();
      if (oldest.done) {
        // Other keys' sessions past their deadline on their own clocks count as finished too.
        for (const other of this.keys.values()) hooks.expireOverdue(other);
        oldest = this.finished.values().next();
      }
      if (oldest.done) {
        throw new ApiError('TOO_MANY_SESSIONS', `The emulator already holds MAX_SESSIONS=${this.limits.MAX_SESSIONS} unfinished sessions; finish some, wait for SESSION_TTL, or raise MAX_SESSIONS.`);
      }
      hooks.remove(oldest.value);
    }
  }
}
