// Safe HTML building for the server-rendered pages: every interpolated value is escaped.

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (ch) => escapes[ch]);
}

/** Marks already-safe HTML so the `html` tag does not escape it twice. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Tagged template: interpolations are escaped unless they are SafeHtml (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    const parts = Array.isArray(value) ? value : [value];
    out += parts.map((part) => (part instanceof SafeHtml ? part.value : escapeHtml(part))).join('');
    out += strings[i + 1];
  });
  return new SafeHtml(out);
}

/** The Content-Security-Policy of every page: own scripts only, stylesheets from the given origins, embeddable. */
export function contentSecurityPolicy(styleOrigins: readonly string[] = []): string {
  const styles = ["'self'", ...new Set(styleOrigins)].join(' ');
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
