// Who is signed in to the portal: a random portal-session id in an HttpOnly cookie maps to the API
// key on the server (the key never travels in a URL or a page), with a CSRF token per portal session.
// Also the sign-in form's tokens, which the server issues and remembers, so a caller cannot invent them.
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { urlSafeToken } from '../../core/ids.js';
import { timingSafeEqualText } from '../../core/otp.js';
import { requestScheme } from '../../http/public-url.js';

export const SESSION_COOKIE = 'zsm_portal';
/** Carries the sign-in form's token too, so a token taken from another browser's form is worth nothing here. */
export const SIGN_IN_COOKIE = 'zsm_portal_signin';
export const CSRF_FIELD = '_csrf';
const COOKIE_PATH = '/portal';

export interface PortalSession {
  id: string;
  apiKey: string;
  csrf: string;
  lastSeen: number;
}

const randomToken = () => urlSafeToken(43);

/**
 * The address a request comes from, for per-client limits: the connection's peer, never
 * X-Forwarded-For (any caller can write that header). IPv4-mapped addresses count as IPv4 and an
 * IPv6 address as its /64, as one host usually holds a whole /64.
 */
export function clientAddressOf(request: FastifyRequest): string {
  const address = request.raw.socket?.remoteAddress;
  return address ? normalizeIP(address) : 'unknown';
}

export interface PortalSessionStoreOptions {
  /** A sign-in unused this long is gone. */
  idleMs?: number;
  /** Sign-ins kept at most. */
  capacity?: number;
  /** A sign-in used within this time is never evicted to make room for a new one. */
  activeMs?: number;
  wallClock?: () => number;
}

/** How recently a sign-in must have been used to be safe from eviction (PortalSessionStore's default). */
export const ACTIVE_SIGN_IN_MS = 30 * 60_000;

export type OpenedSignIn = { ok: true; session: PortalSession } | { ok: false; retryAfterMs: number };

/**
 * Portal sign-ins, in memory, least recently used first. Idle expiry is wall-clock time on purpose:
 * moving the emulator's domain clock (48 hours of webhook retries) must not sign people out.
 * When full, a new sign-in takes the place of one idle for `activeMs` or more; when every one was
 * used more recently, the new sign-in is refused: a flood of sign-ins never signs out someone who
 * is using the portal.
 */
export class PortalSessionStore {
  private readonly byId = new Map<string, PortalSession>();
  private readonly idleMs: number;
  private readonly capacity: number;
  private readonly activeMs: number;
  private readonly wallClock: () => number;
  private readonly endListeners = new Set<(id: string) => void>();

  constructor(options: PortalSessionStoreOptions = {}) {
    this.idleMs = options.idleMs ?? 12 * 3_600_000;
    this.capacity = options.capacity ?? 5000;
    this.activeMs = Math.min(options.activeMs ?? ACTIVE_SIGN_IN_MS, this.idleMs);
    this.wallClock = options.wallClock ?? Date.now;
  }

  /** A fresh id on every sign-in, so an id planted before sign-in is worth nothing after it. */
  open(apiKey: string): OpenedSignIn {
    const now = this.wallClock();
    this.dropIdle(now);
    if (this.byId.size >= this.capacity) {
      const leastRecent = this.byId.values().next().value!;
      const idleFor = now - leastRecent.lastSeen;
      if (idleFor < this.activeMs) return { ok: false, retryAfterMs: this.activeMs - idleFor };
      this.end(leastRecent.id);
    }
    const session: PortalSession = { id: randomToken(), apiKey, csrf: randomToken(), lastSeen: now };
    this.byId.set(session.id, session);
    return { ok: true, session };
  }

  get(id: string | undefined): PortalSession | undefined {
    if (!id) return undefined;
    const session = this.byId.get(id);
    if (!session) return undefined;
    const now = this.wallClock();
    if (now - session.lastSeen > this.idleMs) {
      this.end(id);
      return undefined;
    }
    this.byId.delete(id);
    session.lastSeen = now;
    this.byId.set(id, session);
    return session;
  }

  /** Whether a sign-in is still held and not idle too long, without counting this as a use. */
  isOpen(id: string): boolean {
    const session = this.byId.get(id);
    return session !== undefined && this.wallClock() - session.lastSeen <= this.idleMs;
  }

  close(id: string | undefined): void {
    if (id) this.end(id);
  }

