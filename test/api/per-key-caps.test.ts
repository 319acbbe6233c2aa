// One key cannot starve the others: each key holds at most MAX_SESSIONS_PER_KEY sessions, makes room
// by dropping its own oldest finished ones, and is the only one refused when all of its are unfinished;
// its webhook receivers that never answer hold at most half of the delivery slots; its outcome queue
// and chaos rules are bounded; and what is kept per key lasts only while the key holds something, so
// ever new keys (AUTH_MODE=any) do not make memory grow.
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { MAX_QUEUED_OUTCOMES } from '../../src/services/outcome-queues.js';
import { MAX_CHAOS_RULES } from '../../src/services/webhook-chaos.js';
import { eventually } from '../helpers/eventually.js';
import { startReceiver } from '../helpers/receiver.js';

type App = Awaited<ReturnType<typeof startTestApp>>['app'];
const create = (app: App, key: string) => app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: exampleLivenessRequest });
const perKeyRefusal = (n: number) => ({
  errors: [{ code: 'TOO_MANY_SESSIONS', description: `This API key already holds MAX_SESSIONS_PER_KEY=${n} unfinished sessions; finish some, wait for SESSION_TTL, or raise MAX_SESSIONS_PER_KEY.` }],
});

t.test('a key at its cap with only unfinished sessions gets 429; another key goes on creating', async (t) => {
  const { app } = await startTestApp(t, { MAX_SESSIONS: '10', MAX_SESSIONS_PER_KEY: '3' });
  for (let i = 0; i < 3; i++) t.equal((await create(app, 'runaway')).statusCode, 200);
  const refused = await create(app, 'runaway');
  t.equal(refused.statusCode, 429);
  t.strictSame(refused.json(), perKeyRefusal(3));
  for (let i = 0; i < 3; i++) t.equal((await create(app, 'parallel-pipeline')).statusCode, 200, 'the other key is not affected');
});

t.test("a key at its cap drops its own oldest finished session, never another key's", async (t) => {
  const { app } = await startTestApp(t, { MAX_SESSIONS: '10', MAX_SESSIONS_PER_KEY: '3' });
  const theirs = (await create(app, 'quiet')).json().id;
  await app.inject({ method: 'POST', url: `/__mock/sessions/${theirs}/complete` });
  const mine: string[] = [];
  for (let i = 0; i < 3; i++) mine.push((await create(app, 'busy')).json().id);
  await app.inject({ method: 'POST', url: `/__mock/sessions/${mine[0]}/complete` });
  await app.inject({ method: 'POST', url: `/__mock/sessions/${mine[2]}/complete` });
  for (let i = 0; i < 20; i++) {
    const created = await create(app, 'busy');
    t.equal(created.statusCode, 200);
    await app.inject({ method: 'POST', url: `/__mock/sessions/${created.json().id}/complete` });
  }
  t.equal((await app.inject({ url: `/v3/scanning/${mine[0]}`, headers: auth('busy') })).statusCode, 404, 'its oldest finished went first');
  t.equal((await app.inject({ url: `/v3/scanning/${mine[1]}`, headers: auth('busy') })).json().status, 'Created', 'its unfinished one stays');
  t.equal((await app.inject({ url: `/v3/scanning/${theirs}`, headers: auth('quiet') })).json().status, 'Accepted', "the other key's finished session stays");
  t.equal((await app.inject({ url: '/__mock/sessions?api_key=busy' })).json().total, 3);
});

t.test('by default one key holds a tenth of MAX_SESSIONS, so a runaway key cannot fill the store', async (t) => {
  const { app, config } = await startTestApp(t, { MAX_SESSIONS: '20' });
  t.equal(config.MAX_SESSIONS_PER_KEY, 2);
  const answers = await Promise.all(Array.from({ length: 30 }, () => create(app, 'runaway')));
  t.same(answers.filter((a) => a.statusCode === 200).length, 2);
  t.strictSame(answers.find((a) => a.statusCode === 429)!.json(), perKeyRefusal(2));
  for (let i = 0; i < 9; i++) t.equal((await create(app, `pipeline-${i}`)).statusCode, 200, `pipeline-${i} still gets a session`);
});

