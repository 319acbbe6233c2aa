// The merchant settings page: the settings ZignSec keeps per merchant, edited as runtime changes over
// the merchants file, each field with its error (from the zod schema) right under it.
import { html, type SafeHtml } from '../html.js';
import type { SettingsDraft } from '../../routes/portal/settings-form.js';
import { attr, csrfField, layout, raw, when, type SignedIn } from './layout.js';

export interface SettingsPageView {
  signedIn: SignedIn;
  draft: SettingsDraft;
  /** The secret deliveries are signed with now: the merchant's own, or the one generated for the key. */
  webhookSecretInEffect: string;
  errors: Partial<Record<string, string>>;
  documentOptions: readonly string[];
  actions: readonly string[];
  locales: readonly string[];
  outcomes: { name: string; description: string }[];
  notice?: 'saved' | 'reset';
}

export const signatureText: Record<string, string> = {
  legacy: 'the hex HMAC-SHA256 of the raw body, keyed with your API key',
  timestamped: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">, keyed with your webhook secret',
};

export const formatText: Record<string, string> = {
  result: 'the result object, as GET /v3/scanning/{id} answers it',
  event: 'the event envelope { event, id, integration_id, relay_state, result: { errors, status, eventSpecificData }, workflow_session_id }',
};

/** A group of radio buttons, the first one carrying the id the error summary links to. */
function radios(view: SettingsPageView, field: 'webhook_signature' | 'webhook_format', texts: Record<string, string>): SafeHtml {
  const chosen = view.draft[field];
  return html`<div class="choices">${Object.entries(texts).map(
    ([value, text], i) =>
      html`<label class="choice"><input type="radio" name="${field}" value="${value}" data-testid="settings-${field.replace('_', '-')}-${value}"${attr(chosen === value, 'checked')}${raw(i === 0 ? ` id="f-${field}"` : '')}> <span><strong>${value}</strong> <span class="muted">${text}</span></span></label>`,
  )}</div>`;
}

const documentOptionText: Record<string, string> = {
  NoDocument: 'No document: liveness only',
  FrontSide: 'Front side of the document',
  FrontAndBack: 'Front and back of the document',
};

function fieldError(view: SettingsPageView, field: string): SafeHtml {
  const message = view.errors[field];
  return when(message, () => html`<p class="field-error" id="error-${field}" data-testid="settings-error-${field}">${message}</p>`);
}

/** aria-invalid and aria-describedby for a field with an error, plus its hint when it has one ('with-hint'). */
function described(view: SettingsPageView, field: string, hint: 'with-hint' | 'no-hint' = 'no-hint'): SafeHtml {
  const ids = [hint === 'with-hint' ? `hint-${field}` : '', view.errors[field] ? `error-${field}` : ''].filter(Boolean).join(' ');
  return raw(`${ids ? ` aria-describedby="${ids}"` : ''}${view.errors[field] ? ' aria-invalid="true"' : ''}`);
}

const fieldClass = (view: SettingsPageView, field: string) => (view.errors[field] ? 'field has-error' : 'field');

