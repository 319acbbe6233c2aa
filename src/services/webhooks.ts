// The webhook delivery engine: signs and POSTs each session's result to its webhook URL, retries on
// ZignSec's schedule through the clock, records every attempt, and can be broken on purpose.
// Deliveries live on their session's key's clock and wait per key; when an attempt is due is decided
// here, when it runs is the due-work scheduler's call. WEBHOOK_CONCURRENCY slots are shared by every
// key, and one key holds at most half of them: receivers of one key that never answer leave the other
// half to other keys. Attempts due while no slot is free for them wait, and freed slots go to the
// waiting keys in turn.
import { randomUUID } from 'node:crypto';
import FlatQueue from 'flatqueue';
import type { Config } from '../config.js';
import type { KeyClocks } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { nextRetryDelay, parseRetryAfter } from '../core/retry-schedule.js';
import { MAX_RETRY_AFTER_MS } from '../core/time-limits.js';
import { isFinal, type Session } from '../core/session.js';
import { eventEnvelopeJson, type WebhookEvent } from '../core/webhook-body.js';
import { signTimestamped, signZignSecHmac } from '../core/webhook-signature.js';
import type { SessionStatus } from '../schemas/common.js';
import type { ChaosRule, ChaosRuleRequest, DeliveryStatus } from '../schemas/control.js';
import type { MerchantSettings, WebhookChaos } from '../schemas/fixtures.js';
import type { DueWorkKind, DueWorkSource } from './due-work.js';
import type { SessionEvent, SessionService } from './sessions.js';

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
/** Chaos rules one key may hold (its next-N rules and its sessions' rules): every new delivery looks through the rules. */
export const MAX_CHAOS_RULES_PER_KEY = 100;
/** Chaos rules held in all (the rules of sessions no longer held do not count: they go). */
export const MAX_CHAOS_RULES = 1000;
const EXCERPT_CHARS = 1024;
const MAX_RESPONSE_BYTES = 64 * 1024;
const STALE_SECONDS = 600;

type Waiter = { matches: (d: Delivery) => boolean; resolve: (d: Delivery) => void };

/** A key's pending deliveries by nextAttemptAt (the key's time), and its attempts in flight. */
interface KeyDeliveries {
  due: FlatQueue<Delivery>;
  running: number;
}

