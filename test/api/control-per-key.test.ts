// The control API's per-key dials that the QA console uses too: a key's outcome queue (clear, remove
// one entry, move one, bounded) and a key's fault rules (list, remove one, remove all, bounded), with
// fault paths that can match nothing refused. Exact bodies; other keys' state checked unchanged.
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { AdminApiError, createAdminClient } from '../../src/admin-client.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];

const queueOf = async (app: App, key: string) => (await app.inject({ url: `/__mock/outcomes/queue?api_key=${key}` })).json().queued as string[];
const queue = (app: App, key: string, outcomes: string[]) => app.inject({ method: 'POST', url: '/__mock/outcomes/queue', payload: { api_key: key, outcomes } });
const addFault = async (app: App, rule: Record<string, unknown>) => app.inject({ method: 'POST', url: '/__mock/faults', payload: { action: { type: 'error' }, ...rule } });
const faultIds = async (app: App, query = '') => ((await app.inject({ url: `/__mock/faults${query}` })).json().faults as { id: string }[]).map((f) => f.id);

t.test('outcome queue: clear one key, remove an entry, move an entry', async (t) => {
  const { app } = await startTestApp(t);
  await queue(app, 'key-a', ['liveness_failed', 'approved', 'face_mismatch']);
  await queue(app, 'key-b', ['document_expired']);

  const removed = await app.inject({ method: 'DELETE', url: '/__mock/outcomes/queue/1?api_key=key-a&outcome=approved' });
  t.equal(removed.statusCode, 200);
  t.strictSame(removed.json(), { api_key: 'key-a', queued: ['liveness_failed', 'face_mismatch'] });

  const moved = await app.inject({ method: 'POST', url: '/__mock/outcomes/queue/move', payload: { api_key: 'key-a', from: 1, to: 0, outcome: 'face_mismatch' } });
  t.equal(moved.statusCode, 200);
  t.strictSame(moved.json(), { api_key: 'key-a', queued: ['face_mismatch', 'liveness_failed'] });
  const unchecked = await app.inject({ method: 'POST', url: '/__mock/outcomes/queue/move', payload: { api_key: 'key-a', from: 0, to: 1 } });
  t.strictSame(unchecked.json().queued, ['liveness_failed', 'face_mismatch'], 'without outcome the entry is moved whatever it is');

  const cleared = await app.inject({ method: 'DELETE', url: '/__mock/outcomes/queue?api_key=key-a' });
  t.strictSame(cleared.json(), { removed: 2 });
  t.strictSame(await queueOf(app, 'key-a'), []);
  t.strictSame(await queueOf(app, 'key-b'), ['document_expired'], "another key's queue is left alone");
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/outcomes/queue?api_key=key-a' })).json(), { removed: 0 });
});

