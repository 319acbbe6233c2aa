// The pager under the portal's lists (sessions, webhook deliveries, journal): newer pages first.
import { html, type SafeHtml } from '../html.js';
import { when } from './layout.js';

/** Links to the newer and older page, and where this one stands; nothing when everything fits on one page. */
export function pager(page: number, pages: number, hrefOf: (page: number) => string): SafeHtml {
  return when(
    pages > 1,
    () => html`<nav class="pager" aria-label="Pages" data-testid="pager">
${page > 1 ? html`<a href="${hrefOf(page - 1)}" rel="prev" data-testid="pager-prev">← Newer</a>` : html`<span></span>`}
<span data-testid="pager-position">Page ${page} of ${pages}</span>
${page < pages ? html`<a href="${hrefOf(page + 1)}" rel="next" data-testid="pager-next">Older →</a>` : html`<span></span>`}</nav>`,
  );
}

/** A list's URL with its filters (the empty ones left out) and page (the first one left out). */
export function listPageHref(path: string, filters: Readonly<Record<string, string>>, page: number): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
  if (page > 1) query.set('page', String(page));
  const text = query.toString();
  return `${path}${text ? `?${text}` : ''}`;
}