  /** Told the id of every sign-in that ends: signed out, replaced, expired or evicted. */
  onEnd(listener: (id: string) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private end(id: string): void {
    if (!this.byId.delete(id)) return;
    for (const listener of this.endListeners) listener(id);
  }

  get size(): number {
    return this.byId.size;
  }

  /** The map is in order of last use, so the idle ones are at its front. */
  private dropIdle(now: number): void {
    for (const session of this.byId.values()) {
      if (now - session.lastSeen <= this.idleMs) break;
      this.end(session.id);
    }
  }
}

export interface SignInFormTokensOptions {
  /** How long a sign-in form can be sent. */
  ttlMs?: number;
  /** Tokens remembered at most, over all clients. */
  capacity?: number;
  /** Tokens remembered per client address: a flood of forms from one address replaces its own tokens only. */
  perAddress?: number;
  wallClock?: () => number;
}

/**
 * The tokens of sign-in forms the server handed out. A sign-in must carry one that is live (issued
 * here, not expired, not yet spent) and equal to the browser's sign-in cookie; a successful sign-in
 * spends it. Bounded overall and per client address.
 */
export class SignInFormTokens {
  /** Token -> when it was issued and to whom, in order of issue (so also of expiry). */
  private readonly issued = new Map<string, { address: string; expiresAt: number }>();
  private readonly byAddress = new Map<string, string[]>();
  private readonly ttlMs: number;
  private readonly capacity: number;
  private readonly perAddress: number;
  private readonly wallClock: () => number;

  constructor(options: SignInFormTokensOptions = {}) {
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.capacity = options.capacity ?? 10_000;
    this.perAddress = options.perAddress ?? 20;
    this.wallClock = options.wallClock ?? Date.now;
  }

  issue(address: string): string {
    const now = this.wallClock();
    this.dropExpired(now);
    const token = randomToken();
    this.issued.set(token, { address, expiresAt: now + this.ttlMs });
    const own = this.byAddress.get(address) ?? [];
    own.push(token);
    this.byAddress.set(address, own);
    if (own.length > this.perAddress) this.spend(own[0]);
    if (this.issued.size > this.capacity) this.spend(this.issued.keys().next().value!);
    return token;
  }

  isLive(token: string | null | undefined): token is string {
    if (!token) return false;
    const entry = this.issued.get(token);
    return entry !== undefined && this.wallClock() < entry.expiresAt;
  }

  spend(token: string): void {
    const entry = this.issued.get(token);
    if (!entry) return;
    this.issued.delete(token);
    const own = this.byAddress.get(entry.address)!;
    own.splice(own.indexOf(token), 1);
    if (own.length === 0) this.byAddress.delete(entry.address);
  }

  get size(): number {
    return this.issued.size;
  }

  private dropExpired(now: number): void {
    for (const [token, entry] of this.issued) {
      if (entry.expiresAt > now) break;
      this.spend(token);
    }
  }
}

/** Sets a portal cookie (HttpOnly, SameSite=Lax, Secure over https); `maxAgeSeconds` 0 clears it. */
function setPortalCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void {
  reply.setCookie(name, value, { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure: requestScheme(request) === 'https', maxAge: maxAgeSeconds });
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: PortalSession): void {
  setPortalCookie(request, reply, SESSION_COOKIE, session.id);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  setPortalCookie(request, reply, SESSION_COOKIE, '', 0);
}

/**
 * The sign-in form's token: the browser's own while the server still knows it (so two open tabs
 * both work), otherwise a new one, remembered by the server and set as the browser's cookie.
 */
export function signInToken(request: FastifyRequest, reply: FastifyReply, tokens: SignInFormTokens): string {
  const existing = request.cookies[SIGN_IN_COOKIE];
  if (tokens.isLive(existing)) return existing;
  const token = tokens.issue(clientAddressOf(request));
  setPortalCookie(request, reply, SIGN_IN_COOKIE, token);
  return token;
}

export function clearSignInToken(request: FastifyRequest, reply: FastifyReply): void {
  setPortalCookie(request, reply, SIGN_IN_COOKIE, '', 0);
}

export function tokensMatch(given: string | null | undefined, expected: string | undefined): boolean {
  return typeof given === 'string' && typeof expected === 'string' && given.length > 0 && timingSafeEqualText(given, expected);
}

const PORTAL_ORIGIN = 'http://portal.invalid';
const MAX_NEXT_LENGTH = 500;

/**
 * Where to go after signing in: only a path inside the portal, never another origin. It ends up in
 * a Location header, so it is returned as the URL parser normalises it: percent-encoded ASCII, no
 * character a header may not carry.
 */
export function safeNext(value: string | null | undefined): string {
  if (!value || value.length > MAX_NEXT_LENGTH || !value.startsWith('/') || value.startsWith('//') || /[\\\s]/.test(value)) return '/portal';
  let url: URL;
  try {
    url = new URL(value, PORTAL_ORIGIN);
  } catch {
    return '/portal';
  }
  if (url.origin !== PORTAL_ORIGIN || !/^\/portal(\/|$)/.test(url.pathname)) return '/portal';
  const next = `${url.pathname}${url.search}`;
  return next.length <= MAX_NEXT_LENGTH * 3 && /^[\x21-\x7e]+$/.test(next) ? next : '/portal';
}
