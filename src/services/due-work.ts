// What is due when: the one service that runs timed work (analyses decided, sessions timed out,
// webhook attempts) as domain time passes, and that moves the clock for the control API.
//
// In real time it keeps one timer, armed for the earliest instant any source has work at, and runs
// what is due when it fires or when the clock is moved directly. A clock move through `advance`
// runs the whole window instead: the clock is stepped from due instant to due instant, each step's
// work is awaited (webhook attempts are real HTTP requests), work scheduled by that work (retries
// of retries) is picked up by the following steps, and the clock settles at the target.
// Sources only say when they have work and do it; the clock is touched here alone, so that giving
// each API key a clock of its own (issue 12) means one scheduler per key over that key's work.
import type { AdjustableClock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { MAX_CLOCK_MOVE_MS, MAX_CLOCK_TIME_MS, isoInstant } from '../core/time-limits.js';

export interface DueWorkCounts {
  analyses_decided: number;
  sessions_timed_out: number;
  webhook_attempts: number;
}

export interface DueWorkSource {
  /** The earliest instant this source has work it can start at, or null. */
  nextDueAt(): number | null;
  /** Starts what is due at `now`; what must wait for a free slot starts as soon as one frees up. */
  runDue(now: number): void;
  /** Resolves once nothing this source started is running and nothing is due at `now`, or at `deadline` (real time, performance.now()). */
  settled(now: number, deadline: number): Promise<void>;
  /** Running totals of the work done so far. */
  totals(): Partial<DueWorkCounts>;
  /** Set by the scheduler: the source calls it when it gets work due at `at` (earlier than it said before). */
  wakeUp?: (at: number) => void;
}

export interface AdvanceReport {
  /** What ran while the clock moved through the window. */
  ran: DueWorkCounts;
  /** How many distinct due instants the clock stopped at. */
  due_instants: number;
  /** False when the window was cut short by MAX_DUE_INSTANTS or ADVANCE_BUDGET_MS: the rest runs after, at the target instant. */
  complete: boolean;
}

/** An advance stops at this many due instants at most: a schedule that keeps making work cannot spin forever. */
export const MAX_DUE_INSTANTS = 100_000;
/** ...and runs its window for at most this much real time (receivers may be slow: each attempt waits up to WEBHOOK_TIMEOUT). */
export const ADVANCE_BUDGET_MS = 60_000;
/** The longest a timer is armed: real time is looked at again at least this often. */
const MAX_TIMER_MS = 60_000;

const noCounts = (): DueWorkCounts => ({ analyses_decided: 0, sessions_timed_out: 0, webhook_attempts: 0 });

export class DueWorkScheduler {
  private readonly sources: DueWorkSource[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private immediate: NodeJS.Immediate | undefined;
  /** True while `advance` steps the clock: it runs the work itself, so clock notices and wake-ups wait. */
  private stepping = false;
  private stopped = false;
  /** Clock operations one after another: a reset must not land in the middle of an advance. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly stopListening: () => void;

  constructor(
    private readonly clock: AdjustableClock,
    private readonly log: { error(obj: object, msg: string): void },
  ) {
    this.stopListening = clock.onChange(() => this.runInBackground());
  }

  add(source: DueWorkSource): void {
    source.wakeUp = (at) => this.wake(at);
    this.sources.push(source);
    this.armTimer();
  }

  /** Runs `operation` on the clock once every earlier one (an advance in particular) has finished. */
  exclusive<T>(operation: () => T | Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Why the clock cannot move `ms` from where it stands, or undefined. */
  private refusal(ms: number): string | undefined {
    if (!Number.isFinite(ms) || ms < 0) return 'the clock moves forward only, by a number of milliseconds';
    if (ms > MAX_CLOCK_MOVE_MS) return `one move is at most ${MAX_CLOCK_MOVE_MS} ms (30 days): move the clock in several steps`;
    if (this.clock.now() + ms > MAX_CLOCK_TIME_MS) return `the clock does not go past ${isoInstant(MAX_CLOCK_TIME_MS)}: reset it (POST /__mock/clock/reset) first`;
    return undefined;
  }

  /**
   * Moves the clock `ms` forward and runs, in order, everything that falls due within the window,
   * including work that work inside it schedules. Domain time holds still while the window runs (a
   * running clock resumes from the target), so every piece of work is stamped at its own instant.
   */
  advance(ms: number): Promise<AdvanceReport> {
    return this.exclusive(async () => {
      const refusal = this.refusal(ms);
      if (refusal) throw new ApiError('INVALID_REQUEST', refusal);
      const wasFrozen = this.clock.frozen;
      const target = this.clock.freeze() + ms;
      const before = this.totals();
      const deadline = performance.now() + ADVANCE_BUDGET_MS;
      let instants = 0;
      let complete = true;
      this.stepping = true;
      this.disarmTimer();
      try {
        for (;;) {
          await this.settled(deadline);
          const next = this.nextDueAt();
          if (next === null || next > target) break;
          if (instants >= MAX_DUE_INSTANTS || performance.now() > deadline) {
            complete = false;
            break;
          }
          if (next > this.clock.now()) this.clock.advance(next - this.clock.now());
          instants++;
          for (const source of this.sources) source.runDue(this.clock.now());
        }
        this.clock.advance(target - this.clock.now());
      } finally {
        this.stepping = false;
        // A running clock runs on from where the window ended (the target, unless a step failed).
        if (!wasFrozen) this.clock.unfreeze();
        this.runInBackground();
      }
      const after = this.totals();
      const ran = noCounts();
      for (const key of Object.keys(ran) as (keyof DueWorkCounts)[]) ran[key] = after[key] - before[key];
      return { ran, due_instants: instants, complete };
    });
  }

  /**
   * Shutdown: one last run of what is due now, then no more runs (the webhook dispatcher's own close
   * gives what is still pending its final attempt).
   */
  stop(): void {
    if (this.stopped) return;
    this.runNow();
    this.stopped = true;
    this.stopListening();
    this.disarmTimer();
    if (this.immediate) clearImmediate(this.immediate);
  }

  private totals(): DueWorkCounts {
    const sum = noCounts();
    for (const source of this.sources) {
      for (const [key, value] of Object.entries(source.totals())) sum[key as keyof DueWorkCounts] += value;
    }
    return sum;
  }

  private nextDueAt(): number | null {
    let next: number | null = null;
    for (const source of this.sources) {
      const at = source.nextDueAt();
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  private async settled(deadline: number): Promise<void> {
    const now = this.clock.now();
    await Promise.all(this.sources.map((source) => source.settled(now, deadline)));
  }

  private runNow(): void {
    const now = this.clock.now();
    for (const source of this.sources) {
      try {
        source.runDue(now);
      } catch (error) {
        this.log.error({ err: error }, 'due work failed');
      }
    }
  }

  /** Runs what is due at the clock's instant, then arms the timer for what comes next. */
  private runInBackground(): void {
    if (this.stepping || this.stopped) return;
    this.runNow();
    this.armTimer();
  }

  /** A source has work at `at`: run it now if it is due, else make sure the timer fires in time. */
  private wake(at: number): void {
    if (this.stepping || this.stopped) return;
    if (at <= this.clock.now()) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.runInBackground();
      });
    } else if (at < this.timerAt) this.armTimer();
  }

  private disarmTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** One timer for the earliest future work; none while the clock is frozen (only a clock move brings work due then). */
  private armTimer(): void {
    this.disarmTimer();
    if (this.stepping || this.stopped || this.clock.frozen) return;
    const now = this.clock.now();
    let next: number | null = null;
    for (const source of this.sources) {
      const at = source.nextDueAt();
      if (at !== null && at > now && (next === null || at < next)) next = at;
    }
    if (next === null) return;
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.runInBackground();
    }, Math.min(next - now, MAX_TIMER_MS));
    this.timer.unref();
  }
}
