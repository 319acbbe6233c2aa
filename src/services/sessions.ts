// Holds every session in memory, per API key, and runs the operations that need the clock,
// the fixtures and randomness: create, open the one-time link, analyse, complete, cancel, expire.
// Every session lives on its own key's clock (stamps, deadlines, analyses); its timed work (analyses
// decided, sessions timed out) is kept per key and run by the due-work scheduler.
import { randomBytes, randomUUID } from 'node:crypto';
import FlatQueue from 'flatqueue';
import { urlSafeToken, uuidV4 } from '../core/ids.js';
import type { Config } from '../config.js';
import { chooseAction } from '../core/actions.js';
import type { KeyClocks } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { checkLink, issueLink, markLinkUsed, type LinkCheck } from '../core/otp.js';
import { applyOutcome } from '../core/outcome.js';
import { outcomeFromRelayState, outranks, selectOutcome } from '../core/outcome-selection.js';
import { seededRandom, type Random } from '../core/random.js';
import { renderResult } from '../core/result.js';
import {
  analysisKeys,
  effectiveSettings,
  expireIfDue,
  isFinal,
  NO_DOCUMENTS,
  recordEvent,
  requestedAnalyses,
  resultStateKey,
  transition,
  type AnalysisStatuses,
  type Flow,
  type OutcomeRule,
  type Session,
  type StoredDocument,
} from '../core/session.js';
import type { AnalysisType, SessionStatus } from '../schemas/common.js';
import type { MerchantSettings, OutcomePreset } from '../schemas/fixtures.js';
import type { SessionResult } from '../schemas/public.js';
import type { Fixtures } from './fixtures.js';
import type { DueWorkKind, DueWorkSource } from './due-work.js';
import type { MerchantRegistry } from './merchants.js';
import { MAX_QUEUED_OUTCOMES, OutcomeQueues } from './outcome-queues.js';

export type SessionEvent = { session: Session; from: SessionStatus | null; to: SessionStatus };
type Listener = (event: SessionEvent) => void;
/** Told the key of a session whose shown state changed (see onUpdate). */
type UpdateListener = (apiKey: string) => void;

const MAX_DOCUMENTS_PER_SESSION = 10;


export interface CreateOptions {
  headerOutcome?: string;
  /** The request body exactly as sent, when there was one (the public routes); otherwise it is serialized. */
  requestText?: string;
}

/**
 * A key's timed work, on the key's clock: unfinished sessions by deadline (expiresAt) and running
 * analyses by the instant they are decided (analysisDueAt). Entries of sessions that ended, were
 * deleted or rescheduled are skipped when met.
 */
interface KeyDueQueues {
  expiries: FlatQueue<string>;
  analyses: FlatQueue<string>;
}

/**
 * Per API key: the key as first seen, shared by all its sessions (one string, not one per request),
 * its last session ordinal, how many sessions it holds and which of them are finished (oldest
 * finished first: its eviction order past MAX_SESSIONS_PER_KEY), and its timed work (made on first
 * use, dropped when it runs dry). Kept while the key holds a session: a key that holds none is as
 * new, so keys that come and go (AUTH_MODE=any) leave nothing behind.
 */
interface KeyCounter {
  readonly key: string;
  sequence: number;
  held: number;
  readonly finished: Set<string>;
  due: KeyDueQueues | undefined;
}

/** Past this many stale entries (sessions that finished before their deadline), a due queue is rebuilt. */
const STALE_ENTRIES_ALLOWED = 1024;

const analysisDueAtOf = (session: Session) => session.analysisDueAt;
const expiresAtOf = (session: Session) => session.expiresAt;

export class SessionService implements DueWorkSource {
  private readonly sessions = new Map<string, Session>();
  /** Finished session ids, oldest finished first: the eviction order past MAX_SESSIONS. */
  private readonly finished = new Set<string>();
  private readonly sequences = new Map<string, KeyCounter>();
  wakeUp?: (apiKey: string, at: number) => void;
  ran?: (apiKey: string, kind: DueWorkKind) => void;
  /** Outcomes queued for the next sessions of each key. */
  readonly queues = new OutcomeQueues();
  private readonly listeners = new Set<Listener>();
  private readonly updateListeners = new Set<UpdateListener>();
  private readonly unseeded: Random = Math.random;

