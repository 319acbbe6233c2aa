// The bounds on every duration and instant the emulator accepts, and the one formatter of instants.
// Each stored time is a clock reading plus bounded durations, so it always renders as a four-digit
// year: no caller (clock move, Retry-After, setting) can store an instant that a later read chokes on.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** One clock move (`POST /__mock/clock/advance`) goes at most this far. */
export const MAX_CLOCK_MOVE_MS = 30 * DAY;
/** The clock never goes past this instant (2200-01-01T00:00:00Z), however often it is moved. */
export const MAX_CLOCK_TIME_MS = Date.UTC(2200, 0, 1);
/** A receiver's Retry-After is honoured up to a day; a longer one waits a day (and the attempt says so). */
export const MAX_RETRY_AFTER_MS = DAY;

/** Upper bounds of the duration settings, in milliseconds. */
export const settingDurationLimits = {
  SESSION_TTL: 30 * DAY,
  OTP_TTL: 30 * DAY,
  WEBHOOK_TIMEOUT: 5 * MINUTE,
  SHUTDOWN_GRACE: 10 * MINUTE,
} as const;

const FIRST_INSTANT = -8.64e15;
const LAST_INSTANT = 8.64e15;

/**
 * An instant as ISO 8601 text. Never throws: whatever reaches it is clamped into the range a Date
 * can hold (the bounds above keep stored instants far inside it, so this is a last line of defence).
 */
export function isoInstant(ms: number): string {
  const safe = Number.isNaN(ms) ? 0 : Math.min(LAST_INSTANT, Math.max(FIRST_INSTANT, ms));
  return new Date(safe).toISOString();
}

/** `isoInstant` for optional instants. */
export const isoInstantOrNull = (ms: number | null): string | null => (ms === null ? null : isoInstant(ms));
