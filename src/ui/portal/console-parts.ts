// Pieces the QA console's pages share: what the last action did (notice), why an action was refused,
// and form fields that carry their own error (as on the settings page: the message under the field,
// aria-invalid, the field focused on a refused form without any script).
import { html, type SafeHtml } from '../html.js';
import { raw, when } from './layout.js';

export interface NoticeView {
  text: string;
  items?: { text: string; href?: string }[];
}

/** The notice of the action that led here (role=status), with its items (sessions a clock move touched...). */
export function consoleNotice(notice: NoticeView | undefined): SafeHtml {
  return when(
    notice,
    () => html`<div class="notice ok" role="status" data-testid="console-notice"><p data-testid="console-notice-text">${notice!.text}</p>${when(
      notice!.items && notice!.items.length > 0,
      () => html`<ul data-testid="console-notice-items">${notice!.items!.map(
        (item) => html`<li data-testid="console-notice-item">${item.href ? html`<a href="${item.href}">${item.text}</a>` : item.text}</li>`,
      )}</ul>`,
    )}</div>`,
  );
}

/** Why the action was refused when the problem belongs to no field (a stale or forged form); nothing changed. */
export function consoleError(text: string | undefined): SafeHtml {
  return when(text, () => html`<p class="notice bad" role="alert" data-testid="console-error">${text}</p>`);
}

export type FieldErrors = Partial<Record<string, string>>;

/**
 * A form's field helpers: `error(field)` renders the message (id error-<form>-<field>, test id
 * <form>-error-<field>), `aria(field, hint)` the aria attributes plus autofocus on the first field in
 * error, and `cls(field)` the field's class.
 */
export function fieldHelpers(form: string, errors: FieldErrors, order: readonly string[]) {
  const first = order.find((field) => errors[field]);
  const errorId = (field: string) => `error-${form}-${field}`;
  return {
    error: (field: string) =>
      when(errors[field], () => html`<p class="field-error" id="${errorId(field)}" data-testid="${form}-error-${field.replace(/_/g, '-')}">${errors[field]}</p>`),
    aria: (field: string, hintId?: string) => {
      const ids = [hintId ?? '', errors[field] ? errorId(field) : ''].filter(Boolean).join(' ');
      return raw(`${ids ? ` aria-describedby="${ids}"` : ''}${errors[field] ? ' aria-invalid="true"' : ''}${field === first ? ' autofocus' : ''}`);
    },
    cls: (field: string, base = 'field') => (errors[field] ? `${base} has-error` : base),
  };
}

/** A one-button form (POST, CSRF token, hidden fields) for the actions on a list entry. */
export function actionForm(options: {
  action: string;
  csrf: string;
  fields?: Record<string, string>;
  label: string;
  testid: string;
  /** The accessible name, when the visible label alone is ambiguous ("Remove" what). */
  ariaLabel?: string;
  className?: string;
  disabled?: boolean;
}): SafeHtml {
  const hidden = Object.entries(options.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form method="post" action="${options.action}" class="inline-form"><input type="hidden" name="_csrf" value="${options.csrf}">${hidden}<button type="submit" class="${options.className ?? 'secondary small'}" data-testid="${options.testid}"${when(
    options.ariaLabel,
    () => html` aria-label="${options.ariaLabel}"`,
  )}${raw(options.disabled ? ' disabled' : '')}>${options.label}</button></form>`;
}
