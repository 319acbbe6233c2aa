// What the QA console's forms share: the posted fields (a field the form does not have, such as a
// smuggled api_key, is refused), numbers as typed, the issues of a control API schema turned into
// one message per form field, so the console checks exactly what the control API checks, and the
// 303 back to a page with the notice of what an action did.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import type { ConsoleNotice } from './console-notices.js';
import { portalSessionOf, type PortalContext } from './signed-in.js';
import { CSRF_FIELD } from './portal-auth.js';

/** One message per field, by the field's name in the form. */
export type FieldErrors = Record<string, string>;

/**
 * The posted form, when it holds only `fields` (and the CSRF token). The console acts for the signed-in
 * key alone: a form that names a key, or anything else it does not show, is refused (400), changing nothing.
 */
export function postedForm(request: FastifyRequest, fields: readonly string[]): URLSearchParams {
  const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
  const unknown = [...new Set(form.keys())].filter((name) => name !== CSRF_FIELD && !fields.includes(name));
  if (unknown.length > 0) {
    const names = unknown.slice(0, 5).map((name) => JSON.stringify(name.slice(0, 40)));
    throw new ApiError('INVALID_REQUEST', `This form has no field ${names.join(', ')}: the console acts for the key you signed in with, on its own data only. Nothing was changed.`);
  }
  return form;
}

/** A query string's first value per name (a repeated parameter counts once, as a form sends it). */
export function queryOf(request: FastifyRequest): URLSearchParams {
  const at = request.url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : request.url.slice(at + 1));
}

/** A number field as typed: empty is absent, a decimal number is a number, anything else stays text for the schema to refuse. */
export function typedNumber(text: string | null): number | string | undefined {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return undefined;
  return /^-?\d{1,20}(\.\d{1,20})?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** zod's stock messages in a form's words; a schema's own message ("must be …") is kept as it is. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_big' && /^Too big/.test(issue.message)) return `must be at most ${String(issue.maximum)}`;
  if (issue.code === 'too_small' && /^Too small/.test(issue.message)) return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'invalid_type' && /^Invalid input: expected (number|int)/.test(issue.message)) return 'must be a whole number';
  if (issue.code === 'invalid_value' && /^Invalid option/.test(issue.message)) return `must be one of ${issue.values.map(String).join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '');
}

/**
 * The first issue of each field as "<label> <message>". `fieldOf` names the form field an issue's
 * path belongs to (undefined: the form's own, under `form`).
 */
export function fieldErrorsOf(error: z.ZodError, fieldOf: (path: PropertyKey[]) => string | undefined, labels: Record<string, string>): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = fieldOf(issue.path) ?? 'form';
    if (errors[field]) continue;
    const message = messageOf(issue);
    errors[field] = labels[field] ? `${labels[field]} ${message}` : message;
  }
  return errors;
}

/** A form field as typed, trimmed; '' when absent. */
export const fieldOf = (form: URLSearchParams, name: string) => (form.get(name) ?? '').trim();

/** A number field as typed for a schema that wants a number: text that is no number (or empty) stays text, so the schema refuses it. */
export const numberOrText = (text: string): number | string => typedNumber(text) ?? text;

export const NoticeQuery = z.object({ notice: z.string().max(20).optional().catch(undefined) });

/** Answers an action with 303 back to its page, carrying the id of the notice that says what was done. */
export function backWithNotice(context: PortalContext, request: FastifyRequest, reply: FastifyReply, page: string, notice: ConsoleNotice): FastifyReply {
  const id = context.notices.post(portalSessionOf(request), notice);
  return reply.status(303).header('location', `${page}?notice=${id}`).send();
}

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