/** Reads at most `limit` bytes of a response body, then lets the rest go. */
async function readExcerpt(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8', 0, Math.min(size, limit));
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const code = err.cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS lookup failed (${code})`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset by the receiver';
  if (code && /CERT|TLS|SSL/i.test(code)) return `TLS error (${code})`;
  return `${err.cause?.message ?? err.message}${code ? ` (${code})` : ''}`;
}

export class WebhookDispatcher implements DueWorkSource {
  private readonly deliveries = new Map<string, Delivery>();
  private readonly bySession = new Map<string, string[]>();
  private readonly updateListeners = new Set<(apiKey: string | undefined) => void>();
  private readonly chaosRules: ChaosRule[] = [];
  private readonly waiters = new Set<Waiter>();
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
  private nextChaosId = 1;
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

  private onSessionChange({ session, to }: SessionEvent): void {
    // Even while shutting down: a delivery owed is attempted, or reported, never dropped.
    if (!session.settings.webhook) return;
    const merchant = this.sessions.merchantFor(session.apiKey);
    const final = isFinal(to);
    if (!final && !merchant?.webhook_intermediate_events) return;
    const chaos = this.chaosFor(session, merchant);
    const now = this.clocks.now(session.apiKey);
    const event: WebhookEvent = to === 'Created' ? 'session_created' : 'session_updated';
    const delivery: Delivery = {
      id: `whd_${randomUUID().replace(/-/g, '')}`,
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

  /** Merchant chaos, then a session rule, then a key rule that still has deliveries left (which uses one up). */
  private chaosFor(session: Session, merchant: MerchantSettings | undefined): WebhookChaos {
    const chaos: WebhookChaos = { ...(merchant?.webhook_chaos ?? {}) };
    const sessionRule = this.chaosRules.find((r) => r.session_id === session.id);
    if (sessionRule) return { ...chaos, ...sessionRule.chaos };
    const keyRule = this.chaosRules.find((r) => r.api_key === session.apiKey && r.remaining !== 0);
    if (keyRule) {
      if (keyRule.remaining !== null) keyRule.remaining -= 1;
      if (keyRule.remaining === 0) this.chaosRules.splice(this.chaosRules.indexOf(keyRule), 1);
      return { ...chaos, ...keyRule.chaos };
    }
    return chaos;
  }

  /** Stores a rule; a session rule needs a session the emulator holds (404 otherwise). */
  addChaos(request: ChaosRuleRequest): ChaosRule {
    const sessionId = request.session_id?.toLowerCase();
    if (sessionId !== undefined && !this.sessions.findAny(sessionId)) throw new ApiError('SESSION_NOT_FOUND', `No session with id ${JSON.stringify(request.session_id)} was found.`);
    this.forgetRulesOfGoneSessions();
    if (this.chaosRules.length >= MAX_CHAOS_RULES) throw new ApiError('INVALID_REQUEST', `At most ${MAX_CHAOS_RULES} chaos rules are held, and as many are: remove some first.`);
    const owner = request.api_key ?? this.sessions.ownerOf(sessionId!);
    if (owner !== undefined && this.listChaos(owner).length >= MAX_CHAOS_RULES_PER_KEY) {
      throw new ApiError('INVALID_REQUEST', `A key holds at most ${MAX_CHAOS_RULES_PER_KEY} chaos rules, and this one has as many: remove one first.`);
    }
    const rule: ChaosRule = { id: `chaos-${this.nextChaosId++}`, remaining: request.api_key !== undefined ? (request.next ?? null) : null, chaos: request.chaos };
    if (sessionId !== undefined) rule.session_id = sessionId;
    if (request.api_key !== undefined) rule.api_key = request.api_key;
    this.chaosRules.push(rule);
    this.updated(owner);
    return rule;
  }

  /** A session rule whose session was deleted or evicted can never apply again. */
  private forgetRulesOfGoneSessions(): void {
    for (let i = this.chaosRules.length - 1; i >= 0; i--) {
      const sessionId = this.chaosRules[i].session_id;
      if (sessionId !== undefined && this.sessions.ownerOf(sessionId) === undefined) this.chaosRules.splice(i, 1);
    }
  }

  /** The key a rule belongs to: the key it names, or the key of the session it names. */
  private ownerOf(rule: ChaosRule): string | undefined {
    return rule.api_key ?? (rule.session_id === undefined ? undefined : this.sessions.ownerOf(rule.session_id));
  }

  /** Every rule, or only those of one key (its next-N rules and the rules of its sessions). */
  listChaos(apiKey?: string): ChaosRule[] {
    this.forgetRulesOfGoneSessions();
    return this.chaosRules.filter((rule) => apiKey === undefined || this.ownerOf(rule) === apiKey);
  }

  /** Removes one rule; with `apiKey`, only a rule of that key (another key's is as unknown as a missing one). */
  removeChaos(id: string, apiKey?: string): boolean {
    const index = this.chaosRules.findIndex((rule) => rule.id === id && (apiKey === undefined || this.ownerOf(rule) === apiKey));
    if (index === -1) return false;
    const owner = this.ownerOf(this.chaosRules[index]);
    this.chaosRules.splice(index, 1);
    this.updated(owner);
    return true;
  }

  /** Removes every rule, or one key's; returns how many went. */
  clearChaos(apiKey?: string): number {
    const removed = this.listChaos(apiKey);
    for (const rule of removed) this.chaosRules.splice(this.chaosRules.indexOf(rule), 1);
    if (removed.length > 0) this.updated(apiKey);
    return removed.length;
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

  /**
   * X-ZignSec-Hmac-SHA256 carries the merchant's scheme, signed at each attempt (a timestamped value
   * carries the attempt's time). The delivery id and event headers (X-ZignSec-Webhook-Id and
   * X-ZignSec-Event by default, wire.json `webhook.extension_headers`) are the emulator's own
   * extensions (no ZignSec source documents them): they let a test match what it received to the
   * control API's deliveries, and production code must not need them.
   */
  private headersFor(delivery: Delivery): Record<string, string> {
    const merchants = this.sessions.merchants;
    const timestamped = merchants.settingsFor(delivery.apiKey)?.webhook_signature === 'timestamped';
    const rightKey = timestamped ? merchants.webhookSecretFor(delivery.apiKey) : delivery.apiKey;
    const key = delivery.chaos.wrong_signature ? `${rightKey}-wrong` : rightKey;
    // Real time, not the key's clock: receivers check t against their own clock (usually within 5
    // minutes), and a key whose clock was moved 48 hours would have every delivery refused.
    const timestamp = Math.floor(this.wallClock() / 1000) - (delivery.chaos.stale_timestamp ? STALE_SECONDS : 0);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'zignsec-mock-webhooks/0.1',
      'x-zignsec-hmac-sha256': timestamped ? signTimestamped(delivery.body, key, timestamp) : signZignSecHmac(delivery.body, key),
    };
    const extensions = this.sessions.fixtures.wire.webhook.extension_headers;
    if (extensions.delivery_id) headers[extensions.delivery_id.toLowerCase()] = delivery.id;
    if (extensions.event) headers[extensions.event.toLowerCase()] = delivery.event;
    return headers;
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const perKey = this.keyDeliveries(delivery.apiKey);
    delivery.inFlight = true;
    this.running += 1;
    perKey.running += 1;
    this.ran?.(delivery.apiKey, 'webhook_attempts');
    const at = this.clocks.now(delivery.apiKey);
    const headers = this.headersFor(delivery);
    const record: Attempt = { number: delivery.attempts.length + 1, at, url: delivery.url, request_headers: headers, status: null, response_excerpt: null, duration_ms: 0, error: null, retry_after_ms: null };
    const started = performance.now();
    this.updated(delivery.apiKey);
    let retryAfterMs: number | undefined;
    try {
      if (delivery.dropped < (delivery.chaos.drop_first ?? 0)) {
        delivery.dropped += 1;
        record.error = 'dropped on purpose by webhook chaos (drop_first): not sent';
      } else {
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers,
          body: delivery.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT),
        });
        record.status = response.status;
        record.response_excerpt = (await readExcerpt(response, MAX_RESPONSE_BYTES)).slice(0, EXCERPT_CHARS);
        if (response.status >= 300 && response.status < 400) {
          record.error = `redirect to ${response.headers.get('location') ?? '(no location)'} not followed`;
        } else if (response.status < 200 || response.status >= 300) {
          record.error = `receiver answered ${response.status}`;
          const asked = parseRetryAfter(response.headers.get('retry-after'), Date.now());
          if (asked !== undefined) {
            retryAfterMs = Math.min(asked, MAX_RETRY_AFTER_MS);
            record.retry_after_ms = retryAfterMs;
            if (asked > MAX_RETRY_AFTER_MS) record.error += ` (Retry-After of ${response.headers.get('retry-after')!.trim().slice(0, 40)} is longer than the ${MAX_RETRY_AFTER_MS / 3_600_000} h honoured at most: waiting ${MAX_RETRY_AFTER_MS / 3_600_000} h)`;
          }
        }
        if (!record.error && delivery.chaos.duplicate) {
          await fetch(delivery.url, { method: 'POST', headers, body: delivery.body, redirect: 'manual', signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT) })
            .then((r) => r.body?.cancel())
            .catch(() => undefined);
        }
      }
    } catch (error) {
      record.error = describeFetchError(error, this.config.WEBHOOK_TIMEOUT);
    }
    record.duration_ms = Math.round((performance.now() - started) * 100) / 100;
    delivery.attempts.push(record);
    delivery.inFlight = false;
    this.running -= 1;
    perKey.running -= 1;
    this.settleAttempt(delivery, record, retryAfterMs);
    this.updated(delivery.apiKey);
    // A slot is free: what waited for one starts now, and whoever waits for the engine looks again.
    this.serveWaitingKeys();
    if (perKey.running === 0) this.earliestDue(delivery.apiKey);
    for (const notify of [...this.attemptEnded]) {
      this.attemptEnded.delete(notify);
      notify();
    }
  }

  private settleAttempt(delivery: Delivery, attempt: Attempt, retryAfterMs: number | undefined): void {
    if (attempt.error === null) {
      delivery.status = 'succeeded';
      delivery.nextAttemptAt = null;
      if (delivery.final) this.releaseHeld(delivery.sessionId);
      for (const waiter of this.waiters) if (waiter.matches(delivery)) waiter.resolve(delivery);
      return;
    }
    if (attempt.status === 410) {
      delivery.status = 'stopped';
      delivery.nextAttemptAt = null;
      // The receiver is gone: what was held back to follow the final event is not sent to it either.
      if (delivery.final) this.stopHeld(delivery.sessionId);
      return;
    }
    const delay = nextRetryDelay(this.sessions.fixtures.wire.webhook.retry_delays, delivery.attempts.length, this.config.WEBHOOK_MAX_ATTEMPTS, this.config.WEBHOOK_TIME_SCALE, retryAfterMs);
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
    const matches = (d: Delivery) => d.sessionId === sessionId && d.status === 'succeeded' && (status === undefined || d.sessionStatus === status);
    const already = this.list({ sessionId }).find(matches);
    if (already || signal?.aborted) return Promise.resolve(already);
    return new Promise((resolve) => {
      const finish = (d: Delivery | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', giveUp);
        this.waiters.delete(waiter);
        resolve(d);
      };
      const giveUp = () => finish(undefined);
      const waiter: Waiter = { matches, resolve: finish };
      const timer = setTimeout(giveUp, timeoutMs);
      signal?.addEventListener('abort', giveUp, { once: true });
      this.waiters.add(waiter);
    });
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
