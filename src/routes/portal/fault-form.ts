// The API-faults form <-> a fault rule of the control API: the form's fields as typed, the presets
// it offers, the rule body it stands for (checked by FaultRuleInput, as POST /__mock/faults checks
// it), and the schema's issues as one message per form field.
import type { z } from 'zod';
import type { FaultRuleRequest } from '../../admin-client.js';
import { fieldOf, numberOrText } from './console-forms.js';

export const faultTypes = ['error', 'latency', 'reset', 'malformed', 'truncated', 'rate_limit'] as const;
export const faultMethods = ['*', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The fields in the order the form shows them (the first one in error gets the focus). */
export const faultFields = ['method', 'path', 'type', 'status', 'code', 'ms', 'max_ms', 'retry_after_s', 'times'] as const;
export type FaultField = (typeof faultFields)[number];
export type FaultDraft = Record<FaultField, string>;
export type FaultFieldErrors = Partial<Record<FaultField, string>>;

export const emptyFaultDraft: FaultDraft = {
  method: '*',
  path: '/v3/**',
  type: 'error',
  status: '503',
  code: 'Internal Exception',
  ms: '2000',
  max_ms: '',
  retry_after_s: '30',
  times: '1',
};

export interface FaultPreset {
  id: string;
  title: string;
  /** The rule, as a POST /__mock/faults body without api_key (the console adds the signed-in key). */
  rule: FaultRuleRequest;
}

/** Ready-made rules for the usual error paths. A key's rule meets only calls that carry that key. */
export const faultPresets: readonly FaultPreset[] = [
  { id: 'create-503', title: 'The next create call fails with 503', rule: { method: 'POST', path: '/v3/scanning/liveness', action: { type: 'error', status: 503 }, times: 1 } },
  { id: 'reads-slow', title: 'Every result read is 2 s slow', rule: { method: 'GET', path: '/v3/**', action: { type: 'latency', ms: 2000 }, times: null } },
  { id: 'rate-limited-3', title: 'The next 3 calls are rate-limited', rule: { method: '*', path: '/v3/**', action: { type: 'rate_limit', retry_after_s: 30 }, times: 3 } },
  { id: 'upload-reset', title: 'The next upload resets the connection', rule: { method: 'POST', path: '/v3/eid/scanningsessions/*/documents', action: { type: 'reset' }, times: 1 } },
  { id: 'read-malformed', title: 'The next result read is broken JSON', rule: { method: 'GET', path: '/v3/**', action: { type: 'malformed' }, times: 1 } },
  { id: 'create-truncated', title: 'The next create call is cut off mid-body', rule: { method: 'POST', path: '/v3/scanning/liveness', action: { type: 'truncated' }, times: 1 } },
];

export const presetById = (id: string | undefined) => faultPresets.find((p) => p.id === id);

/** A preset as the form shows it, so it can be changed before it is added. */
export function draftOfPreset(preset: FaultPreset): FaultDraft {
  const { rule } = preset;
  const action = rule.action as Record<string, string | number | null | undefined>;
  const text = (value: string | number | null | undefined, fallback: string) => (value === undefined ? fallback : value === null ? '' : String(value));
  return {
    method: text(rule.method, emptyFaultDraft.method),
    path: text(rule.path, emptyFaultDraft.path),
    type: String(action.type),
    status: text(action.status, emptyFaultDraft.status),
    code: text(action.code, emptyFaultDraft.code),
    ms: text(action.ms, emptyFaultDraft.ms),
    max_ms: text(action.max_ms, ''),
    retry_after_s: text(action.retry_after_s, emptyFaultDraft.retry_after_s),
    times: text(rule.times, '1'),
  };
}

/** The posted form as typed; a field the form did not send keeps the empty form's value. */
export function faultDraftFromForm(form: URLSearchParams): FaultDraft {
  const draft = { ...emptyFaultDraft };
  for (const field of faultFields) if (form.has(field)) draft[field] = fieldOf(form, field);
  return draft;
}

/** The rule body the form stands for: only the chosen type's fields; numbers as typed stay text when they are not whole numbers. */
export function faultRuleOfDraft(draft: FaultDraft, apiKey: string): unknown {
  const optionalNumber = (text: string) => (text === '' ? undefined : numberOrText(text));
  const actions: Record<string, Record<string, unknown>> = {
    error: { status: numberOrText(draft.status), code: draft.code === '' ? undefined : draft.code },
    latency: { ms: numberOrText(draft.ms), max_ms: optionalNumber(draft.max_ms) },
    rate_limit: { retry_after_s: numberOrText(draft.retry_after_s) },
  };
  return {
    method: draft.method,
    path: draft.path,
    api_key: apiKey,
    action: { type: draft.type, ...(actions[draft.type] ?? {}) },
    times: draft.times === '' ? null : numberOrText(draft.times),
  };
}

const labels: Record<FaultField, string> = {
  method: 'The method',
  path: 'The path glob',
  type: 'The answer',
  status: 'The status',
  code: 'The error code',
  ms: 'The delay',
  max_ms: 'The longest delay',
  retry_after_s: 'Retry-After',
  times: 'Times',
};

const wholeNumbers: Partial<Record<FaultField, string>> = {
  status: 'must be a whole number from 400 to 599',
  ms: 'must be a whole number of milliseconds from 0 to 120000',
  max_ms: 'must be empty or a whole number of milliseconds from 0 to 120000',
  retry_after_s: 'must be a whole number of seconds from 0 to 86400',
  times: 'must be a whole number from 1, or empty: until you remove the rule',
};

/** One message per form field from FaultRuleInput's issues (the first issue of a field wins). */
export function faultFieldErrors(issues: readonly z.core.$ZodIssue[]): FaultFieldErrors {
  const errors: FaultFieldErrors = {};
  for (const issue of issues) {
    const [head, sub] = issue.path;
    const field = (head === 'action' ? (sub ?? 'type') : head) as FaultField;
    if (!faultFields.includes(field) || errors[field]) continue;
    if (field === 'type') errors.type = `Choose one of ${faultTypes.join(', ')}`;
    else if (field === 'max_ms' && issue.code === 'custom') errors.max_ms = 'The longest delay must be at least the delay';
    else if (wholeNumbers[field] && ['invalid_type', 'too_small', 'too_big'].includes(issue.code)) errors[field] = `${labels[field]} ${wholeNumbers[field]}`;
    else {
      // The schema's words name the field ("a path glob"); under its label they need not.
      const message = issue.message.replace(/^Invalid input: /, '').replace('must be a path glob starting with /', 'must start with /').replace('must be a glob of at most', 'must be at most');
      if (/^(must|can)\b/.test(message)) errors[field] = `${labels[field]} ${message}`;
      else if (issue.code === 'too_big' && issue.origin === 'string') errors[field] = `${labels[field]} must be at most ${issue.maximum} characters long`;
      else errors[field] = `${labels[field]}: ${message}`;
    }
  }
  return errors;
}
