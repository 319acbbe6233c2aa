// One session, everything a person needs to see why it ended as it did: the request as received,
// the chosen action, the outcome and the rule that chose it, the timeline, the captured images,
// the result JSON, every webhook delivery with its attempts, and the journal of its API calls.
import { jsonForView } from '../../core/json-view.js';
import { html, type SafeHtml } from '../html.js';
import { journalEntry, type JournalItemView } from './journal-entry.js';
import { attr, csrfField, deliveryBadge, formatBytes, formatDuration, formatTime, jsonBlock, layout, statusBadge, when, type SignedIn } from './layout.js';

export type { JournalItemView };

export interface DeliveryAttemptView {
  number: number;
  at: number;
  status: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  /** The wait the receiver asked for with Retry-After (as honoured), or null. */
  retryAfterMs: number | null;
  /** The headers the attempt was sent with (signed again on every attempt). */
  headers: Record<string, string>;
}

export interface DeliveryItemView {
  id: string;
  url: string;
  event: string;
  sessionStatus: string;
  status: string;
  inFlight: boolean;
  createdAt: number;
  nextAttemptAt: number | null;
  body: string;
  attempts: DeliveryAttemptView[];
}

export interface SessionDetailView {
  signedIn: SignedIn;
  id: string;
  flow: string;
  status: string;
  final: boolean;
  live: boolean;
  fingerprint: string;
  /** Set when the scan UI has just sent the browser back here, and by which URL. */
  back: string | null;
  redelivered: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  expiresAt: number;
  relayState: string;
  chosenAction: string | null;
  outcome: { name: string; rule: string; ruleText: string; description: string; reason: string | null };
  analyses: Record<string, string>;
  request: unknown;
  settings: unknown;
  result: unknown;
  timeline: { at: number; sinceStartMs: number; status: string; event: string }[];
  documents: { id: string; type: string; contentType: string; size: number; uploadedAt: number; reference: string | null; url: string; isImage: boolean }[];
  deliveries: DeliveryItemView[];
  journal: JournalItemView[];
  /** The scan UI link, while the session can still be scanned. */
  scanUiUrl: string | null;
}

const backText: Record<string, string> = {
  target: 'The scan UI sent you back through target.',
  target_error: 'The scan UI sent you back through target_error.',
  cancel_url: 'The scan UI sent you back through cancel_url.',
};

function section(id: string, title: string, content: SafeHtml, count?: number): SafeHtml {
  return html`<section class="card" id="${id}" aria-labelledby="h-${id}" data-testid="${id}"><h2 id="h-${id}">${title}${count === undefined ? '' : html` <span class="count">${count}</span>`}</h2>${content}</section>`;
}

function timeline(view: SessionDetailView): SafeHtml {
  return html`<ol class="timeline" data-testid="timeline">${view.timeline.map(
    (entry) => html`<li data-testid="timeline-entry" data-status="${entry.status}">${statusBadge(entry.status, 'timeline-status')}
<span class="event" data-testid="timeline-event">${entry.event}</span> ${formatTime(entry.at)} <span class="muted" data-testid="timeline-offset">+${formatDuration(entry.sinceStartMs)}</span></li>`,
  )}</ol>`;
}

function documents(view: SessionDetailView): SafeHtml {
  if (view.documents.length === 0) return html`<p class="muted" data-testid="documents-empty">No images captured${view.final ? '' : ' yet'}.</p>`;
  return html`<div class="gallery" data-testid="documents">${view.documents.map(
    (doc) => html`<figure class="doc" data-testid="session-document" data-document-type="${doc.type}">
${doc.isImage ? html`<a href="${doc.url}" data-testid="session-document-link"><img src="${doc.url}" alt="${doc.type} image" loading="lazy" data-testid="session-document-image"></a>` : html`<a href="${doc.url}" data-testid="session-document-link">Download</a>`}
<figcaption><strong>${doc.type}</strong> <span class="muted">${doc.contentType}, ${formatBytes(doc.size)}${doc.reference ? `, ${doc.reference}` : ''}</span><br>${formatTime(doc.uploadedAt)}</figcaption></figure>`,
  )}</div>`;
}

