// What is due when: the one service that runs timed work (analyses decided, sessions timed out,
// webhook attempts) as domain time passes, and that moves the clocks for the control API.
//
// Every API key has its own domain time (core/clock.ts KeyClocks: the shared clock, or an offset from
// it, or a frozen instant), and all of a key's work is due on the key's clock. Sources keep their work
// per key and only say, for a key, when its next work is due and do it. This scheduler keeps one index
// over the keys: each key with work, by the instant on the *shared* clock at which its next work falls
// due (the key's instant minus its offset). So:
// - in real time one timer is armed for the earliest entry of the index, whatever key it belongs to;
// - a key's advance steps that key's clock alone from due instant to due instant, awaiting each step's
//   work (webhook attempts are real requests) and picking up work that work schedules (retries of
//   retries), and never touches another key's work; the index is not needed for that (the sources are
//   asked about that one key);
// - a shared advance steps the shared clock through the index, so every key that follows it (with or
//   without an offset) runs its work at its own instants, in one global order; frozen keys stay put.
// Clock operations are serialised per key, and a shared one waits for (and holds off) all of them.
import FlatQueue from 'flatqueue';
import type { AdjustableClock, KeyClocks } from '../core/clock.js';
import { ApiError } from '../http/error-catalogue.js';
import { MAX_CLOCK_MOVE_MS, MAX_CLOCK_TIME_MS, isoInstant } from '../core/time-limits.js';

export interface DueWorkCounts {
  analyses_decided: number;
  sessions_timed_out: number;
  webhook_attempts: number;
}

export type DueWorkKind = keyof DueWorkCounts;

export interface DueWorkSource {
  /** The earliest instant, on the key's own clock, at which this source has work of that key it can start, or null. */
  nextDueAt(apiKey: string): number | null;
  /** Starts the key's work due at `now` (the key's time); what must wait for a free slot starts as soon as one frees up. */
  runDue(apiKey: string, now: number): void;
  /**
   * Resolves true once nothing of the key (every key when undefined) that this source started is
   * still running or waiting for a slot, or false at `deadline` (real time, performance.now()) when
   * something still is.
   */
  settled(apiKey: string | undefined, deadline: number): Promise<boolean>;
  /** Set by the scheduler: the source calls it when it gets work of the key due at `at` (the key's time). */
  wakeUp?: (apiKey: string, at: number) => void;
  /** Set by the scheduler: the source calls it for every piece of work it does, so an advance can say what ran. */
  ran?: (apiKey: string, kind: DueWorkKind) => void;
}

export interface AdvanceReport {
  /** What ran while the clock moved through the window. */
  ran: DueWorkCounts;
  /** How many distinct due instants the clock stopped at. */
  due_instants: number;
  /**
   * False when the window was cut short, by MAX_DUE_INSTANTS or by the real-time budget (work still
   * running or still due at the deadline): the clock is at the target, what was due by then runs
   * after, once, at the target time, and what that schedules counts from there.
   */
  complete: boolean;
}

/** An advance stops at this many due instants at most: a schedule that keeps making work cannot spin forever. */
export const MAX_DUE_INSTANTS = 100_000;
/** ...and runs its window for at most this much real time (receivers may be slow: each attempt waits up to WEBHOOK_TIMEOUT). */
export const ADVANCE_BUDGET_MS = 60_000;
/**
 * Keys with a clock of their own, at most. An entry is a few dozen bytes plus the key, made by a key's
 * first move and gone on its reset (or its namespace's); past this many, a further key's first move is
 * refused (429 TOO_MANY_CLOCKS) rather than one key's clock silently dropped.
 */
export const MAX_KEY_CLOCKS = 1000;
/** The longest a timer is armed: real time is looked at again at least this often. */
const MAX_TIMER_MS = 60_000;
/** Past this many stale entries in the index, it is rebuilt. */
const STALE_ENTRIES_ALLOWED = 1024;