  constructor(
    private readonly config: Config,
    readonly fixtures: Fixtures,
    readonly clocks: KeyClocks,
    readonly merchants: MerchantRegistry,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** How many API keys have anything kept here (sessions, or a queue): at most MAX_SESSIONS plus the keys with a queue. */
  get keyRecords(): number {
    let count = this.sequences.size;
    for (const key of this.queues.keys()) if (!this.sequences.has(key)) count++;
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
    const known = this.sequences.get(apiKey);
    if (known) this.expireDue(known, now);
    this.makeRoom(known);

    const id = uuidV4();
    const settings = effectiveSettings(flow, request, merchant, id);
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

    // Making room may have taken the key's last session (and so its record): its numbering goes on.
    let counter = known ?? this.sequences.get(apiKey);
    if (!counter) counter = { key: apiKey, sequence: 0, held: 0, finished: new Set(), due: undefined };
    if (!this.sequences.has(counter.key)) this.sequences.set(counter.key, counter);

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
      link: usesLink ? issueLink(urlSafeToken(22), now, this.config.OTP_TTL) : null,
      events: [],
      findings: null,
      analysisDueAt: null,
      outcome,
    };
    this.chooseActionIfNeeded(session);
    this.sessions.set(id, session);
    counter.held++;
    const due = this.dueQueuesOf(counter);
    due.expiries.push(id, session.expiresAt);
    if (due.expiries.length > 2 * (counter.held - counter.finished.size) + STALE_ENTRIES_ALLOWED) this.rebuildDueQueues(counter);
    this.wakeUp?.(counter.key, session.expiresAt);
    this.emit(session, null, 'Created');
    return session;
  }

  /** A session of this key; another key's session is as unknown as a missing one (no existence leak). */
  find(apiKey: string, id: string): Session {
    const session = this.sessions.get(id);
    if (!session || session.apiKey !== apiKey) throw new ApiError('SESSION_NOT_FOUND', `No session with id ${JSON.stringify(id)} was found.`);
    this.expireIfDue(session);
    return session;
  }

  /** The API key that owns a session, without looking at its deadline. */
  keyOf(id: string): string | undefined {
    return this.sessions.get(id)?.apiKey;
  }

  /** For the browser UI and the control API, which are not scoped by API key. */
  findAny(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (session) this.expireIfDue(session);
    return session;
  }

  /** The key a held session belongs to, read without touching the session (no expiry check). */
  ownerOf(id: string): string | undefined {
    return this.sessions.get(id)?.apiKey;
  }

  list(filter: { apiKey?: string; status?: SessionStatus } = {}): Session[] {
    const out: Session[] = [];
    for (const session of this.sessions.values()) {
      this.expireIfDue(session);
      if (filter.apiKey !== undefined && session.apiKey !== filter.apiKey) continue;
      if (filter.status !== undefined && session.status !== filter.status) continue;
      out.push(session);
    }
    return out;
  }

  delete(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    const counter = this.sequences.get(session.apiKey);
    if (counter) {
      counter.held--;
      counter.finished.delete(id);
      if (counter.held === 0) this.sequences.delete(counter.key);
    }
    this.finished.delete(id);
    this.sessions.delete(id);
    this.updated(session);
    return true;
  }