t.test('MAX_SESSIONS_PER_KEY is a whole number from 1 to MAX_SESSIONS; its default follows MAX_SESSIONS', async (t) => {
  t.equal(loadConfig({}).MAX_SESSIONS_PER_KEY, 1000);
  t.equal(loadConfig({ MAX_SESSIONS: '5' }).MAX_SESSIONS_PER_KEY, 1);
  t.equal(loadConfig({}, { MAX_SESSIONS_PER_KEY: '10000' }).MAX_SESSIONS_PER_KEY, 10_000, 'equal to MAX_SESSIONS turns the share off');
  for (const [value, got] of [
    ['20000', '"20000"'],
    ['0', '"0"'],
    ['many', '"many"'],
  ]) {
    t.throws(
      () => loadConfig({ MAX_SESSIONS_PER_KEY: value }),
      new ConfigError(`Invalid configuration:\n  MAX_SESSIONS_PER_KEY (--max-sessions-per-key): must be a whole number from 1 to MAX_SESSIONS${value === 'many' ? '' : ' (10000)'} (got ${got})`),
    );
  }
});

t.test("a key whose receiver never answers holds half of WEBHOOK_CONCURRENCY at most: another key's delivery starts at once", async (t) => {
  const { app, config } = await startTestApp(t, { WEBHOOK_TIMEOUT: '20s', SHUTDOWN_GRACE: '1s' });
  t.equal(config.WEBHOOK_CONCURRENCY, 8);
  const hung = await startReceiver(t, () => ({ hang: true }));
  const fast = await startReceiver(t);
  const finish = async (key: string, webhook: string) => {
    const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: { ...exampleLivenessRequest, webhook } })).json();
    await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
    return id as string;
  };
  for (let i = 0; i < 12; i++) await finish('stuck-key', hung.url);
  await eventually(() => hung.received.length >= 4, 'four attempts of the stuck key to reach its receiver');
  const started = performance.now();
  const theirs = await finish('healthy-key', fast.url);
  const delivered = await eventually(async () => (await app.inject({ url: `/__mock/webhooks?session_id=${theirs}&status=succeeded` })).json().deliveries[0], "the other key's delivery", 15_000);
  const waited = performance.now() - started;
  t.equal(delivered.attempts.length, 1, 'delivered on its first attempt');
  // Far within the stuck key's 20 s timeout, which it waited out before.
  t.ok(waited < 5000, `delivered ${waited.toFixed(0)} ms after the session finished`);
  const stuck = (await app.inject({ url: '/__mock/webhooks?api_key=stuck-key' })).json().deliveries;
  t.equal(stuck.filter((d: { in_flight: boolean }) => d.in_flight).length, 4, 'the stuck key has four attempts in flight, half of the eight slots');
  t.equal(stuck.filter((d: { in_flight: boolean; attempts: unknown[] }) => !d.in_flight && d.attempts.length === 0).length, 8, 'its eight others wait their turn');
  t.equal(hung.received.length, 4, 'and none of them was sent');
});

t.test(`a key queues at most ${MAX_QUEUED_OUTCOMES} outcomes (400 beyond, nothing queued); its queue goes once used up`, async (t) => {
  t.equal(MAX_QUEUED_OUTCOMES, 1000);
  const { app } = await startTestApp(t);
  const queue = (key: string, outcomes: string[]) => app.inject({ method: 'POST', url: '/__mock/outcomes/queue', payload: { api_key: key, outcomes } });
  t.equal((await queue('queue-key', Array(600).fill('approved'))).statusCode, 200);
  const over = await queue('queue-key', Array(401).fill('face_mismatch'));
  t.equal(over.statusCode, 400);
  t.strictSame(over.json(), {
    errors: [{ code: 'INVALID_REQUEST', description: "A key's queue holds at most 1000 outcomes; this one holds 600, so 401 more do not fit." }],
  });
  t.equal((await app.inject({ url: '/__mock/outcomes/queue?api_key=queue-key' })).json().queued.length, 600, 'nothing of the refused call was queued');
  t.equal((await queue('queue-key', Array(400).fill('face_mismatch'))).statusCode, 200, 'up to the cap is fine');
  t.equal((await queue('another-key', ['approved'])).statusCode, 200, "another key's queue is its own");

  const { sessions } = app.emulator;
  t.equal(sessions.keyRecords, 2, 'two keys with a queue');
  t.equal((await create(app, 'another-key')).headers['x-mock-outcome-selected'], 'approved; rule=queued');
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/sessions?api_key=another-key' })).statusCode, 200);
  t.equal(sessions.keyRecords, 1, 'a key whose queue is used up and whose sessions are gone keeps no record');
});

