// When a failed webhook delivery is tried again: 20 attempts spread over 48 hours, as ZignSec
// documents ("retries 20 times over 48 hours"); the exact spacing is inferred: quick at first, then hours apart.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Delay before attempt n+2 (index n), i.e. after the first failure, the second, ... 19 gaps for 20 attempts. */
export const retryDelaysMs: readonly number[] = [
  ...[1, 2, 4, 8, 15, 30].map((m) => m * MINUTE),
  ...[1, 1.5, 2, 2.5, 3, 3.5, 4, 4, 4.5, 5, 5, 5, 6].map((h) => h * HOUR),
]; // 19 gaps adding up to exactly 48 hours

/**
 * The delay before the next attempt after `attemptsMade` attempts, or null when no attempt is left.
 * A receiver's Retry-After (in ms) is honoured when it asks for longer than the schedule.
 */
export function nextRetryDelay(attemptsMade: number, maxAttempts: number, timeScale: number, retryAfterMs?: number): number | null {
  if (attemptsMade >= maxAttempts) return null;
  const scheduled = retryDelaysMs[Math.min(attemptsMade - 1, retryDelaysMs.length - 1)];
  return Math.round(Math.max(scheduled, retryAfterMs ?? 0) * timeScale);
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
