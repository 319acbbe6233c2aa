// The webhooks page of the QA console: every delivery of the key across its sessions (filters, pages,
// each attempt, the exact body and signature, redeliver), its webhook chaos rules with the form that
// adds them, and how its deliveries are signed and shaped.
import { html, type SafeHtml } from '../html.js';
import { attr, csrfField, deliveryBadge, formatDuration, formatTime, layout, raw, when, type SignedIn } from './layout.js';
import { listPageHref, pager } from './pager.js';
import type { DeliveryItemView } from './session-detail.js';
import { formatText, signatureText } from './settings.js';

/** A delivery as the session page shows it, plus the session it is for and the chaos it was sent with. */
export interface ConsoleDelivery extends DeliveryItemView {
  sessionId: string;
  /** The session's page, while the emulator still holds the session. */
  sessionHref: string | null;
  /** The chaos it was sent with, in words; null when none. */
  chaos: string | null;
}

export interface ChaosRuleItem {
  id: string;
  /** A rule for the key's next deliveries, or for one of its sessions. */
  scope: 'key' | 'session';
  sessionId: string | null;
  sessionHref: string | null;
  /** Key rules: deliveries it still applies to (null: until removed). */
  remaining: number | null;
  effects: string;
}

export type WebhooksNotice =
  | { kind: 'redelivered'; deliveryId: string }
  | { kind: 'chaos-added'; ruleId: string; rule: ChaosRuleItem | null }
  | { kind: 'chaos-removed'; ruleId: string }
  | { kind: 'chaos-cleared'; count: number };

/** The chaos form as typed, so a refused form comes back with what the person entered. */
export interface ChaosDraft {
  next: string;
  drop_first: string;
  delay_ms: string;
  duplicate: boolean;
  out_of_order: boolean;
  wrong_signature: boolean;
  stale_timestamp: boolean;
}

export const emptyChaosDraft: ChaosDraft = { next: '1', drop_first: '', delay_ms: '', duplicate: false, out_of_order: false, wrong_signature: false, stale_timestamp: false };

export type DeliveryFilters = {
  session_id: string;
  status: string;
  event: string;
};

export interface WebhooksPageView {
  signedIn: SignedIn;
  notice: WebhooksNotice | null;
  /** The filters as typed, their errors, and the list state they lead back to (for the forms' `back`). */
  filters: DeliveryFilters;
  filterErrors: Partial<Record<keyof DeliveryFilters, string>>;
  back: string;
  statuses: readonly string[];
  events: readonly string[];
  /** Null while the filters have an error: nothing is listed until they are fixed. */
  deliveries: ConsoleDelivery[] | null;
  total: number;
  /** Whether the key has any delivery at all (the empty state explains how deliveries happen). */
  keyHasDeliveries: boolean;
  page: number;
  pages: number;
  perPage: number;
  live: boolean;
  fingerprint: string;
  rules: ChaosRuleItem[];
  chaosDraft: ChaosDraft;
  /** By field; `chaos` for the effects as a whole, `form` for the rule as a whole. */
  chaosErrors: Partial<Record<keyof ChaosDraft | 'chaos' | 'form', string>>;
  signing: {
    scheme: string;
    secret: string;
    maskedSecret: string;
    /** True when the merchant has no secret of its own and the one generated for the key is used. */
    secretGenerated: boolean;
    format: string;
    defaultWebhook: string;
    intermediateEvents: boolean;
  };
}

/** What a chaos object does, in words, in the order deliveries meet it. */
export function describeChaos(chaos: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof chaos.delay_ms === 'number') parts.push(`first attempt held ${formatDuration(chaos.delay_ms)}`);
  if (typeof chaos.drop_first === 'number') parts.push(`first ${chaos.drop_first} attempt${chaos.drop_first === 1 ? '' : 's'} dropped (not sent)`);
  if (chaos.duplicate === true) parts.push('sent twice');
  if (chaos.out_of_order === true) parts.push('intermediate events held until the final one, then newest first');
  if (chaos.wrong_signature === true) parts.push('signed with the wrong key');
  if (chaos.stale_timestamp === true) parts.push('timestamp 10 minutes old');
  for (const [name, value] of Object.entries(chaos)) if (value === false) parts.push(`no ${name.replace(/_/g, ' ')}`);
  return parts.length > 0 ? parts.join('; ') : 'no effect';
}