/** A clock being stepped through an advance's window: a key's own, or the shared one. */
interface SteppedClock {
  /** True once the work started so far has ended; false at the deadline while some still runs. */
  settled(deadline: number): Promise<boolean>;
  /** The next instant with work, on this clock. */
  next(): number | null;
  now(): number;
  moveBy(ms: number): void;
  runDue(): void;
}

const noCounts = (): DueWorkCounts => ({ analyses_decided: 0, sessions_timed_out: 0, webhook_attempts: 0 });
const settledAlready = (): void => undefined;

export class DueWorkScheduler {
  private readonly sources: DueWorkSource[] = [];
  /** Keys with work, by the shared-clock instant their next work falls due (-Infinity: a frozen key's work due now). Stale entries are skipped when met. */
  private index = new FlatQueue<string>();
  /** The instant of each key's one live entry in the index. */
  private readonly indexedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private immediate: NodeJS.Immediate | undefined;
  /** True while a shared advance steps the shared clock: it runs the work itself, so clock notices and wake-ups only update the index. */
  private steppingShared = false;
  /** Keys whose own advance is stepping their clock: their work runs inside that advance only. */
  private readonly steppingKeys = new Set<string>();
  /** What the advances under way have run so far: per key, and (a shared advance) everything. */
  private readonly tallies = new Map<string, DueWorkCounts>();
  private sharedTally: DueWorkCounts | undefined;
  private stopped = false;
  /** The last shared clock operation, and the last of each key: see `exclusive`. */
  private sharedTail: Promise<void> = Promise.resolve();
  private readonly keyTails = new Map<string, Promise<void>>();
  private readonly stopListening: () => void;
  private readonly shared: AdjustableClock;

  constructor(
    private readonly clocks: KeyClocks,
    private readonly log: { error(obj: object, msg: string): void },
    /** Real time one advance's window may take (tests shorten it). */
    private readonly advanceBudgetMs = ADVANCE_BUDGET_MS,
  ) {
    this.shared = clocks.shared;
    // The shared clock moved directly (tests do): run what that brought due.
    this.stopListening = this.shared.onChange(() => this.runInBackground());
  }

  add(source: DueWorkSource): void {
    source.wakeUp = (apiKey, at) => this.wake(apiKey, at);
    source.ran = (apiKey, kind) => this.count(apiKey, kind);
    this.sources.push(source);
    this.armTimer();
  }

  /**
   * Runs `operation` once every earlier clock operation it could collide with has finished: with an API
   * key, the earlier ones of that key and of the shared clock; without one, every earlier operation.
   * Operations on different keys run side by side.
   */
  exclusive<T>(operation: () => T | Promise<T>, apiKey?: string): Promise<T> {
    const before = apiKey === undefined ? Promise.all([this.sharedTail, ...this.keyTails.values()]) : Promise.all([this.sharedTail, this.keyTails.get(apiKey)]);
    const result = before.then(operation);
    const tail = result.then(settledAlready, settledAlready);
    if (apiKey === undefined) this.sharedTail = tail;
    else {
      this.keyTails.set(apiKey, tail);
      void tail.then(() => {
        if (this.keyTails.get(apiKey) === tail) this.keyTails.delete(apiKey);
      });
    }
    return result;
  }

  /** Why this clock cannot move `ms` from where it stands, or undefined. */
  private refusal(ms: number, apiKey: string | undefined): ApiError | undefined {
    const invalid = (text: string) => new ApiError('INVALID_REQUEST', text);
    if (!Number.isFinite(ms) || ms < 0) return invalid('the clock moves forward only, by a number of milliseconds');
    if (ms > MAX_CLOCK_MOVE_MS) return invalid(`one move is at most ${MAX_CLOCK_MOVE_MS} ms (30 days): move the clock in several steps`);
    if (apiKey !== undefined) {
      const refused = this.roomFor(apiKey);
      if (refused) return refused;
      if (this.clocks.now(apiKey) + ms > MAX_CLOCK_TIME_MS) {
        return invalid(`the clock of this API key does not go past ${isoInstant(MAX_CLOCK_TIME_MS)}: reset it (POST /__mock/clock/reset with its api_key) first`);
      }
      return undefined;
    }
    if (this.shared.now() + ms > MAX_CLOCK_TIME_MS) return invalid(`the clock does not go past ${isoInstant(MAX_CLOCK_TIME_MS)}: reset it (POST /__mock/clock/reset) first`);
    for (const [key, own] of this.clocks.entries()) {
      if (own.frozenAt === undefined && this.clocks.now(key) + ms > MAX_CLOCK_TIME_MS) {
        return invalid(`this move would take the clock of an API key with a clock of its own past ${isoInstant(MAX_CLOCK_TIME_MS)}: reset that key's clock (POST /__mock/clock/reset with its api_key) first`);
      }
    }
    return undefined;
  }

