// The bytes a webhook delivery carries, per the merchant's webhook_format: the result object itself
// (ZignSec's API docs: "the same object the result API returns"), or the event envelope of ZignSec's
// webhook guide, `{ event, id, integration_id, relay_state, result: { errors, status,
// eventSpecificData }, workflow_session_id }`. What fills the envelope beyond `event` is inferred.
import type { SessionStatus } from '../schemas/common.js';

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

/**
 * The event envelope as compact JSON (no spaces, like the result object): a receiver that verifies
 * over `JSON.stringify(parsedBody)` instead of the raw bytes still gets the signed bytes back.
 * `eventSpecificData` is the whole result object; `workflow_session_id` is null, as a session
 * started outside a workflow has none.
 */
export function eventEnvelopeJson(parts: EnvelopeParts): string {
  return JSON.stringify({
    event: parts.event,
    id: parts.sessionId,
    integration_id: parts.integrationId,
    relay_state: parts.relayState,
    result: { errors: parts.errors, status: parts.status, eventSpecificData: JSON.parse(parts.resultJson) as unknown },
    workflow_session_id: null,
  });
}
