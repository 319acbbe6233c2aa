// How the control API shows a session: everything a tester needs to see why it ended as it did
// (services/session-inspection.ts), written as the control API's JSON.
import { isoInstant } from '../../core/time-limits.js';
import type { Session } from '../../core/session.js';
import { maskKey } from '../../http/auth.js';
import { inspectSession } from '../../services/session-inspection.js';
import type { z } from 'zod';
import type { DeliveryView } from '../../schemas/control.js';
import type { SessionService } from '../../services/sessions.js';

const iso = isoInstant;

export function sessionView(session: Session, sessions: SessionService, extras: { webhooks?: z.infer<typeof DeliveryView>[] } = {}) {
  const inspected = inspectSession(session, sessions);
  return {
    id: inspected.id,
    api_key: maskKey(inspected.apiKey),
    flow: inspected.flow,
    status: inspected.status,
    created: iso(inspected.createdAt),
    updated: iso(inspected.updatedAt),
    finished: inspected.finishedAt === null ? null : iso(inspected.finishedAt),
    expires: iso(inspected.expiresAt),
    relay_state: inspected.relayState,
    chosen_action: inspected.chosenAction,
    outcome: inspected.outcome,
    request: inspected.request,
    settings: inspected.settings,
    analyses: inspected.analyses,
    timeline: inspected.timeline.map((entry) => ({ at: iso(entry.at), status: entry.status, event: entry.event })),
    documents: inspected.documents.map((doc) => ({
      id: doc.id,
      document_type: doc.documentType,
      reference: doc.reference,
      content_type: doc.contentType,
      size: doc.size,
      uploaded: iso(doc.uploadedAt),
      url: `/__mock/sessions/${session.id}/documents/${doc.id}`,
    })),
    link: inspected.link && { expires: iso(inspected.link.expiresAt), used: inspected.link.usedAt === null ? null : iso(inspected.link.usedAt) },
    webhooks: extras.webhooks ?? [],
    result: inspected.result,
  };
}
