// Which API key's data just changed, for the portal's live pages. The services report every change
// of a key's sessions (status, documents, outcome, analysis, removal), webhook deliveries (created,
// attempt started or ended, redelivered, forgotten), chaos rules and journal entries; the key's
// subscribers (the portal's live streams, routes/portal/live.ts) hear about it, and no other key's do.
//
// A key nobody follows costs one Map lookup per change, so the hot paths (every journaled request,
// every session created) stay as they were. Changes of a followed key are coalesced: the first one
// after a quiet spell is passed on after FIRST_DELAY_MS (so the several changes of one request or
// one clock move go out as one), then at most one notice per `intervalMs` while changes keep
// coming. Clock moves are not reported as such: what a move makes happen (an analysis decided, a
// session timed out, a retry sent) is reported by the service that does it, and the pages show
// nothing that moves with the clock alone.
//
// Bounded: subscribers per key and in all. Closing (shutdown) ends every subscription and refuses
// new ones; it never waits for a subscriber.

export interface ChangeFeedLimits {
  /** Subscribers one API key may hold at once (a browser's tabs share one). */
  maxPerKey: number;
  /** Subscribers of every key together. */
  maxTotal: number;
  /** The least time between two notices to one key's subscribers. */
  intervalMs: number;
}

export const defaultChangeFeedLimits: ChangeFeedLimits = { maxPerKey: 20, maxTotal: 200, intervalMs: 500 };

/** A lone change waits this long, so that the other changes of the same request or clock move join it. */
const FIRST_DELAY_MS = 20;

/** Why a subscription ended from the feed's side. */
export type SubscriptionEnd = 'shutdown';

export interface ChangeSubscriber {
  /** Something of the key changed; `revision` counts the key's notices since its first subscriber. */
  changed(revision: number): void;
  /** The feed ends the subscription (it is already removed when this runs). */
  ended(reason: SubscriptionEnd): void;
}

export interface ChangeSubscription {
  readonly apiKey: string;
  /** The key's notices so far. */
  readonly revision: number;
  unsubscribe(): void;
}

/** Why a subscription is refused: the key holds maxPerKey, the feed holds maxTotal, or it is closed (shutdown). */
export type SubscribeRefusal = 'key-full' | 'full' | 'closed';

export type SubscribeResult = { ok: true; subscription: ChangeSubscription } | { ok: false; reason: SubscribeRefusal };

interface KeyChannel {
  readonly subscribers: Set<ChangeSubscriber>;
  revision: number;
  timer: NodeJS.Timeout | null;
  /** performance.now() of the last notice. */
  lastNoticeAt: number;
}

export class ChangeFeed {
  private readonly channels = new Map<string, KeyChannel>();
  private total = 0;
  private closed = false;
  readonly limits: ChangeFeedLimits;

  constructor(limits: Partial<ChangeFeedLimits> = {}) {
    this.limits = { ...defaultChangeFeedLimits, ...limits };
  }

  /** Something of `apiKey` changed; `undefined` stands for every key (a reset of everything). */
  notify(apiKey: string | null | undefined): void {
    if (apiKey === undefined) {
      for (const key of this.channels.keys()) this.notify(key);
      return;
    }
    if (apiKey === null) return;
    const channel = this.channels.get(apiKey);
    if (!channel || channel.timer) return;
    const wait = Math.max(FIRST_DELAY_MS, channel.lastNoticeAt + this.limits.intervalMs - performance.now());
    channel.timer = setTimeout(() => this.sendNotice(apiKey, channel), wait);
    channel.timer.unref();
  }

  /** Whether a subscription for `apiKey` would be taken now (the reason it would not, otherwise). */
  admits(apiKey: string): SubscribeRefusal | null {
    if (this.closed) return 'closed';
    if ((this.channels.get(apiKey)?.subscribers.size ?? 0) >= this.limits.maxPerKey) return 'key-full';
    if (this.total >= this.limits.maxTotal) return 'full';
    return null;
  }

  subscribe(apiKey: string, subscriber: ChangeSubscriber): SubscribeResult {
    const refused = this.admits(apiKey);
    if (refused) return { ok: false, reason: refused };
    let channel = this.channels.get(apiKey);
    if (!channel) {
      channel = { subscribers: new Set(), revision: 0, timer: null, lastNoticeAt: -Infinity };
      this.channels.set(apiKey, channel);
    }
    channel.subscribers.add(subscriber);
    this.total++;
    const held = channel;
    return {
      ok: true,
      subscription: {
        apiKey,
        get revision() {
          return held.revision;
        },
        unsubscribe: () => this.remove(apiKey, held, subscriber),
      },
    };
  }

  /** Subscribers of one key, or of all. */
  count(apiKey?: string): number {
    return apiKey === undefined ? this.total : (this.channels.get(apiKey)?.subscribers.size ?? 0);
  }

  /** Shutdown: every subscription ends now (`ended('shutdown')`), and no new one is taken. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [apiKey, channel] of [...this.channels]) {
      for (const subscriber of [...channel.subscribers]) {
        this.remove(apiKey, channel, subscriber);
        subscriber.ended('shutdown');
      }
    }
  }

  private remove(apiKey: string, channel: KeyChannel, subscriber: ChangeSubscriber): void {
    if (!channel.subscribers.delete(subscriber)) return;
    this.total--;
    if (channel.subscribers.size > 0 || this.channels.get(apiKey) !== channel) return;
    if (channel.timer) clearTimeout(channel.timer);
    this.channels.delete(apiKey);
  }

  private sendNotice(apiKey: string, channel: KeyChannel): void {
    channel.timer = null;
    if (this.channels.get(apiKey) !== channel) return;
    channel.lastNoticeAt = performance.now();
    const revision = ++channel.revision;
    for (const subscriber of [...channel.subscribers]) subscriber.changed(revision);
  }
}
