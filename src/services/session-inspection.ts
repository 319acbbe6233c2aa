// A session as a tester inspects it: everything that says why it ended as it did, in plain values
// (instants as numbers, the timeline in words, images with their labels). The one builder of that
// view: the control API (routes/control/session-view.ts) writes it as its JSON, the portal
// (routes/portal/session-model.ts) renders it as a page.
import { jsonForView } from '../core/json-view.js';
import { documentReferenceOf, isFinal, timelineOf, type Session } from '../core/session.js';
import type { SessionResult } from '../schemas/public.js';
import type { SessionService } from './sessions.js';

type PlainCopy<T> = { [K in keyof T]: T[K] };

export interface SessionInspection {
  id: string;
  apiKey: string;
  flow: Session['flow'];
  status: Session['status'];
  final: boolean;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  expiresAt: number;
  relayState: string;
  chosenAction: Session['chosenAction'];
  /** The outcome preset, the rule that chose it, the preset's description ('' once it is gone from the catalogue). */
  outcome: { name: string; rule: Session['outcome']['rule']; description: string };
  /** The request body as received, parsed for display. */
  request: unknown;
  /** Copies (mapped types, so that they pass as plain records where a contract says so). */
  settings: PlainCopy<Session['settings']>;
  analyses: PlainCopy<Session['analyses']>;
  timeline: { at: number; status: Session['status']; event: string }[];
  documents: { id: string; documentType: string; reference: string | null; contentType: string; size: number; uploadedAt: number }[];
  /** The one-time link's expiry and first use (null for sessions without a scan UI). */
  link: { expiresAt: number; usedAt: number | null } | null;
  result: SessionResult;
}

export function inspectSession(session: Session, sessions: SessionService): SessionInspection {
  const preset = sessions.fixtures.outcomes.get(session.outcome.name);
  return {
    id: session.id,
    apiKey: session.apiKey,
    flow: session.flow,
    status: session.status,
    final: isFinal(session.status),
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    finishedAt: session.finishedAt,
    expiresAt: session.expiresAt,
    relayState: session.settings.relay_state,
    chosenAction: session.chosenAction,
    outcome: { name: session.outcome.name, rule: session.outcome.rule, description: preset?.description ?? '' },
    request: jsonForView(session.requestJson),
    settings: { ...session.settings },
    analyses: { ...session.analyses },
    timeline: timelineOf(session),
    documents: session.documents.map((document) => ({
      id: document.id,
      documentType: document.documentType,
      reference: documentReferenceOf(document),
      contentType: document.contentType,
      size: document.size,
      uploadedAt: document.uploadedAt,
    })),
    link: session.link && { expiresAt: session.link.expiresAt, usedAt: session.link.usedAt },
    result: sessions.result(session),
  };
}
