// Webhook signatures: ZignSec's X-ZignSec-Hmac-SHA256, the timestamped `t=,v1=` scheme of its newer
// gateway, and Standard Webhooks. Exported from the library so receivers verify exactly as documented.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Lowercase hex HMAC-SHA256 of the raw body bytes, keyed with the merchant's API key. */
export function signZignSecHmac(rawBody: string | Buffer, apiKey: string): string {
  return createHmac('sha256', apiKey).update(rawBody).digest('hex');
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signTimestamped(rawBody: string | Buffer, apiKey: string, unixSeconds: number): string {
  const mac = createHmac('sha256', apiKey).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Standard Webhooks: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, the secret being the API key's bytes. */
export function signStandardWebhook(rawBody: string | Buffer, apiKey: string, id: string, unixSeconds: number): string {
  const mac = createHmac('sha256', apiKey).update(`${id}.${unixSeconds}.`).update(rawBody).digest('base64');
  return `v1,${mac}`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Verifies X-ZignSec-Hmac-SHA256 in constant time. */
export function verifyZignSecSignature(rawBody: string | Buffer, header: string | undefined, apiKey: string): boolean {
  if (!header) return false;
  return sameText(header.trim().toLowerCase(), signZignSecHmac(rawBody, apiKey));
}

/** Verifies a `t=,v1=` header and that its timestamp is within `toleranceSeconds` of `nowSeconds`. */
export function verifyTimestampedSignature(
  rawBody: string | Buffer,
  header: string | undefined,
  apiKey: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  return sameText(signTimestamped(rawBody, apiKey, t), `t=${t},v1=${parts.v1.toLowerCase()}`);
}
