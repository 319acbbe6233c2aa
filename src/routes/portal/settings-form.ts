// The settings form <-> MerchantSettings: reads the posted fields over the merchant's current settings
// (fields the form does not show are kept) and turns schema issues into one message per form field.
import { Locale } from '../../schemas/common.js';
import { MerchantSettings } from '../../schemas/fixtures.js';

/** The fields the settings page edits, by their form name (the same names as in the merchants file). */
export const settingsFields = [
  'name',
  'options',
  'available_actions',
  'webhook',
  'webhook_signature',
  'webhook_secret',
  'webhook_format',
  'locale',
  'css',
  'mobile_flow',
  'default_outcome',
] as const;
export type SettingsField = (typeof settingsFields)[number];
/** One message per field; `form` for a problem that belongs to no field. */
export type FieldErrors = Partial<Record<SettingsField | 'form', string>>;

const labels: Record<SettingsField, string> = {
  name: 'The name',
  options: 'The document option',
  available_actions: 'Available actions',
  webhook: 'The webhook URL',
  webhook_signature: 'The signature scheme',
  webhook_secret: 'The webhook secret',
  webhook_format: 'The webhook body',
  locale: 'The locale',
  css: 'Branding CSS',
  mobile_flow: 'Mobile flow',
  default_outcome: 'The default outcome',
};

/** What the form showed, as typed, so a rejected form comes back with the person's input. */
export interface SettingsDraft {
  name: string;
  options: string;
  available_actions: string[];
  webhook: string;
  webhook_signature: string;
  /** As typed; empty means "use the secret generated for my key". */
  webhook_secret: string;
  webhook_format: string;
  locale: string;
  css: string;
  mobile_flow: boolean;
  default_outcome: string;
}

export function draftOf(settings: MerchantSettings): SettingsDraft {
  return {
    name: settings.name,
    options: settings.options,
    available_actions: [...settings.available_actions],
    webhook: settings.webhook,
    webhook_signature: settings.webhook_signature,
    webhook_secret: settings.webhook_secret ?? '',
    webhook_format: settings.webhook_format,
    locale: settings.locale,
    css: settings.css.join('\n'),
    mobile_flow: settings.mobile_flow,
    default_outcome: settings.default_outcome ?? '',
  };
}

/** The posted form over the current settings: a field the form did not send (an older page) keeps its value. */
export function draftFromForm(form: URLSearchParams, current: SettingsDraft): SettingsDraft {
  const text = (name: string) => (form.get(name) ?? '').trim();
  const kept = (name: 'webhook_signature' | 'webhook_secret' | 'webhook_format') => (form.has(name) ? text(name) : current[name]);
  return {
    name: text('name'),
    options: text('options'),
    available_actions: form.getAll('available_actions').map((v) => v.trim()),
    webhook: text('webhook'),
    webhook_signature: kept('webhook_signature'),
    webhook_secret: kept('webhook_secret'),
    webhook_format: kept('webhook_format'),
    locale: text('locale'),
    css: form.get('css') ?? '',
    mobile_flow: form.get('mobile_flow') === 'on',
    default_outcome: text('default_outcome'),
  };
}

const cssLines = (css: string) =>
  css
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

/**
 * Validates a draft with the merchants-file schema (and the API's locale rule, and the outcome
 * catalogue); returns the settings to store, or a message per field.
 */
export function validateDraft(
  draft: SettingsDraft,
  current: MerchantSettings,
  outcomeNames: ReadonlySet<string>,
): { ok: true; settings: MerchantSettings } | { ok: false; errors: FieldErrors } {
  const lines = cssLines(draft.css);
  const candidate = {
    ...current,
    name: draft.name,
    options: draft.options,
    available_actions: draft.available_actions,
    webhook: draft.webhook,
    webhook_signature: draft.webhook_signature,
    webhook_secret: draft.webhook_secret === '' ? null : draft.webhook_secret,
    webhook_format: draft.webhook_format,
    locale: draft.locale,
    css: lines,
    mobile_flow: draft.mobile_flow,
    default_outcome: draft.default_outcome === '' ? null : draft.default_outcome,
  };
  const errors: FieldErrors = {};
  const parsed = MerchantSettings.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as SettingsField;
      if (!settingsFields.includes(field) || errors[field]) continue;
      const message = issue.message.replace(/^Invalid input: /, '');
      if (field === 'css' && typeof issue.path[1] === 'number') errors.css = `Line ${issue.path[1] + 1} (${lines[issue.path[1]]}): ${message}`;
      else if (field === 'available_actions' && typeof issue.path[1] === 'number') errors.available_actions = `${JSON.stringify(draft.available_actions[issue.path[1]])} is not a liveness action`;
      else if (field === 'options') errors.options = 'Choose one of NoDocument, FrontSide or FrontAndBack';
      else if (field === 'webhook_signature') errors.webhook_signature = 'Choose legacy or timestamped';
      else if (field === 'webhook_format') errors.webhook_format = 'Choose result or event';
      else if (field === 'name' && draft.name === '') errors.name = 'A name is required';
      else errors[field] = message.startsWith('must') ? `${labels[field]} ${message}` : `${labels[field]}: ${message}`;
    }
    if (Object.keys(errors).length === 0) errors.form = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  }
  if (!errors.locale) {
    const locale = Locale.safeParse(draft.locale);
    if (draft.locale === '' || !locale.success) errors.locale = 'The locale must be a language code such as en or se';
  }
  if (!errors.default_outcome && draft.default_outcome !== '' && !outcomeNames.has(draft.default_outcome)) {
    errors.default_outcome = `Unknown outcome ${JSON.stringify(draft.default_outcome)}; choose one from the catalogue`;
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, settings: parsed.data };
}
