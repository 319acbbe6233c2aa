// The webhook delivery engine: makes a delivery of each session change the merchant wants, attempts
// it (webhook-transport.ts signs and POSTs it), retries on ZignSec's schedule through the clock,
// records every attempt, and at shutdown gives every open delivery a last attempt. Chaos rules are
// webhook-chaos.ts; who waits for a delivery is webhook-waiters.ts.
// Deliveries live on their session's key's clock and wait per key; when an attempt is due is decided
// here, when it runs is the due-work scheduler's call. WEBHOOK_CONCURRENCY slots are shared by every
// key, and one key holds at most half of them: receivers of one key that never answer leave the other
// half to other keys. Attempts due while no slot is free for them wait, and freed slots go to the
// waiting keys in turn.
import FlatQueue from 'flatqueue';
import type { Config } from '../config.js';
import type { KeyClocks } from '../core/clock.js';
import { HEX_DIGITS, randomToken } from '../core/ids.js';
import { ApiError } from '../http/error-catalogue.js';
import { nextRetryDelay } from '../core/retry-schedule.js';
import { isFinal, type Session } from '../core/session.js';
import { eventEnvelopeJson, type WebhookEvent } from '../core/webhook-body.js';
import type { SessionStatus } from '../schemas/common.js';
import type { ChaosRule, ChaosRuleRequest, DeliveryStatus } from '../schemas/control.js';
import type { MerchantSettings, WebhookChaos } from '../schemas/fixtures.js';
import type { DueWorkKind, DueWorkSource } from './due-work.js';
import type { SessionService, StatusChange } from './sessions.js';
import { ChaosRules } from './webhook-chaos.js';
import { postDelivery, signedHeaders } from './webhook-transport.js';
import { DeliveryWaiters } from './webhook-waiters.js';

export interface Attempt {
  number: number;
  at: number;
  url: string;
  request_headers: Record<string, string>;
  status: number | null;
  response_excerpt: string | null;
  duration_ms: number;
  error: string | null;
  /** The wait the receiver asked for with Retry-After, at most MAX_RETRY_AFTER_MS; null when it asked none. */
  retry_after_ms: number | null;
}

export interface Delivery {
  id: string;
  sessionId: string;
  apiKey: string;
  url: string;
  event: WebhookEvent;
  sessionStatus: SessionStatus;
  final: boolean;
  body: string;
  createdAt: number;
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  attempts: Attempt[];
  chaos: WebhookChaos;
  /** Attempts already made to fail on purpose (drop_first). */
  dropped: number;
  inFlight: boolean;
}

/** Which deliveries a list shows; every field narrows it. */
export interface DeliveryFilter {
  apiKey?: string;
  sessionId?: string;
  status?: DeliveryStatus;
  event?: WebhookEvent;
}

/** A slice of the matches: `newest` first or `oldest` first, skipping `offset`, at most `limit` (all when absent). */
export interface DeliveryPage {
  order: 'newest' | 'oldest';
  offset: number;
  limit?: number;
}

/** A key's share of WEBHOOK_CONCURRENCY: half, at least one, so that another key always finds a slot when there are two or more. */
export const perKeyConcurrency = (total: number) => Math.max(1, Math.floor(total / 2));

/** A key's pending deliveries by nextAttemptAt (the key's time), and its attempts in flight. */
interface KeyDeliveries {
  due: FlatQueue<Delivery>;
  running: number;
}