function rulesScope(rule: ChaosRuleItem): SafeHtml {
  if (rule.scope === 'session') {
    const id = html`<code>${rule.sessionId!.slice(0, 8)}…</code>`;
    return html`every delivery of session ${rule.sessionHref ? html`<a href="${rule.sessionHref}" data-testid="chaos-rule-session">${id}</a>` : id}`;
  }
  if (rule.remaining === null) return html`every delivery of your key, until removed`;
  return html`your next <strong data-testid="chaos-rule-remaining">${rule.remaining}</strong> deliver${rule.remaining === 1 ? 'y' : 'ies'}`;
}

function scopeText(rule: ChaosRuleItem): string {
  if (rule.scope === 'session') return `every delivery of session ${rule.sessionId}`;
  if (rule.remaining === null) return 'every delivery of your key, until removed';
  return `your next ${rule.remaining} deliver${rule.remaining === 1 ? 'y' : 'ies'}`;
}

function notice(view: WebhooksPageView): SafeHtml {
  const n = view.notice;
  if (!n) return html``;
  const text =
    n.kind === 'redelivered'
      ? html`Delivery <code>${n.deliveryId}</code> is being sent again now: the same id and body, signed again. Its new attempt shows below.`
      : n.kind === 'chaos-added'
        ? n.rule
          ? html`Added chaos rule <code>${n.ruleId}</code>: ${n.rule.effects}, for ${scopeText(n.rule)}.`
          : html`Added chaos rule <code>${n.ruleId}</code>; it no longer applies (used up or removed).`
        : n.kind === 'chaos-removed'
          ? html`Removed chaos rule <code>${n.ruleId}</code>. Deliveries from now on are sent without it.`
          : html`Removed ${n.count === 1 ? 'your 1 chaos rule' : `all ${n.count} of your chaos rules`}. Deliveries from now on are sent without chaos (merchant settings aside).`;
  return html`<p class="notice ok" role="status" data-testid="webhooks-notice" data-kind="${n.kind}">${text}</p>`;
}

function fieldError(errors: Partial<Record<string, string>>, prefix: string, field: string): SafeHtml {
  const message = errors[field];
  return when(message, () => html`<p class="field-error" id="${prefix}-error-${field}" data-testid="${prefix}-error-${field}">${message}</p>`);
}

function described(errors: Partial<Record<string, string>>, prefix: string, field: string, hint?: string): SafeHtml {
  const ids = [hint ?? '', errors[field] ? `${prefix}-error-${field}` : ''].filter(Boolean).join(' ');
  return raw(`${ids ? ` aria-describedby="${ids}"` : ''}${errors[field] ? ' aria-invalid="true"' : ''}`);
}

const fieldClass = (errors: Partial<Record<string, string>>, field: string) => (errors[field] ? 'field has-error' : 'field');

function filtersForm(view: WebhooksPageView): SafeHtml {
  const f = view.filters;
  const e = view.filterErrors;
  const filtered = f.session_id !== '' || f.status !== '' || f.event !== '';
  return html`<form method="get" action="/portal/webhooks" class="filters card" data-testid="delivery-filters" role="search" aria-label="Filter deliveries" novalidate>
<div class="${fieldClass(e, 'status')}"><label for="delivery-filter-status">Delivery status</label><select id="delivery-filter-status" name="status" data-testid="delivery-filter-status"${described(e, 'delivery-filter', 'status')}><option value="">Any status</option>
${when(f.status !== '' && !view.statuses.includes(f.status), () => html`<option value="${f.status}" selected>${f.status}</option>`)}${view.statuses.map((s) => html`<option value="${s}"${attr(f.status === s, 'selected')}>${s}</option>`)}</select>${fieldError(e, 'delivery-filter', 'status')}</div>
<div class="${fieldClass(e, 'session_id')}"><label for="delivery-filter-session">Session id</label><input type="text" id="delivery-filter-session" name="session_id" value="${f.session_id}" spellcheck="false" autocomplete="off" placeholder="61652a58-…" data-testid="delivery-filter-session"${described(e, 'delivery-filter', 'session_id')}>${fieldError(e, 'delivery-filter', 'session_id')}</div>
<div class="${fieldClass(e, 'event')}"><label for="delivery-filter-event">Event</label><select id="delivery-filter-event" name="event" data-testid="delivery-filter-event"${described(e, 'delivery-filter', 'event')}><option value="">Any event</option>
${when(f.event !== '' && !view.events.includes(f.event), () => html`<option value="${f.event}" selected>${f.event}</option>`)}${view.events.map((s) => html`<option value="${s}"${attr(f.event === s, 'selected')}>${s}</option>`)}</select>${fieldError(e, 'delivery-filter', 'event')}</div>
<div class="filter-actions"><button type="submit" class="primary" data-testid="delivery-filter-apply">Filter</button>
${when(filtered, () => html`<a href="/portal/webhooks" class="button secondary" data-testid="delivery-filter-clear">Clear</a>`)}</div></form>`;
}