  /** Forgets every session (or one key's), its queue and its sequence numbers. */
  reset(apiKey?: string): number {
    let removed = 0;
    for (const session of [...this.sessions.values()]) {
      if (apiKey === undefined || session.apiKey === apiKey) removed += Number(this.delete(session.id));
    }
    if (apiKey === undefined) {
      this.queues.clearAll();
      this.sequences.clear();
    } else {
      this.queues.clear(apiKey);
      this.sequences.delete(apiKey);
    }
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

  /** The first open of the one-time link exchanges it for a cookie secret; later opens need that cookie. */
  /** Checks the link; with `consume` (every method but HEAD) a valid token is also used up and swapped for a cookie secret. */
  openLink(session: Session, token: string | undefined, cookieSecret: string | undefined, consume = true): LinkCheck & { cookieSecret?: string } {
    if (!session.link) return { ok: false, reason: 'invalid' };
    const now = this.clocks.now(session.apiKey);
    const check = checkLink(session.link, token, cookieSecret, now);
    if (!check.ok || !check.exchange || !consume) return check;
    const secret = randomBytes(24).toString('base64url');
    markLinkUsed(session.link, secret, now);
    if (session.status === 'Created') this.move(session, 'Pending', 'scan UI opened');
    return { ...check, cookieSecret: secret };
  }

  addDocument(session: Session, document: Omit<StoredDocument, 'id' | 'uploadedAt'>): StoredDocument {
    this.assertOpen(session);
    if (session.documents.length >= MAX_DOCUMENTS_PER_SESSION) {
      throw new ApiError('INVALID_REQUEST', `A session holds at most ${MAX_DOCUMENTS_PER_SESSION} documents.`);
    }
    const stored: StoredDocument = { ...document, id: randomUUID(), uploadedAt: this.clocks.now(session.apiKey) };
    session.documents = [...session.documents, stored];
    session.updatedAt = stored.uploadedAt;
    if (session.status === 'Created' && session.flow === 'scanningsession') this.move(session, 'ReadyToStart', `document uploaded: ${document.documentType}`);
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
    if (session.status !== 'Pending') this.move(session, 'Pending', 'analysis started');
    else recordEvent(session, { at: now, status: 'Pending', event: 'analysis started' });
    if (!preset.never_finishes) {
      const waits = via === 'scan_ui' || preset.api_flow_waits;
      session.analysisDueAt = now + (waits ? preset.analysis_duration_ms : 0);
      const counter = this.sequences.get(session.apiKey);
      // An analysis decided at once is finished below, not queued.
      if (counter && session.analysisDueAt > now) {
        this.dueQueuesOf(counter).analyses.push(session.id, session.analysisDueAt);
        this.wakeUp?.(counter.key, session.analysisDueAt);
      }
    }
    if (session.analysisDueAt !== null && session.analysisDueAt <= now) this.finish(session);
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
    if (session.status !== 'Pending') this.move(session, 'Pending', 'completed through the control API');
    this.finish(session, true);
  }

  cancel(session: Session, event = 'cancelled by the user'): void {
    this.assertOpen(session);
    const preset = this.fixtures.outcomes.get('user_cancelled');
    const from = session.status;
    const now = this.clocks.now(session.apiKey);
    if (preset) applyOutcome(session, preset, this.unseeded, this.fixtures.pools, now, this.fixtures.wire.scan_ui.document_type);
    else transition(session, 'Cancelled', now, event);
    session.events[session.events.length - 1].event = event;
    this.settle(session, from);
  }

  // ---- due work (see DueWorkScheduler), per key, on the key's clock ----

  private dueQueuesOf(counter: KeyCounter): KeyDueQueues {
    counter.due ??= { expiries: new FlatQueue<string>(), analyses: new FlatQueue<string>() };
    return counter.due;
  }

  /** The session a queue entry stands for, or undefined when the entry is stale (ended, deleted, rescheduled). */
  private liveEntry(queue: FlatQueue<string>, dueAt: (session: Session) => number | null): Session | undefined {
    const session = this.sessions.get(queue.peek()!);
    return session && !isFinal(session.status) && dueAt(session) === queue.peekValue() ? session : undefined;
  }

  /** The earliest live entry of a queue, stale entries on top dropped on the way. */
  private earliest(queue: FlatQueue<string>, dueAt: (session: Session) => number | null): number | null {
    while (queue.length > 0) {
      if (this.liveEntry(queue, dueAt)) return queue.peekValue()!;
      queue.pop();
    }
    return null;
  }

  nextDueAt(apiKey: string): number | null {
    const counter = this.sequences.get(apiKey);
    const due = counter?.due;
    if (!due) return null;
    const analysis = this.earliest(due.analyses, analysisDueAtOf);
    const expiry = this.earliest(due.expiries, expiresAtOf);
    if (analysis === null && expiry === null) {
      // Nothing left to do: an idle key keeps no queues.
      counter.due = undefined;
      return null;
    }
    if (analysis === null) return expiry;
    return expiry === null ? analysis : Math.min(analysis, expiry);
  }

  /** Decides the key's analyses and times out its sessions due at `now` (the key's time), in the order they fell due. */
  runDue(apiKey: string, now: number): void {
    const due = this.sequences.get(apiKey)?.due;
    if (!due) return;
    for (;;) {
      const analysis = this.earliest(due.analyses, analysisDueAtOf);
      const expiry = this.earliest(due.expiries, expiresAtOf);
      if (analysis !== null && analysis <= now && (expiry === null || analysis <= expiry)) {
        const session = this.sessions.get(due.analyses.pop()!)!;
        this.finish(session);
        if (isFinal(session.status)) this.ran?.(session.apiKey, 'analyses_decided');
      } else if (expiry !== null && expiry <= now) {
        this.expireIfDue(this.sessions.get(due.expiries.pop()!)!);
      } else return;
    }
  }

  /** Analyses and timeouts run synchronously: nothing is ever left running. */
  settled(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Timeouts only: before a create makes room, so that the key's sessions past their deadline count as finished. */
  private expireDue(counter: KeyCounter, now: number): void {
    const queue = counter.due?.expiries;
    if (!queue) return;
    for (let at = this.earliest(queue, expiresAtOf); at !== null && at <= now; at = this.earliest(queue, expiresAtOf)) {
      this.expireIfDue(this.sessions.get(queue.pop()!)!);
    }
  }

  /** Drops the stale entries of a key's queues: its live ones are pushed again. */
  private rebuildDueQueues(counter: KeyCounter): void {
    const due = { expiries: new FlatQueue<string>(), analyses: new FlatQueue<string>() };
    for (const session of this.sessions.values()) {
      if (session.apiKey !== counter.key || isFinal(session.status)) continue;
      due.expiries.push(session.id, session.expiresAt);
      if (session.analysisDueAt !== null) due.analyses.push(session.id, session.analysisDueAt);
    }
    counter.due = due;
  }

  private finish(session: Session, force = false): void {
    const preset = this.preset(session.outcome.name);
    if (preset.never_finishes && !force) return;
    const from = session.status;
    const random = this.randomFor(session.apiKey, session.sequence, 'identity');
    applyOutcome(session, preset.never_finishes ? { ...preset, session_status: 'Timeout' } : preset, random, this.fixtures.pools, this.clocks.now(session.apiKey), this.fixtures.wire.scan_ui.document_type);
    this.settle(session, from);
  }

  private expireIfDue(session: Session): void {
    const from = session.status;
    if (expireIfDue(session, this.clocks.now(session.apiKey))) {
      this.ran?.(session.apiKey, 'sessions_timed_out');
      session.findings = { identity: null, document: null, failedFields: [], scores: {}, reason: 'SessionTimeout', errors: [], redirect: 'target_error' };
      this.settle(session, from);
    }
  }

  private move(session: Session, to: SessionStatus, event: string): void {
    const from = session.status;
    transition(session, to, this.clocks.now(session.apiKey), event);
    this.settle(session, from);
  }

  /** Book-keeping after any status change: finished index and listeners. */
  private settle(session: Session, from: SessionStatus): void {
    if (isFinal(session.status)) {
      this.finished.add(session.id);
      this.sequences.get(session.apiKey)?.finished.add(session.id);
    }
    this.emit(session, from, session.status);
  }

  private assertOpen(session: Session): void {
    if (isFinal(session.status)) throw new ApiError('SESSION_STATE', `The session is already ${session.status}.`);
  }

  /**
   * Keeps memory bounded and shared fairly. A key at MAX_SESSIONS_PER_KEY makes room by dropping its
   * own oldest finished session, and is refused (429, to that key only) when all of its sessions are
   * unfinished; past MAX_SESSIONS the oldest finished session of any key goes. Unfinished sessions
   * are never dropped. As one key holds at most MAX_SESSIONS_PER_KEY (a tenth of MAX_SESSIONS by
   * default), one runaway key cannot fill the store for the others.
   */
  private makeRoom(counter: KeyCounter | undefined): void {
    const perKey = this.config.MAX_SESSIONS_PER_KEY;
    while (counter && counter.held >= perKey) {
      const oldest = counter.finished.values().next();
      if (oldest.done) {
        throw new ApiError(
          'TOO_MANY_SESSIONS',
          `This API key already holds MAX_SESSIONS_PER_KEY=${perKey} unfinished sessions; finish some, wait for SESSION_TTL, or raise MAX_SESSIONS_PER_KEY.`,
        );
      }
      this.delete(oldest.value);
    }
    while (this.sessions.size >= this.config.MAX_SESSIONS) {
      let oldest = this.finished.values().next();
      if (oldest.done) {
        // Other keys' sessions past their deadline on their own clocks count as finished too.
        for (const other of this.sequences.values()) this.expireDue(other, this.clocks.now(other.key));
        oldest = this.finished.values().next();
      }
      if (oldest.done) {
        throw new ApiError('TOO_MANY_SESSIONS', `The emulator already holds MAX_SESSIONS=${this.config.MAX_SESSIONS} unfinished sessions; finish some, wait for SESSION_TTL, or raise MAX_SESSIONS.`);
      }
      this.delete(oldest.value);
    }
  }

  private emit(session: Session, from: SessionStatus | null, to: SessionStatus): void {
    for (const listener of this.listeners) listener({ session, from, to });
    this.updated(session);
  }

  private updated(session: Session): void {
    for (const listener of this.updateListeners) listener(session.apiKey);
  }
}
