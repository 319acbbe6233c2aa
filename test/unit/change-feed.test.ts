// The change feed behind the portal's live pages: a key's changes reach that key's subscribers only,
// a burst becomes one notice and a steady stream at most one per interval, subscribers are bounded
// per key and in all, and closing ends every subscription at once.
import t from 'tap';
import { ChangeFeed, type ChangeSubscriber } from '../../src/services/change-feed.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds (a loaded machine delays timers: no fixed sleep is long enough). */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function recorder(): ChangeSubscriber & { revisions: number[]; ends: string[] } {
  const revisions: number[] = [];
  const ends: string[] = [];
  return { revisions, ends, changed: (revision) => revisions.push(revision), ended: (reason) => ends.push(reason) };
}

function subscribe(feed: ChangeFeed, key: string, subscriber: ChangeSubscriber) {
  const result = feed.subscribe(key, subscriber);
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.subscription;
}

t.test("a key's changes reach its own subscribers only, a burst as one notice", async (t) => {
  const feed = new ChangeFeed({ intervalMs: 100 });
  const a1 = recorder();
  const a2 = recorder();
  const b = recorder();
  subscribe(feed, 'key-a', a1);
  subscribe(feed, 'key-a', a2);
  subscribe(feed, 'key-b', b);
  for (let i = 0; i < 50; i++) feed.notify('key-a');
  feed.notify('key-c');
  feed.notify(null);
  await sleep(60);
  t.strictSame(a1.revisions, [1], 'fifty changes in one go: one notice');
  t.strictSame(a2.revisions, [1]);
  t.strictSame(b.revisions, [], 'another key hears nothing');
  feed.notify('key-b');
  await sleep(60);
  t.strictSame(b.revisions, [1]);
  t.strictSame(a1.revisions, [1]);
});

t.test('changes that keep coming: at most one notice per interval, and the last change is never left out', async (t) => {
  const feed = new ChangeFeed({ intervalMs: 100 });
  const noticedAt: number[] = [];
  const a = recorder();
  subscribe(feed, 'key-a', { ...a, changed: (revision) => (a.changed(revision), noticedAt.push(performance.now())) });
  const started = performance.now();
  let lastChangeAt = started;
  while (performance.now() - started < 450) {
    feed.notify('key-a');
    lastChangeAt = performance.now();
    await sleep(5);
  }
  // The last change's notice may come at once or after an interval: wait for it (a busy machine only
  // delays timers), then make sure nothing else follows.
  await until(() => noticedAt.some((at) => at >= lastChangeAt), 'a notice after the last change');
  const total = a.revisions.length;
  await sleep(250);
  t.equal(a.revisions.length, total, 'and nothing more once the changes stopped');
  // Two notices never come closer than the interval (a little slack for timer granularity).
  const gaps = noticedAt.slice(1).map((at, i) => at - noticedAt[i]);
  t.ok(gaps.every((gap) => gap >= 95), `at most one notice per 100 ms: gaps ${gaps.map(Math.round).join(', ')} ms`);
  t.ok(total >= 2, `a steady stream is noticed more than once (${total})`);
  t.strictSame(a.revisions, a.revisions.map((_, i) => i + 1), 'revisions count up');
});

t.test('undefined stands for every key (a reset of everything)', async (t) => {
  const feed = new ChangeFeed();
  const a = recorder();
  const b = recorder();
  subscribe(feed, 'key-a', a);
  subscribe(feed, 'key-b', b);
  feed.notify(undefined);
  await sleep(60);
  t.strictSame([a.revisions, b.revisions], [[1], [1]]);
});

t.test('bounded per key and in all; unsubscribing frees the place; a key nobody follows keeps nothing', async (t) => {
  const feed = new ChangeFeed({ maxPerKey: 2, maxTotal: 3 });
  const first = subscribe(feed, 'key-a', recorder());
  subscribe(feed, 'key-a', recorder());
  t.strictSame(feed.subscribe('key-a', recorder()), { ok: false, reason: 'key-full' });
  t.equal(feed.admits('key-a'), 'key-full');
  subscribe(feed, 'key-b', recorder());
  t.strictSame(feed.subscribe('key-c', recorder()), { ok: false, reason: 'full' });
  t.equal(feed.admits('key-c'), 'full');
  t.equal(feed.count(), 3);
  first.unsubscribe();
  first.unsubscribe();
  t.equal(feed.count(), 2, 'unsubscribing twice counts once');
  t.equal(feed.count('key-a'), 1);
  t.equal(feed.admits('key-c'), null);
  const late = recorder();
  const lateSubscription = subscribe(feed, 'key-c', late);
  feed.notify('key-c');
  lateSubscription.unsubscribe();
  await sleep(60);
  t.strictSame(late.revisions, [], 'a notice pending when the last subscriber leaves is dropped with its key');
  t.equal(feed.count('key-c'), 0);
});

t.test('close ends every subscription at once and refuses new ones', async (t) => {
  const feed = new ChangeFeed();
  const a = recorder();
  const b = recorder();
  subscribe(feed, 'key-a', a);
  subscribe(feed, 'key-b', b);
  feed.notify('key-a');
  feed.close();
  t.strictSame([a.ends, b.ends], [['shutdown'], ['shutdown']]);
  t.equal(feed.count(), 0);
  t.strictSame(feed.subscribe('key-a', recorder()), { ok: false, reason: 'closed' });
  await sleep(60);
  t.strictSame(a.revisions, [], 'nothing is sent after closing');
  feed.close();
  t.strictSame(a.ends, ['shutdown'], 'closing twice ends once');
});