function attemptsTable(d: ConsoleDelivery): SafeHtml {
  if (d.attempts.length === 0) return html`<p class="muted" data-testid="delivery-no-attempts">No attempts yet${d.nextAttemptAt !== null ? html`: the first is due ${formatTime(d.nextAttemptAt)}` : ''}.</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Attempts of delivery ${d.id}"><table class="table" data-testid="delivery-attempts"><thead><tr><th scope="col">#</th><th scope="col">At</th><th scope="col">HTTP status</th><th scope="col">Duration</th><th scope="col">Retry-After</th><th scope="col">Error</th><th scope="col">Response (excerpt)</th></tr></thead>
<tbody>${d.attempts.map(
    (a) => html`<tr data-testid="delivery-attempt" data-attempt="${a.number}" data-http-status="${a.status ?? ''}" data-ok="${a.error === null ? 'true' : 'false'}"><td>${a.number}</td><td>${formatTime(a.at)}</td>
<td data-testid="delivery-attempt-status">${a.status ?? html`<span class="muted">none</span>`}</td><td data-testid="delivery-attempt-duration">${formatDuration(a.durationMs)}</td>
<td data-testid="delivery-attempt-retry-after">${a.retryAfterMs === null ? html`<span class="muted">—</span>` : formatDuration(a.retryAfterMs)}</td>
<td data-testid="delivery-attempt-error">${a.error ?? html`<span class="muted">—</span>`}</td><td class="clip"><code data-testid="delivery-attempt-response">${a.responseExcerpt ?? ''}</code></td></tr>`,
  )}</tbody></table></div>`;
}

/** The headers each attempt carried: the signature changes per attempt with the timestamped scheme. */
function signatureHeaders(d: ConsoleDelivery): SafeHtml {
  if (d.attempts.length === 0) return html``;
  return html`<h3>Headers sent</h3><ol class="header-list" data-testid="delivery-headers">${d.attempts.map(
    (a) => html`<li data-testid="delivery-signature" data-attempt="${a.number}"><span class="muted">#${a.number}</span> ${Object.entries(a.headers).map(
      ([name, value]) => html`
<code class="header-line"><span class="header-name">${name}:</span> ${value}</code>`,
    )}</li>`,
  )}</ol>`;
}

