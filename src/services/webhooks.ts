// The webhook delivery engine: signs and POSTs each session's result to its webhook URL, retries on
// ZignSec's schedule through the clock, records every attempt, and can be broken on purpose.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { nextRetryDelay, parseRetryAfter } from '../core/retry-schedule.js';
import { isFinal, type Session } from '../core/session.js';
import { eventEnvelopeJson, type WebhookEvent } from '../core/webhook-body.js';
import { signTimestamped, signZignSecHmac } from '../core/webhook-signature.js';
import type { SessionStatus } from '../schemas/common.js';
import type { MerchantSettings, WebhookChaos } from '../schemas/fixtures.js';
import type { SessionEvent, SessionService } from './sessions.js';

export type DeliveryStatus = 'pending' | 'held' | 'succeeded' | 'failed' | 'stopped';

export interface Attempt {
  number: number;
  at: number;
  url: string;
  request_headers: Record<string, string>;
  status: number | null;
  response_excerpt: string | null;
  duration_ms: number;
  error: string | null;
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

export interface ChaosRule {
  id: string;
  session_id?: string;
  api_key?: string;
  /** For api_key rules: how many more deliveries it applies to (null = until cleared). */
  remaining: number | null;
  chaos: WebhookChaos;
}

const EXCERPT_CHARS = 1024;
const MAX_RESPONSE_BYTES = 64 * 1024;
const STALE_SECONDS = 600;

type Waiter = { matches: (d: Delivery) => boolean; resolve: (d: Delivery) => void };

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

export class WebhookDispatcher {
  private readonly deliveries = new Map<string, Delivery>();
  private readonly bySession = new Map<string, string[]>();
  private readonly chaosRules: ChaosRule[] = [];
  private readonly waiters = new Set<Waiter>();
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<Delivery[]> | undefined;
  private nextChaosId = 1;

  constructor(
    private readonly config: Config,
    private readonly sessions: SessionService,
    private readonly clock: Clock & { onChange(listener: (now: number) => void): () => void },
    private readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
  ) {
    sessions.onChange((event) => this.onSessionChange(event));
    clock.onChange(() => this.pump());
  }

  // ---- enqueueing ----

  private onSessionChange({ session, to }: SessionEvent): void {
    if (this.closed || !session.settings.webhook) return;
    const merchant = this.sessions.merchantFor(session.apiKey);
    const final = isFinal(to);
    if (!final && !merchant?.webhook_intermediate_events) return;
    const chaos = this.chaosFor(session, merchant);
    const now = this.clock.now();
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
    this.trimHistory();
    this.pump();
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

  addChaos(rule: Omit<ChaosRule, 'id'>): ChaosRule {
    const stored = { ...rule, id: `chaos-${this.nextChaosId++}` };
    this.chaosRules.push(stored);
    return stored;
  }

  listChaos(): ChaosRule[] {
    return [...this.chaosRules];
  }

  clearChaos(): number {
    return this.chaosRules.splice(0).length;
  }

  /** Keeps memory bounded like the session store: past the limit the oldest settled deliveries go. */
  private trimHistory(): void {
    const limit = this.config.MAX_SESSIONS * 2;
    if (this.deliveries.size <= limit) return;
    for (const delivery of this.deliveries.values()) {
      if (this.deliveries.size <= limit) break;
      if (delivery.status === 'pending' || delivery.status === 'held' || delivery.inFlight) continue;
      this.deliveries.delete(delivery.id);
      const rest = (this.bySession.get(delivery.sessionId) ?? []).filter((id) => id !== delivery.id);
      if (rest.length > 0) this.bySession.set(delivery.sessionId, rest);
      else this.bySession.delete(delivery.sessionId);
    }
  }

  // ---- sending ----

  /** Starts every due delivery the concurrency allows, and arms one timer for the next due one. */
  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    let nextDue = Infinity;
    for (const delivery of this.deliveries.values()) {
      if (delivery.status !== 'pending' || delivery.inFlight || delivery.nextAttemptAt === null) continue;
      if (delivery.nextAttemptAt <= now) {
        if (this.running >= this.config.WEBHOOK_CONCURRENCY) continue;
        void this.attempt(delivery);
      } else nextDue = Math.min(nextDue, delivery.nextAttemptAt);
    }
    if (nextDue !== Infinity && !this.closed) {
      this.timer = setTimeout(() => this.pump(), Math.min(nextDue - now, 2_147_000_000));
      this.timer.unref();
    }
  }

