// Who waits for a webhook to be delivered (the control API's long poll, the runner's journeys): each
// waiter is resolved by the first succeeded delivery it matches, or gives up at its timeout or abort.
import type { SessionStatus } from '../schemas/common.js';
import type { Delivery } from './webhooks.js';

type Waiter = { matches: (d: Delivery) => boolean; resolve: (d: Delivery) => void };

export class DeliveryWaiters {
  private readonly waiters = new Set<Waiter>();

  /** A delivery succeeded: the waiters it matches get it. */
  delivered(delivery: Delivery): void {
    for (const waiter of this.waiters) if (waiter.matches(delivery)) waiter.resolve(delivery);
  }

  /**
   * Resolves with the first succeeded delivery of the session (in the given session status) among
   * `known` or those delivered later, or undefined on timeout or once `signal` aborts (the waiter is
   * gone then, its timer too).
   */
  waitFor(known: Delivery[], sessionId: string, status: SessionStatus | undefined, timeoutMs: number, signal?: AbortSignal): Promise<Delivery | undefined> {
    const matches = (d: Delivery) => d.sessionId === sessionId && d.status === 'succeeded' && (status === undefined || d.sessionStatus === status);
    const already = known.find(matches);
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
}
