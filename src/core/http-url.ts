// What counts as a merchant's http(s) URL (target, target_error, cancel_url, webhook, stylesheets):
// one rule for the request schemas, which refuse other values, and for the final redirect.

/**
 * Spelled as an absolute http(s) URL: the scheme, "//", and no whitespace, control characters or
 * backslashes anywhere. The WHATWG parser would quietly repair "http:/a.com", "http:\\a.com" or a
 * leading space; the receiving side might not, so such values are refused rather than rewritten.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern refuses
const httpUrlSpelling = /^https?:\/\/[^\s\\\x00-\x1f\x7f]+$/i;

/**
 * A host as the parser normalised it: DNS labels (IDNs arrive as xn--), an IPv4 address or a
 * bracketed IPv6 one. The parser lets `;`, `,`, quotes and the like through in host names
 * (`https://a.example;sandbox/`), which no real host has and which would break any header the
 * origin is copied into (the scan UI's CSP), so they are refused here.
 */
const dnsLabel = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const strictHost = new RegExp(`^(?:${dnsLabel}(?:\\.${dnsLabel})*\\.?|\\[[0-9a-f:.]+\\])$`);

/** `invalid`, `credentials` (an http(s) URL carrying user:password@), or `ok`. */
export type UrlVerdict = 'invalid' | 'credentials' | 'ok';

export function judgeUrl(value: string): UrlVerdict {
  if (value.length > 2048 || !httpUrlSpelling.test(value)) return 'invalid';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'invalid';
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname.length > 253 || !strictHost.test(url.hostname)) return 'invalid';
  return url.username !== '' || url.password !== '' ? 'credentials' : 'ok';
}

/** An absolute http(s) URL with a real host (credentials allowed: the schemas refuse them where they matter). */
export function isHttpUrl(value: string): boolean {
  return judgeUrl(value) !== 'invalid';
}
