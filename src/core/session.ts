// The session: what was asked for, its life cycle, and the rules for moving between statuses.
import { LOWERCASE_ALPHANUMERIC, randomToken, uuidV4 } from './ids.js';
import { isFinal, type ActionChoice, type AnalysisStatus, type AnalysisType, type DocumentOption, type LivenessAction, type SessionStatus } from './vocabulary.js';
import { DomainError } from './domain-errors.js';
import type { DocumentFields, Identity } from './identity.js';

export type Flow = 'liveness' | 'scanning' | 'scanningsession';

/** What the session will do, after the request's values were merged over the merchant's settings. */
export interface EffectiveSettings {
  relay_state: string;
  target: string;
  target_error: string;
  cancel_url: string;
  webhook: string;
  options: DocumentOption;
  action: ActionChoice;
  available_actions: LivenessAction[];
  analysis_types: AnalysisType[];
  css: string[];
  locale: string;
  ignore_errors_in_fields: string[];
  mobile_flow: boolean;
}

/** What a session takes from its merchant's settings when the request does not say. */
export type MerchantDefaults = Pick<EffectiveSettings, 'webhook' | 'options' | 'available_actions' | 'css' | 'locale' | 'mobile_flow'>;

export interface AnalysisStatuses {
  document: AnalysisStatus;
  liveness: AnalysisStatus;
  face_match: AnalysisStatus;
  /** Document fraud (forgery) detection: analysis type `fraud`, checked on the identity document. */
  fraud: AnalysisStatus;
}

/** Every analysis a session can run, in the order results and pages list them. */
export const analysisKeys = ['document', 'liveness', 'face_match', 'fraud'] as const satisfies readonly (keyof AnalysisStatuses)[];

/** Which browser of the hosted scan UI a request comes from: the desktop that opened redirect_url, or the phone that opened the mobile link. */
export type UiRole = 'desktop' | 'mobile';

/** Who sent an image: an API client (the scanning-sessions upload), or the hosted scan UI in one of its browsers. */
export type CapturedBy = 'api' | UiRole;

export interface StoredDocument {
  id: string;
  documentType: string;
  /** The caller's reference (scanning-sessions uploads); null when none was given, and for the scan UI's images. */
  reference: string | null;
  capturedBy: CapturedBy;
  contentType: string;
  size: number;
  uploadedAt: number;
  bytes: Buffer;
}

/** What happened to a session after its creation, as data; every view reads these, none parses the words. */
export type SessionEvent =
  | { readonly kind: 'scan_ui_opened' }
  | { readonly kind: 'document_uploaded'; readonly documentType: string }
  | { readonly kind: 'analysis_started'; readonly via: 'api' | 'scan_ui' }
  | { readonly kind: 'completed_by_control_api' }
  | { readonly kind: 'analysis_finished'; readonly outcome: string }
  | { readonly kind: 'cancelled'; readonly by: 'user'; readonly device: UiRole }
  | { readonly kind: 'timed_out' };

/** An event as the session keeps it: when, and the status the session had after it. */
export type RecordedEvent = { readonly at: number; readonly status: SessionStatus } & SessionEvent;

/** A line of the timeline the control API and the portal show (its words are the control API's contract). */
export interface TimelineEntry {
  at: number;
  status: SessionStatus;
  event: string;
}

/** The words of the events that take no detail, as the timelines show them. */
export const eventWords = {
  scan_ui_opened: 'scan UI opened',
  analysis_started: 'analysis started',
  completed_by_control_api: 'completed through the control API',
  cancelled: 'cancelled by the user',
  timed_out: 'session timed out',
} as const;

/** An event in words, as on the timelines. */
export function describeEvent(event: SessionEvent): string {
  switch (event.kind) {
    case 'document_uploaded':
      return `document uploaded: ${event.documentType}`;
    case 'analysis_finished':
      return `analysis finished: ${event.outcome}`;
    default:
      return eventWords[event.kind];
  }
}

export interface OneTimeLink {
  token: string;
  expiresAt: number;
  usedAt: number | null;
  /** Secret put in the browser's cookie when the link is exchanged; reloads present it instead of the token. */
  cookieSecret: string | null;
}

export interface SessionFindings {
  identity: Identity | null;
  document: DocumentFields | null;
  failedFields: string[];
  scores: { document?: number; liveness?: number; face_match?: number; fraud?: number };
  reason: string | null;
  errors: { code: string; description: string }[];
  redirect: 'target' | 'target_error' | 'cancel_url';
}

