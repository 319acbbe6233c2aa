// The session: what was asked for, its life cycle, and the rules for moving between statuses.
import { customAlphabet } from 'nanoid';
import { uuidV4 } from './ids.js';
import type { ActionChoice, AnalysisStatus, AnalysisType, DocumentOption, LivenessAction, SessionStatus } from '../schemas/common.js';
import type { MerchantSettings } from '../schemas/fixtures.js';
import { ApiError } from './errors.js';
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

export interface AnalysisStatuses {
  document: AnalysisStatus;
  liveness: AnalysisStatus;
  face_match: AnalysisStatus;
  /** Document fraud (forgery) detection: analysis type `fraud`, checked on the identity document. */
  fraud: AnalysisStatus;
}

/** Every analysis a session can run, in the order results and pages list them. */
export const analysisKeys = ['document', 'liveness', 'face_match', 'fraud'] as const satisfies readonly (keyof AnalysisStatuses)[];

export interface StoredDocument {
  id: string;
  documentType: string;
  reference: string | null;
  contentType: string;
  size: number;
  uploadedAt: number;
  bytes: Buffer;
}

export interface TimelineEntry {
  at: number;
  status: SessionStatus;
  event: string;
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
  events: TimelineEntry[];
  findings: SessionFindings | null;
  /** Analysis running: the instant it will be decided. */
  analysisDueAt: number | null;
  /** The outcome preset this session will end with, and the selection rule that chose it. */
  outcome: OutcomeChoice;
  /** The last rendered result JSON and the state it was rendered from (see resultStateKey). */
  renderedResult?: { key: string; json: string };
}

export const NO_DOCUMENTS: readonly StoredDocument[] = Object.freeze([]);

export function recordEvent(session: Session, entry: TimelineEntry): void {
  session.events.push(entry);
}

/** The session's timeline: its creation, then every event. */
export function timelineOf(session: Session): TimelineEntry[] {
  return [{ at: session.createdAt, status: 'Created', event: 'session created' }, ...session.events];
}

const folderIdOf = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16);

export function analysisIdOf(session: Session): string {
  return (session.analysisId ??= uuidV4());
}

export function providerFolderIdOf(session: Session): string {
  return (session.providerFolderId ??= folderIdOf());
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

export const finalStatuses: ReadonlySet<SessionStatus> = new Set(['Accepted', 'Declined', 'Failed', 'Cancelled', 'Timeout']);

export function isFinal(status: SessionStatus): boolean {
  return finalStatuses.has(status);
}

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

/** Moves the session to `to`, recording it on the timeline; an illegal move is a 409 SESSION_STATE. */
export function transition(session: Session, to: SessionStatus, now: number, event: string): void {
  if (!canTransition(session.status, to)) {
    throw new ApiError('SESSION_STATE', `The session is ${session.status} and cannot become ${to}.`);
  }
  session.status = to;
  session.updatedAt = now;
  recordEvent(session, { at: now, status: to, event });
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
 * action list, its CSS) are kept once and shared by the sessions that carry them, instead of once per
 * session. Bounded: cleared when full, so values that never repeat cost nothing lasting.
 */
const sharedValues = new Map<string, string>();
const sharedLists = new Map<string, readonly string[]>();
const SHARED_MAX = 512;

function shared(value: string): string;
function shared(value: string | undefined): string | undefined;
function shared(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const known = sharedValues.get(value);
  if (known !== undefined) return known;
  if (sharedValues.size >= SHARED_MAX) sharedValues.clear();
  sharedValues.set(value, value);
  return value;
}

function sharedList<T extends string>(values: T[] | undefined): T[] | undefined {
  if (values === undefined) return undefined;
  const key = JSON.stringify(values);
  const known = sharedLists.get(key);
  if (known !== undefined) return known as T[];
  if (sharedLists.size >= SHARED_MAX) sharedLists.clear();
  const kept = Object.freeze(values.map(shared)) as T[];
  sharedLists.set(key, kept);
  return kept;
}

/** A list without repeats (a .NET list binding takes `["document", "document"]` as it comes; it asks for one analysis). */
function distinct<T>(values: T[] | undefined): T[] | undefined {
  if (values === undefined || values.length < 2) return values;
  const unique = new Set(values);
  return unique.size === values.length ? values : [...unique];
}

/** The merchant's list followed by the request's, without a copy when either is empty. */
function joinLists<T extends string>(first: T[], second: T[] | undefined): T[] {
  if (!second) return first.length === 0 ? NONE : first;
  return first.length === 0 ? second : sharedList([...first, ...second])!;
}

/** Merges the request's values over the merchant's settings; an empty string counts as not given. */
export function effectiveSettings(
  flow: Flow,
  request: Partial<Record<keyof EffectiveSettings | 'doc', unknown>>,
  merchant: MerchantSettings,
  sessionId: string,
): EffectiveSettings {
  const doc = (request.doc ?? {}) as { ignore_errors_in_fields?: string[] | null };
  return {
    relay_state: text(request.relay_state) ?? sessionId,
    target: shared(text(request.target)) ?? '',
    target_error: shared(text(request.target_error)) ?? '',
    cancel_url: shared(text(request.cancel_url)) ?? '',
    webhook: shared(text(request.webhook)) ?? merchant.webhook,
    options: (request.options as DocumentOption | undefined) ?? merchant.options,
    action: (request.action as ActionChoice | undefined) ?? 'Random',
    available_actions: sharedList(list<LivenessAction>(request.available_actions)) ?? merchant.available_actions,
    analysis_types: flow === 'liveness' ? NONE : (sharedList(distinct(list<AnalysisType>(request.analysis_types))) ?? DOCUMENT_ONLY),
    css: joinLists(merchant.css, sharedList(list<string>(request.css))),
    locale: shared(text(request.locale)) ?? merchant.locale,
    ignore_errors_in_fields: sharedList(list<string>(doc.ignore_errors_in_fields)) ?? NONE,
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
  transition(session, 'Timeout', Math.max(session.expiresAt, session.updatedAt), 'session timed out');
  return true;
}