t.test('outcome queue: a position that is not there, or holds another outcome than seen, changes nothing', async (t) => {
  const { app } = await startTestApp(t);
  await queue(app, 'key-a', ['liveness_failed', 'face_mismatch']);

  const missing = await app.inject({ method: 'DELETE', url: '/__mock/outcomes/queue/2?api_key=key-a' });
  t.equal(missing.statusCode, 404);
  t.strictSame(missing.json(), { errors: [{ code: 'NOT_FOUND', description: 'There is no index 2 in the outcome queue of this api_key: it holds 2 (indexes 0 to 1).' }] });
  const empty = await app.inject({ method: 'DELETE', url: '/__mock/outcomes/queue/0?api_key=key-other' });
  t.strictSame(empty.json(), { errors: [{ code: 'NOT_FOUND', description: 'There is no index 0 in the outcome queue of this api_key: it is empty.' }] });

  // A session takes the front entry: the caller's view of the queue is stale.
  await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('key-a'), payload: exampleLivenessRequest });
  const stale = await app.inject({ method: 'DELETE', url: '/__mock/outcomes/queue/0?api_key=key-a&outcome=liveness_failed' });
  t.equal(stale.statusCode, 409);
  t.strictSame(stale.json(), {
    errors: [{ code: 'STATE_CHANGED', description: 'Index 0 holds "face_mismatch", not "liveness_failed": the queue changed meanwhile; nothing was done.' }],
  });
  const staleMove = await app.inject({ method: 'POST', url: '/__mock/outcomes/queue/move', payload: { api_key: 'key-a', from: 0, to: 0, outcome: 'approved' } });
  t.equal(staleMove.statusCode, 409);
  const pastEnd = await app.inject({ method: 'POST', url: '/__mock/outcomes/queue/move', payload: { api_key: 'key-a', from: 0, to: 1 } });
  t.strictSame(pastEnd.json(), { errors: [{ code: 'NOT_FOUND', description: 'There is no index 1 in the outcome queue of this api_key: it holds 1 (indexes 0 to 0).' }] });
  t.strictSame(await queueOf(app, 'key-a'), ['face_mismatch']);

  for (const [url, description] of [
    ['/__mock/outcomes/queue/-1?api_key=key-a', 'index must be a position in the queue: a whole number from 0'],
    ['/__mock/outcomes/queue/%20?api_key=key-a', 'index must be a position in the queue: a whole number from 0'],
    ['/__mock/outcomes/queue/0', 'api_key is required'],
    ['/__mock/outcomes/queue?api_key=', 'api_key must be at least 1 characters long'],
  ]) {
    const res = await app.inject({ method: 'DELETE', url });
    t.equal(res.statusCode, 400, url);
    t.strictSame(res.json(), { errors: [{ code: 'INVALID_REQUEST', description }] }, url);
  }
  const negative = await app.inject({ method: 'POST', url: '/__mock/outcomes/queue/move', payload: { api_key: 'key-a', from: 0, to: -1 } });
  t.equal(negative.statusCode, 400);
  t.strictSame(await queueOf(app, 'key-a'), ['face_mismatch'], 'nothing changed');
});

t.test('outcome queue: a key holds at most 1000 outcomes', async (t) => {
  const { app } = await startTestApp(t);
  t.equal((await queue(app, 'key-a', Array(999).fill('approved'))).statusCode, 200);
  const over = await queue(app, 'key-a', ['approved', 'face_mismatch']);
  t.equal(over.statusCode, 400);
  t.strictSame(over.json(), { errors: [{ code: 'INVALID_REQUEST', description: "A key's queue holds at most 1000 outcomes; this one holds 999, so 2 more do not fit." }] });
  t.equal((await queue(app, 'key-a', ['face_mismatch'])).statusCode, 200);
  t.equal((await queueOf(app, 'key-a')).length, 1000);
  t.equal((await queue(app, 'key-b', ['approved'])).statusCode, 200, 'another key has its own room');
});

t.test("fault rules of one key: listed, removed one by one or all, never another key's", async (t) => {
  const { app } = await startTestApp(t);
  const a1 = (await addFault(app, { api_key: 'key-a', times: null })).json().id;
  const everyone = (await addFault(app, { action: { type: 'reset' } })).json().id;
  const b1 = (await addFault(app, { api_key: 'key-b' })).json().id;
  const a2 = (await addFault(app, { api_key: 'key-a', path: '/v3/scanning/*' })).json().id;

  t.strictSame(await faultIds(app, '?api_key=key-a'), [a1, a2]);
  t.strictSame(await faultIds(app), [a1, everyone, b1, a2], 'without api_key: every rule, in match order');

  const notOwn = await app.inject({ method: 'DELETE', url: `/__mock/faults/${b1}?api_key=key-a` });
  t.equal(notOwn.statusCode, 404);
  t.strictSame(notOwn.json(), { errors: [{ code: 'NOT_FOUND', description: `No fault rule "${b1}" of this api_key.` }] });
  t.equal((await app.inject({ method: 'DELETE', url: `/__mock/faults/${everyone}?api_key=key-a` })).statusCode, 404, 'nor a rule without a key');
  t.equal((await app.inject({ method: 'DELETE', url: `/__mock/faults/${a2}?api_key=key-a` })).statusCode, 204);

  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/faults?api_key=key-a' })).json(), { removed: 1 });
  t.strictSame(await faultIds(app), [everyone, b1], "the key-less rule and key-b's rule are still there");
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__mock/faults' })).json(), { removed: 2 });
});

