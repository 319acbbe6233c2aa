// Fault injection on the public API: rules matched by method, path glob and optional API key that
// answer with an error, add latency, cut the connection, send a broken body or rate-limit.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultRule, FaultRuleInput } from '../schemas/control.js';
import { compileGlob } from '../core/glob.js';
import { isoInstant } from '../core/time-limits.js';

interface ActiveRule {
  rule: FaultRule;
  matchesPath: (path: string) => boolean;
}

/**
 * Rules one API key may hold at once, and rules without a key at once: every public request runs
 * through the list, and one key filling it must not slow down or crowd out the others.
 */
export const MAX_FAULT_RULES_PER_KEY = 100;

/** Whose rules: one key's (`apiKey`), or every rule (no filter). */
export interface FaultOwner {
  apiKey?: string;
}

const ownedBy = (rule: FaultRule, owner: FaultOwner) => owner.apiKey === undefined || rule.api_key === owner.apiKey;

/** Why a rule was refused for want of room (the same words on the control API and in the portal). */
export const faultRoomText = (apiKey: string | undefined) =>
  `${apiKey === undefined ? 'The rules without an api_key number' : 'This key holds'} ${MAX_FAULT_RULES_PER_KEY} fault rules, the most allowed: remove some first.`;

export type FaultAdded = { ok: true; rule: FaultRule } | { ok: false; held: number };

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  /** Adds a rule, unless its key (or the keyless rules) already holds MAX_FAULT_RULES_PER_KEY. */
  add(input: FaultRuleInput, now: number): FaultAdded {
    const held = this.rules.filter((r) => r.rule.api_key === input.api_key).length;
    if (held >= MAX_FAULT_RULES_PER_KEY) return { ok: false, held };
    const rule: FaultRule = { ...input, id: `fault-${this.nextId++}`, created: isoInstant(now), matched: 0 };
    this.rules.push({ rule, matchesPath: compileGlob(rule.path) });
    return { ok: true, rule };
  }

  get size(): number {
    return this.rules.length;
  }

  /** Every rule, or one key's, in the order they are matched. */
  list(owner: FaultOwner = {}): FaultRule[] {
    return this.rules.filter((r) => ownedBy(r.rule, owner)).map((r) => r.rule);
  }

  /** Removes a rule by id; with an owner, only a rule of that key (another key's rule is as unknown as a missing one). */
  remove(id: string, owner: FaultOwner = {}): FaultRule | undefined {
    const found = this.rules.find((r) => r.rule.id === id && ownedBy(r.rule, owner));
    if (!found) return undefined;
    this.rules = this.rules.filter((r) => r !== found);
    return found.rule;
  }

  /** Removes every rule, or every rule of one key; returns how many went. */
  clear(owner: FaultOwner = {}): number {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => !ownedBy(r.rule, owner));
    return before - this.rules.length;
  }

  /** The first rule that matches uses up one of its times; exhausted rules are removed. */
  take(method: string, path: string, apiKey: string | undefined): FaultRule | undefined {
    const found = this.rules.find(
      ({ rule, matchesPath }) =>
        (rule.method === '*' || rule.method === method) && (rule.api_key === undefined || rule.api_key === apiKey) && matchesPath(path),
    );
    if (!found) return undefined;
    found.rule.matched += 1;
    if (found.rule.times !== null) {
      found.rule.times -= 1;
      if (found.rule.times <= 0) this.rules = this.rules.filter((r) => r !== found);
    }
    return found.rule;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies a matched rule. Returns true when the request was answered (or cut) here; latency alone
 * lets it continue to the real handler. Latency is real time on purpose: it is network behaviour.
 */
export async function applyFault(rule: FaultRule, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const action = rule.action;
  switch (action.type) {
    case 'latency': {
      const ms = action.max_ms === undefined ? action.ms : action.ms + Math.random() * (action.max_ms - action.ms);
      await sleep(ms);
      return false;
    }
    case 'error': {
      const body = { errors: [{ code: action.code, description: action.description }] };
      await reply.status(action.status).type('application/json; charset=utf-8').send(body);
      return true;
    }
    case 'rate_limit': {
      await reply
        .status(429)
        .header('retry-after', String(action.retry_after_s))
        .type('application/json; charset=utf-8')
        .send({ errors: [{ code: 'TOO_MANY_REQUESTS', description: `Rate limit exceeded; retry after ${action.retry_after_s} seconds.` }] });
      return true;
    }
    case 'reset': {
      reply.hijack();
      request.raw.socket.destroy();
      return true;
    }
    case 'malformed': {
      // A complete response whose JSON is cut short: the client's parser must cope.
      const body = '{"id":"00000000-0000-4000-8000-000000000000","errors":[],"redirect_url":"http://';
      await reply.status(200).type('application/json; charset=utf-8').send(body);
      return true;
    }
    case 'truncated': {
      // Promises more bytes than it sends, then drops the connection mid-body.
      reply.hijack();
      const socket = request.raw.socket;
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: 512\r\n\r\n{"id":"0000', () => socket.destroy());
      return true;
    }
  }
}
