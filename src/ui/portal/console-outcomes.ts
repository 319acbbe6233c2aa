// The QA console's "Next outcomes" page: the key's outcome queue (see, add, move, remove, clear), the
// merchant's default outcome, and the catalogue that says how a session with each preset ends.
import { html, type SafeHtml } from '../html.js';
import type { OutcomeSummaryView } from '../../services/fixtures.js';
import { actionForm, consoleError, consoleNotice, fieldHelpers, type FieldErrors, type NoticeView } from './console-parts.js';
import { attr, csrfField, formatDuration, layout, statusBadge, when, type SignedIn } from './layout.js';

export interface OutcomesPageView {
  signedIn: SignedIn;
  notice?: NoticeView;
  formError?: string;
  queue: string[];
  maxQueue: number;
  maxAddCount: number;
  catalogue: OutcomeSummaryView[];
  /** The add form as typed. */
  add: { outcome: string; count: string };
  addErrors: FieldErrors;
  defaultOutcome: { current: string | null; draft: string };
  defaultErrors: FieldErrors;
}

const analysisNames: [keyof OutcomeSummaryView['analyses'], string][] = [
  ['document', 'Document'],
  ['liveness', 'Liveness'],
  ['face_match', 'Face match'],
  ['fraud', 'Fraud'],
];

function durationText(preset: OutcomeSummaryView): string {
  if (preset.never_finishes) return 'never: times out after SESSION_TTL';
  return formatDuration(preset.analysis_duration_ms);
}

/** Queue entries listed at most, each with its own buttons: a full queue (1000) would make a page of megabytes. */
const QUEUE_SHOWN = 100;

function queueList(view: OutcomesPageView): SafeHtml {
  const csrf = view.signedIn.csrf;
  const last = view.queue.length - 1;
  if (view.queue.length === 0) {
    return html`<p class="muted" data-testid="queue-empty">Nothing queued: new sessions end with your default outcome${view.defaultOutcome.current ? html` (<strong>${view.defaultOutcome.current}</strong>)` : html` (none set: <strong>approved</strong>)`}, unless a header, relay_state or the tester panel chooses.</p>`;
  }
  const shown = view.queue.slice(0, QUEUE_SHOWN);
  return html`<ol class="queue" data-testid="queue" data-length="${view.queue.length}">${shown.map((name, index) => {
    const where = `${name}, position ${index + 1}`;
    // One form per entry (one CSRF token); each button posts it to its own action.
    return html`<li class="queue-entry" data-testid="queue-entry" data-index="${index}" data-outcome="${name}"><span class="queue-name"><strong data-testid="queue-entry-name">${name}</strong>${when(index === 0, () => html` <span class="muted">next session</span>`)}</span>
<form method="post" action="/portal/outcomes/queue/move" class="queue-actions">${csrfField(csrf)}<input type="hidden" name="index" value="${index}"><input type="hidden" name="outcome" value="${name}">
<button type="submit" name="direction" value="up" class="secondary small" data-testid="queue-up" aria-label="Move ${where} up"${attr(index === 0, 'disabled')}>Up</button>
<button type="submit" name="direction" value="down" class="secondary small" data-testid="queue-down" aria-label="Move ${where} down"${attr(index === last, 'disabled')}>Down</button>
<button type="submit" formaction="/portal/outcomes/queue/remove" class="secondary small" data-testid="queue-remove" aria-label="Remove ${where}">Remove</button></form></li>`;
  })}</ol>
${when(view.queue.length > shown.length, () => html`<p class="hint" data-testid="queue-more">And ${view.queue.length - shown.length} more after these (<code>GET /__mock/outcomes/queue</code> lists them all).</p>`)}
${actionForm({ action: '/portal/outcomes/queue/clear', csrf, label: `Clear the queue (${view.queue.length})`, testid: 'queue-clear', className: 'link' })}`;
}

function outcomeOptions(view: OutcomesPageView, chosen: string, empty: string): SafeHtml {
  const known = view.catalogue.some((p) => p.name === chosen);
  return html`<option value=""${attr(chosen === '', 'selected')}>${empty}</option>${when(chosen !== '' && !known, () => html`<option value="${chosen}" selected>${chosen}</option>`)}${view.catalogue.map(
    (p) => html`<option value="${p.name}"${attr(p.name === chosen, 'selected')}>${p.name}: ${p.session_status}</option>`,
  )}`;
}

function addForm(view: OutcomesPageView): SafeHtml {
  const f = fieldHelpers('queue', view.addErrors, ['outcome', 'count']);
  return html`<section class="card" aria-labelledby="h-queue-add" data-testid="queue-add"><h2 id="h-queue-add">Add to the queue</h2>
<form method="post" action="/portal/outcomes/queue" class="form" data-testid="queue-add-form" novalidate>${csrfField(view.signedIn.csrf)}
<div class="${f.cls('outcome')}" data-testid="field-queue-outcome"><label for="q-outcome">Outcome</label>
<select id="q-outcome" name="outcome" data-testid="queue-add-outcome"${f.aria('outcome', 'hint-q-outcome')}>${outcomeOptions(view, view.add.outcome, 'Choose a preset…')}</select>
<p class="hint" id="hint-q-outcome">What each preset does is in <a href="#h-catalogue">the catalogue</a> below.</p>${f.error('outcome')}</div>
<div class="${f.cls('count')}" data-testid="field-queue-count"><label for="q-count">For how many sessions</label>
<input type="text" inputmode="numeric" id="q-count" name="count" value="${view.add.count}" maxlength="6" class="short" data-testid="queue-add-count"${f.aria('count', 'hint-q-count')}>
<p class="hint" id="hint-q-count">1 to ${view.maxAddCount}; they are added at the end, after what is queued.</p>${f.error('count')}</div>
<div class="actions"><button type="submit" class="primary" data-testid="queue-add-submit">Add to the queue</button></div></form></section>`;
}