export interface Session {
  id: string;
  apiKey: string;
  flow: Flow;
  /** Per-key ordinal, used to derive repeatable data under SEED. */
  sequence: number;
  /** Made on first use (most sessions are never read through the scanning-sessions paths): see providerFolderIdOf. */
  providerFolderId: string | null;
  /** Made on first use: see analysisIdOf. */
  analysisId: string | null;
  status: SessionStatus;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** When an unfinished session turns into Timeout. */
  expiresAt: number;
  /** The request body as received (after validation), kept as JSON text: one string instead of an object tree per session. */
  requestJson: string;
  settings: EffectiveSettings;
  chosenAction: LivenessAction | null;
  analyses: AnalysisStatuses;
  /** Uploaded images, oldest first; replaced (never changed in place) when one is added. */
  documents: readonly StoredDocument[];
  link: OneTimeLink | null;
  /** What happened after creation, oldest first (timelineOf adds the creation itself). */
  events: RecordedEvent[];
  findings: SessionFindings | null;
  /** Analysis running: the instant it will be decided. */
  analysisDueAt: number | null;
  /** The outcome preset this session will end with, and the selection rule that chose it. */
  outcome: OutcomeChoice;
  /** The last rendered result JSON and the state it was rendered from (see resultStateKey). */
  renderedResult?: { key: string; json: string };
}

export const NO_DOCUMENTS: readonly StoredDocument[] = Object.freeze([]);

export function recordEvent(session: Session, at: number, event: SessionEvent): void {
  session.events.push({ at, status: session.status, ...event });
}

/** The session's timeline: its creation, then every event, in words. */
export function timelineOf(session: Session): TimelineEntry[] {
  return [{ at: session.createdAt, status: 'Created', event: 'session created' }, ...session.events.map((entry) => ({ at: entry.at, status: entry.status, event: describeEvent(entry) }))];
}

/** When the analysis started (the scan UI's Analyzing step, or the API's start call); null before. */
export function analysisStartedAt(session: Session): number | null {
  return session.events.find((entry) => entry.kind === 'analysis_started')?.at ?? null;
}

/** Whether the session is in its analysis: started and not yet decided. */
export function isAnalyzing(session: Session): boolean {
  return !isFinal(session.status) && (session.analysisDueAt !== null || analysisStartedAt(session) !== null);
}

/** How the control API and the portal label an image: the caller's reference, or which scan UI browser captured it. */
export function documentReferenceOf(document: Pick<StoredDocument, 'reference' | 'capturedBy'>): string | null {
  return document.capturedBy === 'api' ? document.reference : `scan-ui:${document.capturedBy}`;
}


export function analysisIdOf(session: Session): string {
  return (session.analysisId ??= uuidV4());
}

export function providerFolderIdOf(session: Session): string {
  return (session.providerFolderId ??= randomToken(16, LOWERCASE_ALPHANUMERIC));
}

/** Everything the result object depends on that can change after creation. */
export function resultStateKey(session: Session): string {
  const a = session.analyses;
  return `${session.status}|${session.updatedAt}|${session.documents.length}|${a.document}|${a.liveness}|${a.face_match}|${a.fraud}|${session.chosenAction}`;
}

export const outcomeRules = ['armed', 'queued', 'header', 'relay_state', 'tester_panel', 'merchant_default', 'default'] as const;
export type OutcomeRule = (typeof outcomeRules)[number];
export interface OutcomeChoice {
  readonly name: string;
  readonly rule: OutcomeRule;
}

export { isFinal };

const allowedTransitions: Record<SessionStatus, readonly SessionStatus[]> = {
  Created: ['ReadyToStart', 'Pending', 'Cancelled', 'Failed', 'Timeout'],
  ReadyToStart: ['Pending', 'Cancelled', 'Failed', 'Timeout'],
  Pending: ['Accepted', 'Declined', 'Failed', 'Cancelled', 'Timeout'],
  Accepted: [],
  Declined: [],
  Failed: [],
  Cancelled: [],
  Timeout: [],
};

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return allowedTransitions[from].includes(to);
}

/** Moves the session to `to`, recording it on the timeline; an illegal move is a DomainError `illegal-transition`. */
export function changeStatus(session: Session, to: SessionStatus, now: number, event: SessionEvent): void {
  if (!canTransition(session.status, to)) {
    throw new DomainError('illegal-transition', `The session is ${session.status} and cannot become ${to}.`);
  }
  session.status = to;
  session.updatedAt = now;
  recordEvent(session, now, event);
  if (isFinal(to)) {
    session.finishedAt = now;
    session.analysisDueAt = null;
    // Analyses still open when the session ends are closed the way the session ended.
    const closing: AnalysisStatus = to === 'Cancelled' || to === 'Timeout' ? 'Cancelled' : to === 'Failed' ? 'Failed' : 'Pending';
    for (const key of Object.keys(session.analyses) as (keyof AnalysisStatuses)[]) {
      const status = session.analyses[key];
      if ((status === 'Requested' || status === 'Pending') && closing !== 'Pending') session.analyses[key] = closing;
    }
  }
}

/**
 * Which analyses a session runs: the liveness flow per `options` (it has no `analysis_types`, so no
 * fraud analysis), the others per `analysis_types`.
 */
const requested = (on: boolean): AnalysisStatus => (on ? 'Requested' : 'NotRequested');