t.test('what is kept per key lasts while the key holds something: 5,000 keys through a store of 50 sessions leave 50 records', async (t) => {
  const { app } = await startTestApp(t, { MAX_SESSIONS: '50', MAX_SESSIONS_PER_KEY: '50', SEED: 'records' });
  const { sessions } = app.emulator;
  for (let n = 0; n < 5000; n++) {
    const created = await create(app, `passing-key-${n}`);
    t.equal(created.statusCode, 200);
    await app.inject({ method: 'POST', url: `/__mock/sessions/${created.json().id}/complete` });
  }
  t.equal(sessions.size, 50);
  t.equal(sessions.keyRecords, 50, 'a key whose sessions were all evicted keeps nothing');

  // A key numbers its sessions while it holds any (SEED draws per key and number); once it holds
  // none, it starts again as a new key: the same seeded choices as a fresh key's first session.
  const firstOf = async (key: string) => {
    const { id } = (await create(app, key)).json();
    await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
    return (await app.inject({ url: `/v3/scanning/${id}`, headers: auth(key) })).json().result.identity;
  };
  const first = await firstOf('renumbered-key');
  t.type(first, 'object', 'the approved outcome generates an identity');
  t.notSame(await firstOf('renumbered-key'), first, 'the second session of the key is numbered 2');
  await app.inject({ method: 'DELETE', url: '/__mock/sessions?api_key=renumbered-key' });
  t.same(await firstOf('renumbered-key'), first, 'after its sessions are gone, the key numbers from 1 again');
});

t.test(`chaos rules: at most ${MAX_CHAOS_RULES} in all (400 beyond); rules of sessions that are gone do not count`, async (t) => {
  t.equal(MAX_CHAOS_RULES, 1000);
  const { app } = await startTestApp(t, { MAX_SESSIONS: '20', MAX_SESSIONS_PER_KEY: '20' });
  const chaos = (body: object) => app.inject({ method: 'POST', url: '/__mock/webhooks/chaos', payload: body });
  for (let n = 0; n < 10; n++) for (let k = 0; k < 99; k++) t.equal((await chaos({ api_key: `chaos-key-${n}`, chaos: { duplicate: true } })).statusCode, 201);
  const sessionIds: string[] = [];
  for (let n = 0; n < 10; n++) {
    const id = (await create(app, 'session-rules-key')).json().id;
    sessionIds.push(id);
    t.equal((await chaos({ session_id: id, chaos: { out_of_order: true } })).statusCode, 201);
  }
  const full = await chaos({ api_key: 'one-more-key', chaos: { duplicate: true } });
  t.equal(full.statusCode, 400);
  t.strictSame(full.json(), { errors: [{ code: 'INVALID_REQUEST', description: 'At most 1000 chaos rules are held, and as many are: remove some first.' }] });
  for (const id of sessionIds.slice(0, 5)) t.equal((await app.inject({ method: 'DELETE', url: `/__mock/sessions/${id}` })).statusCode, 204);
  t.equal((await app.inject({ url: '/__mock/webhooks/chaos' })).json().rules.length, 995, 'the rules of the deleted sessions went with them');
  t.equal((await chaos({ api_key: 'one-more-key', chaos: { duplicate: true } })).statusCode, 201, 'so there is room for one more');
  t.equal((await app.inject({ url: '/__mock/webhooks/chaos' })).json().rules.length, 996);
});
