// Webhook chaos: the rules that break deliveries on purpose (dropped attempts, delays, duplicates,
// events out of order, wrong signatures, stale timestamps), per session or for a key's next
// deliveries, bounded per key and in all. The dispatcher asks which chaos a new delivery gets.
import { ApiError } from '../http/error-catalogue.js';
import type { Session } from '../core/session.js';
import type { MerchantSettings, WebhookChaos } from '../schemas/fixtures.js';
import type { SessionService } from './sessions.js';
import type { ChaosRule, ChaosRuleRequest } from '../schemas/control.js';

/** Chaos rules one key may hold (its next-N rules and its sessions' rules): every new delivery looks through the rules. */
export const MAX_CHAOS_RULES_PER_KEY = 100;
/** Chaos rules held in all (the rules of sessions no longer held do not count: they go). */
export const MAX_CHAOS_RULES = 1000;

export class ChaosRules {
  private readonly rules: ChaosRule[] = [];
  private nextId = 1;

  constructor(
    private readonly sessions: SessionService,
    /** Told the key whose rules changed (undefined: a rule of no key, or several keys'). */
    private readonly changed: (apiKey: string | undefined) => void,
  ) {}

  /** Merchant chaos, then a session rule, then a key rule that still has deliveries left (which uses one up). */
  chaosFor(session: Session, merchant: MerchantSettings | undefined): WebhookChaos {
    const chaos: WebhookChaos = { ...(merchant?.webhook_chaos ?? {}) };
    const sessionRule = this.rules.find((r) => r.session_id === session.id);
    if (sessionRule) return { ...chaos, ...sessionRule.chaos };
    const keyRule = this.rules.find((r) => r.api_key === session.apiKey && r.remaining !== 0);
    if (keyRule) {
      if (keyRule.remaining !== null) keyRule.remaining -= 1;
      if (keyRule.remaining === 0) this.rules.splice(this.rules.indexOf(keyRule), 1);
      return { ...chaos, ...keyRule.chaos };
    }
    return chaos;
  }

  /** Stores a rule; a session rule needs a session the emulator holds (404 otherwise). */
  add(request: ChaosRuleRequest): ChaosRule {
    const sessionId = request.session_id?.toLowerCase();
    if (sessionId !== undefined && !this.sessions.findById(sessionId)) throw new ApiError('SESSION_NOT_FOUND', `No session with id ${JSON.stringify(request.session_id)} was found.`);
    this.forgetRulesOfGoneSessions();
    if (this.rules.length >= MAX_CHAOS_RULES) throw new ApiError('INVALID_REQUEST', `At most ${MAX_CHAOS_RULES} chaos rules are held, and as many are: remove some first.`);
    const owner = request.api_key ?? this.sessions.ownerOf(sessionId!);
    if (owner !== undefined && this.list(owner).length >= MAX_CHAOS_RULES_PER_KEY) {
      throw new ApiError('INVALID_REQUEST', `A key holds at most ${MAX_CHAOS_RULES_PER_KEY} chaos rules, and this one has as many: remove one first.`);
    }
    const rule: ChaosRule = { id: `chaos-${this.nextId++}`, remaining: request.api_key !== undefined ? (request.next ?? null) : null, chaos: request.chaos };
    if (sessionId !== undefined) rule.session_id = sessionId;
    if (request.api_key !== undefined) rule.api_key = request.api_key;
    this.rules.push(rule);
    this.changed(owner);
    return rule;
  }

  /** A session rule whose session was deleted or evicted can never apply again. */
  private forgetRulesOfGoneSessions(): void {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const sessionId = this.rules[i].session_id;
      if (sessionId !== undefined && this.sessions.ownerOf(sessionId) === undefined) this.rules.splice(i, 1);
    }
  }

  /** The key a rule belongs to: the key it names, or the key of the session it names. */
  private ownerOf(rule: ChaosRule): string | undefined {
    return rule.api_key ?? (rule.session_id === undefined ? undefined : this.sessions.ownerOf(rule.session_id));
  }

  /** Every rule, or only those of one key (its next-N rules and the rules of its sessions). */
  list(apiKey?: string): ChaosRule[] {
    this.forgetRulesOfGoneSessions();
    return this.rules.filter((rule) => apiKey === undefined || this.ownerOf(rule) === apiKey);
  }

  /** Removes one rule; with `apiKey`, only a rule of that key (another key's is as unknown as a missing one). */
  remove(id: string, apiKey?: string): boolean {
    const index = this.rules.findIndex((rule) => rule.id === id && (apiKey === undefined || this.ownerOf(rule) === apiKey));
    if (index === -1) return false;
    const owner = this.ownerOf(this.rules[index]);
    this.rules.splice(index, 1);
    this.changed(owner);
    return true;
  }

  /** Removes every rule, or one key's; returns how many went. */
  clear(apiKey?: string): number {
    const removed = this.list(apiKey);
    for (const rule of removed) this.rules.splice(this.rules.indexOf(rule), 1);
    if (removed.length > 0) this.changed(apiKey);
    return removed.length;
  }
}