function deliveryItem(view: WebhooksPageView, d: ConsoleDelivery): SafeHtml {
  const last = d.attempts[d.attempts.length - 1];
  const session = html`<code>${d.sessionId.slice(0, 8)}…</code>`;
  return html`<li><details class="delivery" id="delivery-${d.id}" data-testid="delivery" data-delivery-id="${d.id}" data-status="${d.status}" data-event="${d.event}" data-session-id="${d.sessionId}">
<summary class="delivery-head" data-testid="delivery-toggle">${deliveryBadge(d.status, 'delivery-status')} <strong>${d.event}</strong> <span class="muted">(${d.sessionStatus})</span>
<span>session ${session}</span> <span class="muted">${formatTime(d.createdAt)}</span>
<span class="muted" data-testid="delivery-attempt-count">${d.attempts.length} attempt${d.attempts.length === 1 ? '' : 's'}${last ? `, last ${last.status ?? 'no answer'}` : ''}${d.inFlight ? ', sending now' : ''}</span></summary>
<div class="delivery-body" data-testid="delivery-body">
<dl class="facts"><dt>Delivery id</dt><dd><code data-testid="delivery-id">${d.id}</code></dd>
<dt>Session</dt><dd>${d.sessionHref ? html`<a href="${d.sessionHref}" data-testid="delivery-session-link"><code>${d.sessionId}</code></a>` : html`<code>${d.sessionId}</code> <span class="muted">(no longer held)</span>`}</dd>
<dt>URL</dt><dd><code data-testid="delivery-url">${d.url}</code></dd><dt>Created</dt><dd>${formatTime(d.createdAt)}</dd>
${when(d.nextAttemptAt !== null, () => html`<dt>Next attempt</dt><dd data-testid="delivery-next-attempt">${formatTime(d.nextAttemptAt)}</dd>`)}
${when(d.chaos, () => html`<dt>Chaos</dt><dd data-testid="delivery-chaos">${d.chaos}</dd>`)}</dl>
<form method="post" action="/portal/webhooks/redeliver" class="inline-form" data-testid="delivery-redeliver-form">${csrfField(view.signedIn.csrf)}<input type="hidden" name="delivery_id" value="${d.id}"><input type="hidden" name="back" value="${view.back}">
<button type="submit" class="secondary small" data-testid="delivery-redeliver"${attr(d.inFlight, 'disabled')}>Redeliver now</button></form>
<h3>Attempts</h3>${attemptsTable(d)}
${signatureHeaders(d)}
<h3>Body <span class="muted">(the exact bytes sent and signed)</span></h3><pre class="json raw" tabindex="0" role="region" aria-label="Body of delivery ${d.id}" data-testid="delivery-body-raw"><code>${d.body}</code></pre>
</div></details></li>`;
}

function emptyState(view: WebhooksPageView): SafeHtml {
  const webhook = view.signing.defaultWebhook;
  return html`<div class="empty" data-testid="deliveries-empty"><p><strong>No webhook deliveries yet.</strong> A delivery is made when a session of your key reaches a final status
(and on every status change with intermediate events on), to the session's webhook URL: the <code>webhook</code> field of the create request, or else the default webhook URL in your settings.</p>
<p>${webhook ? html`Your default webhook URL is <code data-testid="deliveries-empty-webhook">${webhook}</code>: new sessions without a <code>webhook</code> of their own are delivered there.` : html`You have no default webhook URL: <a href="/portal/settings#f-webhook" data-testid="deliveries-empty-settings">set one in the settings</a>, or send <code>webhook</code> when you create a session.`}</p></div>`;
}

function deliveriesList(view: WebhooksPageView): SafeHtml {
  if (view.deliveries === null) return html`<p class="muted" data-testid="delivery-count">Fix the filter above to see your deliveries.</p>`;
  if (!view.keyHasDeliveries) return emptyState(view);
  const first = view.total === 0 ? 0 : (view.page - 1) * view.perPage + 1;
  const last = Math.min(view.total, view.page * view.perPage);
  return html`<p class="muted" role="status" data-testid="delivery-count">${view.total === 0 ? 'No deliveries match these filters.' : `Showing ${first}–${last} of ${view.total}, newest first`}</p>
${when(view.deliveries.length > 0, () => html`<ol class="delivery-list" data-testid="delivery-list" data-total="${view.total}">${view.deliveries!.map((d) => deliveryItem(view, d))}</ol>`)}
${pager(view.page, view.pages, (page) => listPageHref('/portal/webhooks', view.filters, page))}`;
}

function rulesList(view: WebhooksPageView): SafeHtml {
  if (view.rules.length === 0) return html`<p class="muted" data-testid="chaos-rules-empty">No chaos rules: your deliveries are sent as they should be (unless your merchant settings say otherwise).</p>`;
  return html`<ul class="rule-list" data-testid="chaos-rules" data-count="${view.rules.length}">${view.rules.map(
    (rule) => html`<li class="rule" id="chaos-rule-${rule.id}" data-testid="chaos-rule" data-rule-id="${rule.id}" data-scope="${rule.scope}" data-remaining="${rule.remaining ?? ''}">
<span><code>${rule.id}</code> <span data-testid="chaos-rule-text">${rule.effects}</span>, for ${rulesScope(rule)}</span>
<form method="post" action="/portal/webhooks/chaos/remove" class="inline-form" data-testid="chaos-rule-remove-form">${csrfField(view.signedIn.csrf)}<input type="hidden" name="rule_id" value="${rule.id}"><input type="hidden" name="back" value="${view.back}">
<button type="submit" class="link" data-testid="chaos-rule-remove" aria-label="Remove chaos rule ${rule.id}">Remove</button></form></li>`,
  )}</ul>
<form method="post" action="/portal/webhooks/chaos/clear" class="inline-form" data-testid="chaos-clear-form">${csrfField(view.signedIn.csrf)}<input type="hidden" name="back" value="${view.back}">
<button type="submit" class="link" data-testid="chaos-clear">Remove all my chaos rules</button></form>`;
}