t.test('a fault path glob that can match no request is refused', async (t) => {
  const { app } = await startTestApp(t);
  const prefix = 'path can never match: fault rules see only the public API, whose paths start with /v3/';
  const character = 'path can never match: it holds a character no request path has (a space, ?, # or a letter outside ASCII; the query is not part of the path)';
  for (const [path, description] of [
    ['/v4/**', prefix],
    ['/v3', prefix],
    ['/', prefix],
    ['/*', prefix],
    ['/portal/**', prefix],
    ['/v3/scanning liveness', character],
    ['/v3/scanning?x=1', character],
    ['/v3/sé', character],
    ['v3/**', 'path must be a path glob starting with /'],
    [`/v3/${'a'.repeat(260)}`, 'path must be a glob of at most 256 characters'],
  ]) {
    const res = await addFault(app, { path });
    t.equal(res.statusCode, 400, path);
    t.strictSame(res.json(), { errors: [{ code: 'INVALID_REQUEST', description }] }, path);
  }
  for (const path of ['/v3/**', '/V3/Scanning/*', '/*/scanning/liveness', '/**', '/**/documents', '/v*/eid/**']) {
    t.equal((await addFault(app, { path })).statusCode, 201, path);
  }
  t.equal((await addFault(app, { api_key: '' })).statusCode, 400, 'an empty api_key would match no call');
  const long = await addFault(app, { action: { type: 'error', code: 'X'.repeat(201) } });
  t.strictSame(long.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'action.code must be at most 200 characters long' }] });
});

t.test('a key holds at most 100 fault rules; other keys and key-less rules have their own room', async (t) => {
  const { app } = await startTestApp(t);
  for (let i = 0; i < 100; i++) await addFault(app, { api_key: 'key-a' });
  const over = await addFault(app, { api_key: 'key-a' });
  t.equal(over.statusCode, 400);
  t.strictSame(over.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'This key holds 100 fault rules, the most allowed: remove some first.' }] });
  t.equal((await addFault(app, { api_key: 'key-b' })).statusCode, 201);
  for (let i = 0; i < 100; i++) await addFault(app, {});
  t.strictSame((await addFault(app, {})).json(), {
    errors: [{ code: 'INVALID_REQUEST', description: 'The rules without an api_key number 100 fault rules, the most allowed: remove some first.' }],
  });
  t.equal((await faultIds(app)).length, 201);
});

t.test('the admin client has the per-key calls', async (t) => {
  const { app } = await startTestApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const admin = createAdminClient(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  await admin.outcomes.queue('key-a', ['liveness_failed', 'approved', 'face_mismatch']);
  t.strictSame(await admin.outcomes.moveQueued('key-a', 2, 0, 'face_mismatch'), { api_key: 'key-a', queued: ['face_mismatch', 'liveness_failed', 'approved'] });
  t.strictSame(await admin.outcomes.removeQueued('key-a', 1), { api_key: 'key-a', queued: ['face_mismatch', 'approved'] });
  const stale = await admin.outcomes.removeQueued('key-a', 0, 'approved').catch((error: unknown) => error);
  t.ok(stale instanceof AdminApiError);
  t.equal((stale as AdminApiError).status, 409);
  t.equal(await admin.outcomes.clearQueue('key-a'), 2);

  const own = await admin.faults.add({ api_key: 'key-a', action: { type: 'reset' } });
  const other = await admin.faults.add({ api_key: 'key-b', action: { type: 'reset' } });
  t.strictSame((await admin.faults.list('key-a')).map((f) => f.id), [own.id]);
  t.equal(((await admin.faults.remove(other.id, 'key-a').catch((error: unknown) => error)) as AdminApiError).status, 404);
  t.equal(await admin.faults.clear('key-a'), 1);
  t.strictSame((await admin.faults.list()).map((f) => f.id), [other.id]);
});
