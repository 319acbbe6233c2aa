// Fault injection on the public API: rules matched by method, path glob and optional API key that
// answer with an error, add latency, cut the connection, send a broken body or rate-limit.
// Every public request looks through the rules, so they are bounded: in number (in all, and per key)
// and in what one match costs (a glob of at most 256 characters, matched in linear time against at
// most the first MAX_KEPT_URL_CHARS characters of the path).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultRule, FaultRuleInput } from '../schemas/control.js';
import { compileGlob } from '../core/glob.js';
import { isoInstant } from '../core/time-limits.js';
import { MAX_KEPT_URL_CHARS } from './journal.js';

/** Fault rules held in all. */
export const MAX_FAULT_RULES = 1000;
/**
 * Fault rules naming one API key, and rules naming none (which apply to every key): a request of a
 * key is matched against at most twice this many globs.
 */
export const MAX_FAULT_RULES_PER_KEY = 100;

interface ActiveRule {
  rule: FaultRule;
  matchesPath: (path: string) => boolean;
}


/** Whose rules: one key's (`apiKey`), or every rule (no filter). */
export interface FaultOwner {
  apiKey?: string;
}

const ownedBy = (rule: FaultRule, owner: FaultOwner) => owner.apiKey === undefined || rule.api_key === owner.apiKey;

/** Why a rule was refused for want of room (the same words on the control API and in the portal). */
export const faultRoomText = (apiKey: string | undefined) =>
  `${apiKey === undefined ? 'The rules without an api_key number' : 'This key holds'} ${MAX_FAULT_RULES_PER_KEY} fault rules, the most allowed: remove some first.`;

/** A rule added, or why not (the same words on the control API and in the portal). */
export type FaultAdded = { ok: true; rule: FaultRule } | { ok: false; refusal: string };

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  /** Adds a rule, unless the rules are full: in all, or for its key (or for the keyless rules). */
  add(input: FaultRuleInput, now: number): FaultAdded {
    const refusal = this.refusal(input.api_key);
    if (refusal) return { ok: false, refusal };
    const rule: FaultRule = { ...input, id: `fault-${this.nextId++}`, created: isoInstant(now), matched: 0 };
    this.rules.push({ rule, matchesPath: compileGlob(rule.path) });
    return { ok: true, rule };
  }

  /** Why one more rule for this key (or for every key) cannot be held, or undefined. */
  private refusal(apiKey: string | undefined): string | undefined {
    if (this.rules.length >= MAX_FAULT_RULES) return `At most ${MAX_FAULT_RULES} fault rules are held in all, and as many are: remove some first.`;
    if (this.rules.filter(({ rule }) => rule.api_key === apiKey).length >= MAX_FAULT_RULES_PER_KEY) return faultRoomText(apiKey);
    return undefined;
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
  take(method: string, requestPath: string, apiKey: string | undefined): FaultRule | undefined {
    const path = requestPath.length > MAX_KEPT_URL_CHARS ? requestPath.slice(0, MAX_KEPT_URL_CHARS) : requestPath;
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
