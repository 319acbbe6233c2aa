// Who is signed in to the portal: a random portal-session id in an HttpOnly cookie maps to the API
// key on the server (the key never travels in a URL or a page), with a CSRF token per portal session.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqualText } from '../../core/otp.js';
import { requestScheme } from '../../http/public-url.js';

export const SESSION_COOKIE = 'zsm_portal';
/** Double-submit token of the sign-in form, which has no portal session yet. */
export const SIGN_IN_COOKIE = 'zsm_portal_signin';
export const CSRF_FIELD = '_csrf';
const COOKIE_PATH = '/portal';

export interface PortalSession {
  id: string;
  apiKey: string;
  csrf: string;
  lastSeen: number;
}

const randomToken = () => randomBytes(32).toString('base64url');

/**
 * Portal sign-ins, in memory, least recently used first. Idle expiry is wall-clock time on purpose:
 * moving the emulator's domain clock (48 hours of webhook retries) must not sign people out.
 */
export class PortalSessionStore {
  private readonly byId = new Map<string, PortalSession>();

  constructor(
    private readonly idleMs = 12 * 3_600_000,
    private readonly capacity = 5000,
    private readonly wallClock: () => number = Date.now,
  ) {}

  /** A fresh id on every sign-in, so an id planted before sign-in is worth nothing after it. */
  open(apiKey: string): PortalSession {
    const session: PortalSession = { id: randomToken(), apiKey, csrf: randomToken(), lastSeen: this.wallClock() };
    this.byId.set(session.id, session);
    while (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value!);
    return session;
  }

  get(id: string | undefined): PortalSession | undefined {
    if (!id) return undefined;
    const session = this.byId.get(id);
    if (!session) return undefined;
    const now = this.wallClock();
    this.byId.delete(id);
    if (now - session.lastSeen > this.idleMs) return undefined;
    session.lastSeen = now;
    this.byId.set(id, session);
    return session;
  }

  close(id: string | undefined): void {
    if (id) this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=') || undefined;
  }
  return undefined;
}

function cookie(request: FastifyRequest, name: string, value: string, maxAgeSeconds?: number): string {
  const secure = requestScheme(request) === 'https' ? '; Secure' : '';
  const maxAge = maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`;
  return `${name}=${value}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax${maxAge}${secure}`;
}

/** Adds a Set-Cookie header without dropping the ones already set on the reply. */
function addCookie(reply: FastifyReply, value: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, value]);
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: PortalSession): void {
  addCookie(reply, cookie(request, SESSION_COOKIE, session.id));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  addCookie(reply, cookie(request, SESSION_COOKIE, '', 0));
}

/** The sign-in form's token: reuses the browser's cookie when it has one, so two open tabs both work. */
export function signInToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = readCookie(request, SIGN_IN_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomToken();
  addCookie(reply, cookie(request, SIGN_IN_COOKIE, token));
  return token;
}

export function clearSignInToken(request: FastifyRequest, reply: FastifyReply): void {
  addCookie(reply, cookie(request, SIGN_IN_COOKIE, '', 0));
}

export function tokensMatch(given: string | null | undefined, expected: string | undefined): boolean {
  return typeof given === 'string' && typeof expected === 'string' && given.length > 0 && timingSafeEqualText(given, expected);
}

/** Where to go after signing in: only a path inside the portal, never another origin. */
export function safeNext(value: string | null | undefined): string {
  if (!value || !value.startsWith('/portal') || value.startsWith('//') || /[\\\s]/.test(value)) return '/portal';
  return value.slice(0, 500);
}