function deliveries(view: SessionDetailView): SafeHtml {
  if (view.deliveries.length === 0) {
    const webhook = (view.settings as { webhook?: string } | null)?.webhook;
    return html`<p class="muted" data-testid="webhooks-empty">${webhook ? (view.final ? 'No deliveries.' : 'No deliveries yet: the result is sent when the session ends.') : 'This session has no webhook URL (set a default one in the settings).'}</p>`;
  }
  return html`${view.deliveries.map(
    (d) => html`<article class="delivery" data-testid="webhook-delivery" data-delivery-id="${d.id}" data-status="${d.status}" aria-label="Delivery ${d.id}">
<header class="delivery-head">${deliveryBadge(d.status, 'webhook-delivery-status')} <strong>${d.event}</strong> <span class="muted">(${d.sessionStatus})</span>
<form method="post" action="/portal/sessions/${view.id}/webhooks/${d.id}/redeliver" class="inline-form" data-testid="webhook-redeliver-form">${csrfField(view.signedIn.csrf)}
<button type="submit" class="secondary small" data-testid="webhook-redeliver"${attr(d.inFlight, 'disabled')}>Redeliver</button></form></header>
<dl class="facts"><dt>URL</dt><dd><code data-testid="webhook-url">${d.url}</code></dd><dt>Id</dt><dd><code>${d.id}</code></dd><dt>Created</dt><dd>${formatTime(d.createdAt)}</dd>
${when(d.nextAttemptAt !== null, () => html`<dt>Next attempt</dt><dd data-testid="webhook-next-attempt">${formatTime(d.nextAttemptAt)}</dd>`)}</dl>
${
  d.attempts.length === 0
    ? html`<p class="muted" data-testid="webhook-no-attempts">No attempts yet.</p>`
    : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Attempts of delivery ${d.id}"><table class="table" data-testid="webhook-attempts"><thead><tr><th scope="col">#</th><th scope="col">At</th><th scope="col">HTTP status</th><th scope="col">Duration</th><th scope="col">Error</th><th scope="col">Response</th></tr></thead>
<tbody>${d.attempts.map(
        (a) => html`<tr data-testid="webhook-attempt" data-http-status="${a.status ?? ''}" data-ok="${a.error === null ? 'true' : 'false'}"><td>${a.number}</td><td>${formatTime(a.at)}</td>
<td data-testid="webhook-attempt-status">${a.status ?? html`<span class="muted">none</span>`}</td><td data-testid="webhook-attempt-duration">${formatDuration(a.durationMs)}</td>
<td data-testid="webhook-attempt-error">${a.error ?? html`<span class="muted">—</span>`}</td><td class="clip"><code>${a.responseExcerpt ?? ''}</code></td></tr>`,
      )}</tbody></table></div>`
}
<details data-testid="webhook-body"><summary data-testid="webhook-body-toggle">Body sent (and signed)</summary>${jsonBlock(jsonForView(d.body), 'webhook-body-json', `Body of delivery ${d.id}`)}</details></article>`,
  )}`;
}

function journal(view: SessionDetailView): SafeHtml {
  if (view.journal.length === 0) return html`<p class="muted" data-testid="journal-empty">No API requests recorded for this session.</p>`;
  return html`<ol class="journal" data-testid="journal">${view.journal.map(journalEntry)}</ol>`;
}

export function renderSessionDetail(view: SessionDetailView): string {
  const analyses = Object.entries(view.analyses);
  const sections: [string, string][] = [
    ['session-outcome', 'Outcome'],
    ['session-timeline', 'Timeline'],
    ['session-documents', 'Images'],
    ['session-webhooks', 'Webhooks'],
    ['session-request', 'Request'],
    ['session-result', 'Result'],
    ['session-journal', 'Journal'],
  ];
  const live = html`<div data-live="${view.live ? 'on' : 'off'}" data-fingerprint="${view.fingerprint}" data-testid="session-live" data-status="${view.status}">
