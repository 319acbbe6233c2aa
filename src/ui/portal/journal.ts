// The journal page of the QA console: the key's recorded requests, newest first, filtered by method,
// path glob and status, each one opening to its headers (key masked), body and answer; the first page
// follows new requests live.
import { html, type SafeHtml } from '../html.js';
import { journalEntry, type JournalItemView } from './journal-entry.js';
import { attr, layout, raw, when, type SignedIn } from './layout.js';
import { listPageHref, pager } from './pager.js';

export type JournalFilters = {
  method: string;
  path: string;
  status: string;
};

export interface JournalPageView {
  signedIn: SignedIn;
  /** As typed, so a refused filter comes back with what the person entered. */
  filters: JournalFilters;
  errors: Partial<Record<keyof JournalFilters, string>>;
  methods: readonly string[];
  /** Newest first, the scan UI's repeated polls collapsed; null while a filter has an error. */
  entries: JournalItemView[] | null;
  /** Matching requests on this page and in all, before collapsing. */
  shown: number;
  total: number;
  page: number;
  pages: number;
  perPage: number;
  live: boolean;
  fingerprint: string;
  /** How many requests the journal keeps in all (JOURNAL_SIZE), the oldest making room. */
  capacity: number;
}

function fieldError(view: JournalPageView, field: keyof JournalFilters): SafeHtml {
  const message = view.errors[field];
  return when(message, () => html`<p class="field-error" id="journal-filter-error-${field}" data-testid="journal-filter-error-${field}">${message}</p>`);
}

function described(view: JournalPageView, field: keyof JournalFilters, hint?: string): SafeHtml {
  const ids = [hint ?? '', view.errors[field] ? `journal-filter-error-${field}` : ''].filter(Boolean).join(' ');
  return raw(`${ids ? ` aria-describedby="${ids}"` : ''}${view.errors[field] ? ' aria-invalid="true"' : ''}`);
}

const fieldClass = (view: JournalPageView, field: keyof JournalFilters) => (view.errors[field] ? 'field has-error' : 'field');

function filtersForm(view: JournalPageView): SafeHtml {
  const f = view.filters;
  const filtered = f.method !== '' || f.path !== '' || f.status !== '';
  const knownMethod = f.method === '' || view.methods.includes(f.method.toUpperCase());
  return html`<form method="get" action="/portal/journal" class="filters card" data-testid="journal-filters" role="search" aria-label="Filter the journal" novalidate>
<div class="${fieldClass(view, 'method')}"><label for="journal-filter-method">Method</label><select id="journal-filter-method" name="method" data-testid="journal-filter-method"${described(view, 'method')}><option value="">Any method</option>
${when(!knownMethod, () => html`<option value="${f.method}" selected>${f.method}</option>`)}${view.methods.map((m) => html`<option value="${m}"${attr(f.method.toUpperCase() === m, 'selected')}>${m}</option>`)}</select>${fieldError(view, 'method')}</div>
<div class="${fieldClass(view, 'path')} wide-field"><label for="journal-filter-path">Path glob</label><input type="text" id="journal-filter-path" name="path" value="${f.path}" spellcheck="false" autocomplete="off" placeholder="/v3/scanning/**" data-testid="journal-filter-path"${described(view, 'path', 'journal-hint-path')}>
<p class="hint" id="journal-hint-path"><code>*</code> within a segment, <code>**</code> across; any letter case; at most 256 characters.</p>${fieldError(view, 'path')}</div>
<div class="${fieldClass(view, 'status')}"><label for="journal-filter-status">Status</label><input type="text" inputmode="numeric" id="journal-filter-status" name="status" value="${f.status}" autocomplete="off" placeholder="e.g. 404" data-testid="journal-filter-status"${described(view, 'status')}>${fieldError(view, 'status')}</div>
<div class="filter-actions"><button type="submit" class="primary" data-testid="journal-filter-apply">Filter</button>
${when(filtered, () => html`<a href="/portal/journal" class="button secondary" data-testid="journal-filter-clear">Clear</a>`)}</div></form>`;
}

function list(view: JournalPageView): SafeHtml {
  if (view.entries === null) return html`<p class="muted" data-testid="journal-count">Fix the filter above to see your requests.</p>`;
  const filtered = view.filters.method !== '' || view.filters.path !== '' || view.filters.status !== '';
  if (view.total === 0) {
    return html`<p class="muted" role="status" data-testid="journal-count">${filtered ? 'No recorded requests match these filters.' : 'No requests recorded for your key yet.'}</p>
${when(!filtered, () => html`<p class="muted" data-testid="journal-empty">Requests to the API with your key show here, and the scan UI's requests for your sessions. The journal keeps the last ${view.capacity} requests of all keys.</p>`)}`;
  }
  const first = (view.page - 1) * view.perPage + 1;
  const last = first + view.shown - 1;
  return html`<p class="muted" role="status" data-testid="journal-count">Showing ${first}–${last} of ${view.total}, newest first${view.entries.length < view.shown ? ` (repeated polls shown once: ${view.entries.length} lines)` : ''}</p>
<ol class="journal" data-testid="journal-list">${view.entries.map(journalEntry)}</ol>
${pager(view.page, view.pages, (page) => listPageHref('/portal/journal', view.filters, page))}`;
}

export function renderJournal(view: JournalPageView): string {
  const body = html`<div class="page-head" data-testid="page-head"><h1>Journal</h1>
<p class="muted">Requests to the API with your key, and the scan UI's requests for your sessions, as recorded: headers (your key masked, cookies hidden), body and answer.
${view.live ? 'New requests appear at the top as they come in. ' : ''}The control API reads the same: <code>GET /__mock/journal?owner=…</code>.</p></div>
${filtersForm(view)}
<section class="card" aria-labelledby="h-journal" data-testid="journal-section"><h2 id="h-journal" class="visually-hidden">Recorded requests</h2>
<div data-live="${view.live ? 'on' : 'off'}" data-fingerprint="${view.fingerprint}" data-testid="journal-live" data-total="${view.total}">${list(view)}</div></section>`;
  return layout({ title: 'Journal', page: 'journal', nav: 'journal', signedIn: view.signedIn, body });
}
