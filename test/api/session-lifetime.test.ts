import t from 'tap';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

const create = async (app: Awaited<ReturnType<typeof startTestApp>>['app'], key = 'k') =>
  (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth(key), payload: exampleLivenessRequest })).json().id as string;
const statusOf = async (app: Awaited<ReturnType<typeof startTestApp>>['app'], id: string, key = 'k') =>
  (await app.inject({ url: `/v3/scanning/${id}`, headers: auth(key) })).json();

t.test('an unfinished session becomes Timeout at SESSION_TTL on the clock', async (t) => {
  const { app, clock } = await startTestApp(t, { SESSION_TTL: '10m' });
  const id = await create(app);
  clock.advance(10 * 60_000 - 1);
  t.equal((await statusOf(app, id)).status, 'Created');
  clock.advance(1);
  const result = await statusOf(app, id);
  t.equal(result.status, 'Timeout');
  t.equal(result.total_result, 'Timeout');
  t.same(
    [result.result.documentAnalysis.status, result.result.livenessAnalysis.status, result.result.faceMatchAnalysis.status],
    ['Cancelled', 'Cancelled', 'Cancelled'],
    'open analyses are closed as Cancelled',
  );
  t.equal(result.result.reason, 'SessionTimeout');
});

t.test('past MAX_SESSIONS the oldest finished sessions are evicted, unfinished ones never', async (t) => {
  const { app, clock } = await startTestApp(t, { MAX_SESSIONS: '3', MAX_SESSIONS_PER_KEY: '3', SESSION_TTL: '1m' });
  const a = await create(app);
  const b = await create(app);
  clock.advance(60_000); // a and b time out: finished, evictable
  const c = await create(app);
  const d = await create(app); // evicts a (oldest finished)
  t.equal((await app.inject({ url: `/v3/scanning/${a}`, headers: auth('k') })).statusCode, 404);
  t.equal((await statusOf(app, b)).status, 'Timeout');
  const e = await create(app); // evicts b
  t.equal((await app.inject({ url: `/v3/scanning/${b}`, headers: auth('k') })).statusCode, 404);
  for (const id of [c, d, e]) t.equal((await statusOf(app, id)).status, 'Created');
  // Another key, with room of its own: the store as a whole is full of unfinished sessions.
  const full = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('other-key'), payload: exampleLivenessRequest });
  t.equal(full.statusCode, 429);
  t.strictSame(full.json(), {
    errors: [
      {
        code: 'TOO_MANY_SESSIONS',
        description: 'The emulator already holds MAX_SESSIONS=3 unfinished sessions; finish some, wait for SESSION_TTL, or raise MAX_SESSIONS.',
      },
    ],
  });
  for (const id of [c, d, e]) t.equal((await statusOf(app, id)).status, 'Created', 'no stored session was lost');
});

t.test("a full store counts another key's sessions past their deadline on its clock as finished, even before they were swept", async (t) => {
  const { app, advanceRealTime } = await startTestApp(t, { MAX_SESSIONS: '2', MAX_SESSIONS_PER_KEY: '2', SESSION_TTL: '1m' });
  const theirs = [await create(app, 'other-key'), await create(app, 'other-key')];
  // Real time passes without the timer having run yet: their deadlines are behind, unswept.
  advanceRealTime(60_000);
  const mine = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest });
  t.equal(mine.statusCode, 200, 'room was made by evicting a timed-out session of the other key');
  t.equal((await app.inject({ url: `/v3/scanning/${theirs[0]}`, headers: auth('other-key') })).statusCode, 404, 'the oldest finished one went');
  t.same((await statusOf(app, theirs[1], 'other-key')).status, 'Timeout');
});