export class WebhookDispatcher implements DueWorkSource {
  private readonly deliveries = new Map<string, Delivery>();
  private readonly bySession = new Map<string, string[]>();
  private readonly updateListeners = new Set<(apiKey: string | undefined) => void>();
  private readonly chaosRules: ChaosRules;
  private readonly waiters = new DeliveryWaiters();
  /**
   * Per key with pending work or attempts in flight. An entry of a due queue whose delivery has moved
   * on (attempted, rescheduled, forgotten) is skipped when met; an idle key's entry goes.
   */
  private readonly byKey = new Map<string, KeyDeliveries>();
  /** Entries in all due queues, stale ones included: past twice the deliveries kept, they are rebuilt. */
  private dueEntries = 0;
  /** Keys with attempts due that found no slot free for them, in the order they are served when slots free up. */
  private readonly waitingForSlot = new Set<string>();
  private running = 0;
  /** Attempts one key may have in flight (see perKeyConcurrency). */
  private readonly perKeyLimit: number;
  /** Called whenever an attempt ends: what waits for the engine to settle looks again. */
  private readonly attemptEnded = new Set<() => void>();
  private closed = false;
  private closing: Promise<Delivery[]> | undefined;
  /** At shutdown: every delivery open then or created since, to be delivered or reported. */
  private readonly owedAtClose = new Set<Delivery>();
  wakeUp?: (apiKey: string, at: number) => void;
  ran?: (apiKey: string, kind: DueWorkKind) => void;

  constructor(
    private readonly config: Config,
    private readonly sessions: SessionService,
    private readonly clocks: KeyClocks,
    private readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
    /** This machine's real time, for the signature's timestamp (receivers compare it with their own clock). */
    private readonly wallClock: () => number = Date.now,
  ) {
    this.perKeyLimit = perKeyConcurrency(config.WEBHOOK_CONCURRENCY);
    this.chaosRules = new ChaosRules(sessions, (apiKey) => this.updated(apiKey));
    sessions.onChange((event) => this.onSessionChange(event));
  }

