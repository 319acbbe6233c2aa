// The outcomes queued for the next sessions of each API key: added to at the end, taken from the
// front by each new session, and seen, reordered, trimmed or cleared through the control API and
// the portal. Names are checked against the catalogue by the caller (SessionService).

/** Outcomes one key may have queued at once. */
export const MAX_QUEUED_OUTCOMES = 1000;

/**
 * A change at a position of the queue: done (the queue as it stands after), or not, because there
 * is no entry there (the queue is shorter) or because another outcome stands there than the caller
 * saw (a session took the front entry meanwhile): then nothing changed.
 */
export type QueueChange =
  | { ok: true; queued: string[] }
  | { ok: false; problem: 'no_entry'; index: number; length: number }
  | { ok: false; problem: 'changed'; index: number; expected: string; found: string };

export class OutcomeQueues {
  private readonly queues = new Map<string, string[]>();

  /** The outcome the next session of the key gets, without taking it. */
  peek(apiKey: string): string | undefined {
    return this.queues.get(apiKey)?.[0];
  }

  /** Takes the front outcome: a session was created with it. */
  take(apiKey: string): string | undefined {
    const queue = this.queues.get(apiKey);
    const taken = queue?.shift();
    if (queue && queue.length === 0) this.queues.delete(apiKey);
    return taken;
  }

  list(apiKey: string): string[] {
    return [...(this.queues.get(apiKey) ?? [])];
  }

  /** Appends, unless the queue would then hold more than MAX_QUEUED_OUTCOMES (then returns undefined and adds nothing). */
  add(apiKey: string, names: string[]): string[] | undefined {
    const queue = this.queues.get(apiKey) ?? [];
    if (queue.length + names.length > MAX_QUEUED_OUTCOMES) return undefined;
    queue.push(...names);
    if (queue.length > 0) this.queues.set(apiKey, queue);
    return [...queue];
  }

  /** Empties one key's queue; returns how many entries went. */
  clear(apiKey: string): number {
    const removed = this.queues.get(apiKey)?.length ?? 0;
    this.queues.delete(apiKey);
    return removed;
  }

  /** The keys with something queued. */
  keys(): IterableIterator<string> {
    return this.queues.keys();
  }

  /** Every key's queues. */
  clearAll(): void {
    this.queues.clear();
  }

  /** Removes the entry at `index` (from 0), when it is there and, if given, is `expected`. */
  remove(apiKey: string, index: number, expected?: string): QueueChange {
    const queue = this.queues.get(apiKey) ?? [];
    const problem = this.problemAt(queue, index, expected);
    if (problem) return problem;
    queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(apiKey);
    return { ok: true, queued: [...queue] };
  }

  /** Moves the entry at `from` to position `to` (both from 0 and inside the queue), when `from` holds `expected` if given. */
  move(apiKey: string, from: number, to: number, expected?: string): QueueChange {
    const queue = this.queues.get(apiKey) ?? [];
    const problem = this.problemAt(queue, from, expected) ?? this.problemAt(queue, to);
    if (problem) return problem;
    const [entry] = queue.splice(from, 1);
    queue.splice(to, 0, entry);
    return { ok: true, queued: [...queue] };
  }

  private problemAt(queue: string[], index: number, expected?: string): QueueChange | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= queue.length) return { ok: false, problem: 'no_entry', index, length: queue.length };
    if (expected !== undefined && queue[index] !== expected) return { ok: false, problem: 'changed', index, expected, found: queue[index] };
    return undefined;
  }
}
