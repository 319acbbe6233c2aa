// The one source of domain time. Real time by default; tests and the control API can freeze it
// and move it forward, so OTP expiry, session timeouts and analysis durations run in milliseconds.
// The shared clock is every key's by default; a key that moves its own clock gets an offset from it.
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

/** A key's own clock: `offsetMs` ahead of the shared clock while it runs, or stopped at `frozenAt`. */
export interface OwnClock {
  offsetMs: number;
  frozenAt: number | undefined;
}

/**
 * Every API key's domain time. A key that never moved its clock follows the shared clock; one that did
 * has a clock of its own, kept as an offset from the shared clock (so a move of the shared clock moves
 * it too) or as a frozen instant (which a move of the shared clock leaves alone). Only keys with a
 * clock of their own take memory; `reset` puts a key back on the shared clock.
 */
export class KeyClocks {
  private readonly own = new Map<string, OwnClock>();

  constructor(readonly shared: AdjustableClock) {}

  /** The key's domain time in epoch milliseconds. */
  now(apiKey: string): number {
    const own = this.own.get(apiKey);
    if (own === undefined) return this.shared.now();
    return own.frozenAt ?? this.shared.now() + own.offsetMs;
  }

  /** The key's domain time when the shared clock reads `sharedNow` (one reading for several keys). */
  nowAt(apiKey: string, sharedNow: number): number {
    const own = this.own.get(apiKey);
    if (own === undefined) return sharedNow;
    return own.frozenAt ?? sharedNow + own.offsetMs;
  }

  /** The key's clock as a Clock. */
  clockOf(apiKey: string): Clock {
    return { now: () => this.now(apiKey) };
  }

  /** The key's own clock, or undefined while it follows the shared clock. */
  ownClock(apiKey: string): Readonly<OwnClock> | undefined {
    return this.own.get(apiKey);
  }

  /** How many keys have a clock of their own. */
  get count(): number {
    return this.own.size;
  }

  /** The keys with a clock of their own, and their clocks. */
  entries(): IterableIterator<[string, Readonly<OwnClock>]> {
    return this.own.entries();
  }

  /** The key's time stands still: its own clock is frozen, or it follows a frozen shared clock. */
  frozen(apiKey: string): boolean {
    return this.own.get(apiKey)?.frozenAt !== undefined || this.shared.frozen;
  }

  /**
   * The shared-clock instant at which the key's clock reads `at`: -Infinity when the key's clock is
   * frozen at or past it (it is due whatever the shared clock says), null when it is frozen before it
   * (only a move of the key's own clock gets there).
   */
  sharedInstantOf(apiKey: string, at: number): number | null {
    const own = this.own.get(apiKey);
    if (own === undefined) return at;
    if (own.frozenAt !== undefined) return at <= own.frozenAt ? -Infinity : null;
    return at - own.offsetMs;
  }

  /** Stops the key's clock where it stands (giving the key a clock of its own); returns the instant. */
  freeze(apiKey: string): number {
    const own = this.ownOrNew(apiKey);
    own.frozenAt ??= this.shared.now() + own.offsetMs;
    return own.frozenAt;
  }

  /** Moves the key's clock forward (giving the key a clock of its own). */
  advance(apiKey: string, ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance needs a non-negative number of milliseconds');
    if (this.now(apiKey) + ms > MAX_CLOCK_TIME_MS) throw new RangeError(`the clock does not go past ${new Date(MAX_CLOCK_TIME_MS).toISOString()}`);
    const own = this.ownOrNew(apiKey);
    if (own.frozenAt !== undefined) own.frozenAt += ms;
    else own.offsetMs += ms;
    return this.now(apiKey);
  }

  /** Lets a frozen key's clock run again from where it stands, as an offset from the shared clock. */
  unfreeze(apiKey: string): number {
    const own = this.own.get(apiKey);
    if (own?.frozenAt !== undefined) {
      own.offsetMs = own.frozenAt - this.shared.now();
      own.frozenAt = undefined;
    }
    return this.now(apiKey);
  }

  /** Puts the key back on the shared clock; true when it had a clock of its own. */
  reset(apiKey: string): boolean {
    return this.own.delete(apiKey);
  }

  /** Puts every key back on the shared clock; returns the keys that had a clock of their own. */
  resetAll(): string[] {
    const keys = [...this.own.keys()];
    this.own.clear();
    return keys;
  }

  private ownOrNew(apiKey: string): OwnClock {
    let own = this.own.get(apiKey);
    if (own === undefined) {
      own = { offsetMs: 0, frozenAt: undefined };
      this.own.set(apiKey, own);
    }
    return own;
  }
}