  /** A key's first move gives it a clock of its own: refused past MAX_KEY_CLOCKS. */
  private roomFor(apiKey: string): ApiError | undefined {
    if (this.clocks.ownClock(apiKey) !== undefined || this.clocks.count < MAX_KEY_CLOCKS) return undefined;
    return new ApiError(
      'TOO_MANY_CLOCKS',
      `${MAX_KEY_CLOCKS} API keys already have a clock of their own: reset some (POST /__mock/clock/reset with their api_key, or DELETE /__mock/sessions?api_key=) before moving another key's clock.`,
    );
  }

  /**
   * Moves a clock `ms` forward and runs, in order, everything that falls due within the window,
   * including work that work inside it schedules: with an API key, that key's clock and work only;
   * without one, the shared clock, and with it every key that follows it. Domain time holds still
   * while the window runs (a running clock resumes from the target), so every piece of work is
   * stamped at its own instant.
   */
  advance(ms: number, apiKey?: string): Promise<AdvanceReport> {
    return apiKey === undefined ? this.exclusive(() => this.advanceShared(ms)) : this.exclusive(() => this.advanceKey(apiKey, ms), apiKey);
  }

  /** Stops a clock (the key's own, or the shared one) where it stands. */
  freeze(apiKey?: string): Promise<void> {
    return this.clockOperation(
      apiKey,
      () => void this.shared.freeze(),
      (key) => {
        const refused = this.roomFor(key);
        if (refused) throw refused;
        this.clocks.freeze(key);
      },
    );
  }

  /** Lets a frozen clock run again from where it stands (a key's own freeze only: a key following a frozen shared clock stays stopped). */
  unfreeze(apiKey?: string): Promise<void> {
    return this.clockOperation(
      apiKey,
      () => void this.shared.unfreeze(),
      (key) => void this.clocks.unfreeze(key),
    );
  }

  /** The shared clock back to real time (keys with a clock of their own keep it); a key back on the shared clock. */
  reset(apiKey?: string): Promise<void> {
    return this.clockOperation(
      apiKey,
      () => this.shared.reset(),
      (key) => void this.clocks.reset(key),
    );
  }

  /**
   * A clock operation in its turn: on the shared clock (whose listener runs what it brings due), or on
   * a key's, after which the key's work is indexed again on its new time and what is due runs.
   */
  private clockOperation(apiKey: string | undefined, onShared: () => void, onKey: (apiKey: string) => void): Promise<void> {
    return this.exclusive(() => {
      if (apiKey === undefined) return onShared();
      onKey(apiKey);
      this.reindex(apiKey);
      this.runInBackground();
    }, apiKey);
  }

  /**
   * Puts a key (every key, without one) back on the shared clock, at once: for a namespace reset, which
   * runs it inside `exclusive` for that key.
   */
  forgetKeyClock(apiKey?: string): void {
    const keys = apiKey === undefined ? this.clocks.resetAll() : this.clocks.reset(apiKey) ? [apiKey] : [];
    for (const key of keys) this.reindex(key);
    this.runInBackground();
  }

