// One key cannot starve the others: each key holds at most MAX_SESSIONS_PER_KEY sessions, makes room
// by dropping its own oldest finished ones, and is the only one refused when all of its are unfinished.
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

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