const chaosFlags: { field: 'duplicate' | 'out_of_order' | 'wrong_signature' | 'stale_timestamp'; label: string; hint: string }[] = [
  { field: 'duplicate', label: 'Send each delivery twice', hint: 'duplicate: the same delivery id twice, as a retrying sender would' },
  { field: 'out_of_order', label: 'Out of order', hint: 'out_of_order: intermediate events wait for the final one, then go newest first' },
  { field: 'wrong_signature', label: 'Wrong signature', hint: 'wrong_signature: signed with the wrong key or secret' },
  { field: 'stale_timestamp', label: 'Stale timestamp', hint: 'stale_timestamp: t is 10 minutes old (timestamped scheme)' },
];

function chaosForm(view: WebhooksPageView): SafeHtml {
  const d = view.chaosDraft;
  const e = view.chaosErrors;
  const errorList = Object.entries(e).filter(([, message]) => message);
  const fieldCount = errorList.filter(([field]) => field !== 'form').length;
  const target = (field: string) => (field === 'chaos' ? 'chaos-f-drop_first' : field === 'form' ? 'chaos-f-next' : `chaos-f-${field}`);
  return html`<form method="post" action="/portal/webhooks/chaos" class="form" id="chaos-form" data-testid="chaos-form" novalidate>${csrfField(view.signedIn.csrf)}<input type="hidden" name="back" value="${view.back}">
<h2 id="h-chaos-form">Add chaos for your next deliveries</h2>
${when(
  errorList.length > 0,
  () => html`<div class="notice bad" role="alert" data-testid="chaos-errors" data-error-summary tabindex="-1"><p><strong>No rule was added.</strong>${fieldCount === 0 ? '' : ` Fix ${fieldCount === 1 ? 'this field' : `these ${fieldCount} fields`}:`}</p>
<ul>${errorList.map(([field, message]) => html`<li><a href="#${target(field)}" data-testid="chaos-error-link-${field}">${message}</a></li>`)}</ul></div>`,
)}
<div class="${fieldClass(e, 'next')}" data-testid="chaos-field-next"><label for="chaos-f-next">For the next … deliveries</label>
<p class="hint" id="chaos-hint-next">Each delivery of your key uses one up, whichever session it is for. Empty: every delivery until you remove the rule.</p>
<input type="text" inputmode="numeric" id="chaos-f-next" name="next" value="${d.next}" autocomplete="off" data-testid="chaos-next"${described(e, 'chaos', 'next', 'chaos-hint-next')}>${fieldError(e, 'chaos', 'next')}</div>
<fieldset class="${fieldClass(e, 'chaos')}" data-testid="chaos-effects"${described(e, 'chaos', 'chaos')}><legend>What to break (at least one)</legend>
<div class="chaos-numbers"><div class="${fieldClass(e, 'drop_first')}"><label for="chaos-f-drop_first">Drop the first … attempts</label>
<p class="hint" id="chaos-hint-drop_first">drop_first, 0 to 100: recorded as failed, not sent; the retry schedule goes on.</p>
<input type="text" inputmode="numeric" id="chaos-f-drop_first" name="drop_first" value="${d.drop_first}" autocomplete="off" data-testid="chaos-drop-first"${described(e, 'chaos', 'drop_first', 'chaos-hint-drop_first')}>${fieldError(e, 'chaos', 'drop_first')}</div>
<div class="${fieldClass(e, 'delay_ms')}"><label for="chaos-f-delay_ms">Hold the first attempt (ms)</label>
<p class="hint" id="chaos-hint-delay_ms">delay_ms, 0 to 86400000 (24 h), on the emulator's clock.</p>
<input type="text" inputmode="numeric" id="chaos-f-delay_ms" name="delay_ms" value="${d.delay_ms}" autocomplete="off" data-testid="chaos-delay-ms"${described(e, 'chaos', 'delay_ms', 'chaos-hint-delay_ms')}>${fieldError(e, 'chaos', 'delay_ms')}</div></div>
<div class="choices grid">${chaosFlags.map(
    (flag) => html`<label class="choice"><input type="checkbox" name="${flag.field}" value="on" data-testid="chaos-${flag.field.replace(/_/g, '-')}"${attr(d[flag.field], 'checked')}> <span><strong>${flag.label}</strong><br><span class="muted">${flag.hint}</span></span></label>`,
  )}</div>${fieldError(e, 'chaos', 'chaos')}</fieldset>
<div class="actions"><button type="submit" class="primary" data-testid="chaos-add">Add chaos rule</button></div></form>`;
}