  private async advanceKey(apiKey: string, ms: number): Promise<AdvanceReport> {
    const refused = this.refusal(ms, apiKey);
    if (refused) throw refused;
    const wasFrozen = this.clocks.ownClock(apiKey)?.frozenAt !== undefined;
    const ran = noCounts();
    this.tallies.set(apiKey, ran);
    this.steppingKeys.add(apiKey);
    try {
      return await this.stepThrough(this.clocks.freeze(apiKey) + ms, ran, {
        settled: (deadline) => this.settled(apiKey, deadline),
        next: () => this.nextDueOf(apiKey),
        now: () => this.clocks.now(apiKey),
        moveBy: (by) => this.clocks.advance(apiKey, by),
        runDue: () => this.runKey(apiKey, this.clocks.now(apiKey)),
      });
    } finally {
      this.steppingKeys.delete(apiKey);
      this.tallies.delete(apiKey);
      // A running clock runs on from where the window ended (the target, unless a step failed).
      if (!wasFrozen) this.clocks.unfreeze(apiKey);
      this.reindex(apiKey);
      this.runInBackground();
    }
  }

  private async advanceShared(ms: number): Promise<AdvanceReport> {
    const refused = this.refusal(ms, undefined);
    if (refused) throw refused;
    const wasFrozen = this.shared.frozen;
    const ran = noCounts();
    this.sharedTally = ran;
    this.steppingShared = true;
    this.disarmTimer();
    try {
      return await this.stepThrough(this.shared.freeze() + ms, ran, {
        settled: (deadline) => this.settled(undefined, deadline),
        next: () => this.earliestEntry()?.at ?? null,
        now: () => this.shared.now(),
        moveBy: (by) => this.shared.advance(by),
        runDue: () => this.runDueKeys(this.shared.now()),
      });
    } finally {
      this.steppingShared = false;
      this.sharedTally = undefined;
      // A running clock runs on from where the window ended (the target, unless a step failed).
      if (!wasFrozen) this.shared.unfreeze();
      this.runInBackground();
    }
  }

  /**
   * Steps a frozen clock from due instant to due instant up to `target`, running each instant's work
   * once the previous one's has settled, then settles it at the target.
   */
  private async stepThrough(target: number, ran: DueWorkCounts, clock: SteppedClock): Promise<AdvanceReport> {
    const deadline = performance.now() + this.advanceBudgetMs;
    let instants = 0;
    let complete = true;
    for (;;) {
      // Work still running at the deadline (a receiver that has not answered) may yet schedule work
      // inside the window (its retry): the window is cut short, not done.
      if (!(await clock.settled(deadline))) {
        complete = false;
        break;
      }
      const next = clock.next();
      if (next === null || next > target) break;
      if (instants >= MAX_DUE_INSTANTS || performance.now() > deadline) {
        complete = false;
        break;
      }
      if (next > clock.now()) clock.moveBy(next - clock.now());
      instants++;
      clock.runDue();
    }
    clock.moveBy(target - clock.now());
    return { ran, due_instants: instants, complete };
  }

  /**
   * Shutdown: one last run of what is due now, then no more runs (the webhook dispatcher's own close
   * gives what is still pending its final attempt).
   */
  stop(): void {
    if (this.stopped) return;
    this.runDueKeys(this.shared.now());
    this.stopped = true;
    this.stopListening();
    this.disarmTimer();
    if (this.immediate) clearImmediate(this.immediate);
  }

  private count(apiKey: string, kind: DueWorkKind): void {
    const tally = this.tallies.get(apiKey);
    if (tally) tally[kind]++;
    if (this.sharedTally) this.sharedTally[kind]++;
  }

