// When a failed webhook delivery is tried again: 20 attempts spread over 48 hours, as ZignSec
// documents ("retries 20 times over 48 hours"). The exact spacing is inferred (quick at first, then
// hours apart), so it is data: fixtures/wire.json `webhook.retry_delays`.

/**
 * The delay before the next attempt after `attemptsMade` attempts, or null when no attempt is left.
 * `delaysMs[n]` is the gap after the (n+1)th failure; the last gap repeats when more attempts are
 * allowed than the schedule lists. A receiver's Retry-After (in ms) is honoured when it asks for longer.
 */
export function nextRetryDelay(delaysMs: readonly number[], attemptsMade: number, maxAttempts: number, timeScale: number, retryAfterMs?: number): number | null {
  if (attemptsMade >= maxAttempts) return null;
  const scheduled = delaysMs[Math.min(attemptsMade - 1, delaysMs.length - 1)];
  return Math.round(Math.max(scheduled, retryAfterMs ?? 0) * timeScale);
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
