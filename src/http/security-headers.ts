// The security headers of every surface that answers browsers, in one place: each surface's plugin
// registers one onSend hook with its policy. A page's own Content-Security-Policy (built from the
// session's parsed stylesheet origins, or a sandbox for an image) is set by its route and kept.
import type { onSendHookHandler } from 'fastify';

export interface HeaderPolicy {
  /** Sent on every answer, over anything a route set. */
  readonly always: Readonly<Record<string, string>>;
  /** Sent when the route did not set the header itself. */
  readonly unlessSet: Readonly<Record<string, string>>;
}

/** Pages for any browser (the hosted scan UI, the front door): private to one browser unless the route says otherwise, never sniffed, leaking no URL. */
export const browserPageHeaders: HeaderPolicy = {
  always: { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' },
  unlessSet: { 'cache-control': 'no-store' },
};

/** The control API: its answers hold every key's identity data, images and one-time links. */
export const controlHeaders: HeaderPolicy = {
  always: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  unlessSet: {},
};

/** The portal: the scan UI's rules, framed only by itself, and its own CSP on pages that set none. */
export function portalHeaders(contentSecurityPolicy: string): HeaderPolicy {
  return {
    always: { 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'no-referrer' },
    unlessSet: { 'content-security-policy': contentSecurityPolicy, 'cache-control': 'no-store' },
  };
}

/** The onSend hook that puts `policy`'s headers on every answer of the plugin it is added to. */
export function securityHeaders(policy: HeaderPolicy): onSendHookHandler {
  const always = Object.entries(policy.always);
  const unlessSet = Object.entries(policy.unlessSet);
  return (_request, reply, payload, done) => {
    for (const [name, value] of unlessSet) if (!reply.hasHeader(name)) reply.header(name, value);
    for (const [name, value] of always) reply.header(name, value);
    done(null, payload);
  };
}