  /** The key's next work, on its own clock. */
  private nextDueOf(apiKey: string): number | null {
    let next: number | null = null;
    for (const source of this.sources) {
      const at = source.nextDueAt(apiKey);
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  private async settled(apiKey: string | undefined, deadline: number): Promise<boolean> {
    const settled = await Promise.all(this.sources.map((source) => source.settled(apiKey, deadline)));
    return settled.every(Boolean);
  }

  private runKey(apiKey: string, now: number): void {
    for (const source of this.sources) {
      try {
        source.runDue(apiKey, now);
      } catch (error) {
        this.log.error({ err: error }, 'due work failed');
      }
    }
  }

  /** Runs the work of every key whose next work is due at `sharedNow` on the shared clock, each once, each at its own time. */
  private runDueKeys(sharedNow: number): void {
    const due = new Set<string>();
    for (let entry = this.earliestEntry(); entry !== undefined && entry.at <= sharedNow; entry = this.earliestEntry()) {
      this.index.pop();
      this.indexedAt.delete(entry.key);
      due.add(entry.key);
    }
    for (const key of due) {
      this.runKey(key, this.clocks.now(key));
      this.reindex(key);
    }
  }

  // ---- the index of keys by shared-clock instant ----

  /** When the key's next work falls due on the shared clock, or null when the shared clock alone never brings it (none, or a frozen key). */
  private sharedDueOf(apiKey: string): number | null {
    const next = this.nextDueOf(apiKey);
    return next === null ? null : this.clocks.sharedInstantOf(apiKey, next);
  }

  private push(apiKey: string, at: number): void {
    this.indexedAt.set(apiKey, at);
    this.index.push(apiKey, at);
    if (this.index.length > 2 * this.indexedAt.size + STALE_ENTRIES_ALLOWED) {
      this.index = new FlatQueue<string>();
      for (const [key, value] of this.indexedAt) this.index.push(key, value);
    }
  }

  /** The key's entry as its sources and clock say now (after its work ran, or its clock changed). */
  private reindex(apiKey: string): void {
    const at = this.steppingKeys.has(apiKey) ? null : this.sharedDueOf(apiKey);
    if (at === this.indexedAt.get(apiKey)) return;
    this.indexedAt.delete(apiKey);
    if (at !== null) this.push(apiKey, at);
  }

  /**
   * The earliest live entry: stale ones on top are dropped, and an entry whose key's work moved on
   * (done, cancelled, or later than indexed) is put back where it now belongs. Keys whose own advance
   * is stepping are left to that advance (it indexes them again when it ends).
   */
  private earliestEntry(): { key: string; at: number } | undefined {
    while (this.index.length > 0) {
      const key = this.index.peek()!;
      const at = this.index.peekValue()!;
      if (this.indexedAt.get(key) !== at) {
        this.index.pop();
        continue;
      }
      const actual = this.steppingKeys.has(key) ? null : this.sharedDueOf(key);
      if (actual === at) return { key, at };
      this.index.pop();
      this.indexedAt.delete(key);
      if (actual !== null) this.push(key, actual);
    }
    return undefined;
  }

  // ---- real time ----

  /** Runs what is due on every key's clock, then arms the timer for what comes next. */
  private runInBackground(): void {
    if (this.steppingShared || this.stopped) return;
    this.runDueKeys(this.shared.now());
    this.armTimer();
  }

  /** A source has work of the key at `at`: index it, run it now if it is due, else make sure the timer fires in time. */
  private wake(apiKey: string, at: number): void {
    if (this.stopped || this.steppingKeys.has(apiKey)) return;
    const sharedAt = this.clocks.sharedInstantOf(apiKey, at);
    if (sharedAt === null) return;
    const indexed = this.indexedAt.get(apiKey);
    if (indexed === undefined || sharedAt < indexed) this.push(apiKey, sharedAt);
    if (this.steppingShared) return;
    if (sharedAt <= this.shared.now()) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.runInBackground();
      });
    } else if (sharedAt < this.timerAt) this.armTimer();
  }

  private disarmTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /**
   * One timer for the earliest work of any key; none while the shared clock is frozen (every key's
   * clock then stands still: only a clock move brings work due).
   */
  private armTimer(): void {
    this.disarmTimer();
    if (this.steppingShared || this.stopped || this.shared.frozen) return;
    const next = this.earliestEntry();
    if (next === undefined) return;
    this.timerAt = next.at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.runInBackground();
      },
      Math.min(Math.max(0, next.at - this.shared.now()), MAX_TIMER_MS),
    );
    this.timer.unref();
  }
}
