// What the QA console's routes share: the posted form, the refusal of a form that names an API key,
// the 303 back to the page with a notice of what was done, and the notice query.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConsoleNotice } from './console-notices.js';
import { portalSessionOf, type PortalContext } from './context.js';

export const NoticeQuery = z.object({ notice: z.string().max(20).optional().catch(undefined) });

export function formOf(request: FastifyRequest): URLSearchParams {
  return request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
}

/** A form field as typed, trimmed; '' when absent. */
export const fieldOf = (form: URLSearchParams, name: string) => (form.get(name) ?? '').trim();

/**
 * The console acts on the signed-in key alone, which it takes from the sign-in: a form that names a
 * key of its own (`api_key`) was not made by these pages, and is refused rather than quietly ignored.
 */
export const NAMED_KEY_TEXT = 'This console acts on the key you signed in with, and only on it: a form that names an API key (api_key) is refused. Nothing changed.';
export const namesAKey = (form: URLSearchParams) => form.has('api_key');

/** Whole numbers as typed in a text field; anything else stays text, so the schema reports it. */
export function wholeNumberOrText(text: string): number | string {
  return /^[+-]?\d{1,15}$/.test(text) ? Number(text) : text;
}

/** Answers an action with 303 back to its page, carrying the id of the notice that says what was done. */
export function backWithNotice(context: PortalContext, request: FastifyRequest, reply: FastifyReply, page: string, notice: ConsoleNotice): FastifyReply {
  const id = context.notices.post(portalSessionOf(request), notice);
  return reply.status(303).header('location', `${page}?notice=${id}`).send();
}

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