  /**
   * X-ZignSec-Hmac-SHA256 carries the merchant's scheme, signed at each attempt (a timestamped value
   * carries the attempt's time). The delivery id and event headers (X-ZignSec-Webhook-Id and
   * X-ZignSec-Event by default, wire.json `webhook.extension_headers`) are the emulator's own
   * extensions (no ZignSec source documents them): they let a test match what it received to the
   * control API's deliveries, and production code must not need them.
   */
  private headersFor(delivery: Delivery, now: number): Record<string, string> {
    const merchants = this.sessions.merchants;
    const timestamped = merchants.settingsFor(delivery.apiKey)?.webhook_signature === 'timestamped';
    const rightKey = timestamped ? merchants.webhookSecretFor(delivery.apiKey) : delivery.apiKey;
    const key = delivery.chaos.wrong_signature ? `${rightKey}-wrong` : rightKey;
    const timestamp = Math.floor(now / 1000) - (delivery.chaos.stale_timestamp ? STALE_SECONDS : 0);
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
    delivery.inFlight = true;
    this.running += 1;
    const at = this.clock.now();
    const headers = this.headersFor(delivery, at);
    const record: Attempt = { number: delivery.attempts.length + 1, at, url: delivery.url, request_headers: headers, status: null, response_excerpt: null, duration_ms: 0, error: null };
    const started = performance.now();
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
          retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
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
    this.settleAttempt(delivery, record, retryAfterMs);
    delivery.inFlight = false;
    this.running -= 1;
    // The next attempt may already be due (the clock was advanced): go on at once, without a tick.
    setImmediate(() => this.pump());
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
      return;
    }
    const delay = nextRetryDelay(this.sessions.fixtures.wire.webhook.retry_delays, delivery.attempts.length, this.config.WEBHOOK_MAX_ATTEMPTS, this.config.WEBHOOK_TIME_SCALE, retryAfterMs);
    if (delay === null || this.closed) {
      delivery.status = 'failed';
      delivery.nextAttemptAt = null;
      if (delivery.final) this.releaseHeld(delivery.sessionId);
      return;
    }
    delivery.nextAttemptAt = this.clock.now() + delay;
  }

  /** out_of_order: intermediate events go out after the final one, newest first. */
  private releaseHeld(sessionId: string): void {
    const held = (this.bySession.get(sessionId) ?? []).map((id) => this.deliveries.get(id)!).filter((d) => d && d.status === 'held');
    const now = this.clock.now();
    held.reverse().forEach((d, i) => {
      d.status = 'pending';
      d.nextAttemptAt = now + i; // one millisecond apart keeps the reversed order
    });
  }

  // ---- observing ----

  list(filter: { apiKey?: string; sessionId?: string; status?: DeliveryStatus } = {}): Delivery[] {
    const ids = filter.sessionId ? (this.bySession.get(filter.sessionId) ?? []) : [...this.deliveries.keys()];
    return ids
      .map((id) => this.deliveries.get(id)!)
      .filter((d) => d && (filter.apiKey === undefined || d.apiKey === filter.apiKey) && (filter.status === undefined || d.status === filter.status));
  }

  get(id: string): Delivery {
    const delivery = this.deliveries.get(id);
    if (!delivery) throw new ApiError('NOT_FOUND', `No webhook delivery ${JSON.stringify(id.slice(0, 64))}.`);
    return delivery;
  }

  /** Sends a delivery again now (same id and body), whatever its status. */
  redeliver(id: string): Delivery {
    const delivery = this.get(id);
    if (delivery.inFlight) throw new ApiError('SESSION_STATE', 'This delivery is being attempted right now.');
    delivery.status = 'pending';
    delivery.nextAttemptAt = this.clock.now();
    delivery.dropped = delivery.chaos.drop_first ?? 0;
    this.pump();
    return delivery;
  }

  /** Resolves with the first succeeded delivery of the session (in the given session status), or undefined on timeout. */
  waitFor(sessionId: string, status: SessionStatus | undefined, timeoutMs: number): Promise<Delivery | undefined> {
    const matches = (d: Delivery) => d.sessionId === sessionId && d.status === 'succeeded' && (status === undefined || d.sessionStatus === status);
    const already = this.list({ sessionId }).find(matches);
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        matches,
        resolve: (d) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(d);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  forget(sessionId?: string): void {
    for (const delivery of this.list({ sessionId })) this.deliveries.delete(delivery.id);
    if (sessionId) this.bySession.delete(sessionId);
    else this.bySession.clear();
  }

  /** Shutdown: one final attempt for whatever is pending, within the grace period; the rest is reported. */
  close(): Promise<Delivery[]> {
    this.closing ??= this.finalAttempts();
    return this.closing;
  }

  private async finalAttempts(): Promise<Delivery[]> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const open = [...this.deliveries.values()].filter((d) => d.status === 'pending' || d.status === 'held' || d.inFlight);
    const deadline = Date.now() + this.config.SHUTDOWN_GRACE;
    const attempts = open.filter((d) => !d.inFlight).map((d) => this.attempt(d));
    await Promise.race([Promise.allSettled(attempts), new Promise((r) => setTimeout(r, this.config.SHUTDOWN_GRACE).unref())]);
    while (open.some((d) => d.inFlight) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const undelivered = open.filter((d) => d.status !== 'succeeded');
    for (const d of undelivered) {
      this.log.warn({ delivery: d.id, session: d.sessionId, url: d.url, attempts: d.attempts.length }, 'webhook not delivered at shutdown');
    }
    return undelivered;
  }
}
