// One recorded request as the portal shows it, on a session's page and on the journal page: a line
// (method, path, status, duration, time, how often in a row) that opens to the request and its answer.
import { html, type SafeHtml } from '../html.js';
import { formatDuration, formatTime, jsonBlock, when } from './layout.js';

export interface JournalItemView {
  /** How many identical requests in a row this entry stands for (the scan UI's polling). */
  repeat: number;
  lastAt: number;
  id: number;
  at: number;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  response: unknown;
  /** The session the request was about, when it is the signed-in key's: a link to its page. */
  session: { id: string; href: string } | null;
}

export function journalEntry(entry: JournalItemView): SafeHtml {
  // The id lets a live page keep this entry open while newer entries are added above it.
  return html`<li><details id="journal-entry-${entry.id}" data-testid="journal-entry" data-journal-id="${entry.id}" data-method="${entry.method}" data-http-status="${entry.status}">
<summary data-testid="journal-entry-toggle"><code>${entry.method} ${entry.path}</code> → <strong>${entry.status}</strong> <span class="muted">${formatDuration(entry.durationMs)} · </span>${formatTime(entry.at)}${when(entry.repeat > 1, () => html` <span class="count" data-testid="journal-entry-repeat" title="The same request ${entry.repeat} times in a row">×${entry.repeat}</span> <span class="muted">until </span>${formatTime(entry.lastAt)}`)}</summary>
<div class="journal-body" data-testid="journal-entry-body"><dl class="facts" data-testid="journal-facts"><dt>Request</dt><dd><code data-testid="journal-request-line">${entry.method} ${entry.path}</code></dd>
<dt>Answered</dt><dd data-testid="journal-status">${entry.status} in ${formatDuration(entry.durationMs)}</dd>
${when(entry.repeat > 1, () => html`<dt>In a row</dt><dd data-testid="journal-repeat-text">${entry.repeat} times with the same answer, the first shown here</dd>`)}
${when(entry.session, () => html`<dt>Session</dt><dd><a href="${entry.session!.href}" data-testid="journal-session-link"><code>${entry.session!.id}</code></a></dd>`)}</dl>
<h3>Query</h3>${jsonBlock(entry.query, 'journal-query', 'Query')}<h3>Headers</h3>${jsonBlock(entry.headers, 'journal-headers', 'Request headers')}
<h3>Body</h3>${jsonBlock(entry.body, 'journal-body', 'Request body')}<h3>Response</h3>${jsonBlock(entry.response, 'journal-response', 'Response body')}</div></details></li>`;
}