export function renderSettings(view: SettingsPageView): string {
  const d = view.draft;
  const errorList = Object.entries(view.errors).filter(([, message]) => message);
  const knownLocale = view.locales.includes(d.locale);
  const body = html`<div class="page-head" data-testid="page-head"><h1 id="h-settings">Merchant settings</h1>
<p class="muted">What ZignSec keeps per merchant. Changes apply to new sessions at once; they live in memory over the merchants file
until the emulator restarts. <strong>Export as JSON</strong> gives a merchants file to commit to your project's fixtures.</p></div>
${when(view.notice === 'saved', () => html`<p class="notice ok" role="status" data-testid="settings-saved">Saved. New sessions use these settings.</p>`)}
${when(view.notice === 'reset', () => html`<p class="notice ok" role="status" data-testid="settings-reset-done">Back to the merchants file's settings.</p>`)}
${when(
  errorList.length > 0,
  () => html`<div class="notice bad" role="alert" data-testid="settings-errors" tabindex="-1" id="settings-errors"><p><strong>The settings were not saved.</strong> Fix ${errorList.length === 1 ? 'this field' : `these ${errorList.length} fields`}:</p>
<ul>${errorList.map(([field, message]) => html`<li><a href="#${field === 'form' ? 'settings-form' : `f-${field}`}" data-testid="settings-error-link-${field}">${message}</a></li>`)}</ul></div>`,
)}
<form method="post" action="/portal/settings" class="form card" id="settings-form" data-testid="settings-form" novalidate>${csrfField(view.signedIn.csrf)}
<div class="${fieldClass(view, 'name')}" data-testid="field-name"><label for="f-name">Merchant name</label>
<input type="text" id="f-name" name="name" value="${d.name}" maxlength="200" data-testid="settings-name"${described(view, 'name')}>${fieldError(view, 'name')}</div>

<fieldset class="${fieldClass(view, 'options')}" data-testid="field-options"${described(view, 'options')}><legend>Document option</legend>
<div class="choices">${view.documentOptions.map(
    (option) => html`<label class="choice"><input type="radio" name="options" value="${option}" data-testid="settings-options-${option}"${attr(d.options === option, 'checked')}${raw(option === view.documentOptions[0] ? ' id="f-options"' : '')}> <span><strong>${option}</strong> <span class="muted">${documentOptionText[option] ?? ''}</span></span></label>`,
  )}</div>${fieldError(view, 'options')}</fieldset>

<fieldset class="${fieldClass(view, 'available_actions')}" data-testid="field-available-actions"${described(view, 'available_actions', 'with-hint')}><legend>Available actions</legend>
<p class="hint" id="hint-available_actions">The liveness actions <code>action: "Random"</code> picks from. None ticked: every action.</p>
<div class="choices grid">${view.actions.map(
    (action, i) => html`<label class="choice"><input type="checkbox" name="available_actions" value="${action}" data-testid="settings-action-${action}"${attr(d.available_actions.includes(action), 'checked')}${raw(i === 0 ? ' id="f-available_actions"' : '')}> <span>${action}</span></label>`,
  )}</div>${fieldError(view, 'available_actions')}</fieldset>

<div class="${fieldClass(view, 'webhook')}" data-testid="field-webhook"><label for="f-webhook">Default webhook URL</label>
<p class="hint" id="hint-webhook">Used when a request sends no <code>webhook</code>. Empty: no webhook.</p>
<input type="url" id="f-webhook" name="webhook" value="${d.webhook}" inputmode="url" spellcheck="false" placeholder="https://merchant.example/zignsec/webhook" data-testid="settings-webhook"${described(view, 'webhook', 'with-hint')}>${fieldError(view, 'webhook')}</div>

<fieldset class="${fieldClass(view, 'webhook_signature')}" data-testid="field-webhook-signature"${described(view, 'webhook_signature', 'with-hint')}><legend>Webhook signature</legend>
<p class="hint" id="hint-webhook_signature">What the <code>X-ZignSec-Hmac-SHA256</code> header of every delivery carries.</p>
${radios(view, 'webhook_signature', signatureText)}${fieldError(view, 'webhook_signature')}</fieldset>

<div class="${fieldClass(view, 'webhook_secret')}" data-testid="field-webhook-secret"><label for="f-webhook_secret">Webhook secret</label>
<p class="hint" id="hint-webhook_secret">Keys the timestamped signature. Empty: the secret generated for your key, the same until the emulator restarts.
In effect: <code data-testid="settings-webhook-secret-in-effect">${view.webhookSecretInEffect}</code></p>
<input type="text" id="f-webhook_secret" name="webhook_secret" value="${d.webhook_secret}" maxlength="256" autocomplete="off" spellcheck="false" placeholder="(generated)" data-testid="settings-webhook-secret"${described(view, 'webhook_secret', 'with-hint')}>${fieldError(view, 'webhook_secret')}</div>

<fieldset class="${fieldClass(view, 'webhook_format')}" data-testid="field-webhook-format"${described(view, 'webhook_format', 'with-hint')}><legend>Webhook body</legend>
<p class="hint" id="hint-webhook_format">What every delivery's body is.</p>
${radios(view, 'webhook_format', formatText)}${fieldError(view, 'webhook_format')}</fieldset>

<div class="${fieldClass(view, 'locale')}" data-testid="field-locale"><label for="f-locale">Locale</label>
<select id="f-locale" name="locale" data-testid="settings-locale"${described(view, 'locale')}>${when(!knownLocale, () => html`<option value="${d.locale}" selected>${d.locale || '(none)'}</option>`)}${view.locales.map(
    (locale) => html`<option value="${locale}"${attr(d.locale === locale, 'selected')}>${locale}</option>`,
  )}</select>${fieldError(view, 'locale')}</div>

<div class="${fieldClass(view, 'css')}" data-testid="field-css"><label for="f-css">Branding CSS URLs</label>
<p class="hint" id="hint-css">One absolute URL per line; linked after the scan UI's own stylesheet.</p>
<textarea id="f-css" name="css" rows="3" spellcheck="false" data-testid="settings-css"${described(view, 'css', 'with-hint')}>${d.css}</textarea>${fieldError(view, 'css')}</div>

<div class="${fieldClass(view, 'mobile_flow')}" data-testid="field-mobile-flow"><label class="choice"><input type="checkbox" id="f-mobile_flow" name="mobile_flow" value="on" data-testid="settings-mobile-flow"${attr(d.mobile_flow, 'checked')}${described(view, 'mobile_flow')}> <span>Offer the mobile flow (QR code hand-off to a phone)</span></label>${fieldError(view, 'mobile_flow')}</div>

<div class="${fieldClass(view, 'default_outcome')}" data-testid="field-default-outcome"><label for="f-default_outcome">Default outcome</label>
<p class="hint" id="hint-default_outcome">The outcome preset sessions end with unless something stronger chooses (armed, queued, header, relay_state, tester panel).</p>
<select id="f-default_outcome" name="default_outcome" data-testid="settings-default-outcome"${described(view, 'default_outcome', 'with-hint')}>
<option value=""${attr(d.default_outcome === '', 'selected')}>(none: the emulator's default, approved)</option>
${when(d.default_outcome !== '' && !view.outcomes.some((o) => o.name === d.default_outcome), () => html`<option value="${d.default_outcome}" selected>${d.default_outcome}</option>`)}
${view.outcomes.map((o) => html`<option value="${o.name}" title="${o.description}"${attr(d.default_outcome === o.name, 'selected')}>${o.name}</option>`)}</select>${fieldError(view, 'default_outcome')}</div>

<div class="actions"><button type="submit" class="primary" data-testid="settings-save">Save settings</button>
<a class="button secondary" href="/portal/settings/export" download="merchants.json" data-testid="settings-export">Export as JSON</a></div>
</form>
<form method="post" action="/portal/settings/reset" class="inline-form reset-form" data-testid="settings-reset-form">${csrfField(view.signedIn.csrf)}
<button type="submit" class="link" data-testid="settings-reset">Forget my changes (back to the merchants file's settings)</button></form>`;
  return layout({ title: 'Settings', page: 'settings', nav: 'settings', signedIn: view.signedIn, body });
}
