// Safe HTML building for the server-rendered pages: every interpolated value is escaped.

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** What a page may show as text: an object would come out as "[object Object]". */
type Text = string | number | bigint | boolean | null | undefined;

export function escapeHtml(value: Text): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (ch) => escapes[ch]);
}

/** Marks already-safe HTML so the `html` tag does not escape it twice. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const isList = (value: unknown): value is readonly (Text | SafeHtml)[] => Array.isArray(value);

/** Tagged template: interpolations are escaped unless they are SafeHtml (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: (Text | SafeHtml | readonly (Text | SafeHtml)[])[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    const parts = isList(value) ? value : [value];
    out += parts.map((part) => (part instanceof SafeHtml ? part.value : escapeHtml(part))).join('');
    out += strings[i + 1];
  });
  return new SafeHtml(out);
}

/** Text whose `backquoted` parts are code (setting names, commands): escaped first, then marked up. */
export function withCode(text: string): SafeHtml {
  return new SafeHtml(escapeHtml(text).replace(/&#96;(.+?)&#96;/g, '<code>$1</code>'));
}

/** A CSP host-source as `cspSourceOf` builds it: scheme, host (DNS name, IPv4 or [IPv6]) and maybe a port; nothing else. */
const cspSource = /^https?:\/\/(?:[a-z0-9_.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * The CSP source that allows loading `url`: its origin as the URL parser normalises it (lowercase
 * host, IDNs as xn--, default port dropped), or undefined when it is not a plain http(s) origin.
 */
export function cspSourceOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const source = `${parsed.protocol}//${parsed.host}`;
  return cspSource.test(source) ? source : undefined;
}

/**
 * The Content-Security-Policy of every page: own scripts only, stylesheets from the given origins,
 * embeddable. A source that is not a plain origin is left out, so that no value can add a directive.
 */
export function contentSecurityPolicy(styleOrigins: readonly string[] = []): string {
  const styles = ["'self'", ...new Set(styleOrigins.filter((origin) => cspSource.test(origin)))].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${styles}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    // The reference says the hosted UI may be loaded in an iframe.
    'frame-ancestors *',
  ].join('; ');
}
