// A session's life cycle: create, open the one-time link, add images, analyse, complete, cancel,
// expire; the operations that need the clock, the fixtures and randomness. Every session lives on its
// own key's clock (stamps, deadlines, analyses). Where sessions are kept and evicted is
// session-store.ts; their timed work is session-due-queues.ts, run by the due-work scheduler; the
// outcomes queued per key are outcome-queues.ts.
import { RandomIds } from '../core/ids.js';
import type { Config } from '../config.js';
import { chooseAction } from '../core/actions.js';
import type { KeyClocks } from '../core/clock.js';
import { ApiError } from '../http/error-catalogue.js';
import { issueLink, openOneTimeLink, type LinkOpening, type LinkUse } from '../core/otp.js';
import { applyOutcome } from '../core/outcome.js';
import { outcomeFromRelayState, outranks, selectOutcome } from '../core/outcome-selection.js';
import { seededRandom, type Random } from '../core/random.js';
import { renderResult } from '../core/result.js';
import {
  analysisKeys,
  effectiveSettings,
  SharedSettingValues,
  expireIfDue,
  isFinal,
  NO_DOCUMENTS,
  recordEvent,
  requestedAnalyses,
  resultStateKey,
  changeStatus,
  type AnalysisStatuses,
  type CapturedBy,
  type Flow,
  type OutcomeRule,
  type Session,
  type SessionEvent,
  type StoredDocument,
  type UiRole,
} from '../core/session.js';
import type { AnalysisType, SessionStatus } from '../schemas/common.js';
import type { MerchantSettings, OutcomePreset } from '../schemas/fixtures.js';
import type { SessionResult } from '../schemas/public.js';
import type { Fixtures } from './fixtures.js';
import type { DueWorkKind, DueWorkSource } from './due-work.js';
import type { MerchantRegistry } from './merchants.js';
import { MAX_QUEUED_OUTCOMES, OutcomeQueues } from './outcome-queues.js';
import { SessionDueQueues } from './session-due-queues.js';
import { SessionStore, type KeyRecord } from './session-store.js';

/** A session's status changed (`from` null: it was created). */
export type StatusChange = { session: Session; from: SessionStatus | null; to: SessionStatus };
type Listener = (change: StatusChange) => void;
/** Told the key of a session whose shown state changed (see onUpdate). */
type UpdateListener = (apiKey: string) => void;

const MAX_DOCUMENTS_PER_SESSION = 10;


export interface CreateOptions {
  headerOutcome?: string;
  /** The request body exactly as sent, when there was one (the public routes); otherwise it is serialized. */
  requestText?: string;
}

export class SessionService implements DueWorkSource {
  private readonly store: SessionStore;
  private readonly due: SessionDueQueues;
  wakeUp?: (apiKey: string, at: number) => void;
  ran?: (apiKey: string, kind: DueWorkKind) => void;
  /** Outcomes queued for the next sessions of each key. */
  readonly queues = new OutcomeQueues();
  private readonly listeners = new Set<Listener>();
  private readonly updateListeners = new Set<UpdateListener>();
  private readonly unseeded: Random = Math.random;
  /** Setting values many sessions repeat, kept once (see SharedSettingValues). */
  private readonly sharedSettingValues = new SharedSettingValues();
  /** Session ids, link tokens, cookie secrets and document ids, drawn from a pool of this store's own. */
  private readonly ids = new RandomIds();

  constructor(
    private readonly config: Config,
    readonly fixtures: Fixtures,
    readonly clocks: KeyClocks,
    readonly merchants: MerchantRegistry,
  ) {
    this.store = new SessionStore(config);
    this.due = new SessionDueQueues(this.store);
  }

  get size(): number {
    return this.store.size;
  }

