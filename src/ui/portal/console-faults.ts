// The QA console's "API faults" page: the signed-in key's fault rules (what each answers, to which
// calls, how many times more, how many times it fired), the rules for every key (read-only), presets,
// and a short form whose type-specific fields show for the chosen type (CSS :has, no script).
import { html, type SafeHtml } from '../html.js';
import type { FaultRule } from '../../schemas/control.js';
import type { FaultRuleRequest } from '../../admin-client.js';
import type { FaultDraft, FaultFieldErrors, FaultPreset } from '../../routes/portal/fault-form.js';
import { faultFields, faultMethods, faultTypes } from '../../routes/portal/fault-form.js';
import { actionForm, consoleError, consoleNotice, fieldHelpers, type NoticeView } from './console-parts.js';
import { attr, csrfField, layout, when, type SignedIn } from './layout.js';

export interface FaultsPageView {
  signedIn: SignedIn;
  notice?: NoticeView;
  formError?: string;
  /** The key's rules and the keyless ones, each with its place in the order rules are matched for this key's calls (from 1). */
  rules: { rule: FaultRule; order: number }[];
  globalRules: { rule: FaultRule; order: number }[];
  maxRules: number;
  presets: readonly FaultPreset[];
  draft: FaultDraft;
  errors: FaultFieldErrors;
}

const typeText: Record<string, string> = {
  error: 'an error status with a ZignSec error body',
  latency: 'a delay, then the normal answer',
  reset: 'the connection reset, no answer',
  malformed: '200 with a JSON body cut short',
  truncated: '200 that promises more bytes than it sends',
  rate_limit: '429 with Retry-After',
};

/** What a rule answers, in a few words: "error 503 Internal Exception", "2000 ms slower". */
export function describeFaultAction(action: FaultRuleRequest['action']): string {
  switch (action.type) {
    case 'error':
      return `error ${action.status ?? 503} ${action.code ?? 'Internal Exception'}`;
    case 'latency':
      return action.max_ms === undefined ? `${action.ms} ms slower` : `${action.ms} to ${action.max_ms} ms slower`;
    case 'reset':
      return 'connection reset';
    case 'malformed':
      return 'malformed JSON (200)';
    case 'truncated':
      return 'truncated body (200)';
    case 'rate_limit':
      return `429 rate limit, Retry-After ${action.retry_after_s ?? 30} s`;
    default: {
      const other: { type: string } = action;
      return other.type;
    }
  }
}

export const timesText = (times: number | null | undefined) => (times === null ? 'until removed' : times === undefined || times === 1 ? 'the next call' : `the next ${times} calls`);

/** A rule of the key in a sentence: "429 rate limit, Retry-After 30 s on the next 3 calls of your key to * /v3/**". */
export function ruleSentence(rule: FaultRule): string {
  const calls = rule.times === null ? 'every call' : rule.times === 1 ? 'the next call' : `the next ${rule.times} calls`;
  return `${describeFaultAction(rule.action)} on ${calls} of your key to ${rule.method} ${rule.path}${rule.times === null ? ', until you remove it' : ''}`;
}

/** Whose rules a table lists: the signed-in key's own (removable here) or those for every key (read only). */
type RuleOwner = 'own' | 'every-key';