<section class="card summary" aria-labelledby="h-summary" data-testid="session-summary"><h2 id="h-summary" class="visually-hidden">Summary</h2>
<div class="summary-head">${statusBadge(view.status, 'session-status')}${when(!view.final, () => html`<span class="live-dot" data-testid="session-running">running: this page updates by itself</span>`)}</div>
<dl class="facts wide"><dt>Session id</dt><dd><code data-testid="session-id">${view.id}</code></dd><dt>Flow</dt><dd>${view.flow}</dd>
<dt>relay_state</dt><dd><code data-testid="session-relay-state">${view.relayState}</code></dd>
<dt>Chosen action</dt><dd data-testid="session-action">${view.chosenAction ?? html`<span class="muted">none</span>`}</dd>
<dt>Created</dt><dd>${formatTime(view.createdAt)}</dd><dt>Updated</dt><dd>${formatTime(view.updatedAt)}</dd>
<dt>Finished</dt><dd data-testid="session-finished">${formatTime(view.finishedAt)}</dd>${when(!view.final, () => html`<dt>Times out</dt><dd>${formatTime(view.expiresAt)}</dd>`)}</dl>
${when(view.scanUiUrl, () => html`<p><a class="button secondary" href="${view.scanUiUrl}" data-testid="session-open-scan-ui">Open the scan UI for this session</a></p>`)}</section>

${section(
  'session-outcome',
  'Outcome',
  html`<p class="outcome-line"><strong data-testid="outcome-name">${view.outcome.name}</strong>${view.final ? '' : ' (planned)'}: <span data-testid="outcome-description">${view.outcome.description}</span></p>
<dl class="facts wide"><dt>Why</dt><dd data-testid="outcome-rule" data-rule="${view.outcome.rule}"><code>${view.outcome.rule}</code>: ${view.outcome.ruleText}</dd>
${when(view.outcome.reason, () => html`<dt>Reason</dt><dd data-testid="outcome-reason"><code>${view.outcome.reason}</code></dd>`)}</dl>
<table class="table compact" data-testid="session-analyses"><caption class="visually-hidden">Analyses</caption><thead><tr><th scope="col">Analysis</th><th scope="col">Status</th></tr></thead>
<tbody>${analyses.map(([name, status]) => html`<tr data-testid="analysis-${name}" data-status="${status}"><td>${name}</td><td>${status}</td></tr>`)}</tbody></table>`,
)}
${section('session-timeline', 'Timeline', timeline(view), view.timeline.length)}
${section('session-documents', 'Captured images', documents(view), view.documents.length)}
${section('session-webhooks', 'Webhook deliveries', deliveries(view), view.deliveries.length)}
${section('session-request', 'Request as received', html`${jsonBlock(view.request, 'request-json', 'Request body')}<details data-testid="settings-effective"><summary data-testid="settings-effective-toggle">Effective settings (request over merchant settings)</summary>${jsonBlock(view.settings, 'settings-json', 'Effective settings')}</details>`)}
${section('session-result', 'Result JSON', jsonBlock(view.result, 'result-json', 'Result'))}
${section('session-journal', 'Journal', journal(view), view.journal.length)}
</div>`;
  const body = html`<div class="page-head" data-testid="page-head"><p class="crumbs"><a href="/portal/sessions" data-testid="back-to-sessions">← Sessions</a></p><h1>Session <code>${view.id.slice(0, 8)}…</code></h1></div>
${when(view.back, () => html`<p class="notice ${view.back === 'target' ? 'ok' : 'bad'}" role="status" data-testid="session-returned" data-via="${view.back}">${backText[view.back!] ?? 'Back from the scan UI.'}</p>`)}
${when(view.redelivered, () => html`<p class="notice ok" role="status" data-testid="webhook-redelivered">Delivery <code>${view.redelivered}</code> is being sent again.</p>`)}
<nav class="toc" aria-label="On this page" data-testid="session-toc">${sections.map(([id, label]) => html`<a href="#${id}" data-testid="toc-${id}">${label}</a>`)}</nav>
${live}`;
  return layout({ title: `Session ${view.id}`, page: 'session', nav: 'sessions', signedIn: view.signedIn, body });
}
