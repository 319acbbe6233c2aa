// The one source of domain time. Real time by default; tests and the control API can freeze it
// and move it forward, so OTP expiry, session timeouts and analysis durations run in milliseconds.
import { MAX_CLOCK_TIME_MS } from './time-limits.js';

export interface Clock {
  /** Current domain time in epoch milliseconds. */
  now(): number;
}

export type ClockListener = (now: number) => void;

export class AdjustableClock implements Clock {
  private offsetMs = 0;
  private frozenAt: number | undefined;
  private readonly listeners = new Set<ClockListener>();

  constructor(private readonly realNow: () => number = Date.now) {}

  now(): number {
    return this.frozenAt ?? this.realNow() + this.offsetMs;
  }

  /** How far domain time is from real time. */
  get offset(): number {
    return this.now() - this.realNow();
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  /** Moves domain time forward; listeners run so due work (timeouts, retries) happens at once. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance needs a non-negative number of milliseconds');
    if (this.now() + ms > MAX_CLOCK_TIME_MS) throw new RangeError(`the clock does not go past ${new Date(MAX_CLOCK_TIME_MS).toISOString()}`);
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offsetMs += ms;
    this.notify();
    return this.now();
  }

  freeze(): number {
    this.frozenAt ??= this.now();
    return this.frozenAt;
  }

  unfreeze(): number {
    if (this.frozenAt !== undefined) {
      // Resume from the frozen instant, not from where real time has drifted to meanwhile.
      this.offsetMs = this.frozenAt - this.realNow();
      this.frozenAt = undefined;
    }
    this.notify();
    return this.now();
  }

  /** Back to real time: used by the control API's reset. */
  reset(): void {
    this.offsetMs = 0;
    this.frozenAt = undefined;
    this.notify();
  }

  onChange(listener: ClockListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    const now = this.now();
    for (const listener of this.listeners) listener(now);
  }
}
