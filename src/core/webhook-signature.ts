// Webhook signatures, both as ZignSec documents them in the X-ZignSec-Hmac-SHA256 header: the legacy
// hex HMAC of the body keyed with the API key, and the webhook guide's timestamped `t=,v1=` value keyed
// with the merchant's webhook secret. Exported from the library so receivers verify exactly as documented.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Legacy scheme: the lowercase hex HMAC-SHA256 of the raw body bytes, keyed with the merchant's API key. */
export function signZignSecHmac(rawBody: string | Buffer, apiKey: string): string {
  return createHmac('sha256', apiKey).update(rawBody).digest('hex');
}

/** Timestamped scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the webhook secret. */
export function signTimestamped(rawBody: string | Buffer, webhookSecret: string, unixSeconds: number): string {
  const mac = createHmac('sha256', webhookSecret).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Verifies a legacy X-ZignSec-Hmac-SHA256 value in constant time. */
export function verifyZignSecSignature(rawBody: string | Buffer, header: string | undefined, apiKey: string): boolean {
  if (!header) return false;
  return sameText(header.trim().toLowerCase(), signZignSecHmac(rawBody, apiKey));
}

/**
 * Verifies a timestamped X-ZignSec-Hmac-SHA256 value: its `t` must be within `toleranceSeconds` of
 * `nowSeconds`, and one of its signatures of scheme v1 (the only live scheme; a header may carry several,
 * during a secret rotation) must match. Signatures of other schemes are ignored.
 */
export function verifyTimestampedSignature(
  rawBody: string | Buffer,
  header: string | undefined,
  webhookSecret: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  let timestamp: string | undefined;
  const candidates: string[] = [];
  for (const element of header.split(',')) {
    const at = element.indexOf('=');
    if (at < 0) continue;
    const scheme = element.slice(0, at).trim();
    const value = element.slice(at + 1).trim();
    if (scheme === 't') timestamp = value;
    else if (scheme === 'v1') candidates.push(value.toLowerCase());
  }
  const t = Number(timestamp);
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - t) > toleranceSeconds || candidates.length === 0) return false;
  const expected = signTimestamped(rawBody, webhookSecret, t).slice(`t=${t},v1=`.length);
  // Every candidate is compared, so the time taken does not say which one matched.
  return candidates.map((candidate) => sameText(candidate, expected)).includes(true);
}