  /** How many API keys have anything kept here (sessions, or a queue): at most MAX_SESSIONS plus the keys with a queue. */
  get keyRecords(): number {
    let count = this.store.recordCount;
    for (const key of this.queues.keys()) if (!this.store.hasRecord(key)) count++;
    return count;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * After anything shown of a session changed (its status, documents, outcome or analysis) or it was
   * removed, with the session's key: what the portal's live pages follow (services/change-feed.ts).
   */
  onUpdate(listener: UpdateListener): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** AUTH_MODE=strict accepts only known keys; `any` gives every other key the default settings. */
  merchantFor(apiKey: string): MerchantSettings | undefined {
    return this.merchants.settingsFor(apiKey);
  }

  /** A preset by name; an unknown name is a 400 listing the valid ones, never a silent fallback. */
  preset(name: string): OutcomePreset {
    const preset = this.fixtures.outcomes.get(name);
    if (!preset) {
      throw new ApiError('INVALID_REQUEST', `Unknown outcome "${name}". Valid outcomes: ${[...this.fixtures.outcomes.keys()].join(', ')}.`);
    }
    return preset;
  }

  private randomFor(apiKey: string, sequence: number, purpose: string): Random {
    return this.config.SEED === undefined ? this.unseeded : seededRandom(`${this.config.SEED}|${apiKey}|${sequence}|${purpose}`);
  }

  create(apiKey: string, flow: Flow, request: Record<string, unknown>, options: CreateOptions = {}): Session {
    const merchant = this.merchantFor(apiKey);
    if (!merchant) throw new ApiError('UNAUTHORIZED', 'The API key is not known to this emulator (AUTH_MODE=strict).');
    const now = this.clocks.now(apiKey);
    const known = this.store.recordOf(apiKey);
    if (known) this.expireOverdue(known, now);
    this.store.makeRoom(known, this.eviction);

    const id = this.ids.uuidV4();
    const settings = effectiveSettings(flow, request, merchant, id, this.sharedSettingValues);
    // Validate every outcome source before anything is stored: a typo must fail loudly.
    const relayOutcome = outcomeFromRelayState(settings.relay_state);
    const queuedOutcome = this.queues.peek(apiKey);
    for (const name of [options.headerOutcome, relayOutcome, queuedOutcome]) if (name !== undefined) this.preset(name);
    const outcome = selectOutcome({
      queued: queuedOutcome,
      header: options.headerOutcome,
      relay_state: relayOutcome,
      merchant_default: merchant.default_outcome,
    });
    if (outcome.rule === 'queued') this.queues.take(apiKey);

    const counter = this.store.recordFor(apiKey, known);

    const usesLink = flow !== 'scanningsession';
    const session: Session = {
      id,
      apiKey: counter.key,
      flow,
      sequence: ++counter.sequence,
      providerFolderId: null,
      analysisId: null,
      status: 'Created',
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      expiresAt: now + this.config.SESSION_TTL,
      requestJson: options.requestText ?? JSON.stringify(request),
      settings,
      chosenAction: null,
      analyses: requestedAnalyses(flow, settings),
      documents: NO_DOCUMENTS,
      link: usesLink ? issueLink(this.ids.token(22), now, this.config.OTP_TTL) : null,
      events: [],
      findings: null,
      analysisDueAt: null,
      outcome,
    };
    this.chooseActionIfNeeded(session);
    this.store.add(session, counter);
    this.due.scheduleExpiry(counter, session);
    this.wakeUp?.(counter.key, session.expiresAt);
    this.emit(session, null, 'Created');
    return session;
  }

  /** A session of this key, or 404 SESSION_NOT_FOUND; another key's session is as unknown as a missing one (no existence leak). */
  getForKey(apiKey: string, id: string): Session {
    const session = this.store.get(id);
    if (!session || session.apiKey !== apiKey) throw new ApiError('SESSION_NOT_FOUND', `No session with id ${JSON.stringify(id)} was found.`);
    this.expireIfDue(session);
    return session;
  }

  /** Any key's session, or undefined: for the browser UI and the control API, which are not scoped by API key. */
  findById(id: string): Session | undefined {
    const session = this.store.get(id);
    if (session) this.expireIfDue(session);
    return session;
  }

  /** The key a held session belongs to, read without touching the session (no expiry check). */
  ownerOf(id: string): string | undefined {
    return this.store.get(id)?.apiKey;
  }

  list(filter: { apiKey?: string; status?: SessionStatus } = {}): Session[] {
    const out: Session[] = [];
    for (const session of this.store.values()) {
      this.expireIfDue(session);
      if (filter.apiKey !== undefined && session.apiKey !== filter.apiKey) continue;
      if (filter.status !== undefined && session.status !== filter.status) continue;
      out.push(session);
    }
    return out;
  }

  delete(id: string): boolean {
    const session = this.store.remove(id);
    if (!session) return false;
    this.updated(session);
    return true;
  }

  /** Forgets every session (or one key's), its queue and its sequence numbers. */
  reset(apiKey?: string): number {
    let removed = 0;
    for (const session of [...this.store.values()]) {
      if (apiKey === undefined || session.apiKey === apiKey) removed += Number(this.delete(session.id));
    }
    if (apiKey === undefined) this.queues.clearAll();
    else this.queues.clear(apiKey);
    this.store.forgetRecords(apiKey);
    return removed;
  }

  /** The result object (checked against SessionResult at startup through a sample render). */
  result(session: Session): SessionResult {
    return JSON.parse(this.resultJson(session)) as SessionResult;
  }

  /** The result object as JSON, rendered again only when the session has changed since the last time. */
  resultJson(session: Session): string {
    const key = resultStateKey(session);
    if (session.renderedResult?.key !== key) {
      session.renderedResult = { key, json: JSON.stringify(renderResult(this.fixtures.resultTemplate, session)) };
    }
    return session.renderedResult.json;
  }

  /** Opens the session's one-time link (core/otp.ts); the first open that uses it up starts the session (Pending). */
  openLink(session: Session, token: string | undefined, cookieSecret: string | undefined, use: LinkUse): LinkOpening {
    if (!session.link) return { ok: false, reason: 'invalid' };
    const opening = openOneTimeLink(session.link, token, cookieSecret, this.clocks.now(session.apiKey), use);
    if (opening.cookieSecret !== undefined && session.status === 'Created') this.changeStatusNow(session, 'Pending', { kind: 'scan_ui_opened' });
    return opening;
  }

  /** Stores an image; `capturedBy` says who sent it (an API client unless the scan UI says which of its browsers). */
  addDocument(session: Session, document: Omit<StoredDocument, 'id' | 'uploadedAt' | 'capturedBy'> & { capturedBy?: CapturedBy }): StoredDocument {
    this.assertOpen(session);
    if (session.documents.length >= MAX_DOCUMENTS_PER_SESSION) {
      throw new ApiError('INVALID_REQUEST', `A session holds at most ${MAX_DOCUMENTS_PER_SESSION} documents.`);
    }
    const stored: StoredDocument = { ...document, capturedBy: document.capturedBy ?? 'api', id: this.ids.uuidV4(), uploadedAt: this.clocks.now(session.apiKey) };
    session.documents = [...session.documents, stored];
    session.updatedAt = stored.uploadedAt;
    if (session.status === 'Created' && session.flow === 'scanningsession') this.changeStatusNow(session, 'ReadyToStart', { kind: 'document_uploaded', documentType: document.documentType });
    this.updated(session);
    return stored;
  }

  /**
   * Starts the analysis. The hosted scan UI (`via: 'scan_ui'`) shows its Analyzing step for the preset's
   * analysis_duration_ms on the clock. The scanning-sessions API (`via: 'api'`) decides it before the
   * start call answers, unless the preset is about time (api_flow_waits): public app clients read the
   * result once, right after starting, and never poll. A preset that never finishes stays Pending either way.
   */
  startAnalysis(session: Session, via: 'api' | 'scan_ui', types?: AnalysisType[] | null): void {
    this.assertOpen(session);
    if (session.analysisDueAt !== null) throw new ApiError('SESSION_STATE', 'The analysis of this session has already started.');
    // Everything is checked against the analyses asked for before the session changes: a refused
    // start leaves it exactly as it was.
    const analysisTypes = types && types.length > 0 ? [...new Set(types)] : null;
    const analyses = analysisTypes ? requestedAnalyses(session.flow, { options: session.settings.options, analysis_types: analysisTypes }) : session.analyses;
    if (session.flow === 'scanningsession') this.assertDocumentsFor(session, analyses);
    if (analysisTypes) {
      session.settings.analysis_types = analysisTypes;
      session.analyses = analyses;
      this.chooseActionIfNeeded(session);
    }
    const preset = this.preset(session.outcome.name);
    const now = this.clocks.now(session.apiKey);
    for (const key of analysisKeys) if (session.analyses[key] === 'Requested') session.analyses[key] = 'Pending';
    const started: SessionEvent = { kind: 'analysis_started', via };
    if (session.status !== 'Pending') this.changeStatusNow(session, 'Pending', started);
    else recordEvent(session, now, started);
    if (!preset.never_finishes) {
      const waits = via === 'scan_ui' || preset.api_flow_waits;
      session.analysisDueAt = now + (waits ? preset.analysis_duration_ms : 0);
      const counter = this.store.recordOf(session.apiKey);
      // An analysis decided at once is finished below, not queued.
      if (counter && session.analysisDueAt > now) {
        this.due.scheduleAnalysis(counter, session, session.analysisDueAt);
        this.wakeUp?.(counter.key, session.analysisDueAt);
      }
    }
    if (session.analysisDueAt !== null && session.analysisDueAt <= now) this.decideAnalysis(session);
    this.updated(session);
  }

  /** Sessions with a liveness analysis get their action fixed once, at creation or when liveness is added. */
  private chooseActionIfNeeded(session: Session): void {
    if (session.chosenAction !== null || session.analyses.liveness === 'NotRequested') return;
    const random = this.randomFor(session.apiKey, session.sequence, 'action');
    session.chosenAction = chooseAction(session.settings.action, session.settings.available_actions, random);
  }

  private assertDocumentsFor(session: Session, analyses: AnalysisStatuses): void {
    const kinds = session.documents.map((d) => d.documentType.toLowerCase());
    const hasSelfie = kinds.includes('selfie');
    const hasIdDocument = kinds.some((k) => k !== 'selfie');
    const problems: string[] = [];
    if (analyses.document !== 'NotRequested' && !hasIdDocument) problems.push('a document analysis needs an uploaded identity document (e.g. documentType=Passport)');
    else if (analyses.fraud !== 'NotRequested' && !hasIdDocument) problems.push('a fraud analysis needs an uploaded identity document (e.g. documentType=Passport)');
    if ((analyses.face_match !== 'NotRequested' || analyses.liveness !== 'NotRequested') && !hasSelfie) {
      problems.push('selfie and liveness analyses need an uploaded documentType=Selfie image');
    }
    if (problems.length > 0) throw new ApiError('INVALID_REQUEST', `Cannot start the analysis: ${problems.join('; ')}.`);
  }

  /** Arms an outcome for one session (highest precedence), or records the tester panel's choice. */
  chooseOutcome(session: Session, name: string, rule: Extract<OutcomeRule, 'armed' | 'tester_panel'>): boolean {
    this.preset(name);
    if (!outranks(rule, session.outcome.rule)) return false;
    session.outcome = { name, rule };
    this.updated(session);
    return true;
  }

  /** Appends to the key's queue: every name must be a preset, and the queue holds at most MAX_QUEUED_OUTCOMES. */
  queueOutcomes(apiKey: string, names: string[]): string[] {
    names.forEach((name) => this.preset(name));
    const queued = this.queues.add(apiKey, names);
    if (!queued) {
      const held = this.queues.list(apiKey).length;
      throw new ApiError('INVALID_REQUEST', `A key's queue holds at most ${MAX_QUEUED_OUTCOMES} outcomes; this one holds ${held}, so ${names.length} more do not fit.`);
    }
    return queued;
  }

  queuedFor(apiKey: string): string[] {
    return this.queues.list(apiKey);
  }

  /** Ends a session now with its outcome (or the one given), without a browser. */
  complete(session: Session, outcomeName?: string): void {
    this.assertOpen(session);
    if (outcomeName) {
      this.preset(outcomeName);
      session.outcome = { name: outcomeName, rule: 'armed' };
    }
    for (const key of analysisKeys) if (session.analyses[key] === 'Requested') session.analyses[key] = 'Pending';
    if (session.status !== 'Pending') this.changeStatusNow(session, 'Pending', { kind: 'completed_by_control_api' });
    this.endWithOutcome(session);
  }

  /** The person cancelled in the scan UI, on `device`: the session ends the way the user_cancelled preset says (Cancelled without one). */
  cancel(session: Session, device: UiRole): void {
    this.assertOpen(session);
    const preset = this.fixtures.outcomes.get('user_cancelled');
    const from = session.status;
    const now = this.clocks.now(session.apiKey);
    const cancelled: SessionEvent = { kind: 'cancelled', by: 'user', device };
    if (preset) applyOutcome(session, preset, this.unseeded, this.fixtures.pools, now, this.fixtures.wire.scan_ui.document_type, cancelled);
    else changeStatus(session, 'Cancelled', now, cancelled);
    this.afterStatusChange(session, from);
  }

  // ---- due work (see DueWorkScheduler), per key, on the key's clock ----

  nextDueAt(apiKey: string): number | null {
    return this.due.nextDueAt(this.store.recordOf(apiKey));
  }

  /** Decides the key's analyses and times out its sessions due at `now` (the key's time), in the order they fell due. */
  runDue(apiKey: string, now: number): void {
    for (let work = this.due.takeNextDue(this.store.recordOf(apiKey), now); work; work = this.due.takeNextDue(this.store.recordOf(apiKey), now)) {
      if (work.kind === 'expiry') {
        this.expireIfDue(work.session);
        continue;
      }
      this.decideAnalysis(work.session);
      if (isFinal(work.session.status)) this.ran?.(work.session.apiKey, 'analyses_decided');
    }
  }

  /** Analyses and timeouts run synchronously: nothing is ever left running. */
  settled(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Timeouts only: before a create makes room, so that the key's sessions past their deadline count as finished. */
  private expireOverdue(record: KeyRecord, now: number): void {
    for (let session = this.due.takeNextOverdue(record, now); session; session = this.due.takeNextOverdue(record, now)) this.expireIfDue(session);
  }

  /** How the store's eviction removes a session and times out a key's overdue ones. */
  private readonly eviction = {
    remove: (id: string) => void this.delete(id),
    expireOverdue: (record: KeyRecord) => this.expireOverdue(record, this.clocks.now(record.key)),
  };

  /** The analysis is due: the session ends with its outcome, unless the preset never finishes. */
  private decideAnalysis(session: Session): void {
    const preset = this.preset(session.outcome.name);
    if (!preset.never_finishes) this.endWithOutcome(session);
  }

  /** Ends the session with its outcome now; a preset that never finishes ends it as Timeout. */
  private endWithOutcome(session: Session): void {
    const preset = this.preset(session.outcome.name);
    const from = session.status;
    const random = this.randomFor(session.apiKey, session.sequence, 'identity');
    applyOutcome(session, preset.never_finishes ? { ...preset, session_status: 'Timeout' } : preset, random, this.fixtures.pools, this.clocks.now(session.apiKey), this.fixtures.wire.scan_ui.document_type);
    this.afterStatusChange(session, from);
  }

  private expireIfDue(session: Session): void {
    const from = session.status;
    if (expireIfDue(session, this.clocks.now(session.apiKey))) {
      this.ran?.(session.apiKey, 'sessions_timed_out');
      session.findings = { identity: null, document: null, failedFields: [], scores: {}, reason: 'SessionTimeout', errors: [], redirect: 'target_error' };
      this.afterStatusChange(session, from);
    }
  }

  /** Changes the status at the key's current time, and tells whoever listens. */
  private changeStatusNow(session: Session, to: SessionStatus, event: SessionEvent): void {
    const from = session.status;
    changeStatus(session, to, this.clocks.now(session.apiKey), event);
    this.afterStatusChange(session, from);
  }

  /** After any status change: a finished session enters the eviction order, and listeners are told. */
  private afterStatusChange(session: Session, from: SessionStatus): void {
    if (isFinal(session.status)) this.store.markFinished(session);
    this.emit(session, from, session.status);
  }

  private assertOpen(session: Session): void {
    if (isFinal(session.status)) throw new ApiError('SESSION_STATE', `The session is already ${session.status}.`);
  }

  private emit(session: Session, from: SessionStatus | null, to: SessionStatus): void {
    for (const listener of this.listeners) listener({ session, from, to });
    this.updated(session);
  }

  private updated(session: Session): void {
    for (const listener of this.updateListeners) listener(session.apiKey);
  }
}