  /**
   * Told the key whose deliveries or chaos rules changed (a delivery created, an attempt started or
   * ended, a redelivery, a rule added, used up or removed; undefined: every key's). The portal's
   * live pages follow this (services/change-feed.ts).
   */
  onUpdate(listener: (apiKey: string | undefined) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  private updated(apiKey: string | undefined): void {
    for (const listener of this.updateListeners) listener(apiKey);
  }

  // ---- enqueueing ----

  private onSessionChange({ session, to }: StatusChange): void {
    // Even while shutting down: a delivery owed is attempted, or reported, never dropped.
    if (!session.settings.webhook) return;
    const merchant = this.sessions.merchantFor(session.apiKey);
    const final = isFinal(to);
    if (!final && !merchant?.webhook_intermediate_events) return;
    const chaos = this.chaosRules.chaosFor(session, merchant);
    const now = this.clocks.now(session.apiKey);
    const event: WebhookEvent = to === 'Created' ? 'session_created' : 'session_updated';
    const delivery: Delivery = {
      id: `whd_${randomToken(32, HEX_DIGITS)}`,
      sessionId: session.id,
      apiKey: session.apiKey,
      url: session.settings.webhook,
      event,
      sessionStatus: to,
      final,
      // The body is fixed now: every attempt sends the same bytes.
      body: this.bodyFor(session, event, merchant),
      createdAt: now,
      status: !final && chaos.out_of_order ? 'held' : 'pending',
      nextAttemptAt: now + (chaos.delay_ms ?? 0),
      attempts: [],
      chaos,
      dropped: 0,
      inFlight: false,
    };
    this.deliveries.set(delivery.id, delivery);
    this.bySession.set(session.id, [...(this.bySession.get(session.id) ?? []), delivery.id]);
    this.updated(delivery.apiKey);
    if (this.closed) {
      this.owedAtClose.add(delivery);
      if (delivery.status === 'held') delivery.status = 'pending';
      delivery.nextAttemptAt = now;
    }
    this.trimHistory();
    if (delivery.status === 'pending') this.schedule(delivery, delivery.nextAttemptAt!);
    this.runDue(delivery.apiKey, now);
  }

  private keyDeliveries(apiKey: string): KeyDeliveries {
    let perKey = this.byKey.get(apiKey);
    if (!perKey) {
      perKey = { due: new FlatQueue<Delivery>(), running: 0 };
      this.byKey.set(apiKey, perKey);
    }
    return perKey;
  }

  /** Puts a pending delivery in its key's due queue for its next attempt at `at` (the key's time). */
  private schedule(delivery: Delivery, at: number): void {
    delivery.nextAttemptAt = at;
    this.keyDeliveries(delivery.apiKey).due.push(delivery, at);
    if (++this.dueEntries > 2 * this.deliveries.size + 1024) this.rebuildDueQueues();
    this.wakeUp?.(delivery.apiKey, at);
  }

  private rebuildDueQueues(): void {
    for (const perKey of this.byKey.values()) perKey.due = new FlatQueue<Delivery>();
    this.dueEntries = 0;
    for (const delivery of this.deliveries.values()) {
      if (delivery.status === 'pending' && !delivery.inFlight && delivery.nextAttemptAt !== null) {
        this.keyDeliveries(delivery.apiKey).due.push(delivery, delivery.nextAttemptAt);
        this.dueEntries++;
      }
    }
    for (const [apiKey, perKey] of this.byKey) if (perKey.due.length === 0 && perKey.running === 0 && !this.waitingForSlot.has(apiKey)) this.byKey.delete(apiKey);
  }

  /** The result object, or (webhook_format "event") the event envelope around it. */
  private bodyFor(session: Session, event: WebhookEvent, merchant: MerchantSettings | undefined): string {
    const resultJson = this.sessions.resultJson(session);
    if (merchant?.webhook_format !== 'event') return resultJson;
    return eventEnvelopeJson(this.sessions.fixtures.wire.webhook.event_envelope, {
      event,
      sessionId: session.id,
      integrationId: this.sessions.merchants.integrationIdFor(session.apiKey),
      relayState: session.settings.relay_state,
      status: session.status,
      errors: session.findings?.errors ?? [],
      resultJson,
    });
  }

  /** Stores a chaos rule (webhook-chaos.ts). */
  addChaos(request: ChaosRuleRequest): ChaosRule {
    return this.chaosRules.add(request);
  }

  listChaos(apiKey?: string): ChaosRule[] {
    return this.chaosRules.list(apiKey);
  }

  removeChaos(id: string, apiKey?: string): boolean {
    return this.chaosRules.remove(id, apiKey);
  }

  clearChaos(apiKey?: string): number {
    return this.chaosRules.clear(apiKey);
  }

  /** Keeps memory bounded like the session store: past the limit the oldest settled deliveries go. */
  private trimHistory(): void {
    const limit = this.config.MAX_SESSIONS * 2;
    if (this.deliveries.size <= limit) return;
    for (const delivery of this.deliveries.values()) {
      if (this.deliveries.size <= limit) break;
      if (delivery.status === 'pending' || delivery.status === 'held' || delivery.inFlight) continue;
      this.deliveries.delete(delivery.id);
      this.updated(delivery.apiKey);
      const rest = (this.bySession.get(delivery.sessionId) ?? []).filter((id) => id !== delivery.id);
      if (rest.length > 0) this.bySession.set(delivery.sessionId, rest);
      else this.bySession.delete(delivery.sessionId);
    }
  }

  // ---- due work (see DueWorkScheduler), per key, on the key's clock ----

  /** The key's earliest live entry, stale entries on top dropped on the way; an idle key's record goes. */
  private earliestDue(apiKey: string): Delivery | undefined {
    const perKey = this.byKey.get(apiKey);
    if (!perKey) return undefined;
    const { due } = perKey;
    while (due.length > 0) {
      const delivery = due.peek()!;
      if (delivery.status === 'pending' && !delivery.inFlight && delivery.nextAttemptAt === due.peekValue() && this.deliveries.has(delivery.id)) return delivery;
      due.pop();
      this.dueEntries--;
    }
    if (perKey.running === 0 && !this.waitingForSlot.has(apiKey)) this.byKey.delete(apiKey);
    return undefined;
  }

  /** When the key's next attempt can start; null while it waits for a slot (a freed slot starts it). */
  nextDueAt(apiKey: string): number | null {
    if (this.waitingForSlot.has(apiKey)) return null;
    return this.earliestDue(apiKey)?.nextAttemptAt ?? null;
  }

  /** Whether a slot is free for one more attempt of the key: one of WEBHOOK_CONCURRENCY, within the key's share. */
  private slotFreeFor(apiKey: string): boolean {
    return this.running < this.config.WEBHOOK_CONCURRENCY && (this.byKey.get(apiKey)?.running ?? 0) < this.perKeyLimit;
  }

  /** Starts every attempt of the key due at `now` (the key's time) that a free slot allows; the others wait for a slot. */
  runDue(apiKey: string, now: number): void {
    for (;;) {
      const delivery = this.earliestDue(apiKey);
      if (!delivery || delivery.nextAttemptAt! > now) {
        this.waitingForSlot.delete(apiKey);
        return;
      }
      if (!this.slotFreeFor(apiKey)) {
        this.waitingForSlot.add(apiKey);
        return;
      }
      this.byKey.get(apiKey)!.due.pop();
      this.dueEntries--;
      void this.attempt(delivery);
    }
  }

  /**
   * A slot is free: the keys waiting for one are served in turn, one attempt each, so that a key with
   * many attempts due does not hold back another key's one; a key at its share waits for one of its
   * own attempts to end. A key whose attempts have all started tells the scheduler when its next one
   * is due.
   */
  private serveWaitingKeys(): void {
    // The set itself is walked: a key served that still has attempts due goes to its end (and is met
    // again in this walk), so keys take turns; every serve takes a slot, so the walk ends.
    for (const apiKey of this.waitingForSlot) {
      if (this.running >= this.config.WEBHOOK_CONCURRENCY) return;
      if (!this.slotFreeFor(apiKey)) continue;
      this.waitingForSlot.delete(apiKey);
      const now = this.clocks.now(apiKey);
      const delivery = this.earliestDue(apiKey);
      if (!delivery || delivery.nextAttemptAt! > now) {
        if (delivery) this.wakeUp?.(apiKey, delivery.nextAttemptAt!);
        continue;
      }
      this.byKey.get(apiKey)!.due.pop();
      this.dueEntries--;
      void this.attempt(delivery);
      const next = this.earliestDue(apiKey);
      if (next && next.nextAttemptAt! <= now) this.waitingForSlot.add(apiKey);
      else if (next) this.wakeUp?.(apiKey, next.nextAttemptAt!);
    }
  }

  /** Whether the key (every key, when undefined) has attempts in flight, waiting for a slot or due at its time. */
  private busy(apiKey: string | undefined): boolean {
    if (apiKey === undefined) return this.running > 0 || this.waitingForSlot.size > 0;
    if ((this.byKey.get(apiKey)?.running ?? 0) > 0 || this.waitingForSlot.has(apiKey)) return true;
    const next = this.earliestDue(apiKey)?.nextAttemptAt ?? null;
    return next !== null && next <= this.clocks.now(apiKey);
  }

  async settled(apiKey: string | undefined, deadline: number): Promise<boolean> {
    for (;;) {
      if (apiKey !== undefined) this.runDue(apiKey, this.clocks.now(apiKey));
      if (!this.busy(apiKey)) return true;
      if (performance.now() >= deadline) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, deadline - performance.now()));
        timer.unref();
        this.attemptEnded.add(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  // ---- sending ----

  private async attempt(delivery: Delivery): Promise<void> {
    const perKey = this.keyDeliveries(delivery.apiKey);
    delivery.inFlight = true;
    this.running += 1;
    perKey.running += 1;
    this.ran?.(delivery.apiKey, 'webhook_attempts');
    const at = this.clocks.now(delivery.apiKey);
    const headers = signedHeaders(delivery, this.sessions.merchants, this.sessions.fixtures.wire.webhook.extension_headers, this.wallClock);
    const started = performance.now();
    this.updated(delivery.apiKey);
    const outcome = await postDelivery(delivery, headers, this.config.WEBHOOK_TIMEOUT);
    const record: Attempt = {
      number: delivery.attempts.length + 1,
      at,
      url: delivery.url,
      request_headers: headers,
      status: outcome.status,
      response_excerpt: outcome.responseExcerpt,
      duration_ms: 0,
      error: outcome.error,
      retry_after_ms: outcome.retryAfterMs,
    };
    record.duration_ms = Math.round((performance.now() - started) * 100) / 100;
    delivery.attempts.push(record);
    delivery.inFlight = false;
    this.running -= 1;
    perKey.running -= 1;
    this.settleAttempt(delivery, record);
    this.updated(delivery.apiKey);
    // A slot is free: what waited for one starts now, and whoever waits for the engine looks again.
    this.serveWaitingKeys();
    if (perKey.running === 0) this.earliestDue(delivery.apiKey);
    for (const notify of [...this.attemptEnded]) {
      this.attemptEnded.delete(notify);
      notify();
    }
  }

  /** After an attempt: succeeded, stopped for good (410), failed for good, or retried on the schedule. */
  private settleAttempt(delivery: Delivery, attempt: Attempt): void {
    if (attempt.error === null) {
      delivery.status = 'succeeded';
      delivery.nextAttemptAt = null;
      if (delivery.final) this.releaseHeld(delivery.sessionId);
      this.waiters.delivered(delivery);
      return;
    }
    if (attempt.status === 410) {
      delivery.status = 'stopped';
      delivery.nextAttemptAt = null;
      // The receiver is gone: what was held back to follow the final event is not sent to it either.
      if (delivery.final) this.stopHeld(delivery.sessionId);
      return;
    }
    const delay = nextRetryDelay(this.sessions.fixtures.wire.webhook.retry_delays, delivery.attempts.length, this.config.WEBHOOK_MAX_ATTEMPTS, this.config.WEBHOOK_TIME_SCALE, attempt.retry_after_ms ?? undefined);
    if (delay === null || this.closed) {
      delivery.status = 'failed';
      delivery.nextAttemptAt = null;
      if (delivery.final) this.releaseHeld(delivery.sessionId);
      return;
    }
    this.schedule(delivery, this.clocks.now(delivery.apiKey) + delay);
  }

  /** out_of_order: the session's intermediate events held back until its final one is delivered. */
  private heldOf(sessionId: string): Delivery[] {
    return (this.bySession.get(sessionId) ?? []).map((id) => this.deliveries.get(id)!).filter((d) => d && d.status === 'held');
  }

  /** out_of_order: intermediate events go out after the final one, newest first. */
  private releaseHeld(sessionId: string): void {
    const held = this.heldOf(sessionId);
    if (held.length === 0) return;
    const now = this.clocks.now(held[0].apiKey);
    held.reverse().forEach((d, i) => {
      d.status = 'pending';
      this.schedule(d, now + i); // one millisecond apart keeps the reversed order
    });
  }

  /** out_of_order: the final event was refused for good (410), so the events held for after it stop, unsent. */
  private stopHeld(sessionId: string): void {
    for (const delivery of this.heldOf(sessionId)) {
      delivery.status = 'stopped';
      delivery.nextAttemptAt = null;
    }
  }

  // ---- observing ----

  /** Matching deliveries in the order they were created. */
  list(filter: DeliveryFilter = {}): Delivery[] {
    const ids = filter.sessionId ? (this.bySession.get(filter.sessionId) ?? []) : [...this.deliveries.keys()];
    return ids
      .map((id) => this.deliveries.get(id)!)
      .filter(
        (d) =>
          d &&
          (filter.apiKey === undefined || d.apiKey === filter.apiKey) &&
          (filter.status === undefined || d.status === filter.status) &&
          (filter.event === undefined || d.event === filter.event),
      );
  }

  /** One page of the matching deliveries, and how many match in all. */
  select(filter: DeliveryFilter, page: DeliveryPage): { total: number; deliveries: Delivery[] } {
    const found = this.list(filter);
    if (page.order === 'newest') found.reverse();
    const end = page.limit === undefined ? undefined : page.offset + page.limit;
    return { total: found.length, deliveries: found.slice(page.offset, end) };
  }

  /** A delivery by id; with `apiKey`, only one of that key (another key's is as unknown as a missing one). */
  get(id: string, apiKey?: string): Delivery {
    const delivery = this.deliveries.get(id);
    if (!delivery || (apiKey !== undefined && delivery.apiKey !== apiKey)) throw new ApiError('NOT_FOUND', `No webhook delivery ${JSON.stringify(id.slice(0, 64))}.`);
    return delivery;
  }

  /** Sends a delivery again now (same id and body), whatever its status; with `apiKey`, only one of that key. */
  redeliver(id: string, apiKey?: string): Delivery {
    const delivery = this.get(id, apiKey);
    if (delivery.inFlight) throw new ApiError('SESSION_STATE', 'This delivery is being attempted right now.');
    this.updated(delivery.apiKey);
    delivery.status = 'pending';
    delivery.dropped = delivery.chaos.drop_first ?? 0;
    const now = this.clocks.now(delivery.apiKey);
    this.schedule(delivery, now);
    this.runDue(delivery.apiKey, now);
    return delivery;
  }

  /**
   * Resolves with the first succeeded delivery of the session (in the given session status), or
   * undefined on timeout or once `signal` aborts (the waiter is gone then, its timer too).
   */
  waitFor(sessionId: string, status: SessionStatus | undefined, timeoutMs: number, signal?: AbortSignal): Promise<Delivery | undefined> {
    return this.waiters.waitFor(this.list({ sessionId }), sessionId, status, timeoutMs, signal);
  }

  forget(sessionId?: string): void {
    for (const delivery of this.list({ sessionId })) {
      this.deliveries.delete(delivery.id);
      this.updated(delivery.apiKey);
    }
    if (sessionId) this.bySession.delete(sessionId);
    else this.bySession.clear();
  }

  /**
   * Shutdown: every delivery still open (pending, held back, in flight), and every one created while
   * closing, gets one final attempt within SHUTDOWN_GRACE; whatever has not succeeded by then is
   * logged and returned, to be printed. None is dropped silently.
   */
  close(): Promise<Delivery[]> {
    this.closing ??= this.finalAttempts();
    return this.closing;
  }

  private async finalAttempts(): Promise<Delivery[]> {
    this.closed = true;
    const deadline = performance.now() + this.config.SHUTDOWN_GRACE;
    for (const delivery of this.deliveries.values()) {
      if (delivery.status !== 'pending' && delivery.status !== 'held' && !delivery.inFlight) continue;
      this.owedAtClose.add(delivery);
      if (delivery.inFlight) continue;
      delivery.status = 'pending';
      this.schedule(delivery, this.clocks.now(delivery.apiKey));
    }
    const runOwed = () => {
      for (const apiKey of new Set([...this.owedAtClose].map((d) => d.apiKey))) this.runDue(apiKey, this.clocks.now(apiKey));
    };
    runOwed();
    const open = () => [...this.owedAtClose].some((d) => d.inFlight || d.status === 'pending');
    while (open() && performance.now() < deadline) {
      runOwed();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const undelivered = [...this.owedAtClose].filter((d) => d.status !== 'succeeded');
    for (const d of undelivered) {
      this.log.warn({ delivery: d.id, session: d.sessionId, url: d.url, attempts: d.attempts.length, status: d.status }, 'webhook not delivered at shutdown');
    }
    return undelivered;
  }
}
