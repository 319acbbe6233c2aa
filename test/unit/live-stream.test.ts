// One live stream of the portal (routes/portal/live.ts) against a response that never drains: a
// client that stops reading is cut off once LiveStreamTimings.maxBufferedBytes are waiting, and the
// stream lets go of its subscription, its timers and its place.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import t from 'tap';
import { LiveStream } from '../../src/routes/portal/live.js';

/** A response whose client reads nothing: everything written stays buffered. */
function stalledResponse() {
  const response = Object.assign(new EventEmitter(), {
    destroyed: false,
    writableLength: 0,
    written: [] as string[],
    socket: null,
    write(text: string) {
      response.written.push(text);
      response.writableLength += Buffer.byteLength(text);
      return false;
    },
    end() {
      response.emit('close');
    },
    destroy() {
      response.destroyed = true;
      response.emit('close');
    },
  });
  return response;
}

t.test('a client that stops reading is cut off at maxBufferedBytes, and the stream lets go of everything', async (t) => {
  const response = stalledResponse();
  let unsubscribed = 0;
  let forgotten = 0;
  const stream = new LiveStream(response as unknown as ServerResponse, { heartbeatMs: 60_000, idleMs: 60_000, maxBufferedBytes: 200 }, () => true, () => forgotten++);
  stream.start({ apiKey: 'key-a', revision: 0, unsubscribe: () => unsubscribed++ });
  t.equal(response.written.length, 1, 'the ready event');
  for (let revision = 1; revision <= 20; revision++) stream.changed(revision);
  t.equal(response.destroyed, true, 'cut off');
  t.ok(response.writableLength <= 200 + 40, `no more than the bound and one event buffered (${response.writableLength} bytes)`);
  const writtenWhenCut = response.written.length;
  stream.changed(21);
  stream.end('idle');
  t.equal(response.written.length, writtenWhenCut, 'nothing is written after');
  t.equal(unsubscribed, 1, 'unsubscribed once');
  t.equal(forgotten, 1, 'forgotten once');
});

t.test('a sign-in that ended is noticed at the next event: bye signed-out instead of the change', async (t) => {
  const response = stalledResponse();
  let signedIn = true;
  const stream = new LiveStream(response as unknown as ServerResponse, { heartbeatMs: 60_000, idleMs: 60_000, maxBufferedBytes: 65_536 }, () => signedIn, () => undefined);
  stream.start({ apiKey: 'key-a', revision: 3, unsubscribe: () => undefined });
  stream.changed(4);
  signedIn = false;
  stream.changed(5);
  t.strictSame(response.written, [
    'event: ready\ndata: {"revision":3,"heartbeat_ms":60000}\n\n',
    'event: change\ndata: {"revision":4}\n\n',
    'event: bye\ndata: {"reason":"signed-out"}\n\n',
  ]);
});