function signing(view: WebhooksPageView): SafeHtml {
  const s = view.signing;
  return html`<section class="card" id="webhook-signing" aria-labelledby="h-signing" data-testid="webhook-signing"><h2 id="h-signing">How your deliveries are signed and shaped</h2>
<dl class="facts wide"><dt>Signature</dt><dd data-testid="signing-scheme" data-scheme="${s.scheme}"><strong>${s.scheme}</strong> <span class="muted">in X-ZignSec-Hmac-SHA256: ${signatureText[s.scheme] ?? ''}</span></dd>
<dt>Webhook secret</dt><dd><code data-testid="signing-secret-masked">${s.maskedSecret}</code> <span class="muted" data-testid="signing-secret-source">${s.secretGenerated ? '(generated for your key; the same until the emulator restarts)' : '(yours, from the settings)'}</span>${s.scheme === 'legacy' ? html` <span class="muted">Not used by the legacy scheme.</span>` : ''}
<details class="secret" data-testid="signing-secret-reveal"><summary data-testid="signing-secret-toggle">Reveal the secret</summary>
<label class="visually-hidden" for="signing-secret-value">Webhook secret</label><input type="text" id="signing-secret-value" readonly value="${s.secret}" spellcheck="false" autocomplete="off" data-testid="signing-secret-value">
<p class="hint">Select it and copy it into your receiver's configuration.</p></details></dd>
<dt>Body</dt><dd data-testid="signing-format" data-format="${s.format}"><strong>${s.format}</strong> <span class="muted">${formatText[s.format] ?? ''}</span></dd>
<dt>Default URL</dt><dd data-testid="signing-default-webhook">${s.defaultWebhook ? html`<code>${s.defaultWebhook}</code>` : html`<span class="muted">none: only sessions created with a webhook are delivered</span>`}</dd>
<dt>Events</dt><dd data-testid="signing-events">${s.intermediateEvents ? 'every status change (intermediate events on)' : 'the final status only'}</dd></dl>
<p><a href="/portal/settings#field-webhook-signature" data-testid="signing-settings-link">Change these in the settings</a></p></section>`;
}

export function renderWebhooks(view: WebhooksPageView): string {
  const body = html`<div class="page-head" data-testid="page-head"><h1>Webhooks</h1>
<p class="muted">Every delivery of your key across its sessions, each attempt with what the receiver answered; redeliver one, or break the next ones on purpose.
The control API does the same: <code>/__mock/webhooks</code>.</p></div>
${notice(view)}
${filtersForm(view)}
<div data-live="${view.live ? 'on' : 'off'}" data-fingerprint="${view.fingerprint}" data-testid="webhooks-live">
<section class="card" id="deliveries" aria-labelledby="h-deliveries" data-testid="deliveries"><h2 id="h-deliveries">Deliveries</h2>${deliveriesList(view)}</section>
<section class="card" id="chaos" aria-labelledby="h-chaos" data-testid="chaos"><h2 id="h-chaos">Webhook chaos <span class="count" data-testid="chaos-rule-count">${view.rules.length}</span></h2>${rulesList(view)}</section>
</div>
<section class="card" aria-labelledby="h-chaos-form" data-testid="chaos-add-card">${chaosForm(view)}</section>
${signing(view)}`;
  return layout({ title: 'Webhooks', page: 'webhooks', nav: 'webhooks', signedIn: view.signedIn, body });
}
