// The session list: newest first, filtered by status and outcome, a page at a time; live on its first
// page (new sessions come in at the top) and on any page while a session on it is still running.
import { html, type SafeHtml } from '../html.js';
import { attr, formatTime, layout, statusBadge, when, type SignedIn } from './layout.js';
import { listPageHref, pager } from './pager.js';

export interface SessionRow {
  id: string;
  createdAt: number;
  flow: string;
  status: string;
  final: boolean;
  outcome: string;
  rule: string;
  action: string | null;
  relayState: string;
}

export function sessionRows(rows: SessionRow[]): SafeHtml {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Sessions" data-testid="session-table-wrap"><table class="table" data-testid="session-table">
<thead><tr><th scope="col">Created</th><th scope="col">Session</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Action</th><th scope="col">relay_state</th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr data-testid="session-row" data-session-id="${row.id}" data-status="${row.status}" data-outcome="${row.outcome}">
<td>${formatTime(row.createdAt)}</td>
<td><a href="/portal/sessions/${row.id}" data-testid="session-link"><code>${row.id.slice(0, 8)}…</code></a> <span class="muted">${row.flow}</span></td>
<td>${statusBadge(row.status, 'session-row-status')}</td>
<td data-testid="session-row-outcome">${row.outcome} <span class="muted">(${row.final ? row.rule : `${row.rule}, planned`})</span></td>
<td>${row.action ?? html`<span class="muted">—</span>`}</td>
<td class="clip" data-testid="session-row-relay-state">${row.relayState}</td></tr>`,
  )}</tbody></table></div>`;
}

export interface SessionListView {
  signedIn: SignedIn;
  rows: SessionRow[];
  total: number;
  page: number;
  pages: number;
  perPage: number;
  filters: { status: string; outcome: string };
  statuses: readonly string[];
  outcomes: string[];
  fingerprint: string;
  live: boolean;
}

export function renderSessionList(view: SessionListView): string {
  const first = view.total === 0 ? 0 : (view.page - 1) * view.perPage + 1;
  const last = Math.min(view.total, view.page * view.perPage);
  const filtered = view.filters.status !== '' || view.filters.outcome !== '';
  const body = html`<div class="page-head" data-testid="page-head"><h1>Sessions</h1><p class="muted">Sessions of your key, newest first.</p></div>
<form method="get" action="/portal/sessions" class="filters card" data-testid="session-filters" role="search" aria-label="Filter sessions">
<div class="field"><label for="filter-status">Status</label><select id="filter-status" name="status" data-testid="filter-status"><option value="">Any status</option>
${view.statuses.map((s) => html`<option value="${s}"${attr(view.filters.status === s, 'selected')}>${s}</option>`)}</select></div>
<div class="field"><label for="filter-outcome">Outcome</label><select id="filter-outcome" name="outcome" data-testid="filter-outcome"><option value="">Any outcome</option>
${view.outcomes.map((o) => html`<option value="${o}"${attr(view.filters.outcome === o, 'selected')}>${o}</option>`)}</select></div>
<div class="filter-actions"><button type="submit" class="primary" data-testid="filter-apply">Filter</button>
${when(filtered, () => html`<a href="/portal/sessions" class="button secondary" data-testid="filter-clear">Clear</a>`)}</div></form>
<div data-live="${view.live ? 'on' : 'off'}" data-fingerprint="${view.fingerprint}" data-testid="session-list" data-total="${view.total}">
<p class="muted" role="status" data-testid="session-count">${view.total === 0 ? (filtered ? 'No sessions match these filters.' : 'No sessions yet.') : `Showing ${first}–${last} of ${view.total}`}</p>
${when(view.rows.length > 0, () => sessionRows(view.rows))}
${pager(view.page, view.pages, (page) => listPageHref('/portal/sessions', view.filters, page))}</div>`;
  return layout({ title: 'Sessions', page: 'sessions', nav: 'sessions', signedIn: view.signedIn, body });
}
