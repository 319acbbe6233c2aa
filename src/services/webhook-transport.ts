// One webhook attempt on the wire: the signed headers, the POST (never following a redirect, cut off
// at WEBHOOK_TIMEOUT, reading at most 64 KB of the answer), the chaos that acts at send time (an
// attempt dropped unsent, a duplicate POST) and what went wrong, in words a tester can act on.
import { parseRetryAfter } from '../core/retry-schedule.js';
import { MAX_RETRY_AFTER_MS } from '../core/time-limits.js';
import { signTimestamped, signZignSecHmac } from '../core/webhook-signature.js';
import type { WireFile } from '../schemas/fixtures.js';
import type { MerchantRegistry } from './merchants.js';
import type { Delivery } from './webhooks.js';

const EXCERPT_CHARS = 1024;
const MAX_RESPONSE_BYTES = 64 * 1024;
const STALE_SECONDS = 600;

/** What an attempt came to: the receiver's status and answer, or why it failed, and the wait it asked for. */
export interface AttemptOutcome {
  status: number | null;
  responseExcerpt: string | null;
  error: string | null;
  /** The wait the receiver asked for with Retry-After, at most MAX_RETRY_AFTER_MS; null when it asked none. */
  retryAfterMs: number | null;
}

/** Reads at most `limit` bytes of a response body, then lets the rest go. */
async function readExcerpt(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8', 0, Math.min(size, limit));
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const code = err.cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS lookup failed (${code})`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset by the receiver';
  if (code && /CERT|TLS|SSL/i.test(code)) return `TLS error (${code})`;
  return `${err.cause?.message ?? err.message}${code ? ` (${code})` : ''}`;
}

/**
 * X-ZignSec-Hmac-SHA256 carries the merchant's scheme, signed at each attempt (a timestamped value
 * carries the attempt's time). The delivery id and event headers (X-ZignSec-Webhook-Id and
 * X-ZignSec-Event by default, wire.json `webhook.extension_headers`) are the emulator's own
 * extensions (no ZignSec source documents them): they let a test match what it received to the
 * control API's deliveries, and production code must not need them.
 */
export function signedHeaders(delivery: Delivery, merchants: MerchantRegistry, extensions: WireFile['webhook']['extension_headers'], wallClock: () => number): Record<string, string> {
  const timestamped = merchants.settingsFor(delivery.apiKey)?.webhook_signature === 'timestamped';
  const rightKey = timestamped ? merchants.webhookSecretFor(delivery.apiKey) : delivery.apiKey;
  const key = delivery.chaos.wrong_signature ? `${rightKey}-wrong` : rightKey;
  // Real time, not the key's clock: receivers check t against their own clock (usually within 5
  // minutes), and a key whose clock was moved 48 hours would have every delivery refused.
  const timestamp = Math.floor(wallClock() / 1000) - (delivery.chaos.stale_timestamp ? STALE_SECONDS : 0);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'zignsec-mock-webhooks/0.1',
    'x-zignsec-hmac-sha256': timestamped ? signTimestamped(delivery.body, key, timestamp) : signZignSecHmac(delivery.body, key),
  };
  if (extensions.delivery_id) headers[extensions.delivery_id.toLowerCase()] = delivery.id;
  if (extensions.event) headers[extensions.event.toLowerCase()] = delivery.event;
  return headers;
}

/** Makes one attempt of a delivery: POSTs its body with `headers`, unless chaos drops the attempt unsent. */
export async function postDelivery(delivery: Delivery, headers: Record<string, string>, timeoutMs: number): Promise<AttemptOutcome> {
  const outcome: AttemptOutcome = { status: null, responseExcerpt: null, error: null, retryAfterMs: null };
  try {
    if (delivery.dropped < (delivery.chaos.drop_first ?? 0)) {
      delivery.dropped += 1;
      outcome.error = 'dropped on purpose by webhook chaos (drop_first): not sent';
      return outcome;
    }
    const response = await fetch(delivery.url, { method: 'POST', headers, body: delivery.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    outcome.status = response.status;
    outcome.responseExcerpt = (await readExcerpt(response, MAX_RESPONSE_BYTES)).slice(0, EXCERPT_CHARS);
    if (response.status >= 300 && response.status < 400) {
      outcome.error = `redirect to ${response.headers.get('location') ?? '(no location)'} not followed`;
    } else if (response.status < 200 || response.status >= 300) {
      outcome.error = `receiver answered ${response.status}`;
      const asked = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      if (asked !== undefined) {
        outcome.retryAfterMs = Math.min(asked, MAX_RETRY_AFTER_MS);
        if (asked > MAX_RETRY_AFTER_MS) outcome.error += ` (Retry-After of ${response.headers.get('retry-after')!.trim().slice(0, 40)} is longer than the ${MAX_RETRY_AFTER_MS / 3_600_000} h honoured at most: waiting ${MAX_RETRY_AFTER_MS / 3_600_000} h)`;
      }
    }
    if (!outcome.error && delivery.chaos.duplicate) {
      await fetch(delivery.url, { method: 'POST', headers, body: delivery.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
    }
  } catch (error) {
    outcome.error = describeFetchError(error, timeoutMs);
  }
  return outcome;
}
