// One-time links: the token in redirect_url (and the phone's link) is good for one first open, then a
// cookie takes over. The one place a link is checked and exchanged for a cookie secret.
import { urlSafeToken } from './ids.js';
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

/**
 * Whether opening a link may use it up: a GET does; a HEAD (link checkers, chat previews, prefetching)
 * may only see whether the link works.
 */
export type LinkUse = 'use-up' | 'check-only';

/** A check, and the cookie secret the browser is now to hold when the open used the token up. */
export type LinkOpening = LinkCheck & { cookieSecret?: string };

/** Opens a link: checks it and, when the token is good and `use` allows, swaps it for a fresh cookie secret. */
export function openOneTimeLink(link: OneTimeLink, token: string | undefined, cookieSecret: string | undefined, now: number, use: LinkUse): LinkOpening {
  const check = checkLink(link, token, cookieSecret, now);
  if (!check.ok || !check.exchange || use === 'check-only') return check;
  // 32 characters of 6 random bits: 192 bits, as many as the 24 random bytes it replaced.
  const secret = urlSafeToken(32);
  markLinkUsed(link, secret, now);
  return { ...check, cookieSecret: secret };
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
