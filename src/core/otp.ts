// One-time links: the token in redirect_url is good for one first open, then a cookie takes over.
import type { OneTimeLink } from './session.js';

export type LinkCheck =
  | { ok: true; exchange: boolean }
  | { ok: false; reason: 'invalid' | 'used' | 'expired' };

export function issueLink(token: string, now: number, ttlMs: number): OneTimeLink {
  return { token, expiresAt: now + ttlMs, usedAt: null, cookieSecret: null };
}

/**
 * A browser that already holds the session cookie is let in (reloads work). Otherwise the token
 * must match, be unused and unexpired; `exchange` says the caller must now set the cookie.
 */
export function checkLink(link: OneTimeLink, token: string | undefined, cookieSecret: string | undefined, now: number): LinkCheck {
  if (link.cookieSecret !== null && cookieSecret !== undefined && timingSafeEqualText(cookieSecret, link.cookieSecret)) {
    return { ok: true, exchange: false };
  }
  if (token === undefined || !timingSafeEqualText(token, link.token)) return { ok: false, reason: 'invalid' };
  if (link.usedAt !== null) return { ok: false, reason: 'used' };
  if (now >= link.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, exchange: true };
}

export function markLinkUsed(link: OneTimeLink, cookieSecret: string, now: number): void {
  link.usedAt = now;
  link.cookieSecret = cookieSecret;
}

/** Constant-time comparison of two strings, without crypto I/O. */
export function timingSafeEqualText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}
