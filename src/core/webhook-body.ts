// The bytes a webhook delivery carries, per the merchant's webhook_format: the result object itself
// (ZignSec's API docs: "the same object the result API returns"), or the event envelope of ZignSec's
// webhook guide, `{ event, id, integration_id, relay_state, result: { errors, status,
// eventSpecificData }, workflow_session_id }`. The envelope's field names are documented; what fills
// them is inferred, so the envelope is a template (fixtures/wire.json `webhook.event_envelope`).
import type { SessionStatus } from './vocabulary.js';
import { renderTemplate, type Template } from './result.js';

export type WebhookEvent = 'session_created' | 'session_updated';

export interface EnvelopeParts {
  event: WebhookEvent;
  sessionId: string;
  integrationId: string;
  relayState: string;
  status: SessionStatus;
  errors: readonly { code: string; description: string }[];
  /** The result object as JSON text, exactly as the result API serves it. */
  resultJson: string;
}

/** The values an envelope template can refer to, e.g. `{{event}}`, `{{session.status}}` or `{{result}}` (the result object). */
export function envelopeContext(parts: EnvelopeParts): Record<string, unknown> {
  return {
    event: parts.event,
    integration_id: parts.integrationId,
    session: { id: parts.sessionId, status: parts.status, relay_state: parts.relayState },
    errors: parts.errors,
    result: JSON.parse(parts.resultJson) as unknown,
  };
}

/**
 * The event envelope as compact JSON (no spaces, like the result object): a receiver that verifies
 * over `JSON.stringify(parsedBody)` instead of the raw bytes still gets the signed bytes back.
 */
export function eventEnvelopeJson(template: Template, parts: EnvelopeParts): string {
  return JSON.stringify(renderTemplate(template, envelopeContext(parts)));
}