function ruleTable(view: FaultsPageView, rows: FaultsPageView['rules'], whose: RuleOwner): SafeHtml {
  const owned = whose === 'own';
  const prefix = owned ? 'fault' : 'global-fault';
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${owned ? 'Your fault rules' : 'Fault rules for every key'}" data-testid="${prefix}-table-wrap"><table class="table" data-testid="${prefix}-list" data-count="${rows.length}">
<thead><tr><th scope="col" title="The first matching rule answers">Order</th><th scope="col">Rule</th><th scope="col">Calls</th><th scope="col">Answer</th><th scope="col">Times left</th><th scope="col">Fired</th>${when(owned, () => html`<th scope="col"><span class="visually-hidden">Remove</span></th>`)}</tr></thead>
<tbody>${rows.map(
    ({ rule, order }) => html`<tr data-testid="${prefix}-rule" data-fault-id="${rule.id}" data-type="${String(rule.action.type)}" data-order="${order}">
<td>${order}</td><td><code data-testid="${prefix}-id">${rule.id}</code></td>
<td><code data-testid="${prefix}-method">${rule.method}</code> <code class="clip" data-testid="${prefix}-path">${rule.path}</code></td>
<td data-testid="${prefix}-action">${describeFaultAction(rule.action)}</td>
<td data-testid="${prefix}-times">${rule.times === null ? 'until removed' : rule.times}</td>
<td data-testid="${prefix}-matched">${rule.matched}</td>
${when(owned, () => html`<td>${actionForm({ action: '/portal/faults/remove', csrf: view.signedIn.csrf, fields: { id: rule.id }, label: 'Remove', testid: 'fault-remove', ariaLabel: `Remove ${rule.id}` })}</td>`)}</tr>`,
  )}</tbody></table></div>`;
}

function presetList(view: FaultsPageView): SafeHtml {
  return html`<ul class="presets" data-testid="fault-presets">${view.presets.map(
    (preset) => html`<li class="preset" data-testid="fault-preset" data-preset="${preset.id}"><div><strong>${preset.title}</strong>
<p class="hint"><code>${preset.rule.method}</code> <code>${preset.rule.path}</code>: ${describeFaultAction(preset.rule.action)}, ${timesText(preset.rule.times)}</p></div>
<div class="preset-actions">${actionForm({ action: '/portal/faults', csrf: view.signedIn.csrf, fields: { preset: preset.id }, label: 'Add', testid: 'fault-preset-add', ariaLabel: `Add: ${preset.title}`, className: 'primary small' })}
<a href="/portal/faults?preset=${preset.id}#fault-form" data-testid="fault-preset-edit" aria-label="Change before adding: ${preset.title}">Change first</a></div></li>`,
  )}</ul>`;
}

function faultForm(view: FaultsPageView): SafeHtml {
  const d = view.draft;
  const f = fieldHelpers('fault', view.errors, faultFields);
  const text = (field: keyof FaultDraft, label: string, hint: string, size = 'short') =>
    html`<div class="${f.cls(field)}" data-testid="field-fault-${field.replace(/_/g, '-')}"><label for="f-${field}">${label}</label>
<input type="text" inputmode="numeric" id="f-${field}" name="${field}" value="${d[field]}" maxlength="12" class="${size}" data-testid="fault-form-${field.replace(/_/g, '-')}"${f.aria(field, `hint-f-${field}`)}>
<p class="hint" id="hint-f-${field}">${hint}</p>${f.error(field)}</div>`;
  const knownMethod = (faultMethods as readonly string[]).includes(d.method);
  return html`<section class="card" aria-labelledby="h-fault-form" data-testid="fault-form-card"><h2 id="h-fault-form">Add a rule</h2>
<form method="post" action="/portal/faults" class="form fault-form" id="fault-form" data-testid="fault-form" novalidate>${csrfField(view.signedIn.csrf)}
<div class="form-row">
<div class="${f.cls('method')}" data-testid="field-fault-method"><label for="f-method">Method</label>
<select id="f-method" name="method" class="short" data-testid="fault-form-method"${f.aria('method')}>${when(!knownMethod, () => html`<option value="${d.method}" selected>${d.method}</option>`)}${faultMethods.map(
    (method) => html`<option value="${method}"${attr(d.method === method, 'selected')}>${method === '*' ? '* (any)' : method}</option>`,
  )}</select>${f.error('method')}</div>
<div class="${f.cls('path')} grow" data-testid="field-fault-path"><label for="f-path">Path glob</label>
<input type="text" id="f-path" name="path" value="${d.path}" maxlength="300" spellcheck="false" data-testid="fault-form-path"${f.aria('path', 'hint-f-path')}>
<p class="hint" id="hint-f-path"><code>*</code> within a segment, <code>**</code> across; any letter case; without the query; under <code>/v3/</code>.</p>${f.error('path')}</div>
</div>
<fieldset class="${f.cls('type')}" data-testid="field-fault-type"${f.aria('type')}><legend>Answer</legend>
<div class="choices grid">${faultTypes.map(
    (type, i) =>
      html`<label class="choice"><input type="radio" name="type" value="${type}" data-testid="fault-form-type-${type}"${attr(d.type === type, 'checked')}${when(i === 0, () => html` id="f-type"`)}> <span><strong>${type}</strong> <span class="muted">${typeText[type]}</span></span></label>`,
  )}</div>${f.error('type')}</fieldset>
<div class="form-row type-fields type-error" data-testid="fault-fields-error">${text('status', 'Status', '400 to 599.')}
<div class="${f.cls('code')} grow" data-testid="field-fault-code"><label for="f-code">Error code</label>
<input type="text" id="f-code" name="code" value="${d.code}" maxlength="200" spellcheck="false" data-testid="fault-form-code"${f.aria('code', 'hint-f-code')}>
<p class="hint" id="hint-f-code">The <code>code</code> of the error body.</p>${f.error('code')}</div></div>
<div class="form-row type-fields type-latency" data-testid="fault-fields-latency">${text('ms', 'Delay (ms)', 'Real time, up to 120000.')}${text('max_ms', 'Up to (ms)', 'Optional: a random delay between the two.')}</div>
<div class="form-row type-fields type-rate_limit" data-testid="fault-fields-rate-limit">${text('retry_after_s', 'Retry-After (s)', '0 to 86400.')}</div>
${text('times', 'Times', 'How many matching calls it answers; empty: until you remove it.')}
<div class="actions"><button type="submit" class="primary" data-testid="fault-form-submit">Add the rule</button></div></form></section>`;
}

export function renderConsoleFaults(view: FaultsPageView): string {
  const body = html`<div class="page-head" data-testid="page-head"><h1>API faults</h1>
<p class="muted">Make the public API misbehave for <strong>your key's calls</strong>: the first rule that matches a call answers it, then counts down. Rules meet only calls that carry your key in <code>Authorization</code> (the scan UI's own requests carry none). Latency is real time.</p></div>
${consoleNotice(view.notice)}${consoleError(view.formError)}
<section class="card" aria-labelledby="h-rules" data-testid="fault-rules-card"><h2 id="h-rules">Your rules <span class="count" data-testid="fault-count">${view.rules.length}</span></h2>
${view.rules.length === 0 ? html`<p class="muted" data-testid="faults-empty">No rules: your key's calls are answered normally${view.globalRules.length > 0 ? ', except as the rules for every key below say' : ''}.</p>` : ruleTable(view, view.rules, 'own')}
<div class="actions">${when(view.rules.length > 0, () => actionForm({ action: '/portal/faults/clear', csrf: view.signedIn.csrf, label: `Remove all your rules (${view.rules.length})`, testid: 'faults-clear', className: 'link' }))}<span class="hint">A key holds at most ${view.maxRules} rules; a rule that has used up its times is gone.</span></div></section>
${when(
  view.globalRules.length > 0,
  () => html`<section class="card" aria-labelledby="h-global-rules" data-testid="global-fault-rules"><h2 id="h-global-rules">Rules for every key <span class="muted">(read-only)</span></h2>
<p class="hint">Added through the control API without an <code>api_key</code>: they answer your calls too, so they are shown here, but they belong to no key and other pipelines may rely on them, so this console does not change them (<code>DELETE /__mock/faults/{id}</code> does).</p>
${ruleTable(view, view.globalRules, 'every-key')}</section>`,
)}
<div class="columns">
${faultForm(view)}
<section class="card" aria-labelledby="h-presets" data-testid="fault-presets-card"><h2 id="h-presets">Presets</h2>
<p class="hint">One click adds the rule for your key; "Change first" puts it in the form.</p>${presetList(view)}</section>
</div>`;
  return layout({ title: 'API faults', page: 'faults', nav: 'faults', signedIn: view.signedIn, body });
}
