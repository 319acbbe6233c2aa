// Turns a session (as services/session-inspection.ts sees it), its webhook deliveries and its journal
// entries into the plain views the portal pages render, plus a fingerprint that changes whenever
// anything on the page would.
import { createHash } from 'node:crypto';
import { isAnalyzing, isFinal, type OutcomeRule, type Session } from '../../core/session.js';
import { inspectSession } from '../../services/session-inspection.js';
import { headersOf, queryOf, requestBodyOf, responseBodyOf, type JournalEntry } from '../../services/journal.js';
import type { Delivery } from '../../services/webhooks.js';
import type { Emulator } from '../../emulator.js';
import type { PhoneProgress } from '../../ui/portal/start.js';
import type { DeliveryItemView, JournalItemView, SessionDetailView } from '../../ui/portal/session-detail.js';
import type { SessionRow } from '../../ui/portal/sessions.js';

/** Why the outcome was chosen, one line per selection rule (strongest first). */
export const ruleText: Record<OutcomeRule, string> = {
  armed: 'armed for this session (control API, or the outcome picked when starting the scan in the portal)',
  queued: "the next outcome in this key's queue (POST /__mock/outcomes/queue)",
  header: 'the X-Mock-Outcome header of the create request',
  relay_state: 'relay_state names an outcome preset',
  tester_panel: "chosen in the scan UI's tester panel",
  merchant_default: "the merchant's default outcome (settings)",
  default: 'the emulator default: nothing else chose one',
};

export function sessionRow(session: Session): SessionRow {
  return {
    id: session.id,
    createdAt: session.createdAt,
    flow: session.flow,
    status: session.status,
    final: isFinal(session.status),
    outcome: session.outcome.name,
    rule: session.outcome.rule,
    action: session.chosenAction,
    relayState: session.settings.relay_state,
  };
}

/**
 * A key's sessions, newest first: by the key's sequence, not by time, since the key's clock can be
 * frozen (ties) or reset (a later session stamped earlier).
 */
export function newestFirst(sessions: Session[]): Session[] {
  return [...sessions].sort((a, b) => b.sequence - a.sequence);
}

/**
 * Journal entries of a session: the requests let into it, by its owner's key or by the scan UI's
 * cookie or link. A request that merely named its id (unauthenticated, another key's, a used link)
 * is not this merchant's business and stays off its page.
 */
export function journalOf(emulator: Emulator, session: Session): JournalEntry[] {
  return emulator.journal.forSession(session.id);
}

export function deliveriesOf(emulator: Emulator, session: Session): Delivery[] {
  return emulator.webhooks.list({ sessionId: session.id, apiKey: session.apiKey });
}

export function isLive(session: Session, deliveries: Delivery[]): boolean {
  return !isFinal(session.status) || deliveries.some((d) => d.status === 'pending' || d.status === 'held' || d.inFlight);
}

/** How far the phone got, from the scan flow (whether it opened its link) and the session (what it captured). */
export function phoneProgress(emulator: Emulator, session: Session): PhoneProgress {
  return {
    opened: emulator.scanFlow.mobileState(session) === 'opened',
    images: session.documents.filter((d) => d.capturedBy === 'mobile').length,
    analyzing: isAnalyzing(session),
  };
}

export function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function sessionFingerprint(session: Session, deliveries: Delivery[], journal: JournalEntry[], phone?: PhoneProgress): string {
  return fingerprint([
    phone?.opened,
    session.status,
    session.updatedAt,
    session.events.length,
    session.documents.length,
    session.outcome,
    session.analyses,
    session.analysisDueAt,
    deliveries.map((d) => [d.id, d.status, d.inFlight, d.attempts.length, d.nextAttemptAt]),
    journal.length,
    journal[journal.length - 1]?.id,
  ]);
}

export function deliveryItem(d: Delivery): DeliveryItemView {
  return {
    id: d.id,
    url: d.url,
    event: d.event,
    sessionStatus: d.sessionStatus,
    status: d.status,
    inFlight: d.inFlight,
    createdAt: d.createdAt,
    nextAttemptAt: d.nextAttemptAt,
    body: d.body,
    attempts: d.attempts.map((a) => ({
      number: a.number,
      at: a.at,
      status: a.status,
      durationMs: a.duration_ms,
      error: a.error,
      responseExcerpt: a.response_excerpt,
      retryAfterMs: a.retry_after_ms,
      headers: a.request_headers,
    })),
  };
}

/**
 * The scan UI polls its state every second or faster: runs of the same request with the same answer
 * are shown once, with how many times and until when, so the calls that matter stay visible.
 */
export function collapseRepeats(items: JournalItemView[]): JournalItemView[] {
  const out: JournalItemView[] = [];
  for (const item of items) {
    const last = out[out.length - 1];
    if (last && last.method === item.method && last.path === item.path && last.status === item.status && item.method === 'GET') {
      last.repeat += 1;
      last.lastAt = item.at;
    } else out.push(item);
  }
  return out;
}

/** An entry as the portal shows it; `session` links the session it was about, when that is the viewer's. */
export function journalItem(entry: JournalEntry, session: JournalItemView['session'] = null): JournalItemView {
  return {
    session,
    repeat: 1,
    lastAt: entry.at,
    id: entry.id,
    at: entry.at,
    method: entry.method,
    path: entry.path,
    status: entry.status,
    durationMs: entry.duration_ms,
    query: queryOf(entry),
    headers: headersOf(entry),
    body: requestBodyOf(entry),
    response: responseBodyOf(entry),
  };
}

const imageTypes = /^image\/(jpeg|png|webp|gif|bmp|tiff|heic|heif)$/;
export const isServableImage = (contentType: string) => imageTypes.test(contentType);

export function sessionDetail(
  emulator: Emulator,
  session: Session,
  extras: Pick<SessionDetailView, 'signedIn' | 'back' | 'redelivered' | 'scanUiUrl'>,
): SessionDetailView {
  const deliveries = deliveriesOf(emulator, session);
  const journal = journalOf(emulator, session);
  const inspected = inspectSession(session, emulator.sessions);
  return {
    ...extras,
    id: inspected.id,
    flow: inspected.flow,
    status: inspected.status,
    final: inspected.final,
    live: isLive(session, deliveries),
    fingerprint: sessionFingerprint(session, deliveries, journal),
    createdAt: inspected.createdAt,
    updatedAt: inspected.updatedAt,
    finishedAt: inspected.finishedAt,
    expiresAt: inspected.expiresAt,
    relayState: inspected.relayState,
    chosenAction: inspected.chosenAction,
    outcome: {
      ...inspected.outcome,
      ruleText: ruleText[inspected.outcome.rule] ?? inspected.outcome.rule,
      reason: session.findings?.reason ?? null,
    },
    analyses: inspected.analyses,
    request: inspected.request,
    settings: inspected.settings,
    result: inspected.result,
    timeline: inspected.timeline.map((entry) => ({ at: entry.at, sinceStartMs: entry.at - inspected.createdAt, status: entry.status, event: entry.event })),
    documents: inspected.documents.map((doc) => ({
      id: doc.id,
      type: doc.documentType,
      contentType: doc.contentType,
      size: doc.size,
      uploadedAt: doc.uploadedAt,
      reference: doc.reference,
      url: `/portal/sessions/${session.id}/documents/${doc.id}`,
      isImage: isServableImage(doc.contentType),
    })),
    deliveries: deliveries.map(deliveryItem),
    journal: collapseRepeats(journal.map((entry) => journalItem(entry))),
  };
}
