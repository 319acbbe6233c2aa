// The result object: fixtures/result-template.json filled in from a session.
// The template is data so the shape can be corrected to match the real API without code changes.
import { analysisIdOf, providerFolderIdOf, type Session } from './session.js';
import { isoInstant, isoInstantOrNull } from './time-limits.js';

export type Template = unknown;

const wholePlaceholder = /^\{\{\s*([\w.]+)\s*\}\}$/;
const inlinePlaceholder = /\{\{\s*([\w.]+)\s*\}\}/g;


/** The values a template can refer to, e.g. `{{session.status}}` or `{{identity}}`. */
export function resultContext(session: Session): Record<string, unknown> {
  const findings = session.findings;
  return {
    session: {
      id: session.id,
      status: session.status,
      relay_state: session.settings.relay_state,
      created: isoInstant(session.createdAt),
      updated: isoInstant(session.updatedAt),
      finished: isoInstantOrNull(session.finishedAt),
      flow: session.flow,
      action: session.chosenAction,
      options: session.flow === 'liveness' ? session.settings.options : null,
      analysis_types: session.settings.analysis_types,
      analysis_id: analysisIdOf(session),
      provider_folder_id: providerFolderIdOf(session),
      locale: session.settings.locale,
    },
    analyses: session.analyses,
    identity: findings?.identity ?? null,
    document: {
      fields: findings?.document ?? {},
      failed_fields: findings?.failedFields ?? [],
      type: findings?.document?.Document_Type ?? null,
      count: session.documents.length,
    },
    scores: {
      document: findings?.scores.document ?? null,
      liveness: findings?.scores.liveness ?? null,
      face_match: findings?.scores.face_match ?? null,
      fraud: findings?.scores.fraud ?? null,
    },
    reason: findings?.reason ?? null,
    errors: findings?.errors ?? [],
  };
}

function lookup(context: Record<string, unknown>, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Placeholders in a template that the context cannot fill: reported at startup, never at request time. */
export function unknownPlaceholders(template: Template, context: Record<string, unknown>): string[] {
  const missing: string[] = [];
  const visit = (node: unknown) => {
    if (typeof node === 'string') {
      for (const match of node.matchAll(inlinePlaceholder)) if (lookup(context, match[1]) === undefined) missing.push(match[1]);
    } else if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') Object.values(node).forEach(visit);
  };
  visit(template);
  return missing;
}

/** A placeholder inside a longer string: an object or a list is written as JSON, not as "[object Object]". */
function inlineText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : `${value as string | number | boolean}`;
}

export function renderTemplate(template: Template, context: Record<string, unknown>): unknown {
  if (typeof template === 'string') {
    const whole = wholePlaceholder.exec(template);
    // A placeholder that is the whole string keeps the value's type (object, null, number).
    if (whole) return structuredCloneIfObject(lookup(context, whole[1]) ?? null);
    return template.replace(inlinePlaceholder, (_, path: string) => inlineText(lookup(context, path)));
  }
  if (Array.isArray(template)) return template.map((item) => renderTemplate(item, context));
  if (template && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) out[key] = renderTemplate(value, context);
    return out;
  }
  return template;
}

function structuredCloneIfObject(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}

export function renderResult(template: Template, session: Session): Record<string, unknown> {
  return renderTemplate(template, resultContext(session)) as Record<string, unknown>;
}