function defaultForm(view: OutcomesPageView): SafeHtml {
  const f = fieldHelpers('default', view.defaultErrors, ['default_outcome']);
  const current = view.defaultOutcome.current;
  return html`<section class="card" aria-labelledby="h-default" data-testid="default-outcome-card"><h2 id="h-default">Default outcome</h2>
<p>Now: <strong data-testid="default-current">${current ?? 'none (approved)'}</strong>. <span class="muted">The same setting as on the <a href="/portal/settings">settings page</a>: it applies when nothing else chooses.</span></p>
<form method="post" action="/portal/outcomes/default" class="form" data-testid="default-form" novalidate>${csrfField(view.signedIn.csrf)}
<div class="${f.cls('default_outcome')}" data-testid="field-default-outcome"><label for="d-outcome">Default outcome</label>
<select id="d-outcome" name="default_outcome" data-testid="default-outcome"${f.aria('default_outcome')}>${outcomeOptions(view, view.defaultOutcome.draft, "(none: the emulator's default, approved)")}</select>${f.error('default_outcome')}</div>
<div class="actions"><button type="submit" class="secondary" data-testid="default-save">Save the default</button></div></form></section>`;
}

function catalogue(view: OutcomesPageView): SafeHtml {
  return html`<section class="card" aria-labelledby="h-catalogue" data-testid="catalogue-card"><h2 id="h-catalogue">The outcome catalogue</h2>
<p class="hint">How a session with each preset ends: its status, what each analysis says, where the browser goes (<code>target</code>, <code>target_error</code> or <code>cancel_url</code>), the reason, how long the analysis takes on the clock, and whether the scanning-sessions API flow answers <code>Pending</code> first. Analyses a session did not request stay <code>NotRequested</code>.</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Outcome catalogue" data-testid="catalogue-wrap"><table class="table catalogue" data-testid="catalogue">
<thead><tr><th scope="col">Preset</th><th scope="col">Session and reason</th><th scope="col">Analyses</th><th scope="col">Browser goes to</th><th scope="col">Analysis takes</th><th scope="col">API flow</th></tr></thead>
<tbody>${view.catalogue.map(
    (p) => html`<tr data-testid="preset" data-name="${p.name}"><th scope="row"><code data-testid="preset-name">${p.name}</code>${when(p.source === 'custom', () => html` <span class="badge">custom</span>`)}
<p class="muted preset-description" data-testid="preset-description">${p.description}</p></th>
<td>${statusBadge(p.session_status, 'preset-session-status')}<p class="preset-reason" data-testid="preset-reason">${p.reason ?? html`<span class="muted">no reason</span>`}</p></td>
<td><dl class="analyses">${analysisNames.map(([key, label]) => html`<dt>${label}</dt><dd data-testid="preset-${key.replace('_', '-')}" data-status="${p.analyses[key]}">${p.analyses[key]}</dd>`)}</dl></td>
<td data-testid="preset-redirect">${p.redirect}</td>
<td data-testid="preset-duration">${durationText(p)}</td>
<td data-testid="preset-api-flow">${p.never_finishes ? 'stays Pending' : p.api_flow_waits ? 'Pending first, then waits' : 'decided at once'}</td></tr>`,
  )}</tbody></table></div></section>`;
}

export function renderConsoleOutcomes(view: OutcomesPageView): string {
  const body = html`<div class="page-head" data-testid="page-head"><h1>Next outcomes</h1>
<p class="muted">How the next sessions of your key end. The first rule that names a preset wins: armed for one session, then <strong>this queue</strong>, the <code>X-Mock-Outcome</code> header, <code>mock_outcome=</code> in relay_state, the scan UI's tester panel, then your <strong>default outcome</strong>.</p></div>
${consoleNotice(view.notice)}${consoleError(view.formError)}
<div class="columns" data-testid="outcomes-columns">
<section class="card" aria-labelledby="h-queue" data-testid="queue-card"><h2 id="h-queue">Queue for your next sessions <span class="count" data-testid="queue-count">${view.queue.length}</span></h2>
<p class="hint">Each new session of your key takes the first entry. At most ${view.maxQueue} entries.</p>
${queueList(view)}</section>
<div class="stack">${addForm(view)}${defaultForm(view)}</div></div>
${catalogue(view)}`;
  return layout({ title: 'Next outcomes', page: 'outcomes', nav: 'outcomes', signedIn: view.signedIn, body });
}