export function requestedAnalyses(flow: Flow, settings: Pick<EffectiveSettings, 'options' | 'analysis_types'>): AnalysisStatuses {
  if (flow === 'liveness') {
    const withDocument = settings.options !== 'NoDocument';
    return { document: requested(withDocument), liveness: 'Requested', face_match: requested(withDocument), fraud: 'NotRequested' };
  }
  const types = new Set(settings.analysis_types);
  return {
    document: requested(types.has('document')),
    liveness: requested(types.has('liveness')),
    face_match: requested(types.has('selfie')),
    fraud: requested(types.has('fraud')),
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const list = <T>(value: unknown): T[] | undefined => (Array.isArray(value) && value.length > 0 ? (value as T[]) : undefined);
/** One frozen empty list shared by every session that has none: settings lists are never changed in place. */
const NONE: never[] = Object.freeze([]) as never[];
const DOCUMENT_ONLY: AnalysisType[] = Object.freeze(['document']) as AnalysisType[];

/**
 * Settings an integration sends with every session (its target, error, cancel and webhook URLs, its
 * action list, its CSS), kept once and shared by the sessions that carry them instead of once per
 * session. Owned by the session store (one per app), so apps in one process share nothing. Bounded:
 * cleared when full, so values that never repeat cost nothing lasting.
 */
const SHARED_MAX = 512;

export class SharedSettingValues {
  private readonly values = new Map<string, string>();
  private readonly lists = new Map<string, readonly string[]>();

  /** The kept copy of `value` (the first one seen), or `value`, now kept. */
  value(value: string): string;
  value(value: string | undefined): string | undefined;
  value(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const known = this.values.get(value);
    if (known !== undefined) return known;
    if (this.values.size >= SHARED_MAX) this.values.clear();
    this.values.set(value, value);
    return value;
  }

  /** The kept, frozen copy of a list with the same items, or a frozen copy of `values`, now kept. */
  list<T extends string>(values: T[] | undefined): T[] | undefined {
    if (values === undefined) return undefined;
    const key = JSON.stringify(values);
    const known = this.lists.get(key);
    if (known !== undefined) return known as T[];
    if (this.lists.size >= SHARED_MAX) this.lists.clear();
    const kept = Object.freeze(values.map((value) => this.value(value))) as T[];
    this.lists.set(key, kept);
    return kept;
  }
}

/** A list without repeats (a .NET list binding takes `["document", "document"]` as it comes; it asks for one analysis). */
function distinct<T>(values: T[] | undefined): T[] | undefined {
  if (values === undefined || values.length < 2) return values;
  const unique = new Set(values);
  return unique.size === values.length ? values : [...unique];
}

/** The merchant's list followed by the request's, without a copy when either is empty. */
function joinLists<T extends string>(first: T[], second: T[] | undefined, shared: SharedSettingValues): T[] {
  if (!second) return first.length === 0 ? NONE : first;
  return first.length === 0 ? second : shared.list([...first, ...second])!;
}

/**
 * Merges the request's values over the merchant's settings; an empty string counts as not given.
 * Values and lists seen before are taken from `shared` (the session store's), so repeats cost nothing.
 */
export function effectiveSettings(
  flow: Flow,
  request: Partial<Record<keyof EffectiveSettings | 'doc', unknown>>,
  merchant: MerchantDefaults,
  sessionId: string,
  shared: SharedSettingValues = new SharedSettingValues(),
): EffectiveSettings {
  const doc = (request.doc ?? {}) as { ignore_errors_in_fields?: string[] | null };
  return {
    relay_state: text(request.relay_state) ?? sessionId,
    target: shared.value(text(request.target)) ?? '',
    target_error: shared.value(text(request.target_error)) ?? '',
    cancel_url: shared.value(text(request.cancel_url)) ?? '',
    webhook: shared.value(text(request.webhook)) ?? merchant.webhook,
    options: (request.options as DocumentOption | undefined) ?? merchant.options,
    action: (request.action as ActionChoice | undefined) ?? 'Random',
    available_actions: shared.list(list<LivenessAction>(request.available_actions)) ?? merchant.available_actions,
    analysis_types: flow === 'liveness' ? NONE : (shared.list(distinct(list<AnalysisType>(request.analysis_types))) ?? DOCUMENT_ONLY),
    css: joinLists(merchant.css, shared.list(list<string>(request.css)), shared),
    locale: shared.value(text(request.locale)) ?? merchant.locale,
    ignore_errors_in_fields: shared.list(list<string>(doc.ignore_errors_in_fields)) ?? NONE,
    mobile_flow: merchant.mobile_flow,
  };
}

/**
 * Turns a session past its deadline into Timeout, stamped at the deadline: when the clock jumped or
 * nobody looked for a while, the result still says when the session actually ran out (never before
 * its last change, so the timeline stays in order). Returns true when it changed.
 */
export function expireIfDue(session: Session, now: number): boolean {
  if (isFinal(session.status) || now < session.expiresAt) return false;
  changeStatus(session, 'Timeout', Math.max(session.expiresAt, session.updatedAt), { kind: 'timed_out' });
  return true;
}
