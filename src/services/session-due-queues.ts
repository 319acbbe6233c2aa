// A key's timed session work, on the key's clock: unfinished sessions by deadline (expiresAt) and
// running analyses by the instant they are decided (analysisDueAt). SessionService asks what falls
// due and does it; the due-work scheduler (due-work.ts) says when. Entries of sessions that ended,
// were deleted or rescheduled are skipped when met, and dropped in bulk past a bound.
import FlatQueue from 'flatqueue';
import { isFinal, type Session } from '../core/session.js';
import type { KeyRecord, SessionStore } from './session-store.js';

export interface KeyDueQueues {
  expiries: FlatQueue<string>;
  analyses: FlatQueue<string>;
}

/** What falls due next: an analysis to decide, or a session to time out. */
export type DueSessionWork = { kind: 'analysis' | 'expiry'; session: Session };

/** Past this many stale entries (sessions that finished before their deadline), a due queue is rebuilt. */
const STALE_ENTRIES_ALLOWED = 1024;

const analysisDueAtOf = (session: Session) => session.analysisDueAt;
const expiresAtOf = (session: Session) => session.expiresAt;

export class SessionDueQueues {
  constructor(private readonly store: SessionStore) {}

  private queuesOf(record: KeyRecord): KeyDueQueues {
    record.due ??= { expiries: new FlatQueue<string>(), analyses: new FlatQueue<string>() };
    return record.due;
  }

  /** A new session's deadline; the key's queues are rebuilt when stale entries outnumber the live ones by far. */
  scheduleExpiry(record: KeyRecord, session: Session): void {
    const due = this.queuesOf(record);
    due.expiries.push(session.id, session.expiresAt);
    if (due.expiries.length > 2 * (record.held - record.finished.size) + STALE_ENTRIES_ALLOWED) this.rebuild(record);
  }

  scheduleAnalysis(record: KeyRecord, session: Session, dueAt: number): void {
    this.queuesOf(record).analyses.push(session.id, dueAt);
  }

  /** The session a queue entry stands for, or undefined when the entry is stale (ended, deleted, rescheduled). */
  private liveEntry(queue: FlatQueue<string>, dueAt: (session: Session) => number | null): Session | undefined {
    const session = this.store.get(queue.peek()!);
    return session && !isFinal(session.status) && dueAt(session) === queue.peekValue() ? session : undefined;
  }

  /** The earliest live entry of a queue, stale entries on top dropped on the way. */
  private earliest(queue: FlatQueue<string>, dueAt: (session: Session) => number | null): number | null {
    while (queue.length > 0) {
      if (this.liveEntry(queue, dueAt)) return queue.peekValue()!;
      queue.pop();
    }
    return null;
  }

  /** When the key's next work falls due; an idle key's queues are dropped. */
  nextDueAt(record: KeyRecord | undefined): number | null {
    const due = record?.due;
    if (!record || !due) return null;
    const analysis = this.earliest(due.analyses, analysisDueAtOf);
    const expiry = this.earliest(due.expiries, expiresAtOf);
    if (analysis === null && expiry === null) {
      // Nothing left to do: an idle key keeps no queues.
      record.due = undefined;
      return null;
    }
    if (analysis === null) return expiry;
    return expiry === null ? analysis : Math.min(analysis, expiry);
  }

  /** Takes the key's next work due at `now`, in the order it fell due (an analysis first on a tie). */
  takeNextDue(record: KeyRecord | undefined, now: number): DueSessionWork | undefined {
    const due = record?.due;
    if (!due) return undefined;
    const analysis = this.earliest(due.analyses, analysisDueAtOf);
    const expiry = this.earliest(due.expiries, expiresAtOf);
    if (analysis !== null && analysis <= now && (expiry === null || analysis <= expiry)) return { kind: 'analysis', session: this.store.get(due.analyses.pop()!)! };
    if (expiry !== null && expiry <= now) return { kind: 'expiry', session: this.store.get(due.expiries.pop()!)! };
    return undefined;
  }

  /** Takes the key's next session past its deadline at `now` (timeouts only). */
  takeNextOverdue(record: KeyRecord, now: number): Session | undefined {
    const queue = record.due?.expiries;
    if (!queue) return undefined;
    const at = this.earliest(queue, expiresAtOf);
    return at !== null && at <= now ? this.store.get(queue.pop()!)! : undefined;
  }

  /** Drops the stale entries of a key's queues: its live ones are pushed again. */
  private rebuild(record: KeyRecord): void {
    const due = { expiries: new FlatQueue<string>(), analyses: new FlatQueue<string>() };
    for (const session of this.store.values()) {
      if (session.apiKey !== record.key || isFinal(session.status)) continue;
      due.expiries.push(session.id, session.expiresAt);
      if (session.analysisDueAt !== null) due.analyses.push(session.id, session.analysisDueAt);
    }
    record.due = due;
  }
}
