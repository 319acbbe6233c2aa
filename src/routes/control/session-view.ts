// How the control API shows a session: everything a tester needs to see why it ended as it did.
import { isoInstant } from '../../core/time-limits.js';
import { jsonForView } from '../../core/json-view.js';
import { timelineOf, type Session } from '../../core/session.js';
import { maskKey } from '../../http/auth.js';
import type { z } from 'zod';
import type { DeliveryView } from '../../schemas/control.js';
import type { SessionService } from '../../services/sessions.js';

const iso = isoInstant;

export function sessionView(session: Session, sessions: SessionService, extras: { webhooks?: z.infer<typeof DeliveryView>[] } = {}) {
  const preset = sessions.fixtures.outcomes.get(session.outcome.name);
  return {
    id: session.id,
    api_key: maskKey(session.apiKey),
    flow: session.flow,
    status: session.status,
    created: iso(session.createdAt),
    updated: iso(session.updatedAt),
    finished: session.finishedAt === null ? null : iso(session.finishedAt),
    expires: iso(session.expiresAt),
    relay_state: session.settings.relay_state,
    chosen_action: session.chosenAction,
    outcome: { name: session.outcome.name, rule: session.outcome.rule, description: preset?.description ?? '' },
    request: jsonForView(session.requestJson),
    settings: { ...session.settings },
    analyses: { ...session.analyses },
    timeline: timelineOf(session).map((entry) => ({ at: iso(entry.at), status: entry.status, event: entry.event })),
    documents: session.documents.map((doc) => ({
      id: doc.id,
      document_type: doc.documentType,
      reference: doc.reference,
      content_type: doc.contentType,
      size: doc.size,
      uploaded: iso(doc.uploadedAt),
      url: `/__mock/sessions/${session.id}/documents/${doc.id}`,
    })),
    link: session.link && { expires: iso(session.link.expiresAt), used: session.link.usedAt === null ? null : iso(session.link.usedAt) },
    webhooks: extras.webhooks ?? [],
    result: sessions.result(session),
  };
}
