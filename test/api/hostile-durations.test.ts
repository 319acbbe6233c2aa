// Out-of-range time: every duration the emulator accepts is bounded (clock moves, Retry-After,
// duration settings, latency rules, chaos delays, preset durations), what is beyond is refused
// clearly, and no read of a stored instant can fail.
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { AdjustableClock } from '../../src/core/clock.js';
import { isoInstant, MAX_CLOCK_TIME_MS } from '../../src/core/time-limits.js';
import { describeStartupError } from '../../src/server.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { signIn, startPortalApp } from '../helpers/portal.js';
import { startReceiver } from '../helpers/receiver.js';

const DAY = 86_400_000;
const invalid = (description: string) => ({ errors: [{ code: 'INVALID_REQUEST', description }] });
const tooFar = invalid('one move is at most 2592000000 ms (30 days): move the clock in several steps');

t.test('a clock move beyond 30 days is a 400, the clock stays put, and sessions created afterwards read fine', async (t) => {
  const { app } = await startTestApp(t);
  for (const body of [{ ms: 8_640_000_000_000_000 }, { ms: 30 * DAY + 1 }, { duration: '31d' }, { duration: '99999999999999999999d' }]) {
    const refused = await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: body });
    t.equal(refused.statusCode, 400, JSON.stringify(body));
    t.strictSame(refused.json(), tooFar, JSON.stringify(body));
  }
  t.match((await app.inject({ url: '/__mock/clock' })).json(), { now: '2026-01-15T09:00:00.000Z', offset_ms: 0 });
  const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('k'), payload: exampleLivenessRequest })).json();
  const read = await app.inject({ url: `/v3/scanning/${id}`, headers: auth('k') });
  t.equal(read.statusCode, 200);
  t.equal(read.json().created, '2026-01-15T09:00:00.000Z');
  t.equal((await app.inject({ url: '/__mock/sessions' })).statusCode, 200);
  const month = await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: '30d' } });
  t.equal(month.statusCode, 200);
  t.equal(month.json().now, '2026-02-14T09:00:00.000Z', 'exactly 30 days is fine');
});

t.test('the clock never goes past 2200-01-01, however many moves it is given', async (t) => {
  const clock = new AdjustableClock(() => Date.UTC(2199, 11, 20));
  const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent' }), { clock, logger: false, checkResponses: true });
  t.teardown(() => app.close());
  const refused = await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: '13d' } });
  t.equal(refused.statusCode, 400);
  t.strictSame(refused.json(), invalid('the clock does not go past 2200-01-01T00:00:00.000Z: reset it (POST /__mock/clock/reset) first'));
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: '11d' } })).json().now, '2199-12-31T00:00:00.000Z');
  t.throws(() => clock.advance(2 * DAY), RangeError, 'nor when moved directly');
  t.equal(clock.now(), MAX_CLOCK_TIME_MS - DAY);
});

t.test('a receiver asking Retry-After beyond a day waits a day, says so on the attempt, and every listing still reads', async (t) => {
  const { app } = await startPortalApp(t);
  const askers = ['10000000000000', '9'.repeat(400), 'Fri, 31 Dec 9999 23:59:59 GMT'];
  const receiver = await startReceiver(t, (n) => (n <= askers.length ? { status: 503, headers: { 'retry-after': askers[n - 1] } } : { status: 200 }));
  const ids: string[] = [];
  for (const asked of askers) {
    const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('retry-key'), payload: { ...exampleLivenessRequest, webhook: receiver.url } })).json();
    await app.inject({ method: 'POST', url: `/__mock/sessions/${id}/complete` });
    const [delivery] = await eventually(async () => {
      const found = (await app.inject({ url: `/__mock/webhooks?session_id=${id}` })).json().deliveries;
      return found[0]?.attempts.length === 1 && !found[0].in_flight ? found : undefined;
    }, `the first attempt for Retry-After ${asked.slice(0, 20)}`);
    const [attempt] = delivery.attempts;
    t.equal(attempt.retry_after_ms, DAY, asked.slice(0, 20));
    t.equal(attempt.error, `receiver answered 503 (Retry-After of ${asked.slice(0, 40)} is longer than the 24 h honoured at most: waiting 24 h)`);
    t.equal(Date.parse(delivery.next_attempt) - Date.parse(attempt.at), DAY);
    ids.push(id);
  }
  for (const url of ['/__mock/webhooks', '/__mock/sessions', `/__mock/sessions/${ids[0]}`]) t.equal((await app.inject({ url })).statusCode, 200, url);
  const client = await signIn(app, 'retry-key');
  t.equal((await client.get(`/portal/sessions/${ids[0]}`)).statusCode, 200, 'the portal session page');
  const moved = (await app.inject({ method: 'POST', url: '/__mock/clock/advance', payload: { duration: '24h' } })).json();
  t.equal(moved.ran.webhook_attempts, 3, 'after a day every delivery is tried again');
  t.same((await app.inject({ url: '/__mock/webhooks?status=succeeded' })).json().deliveries.length, 3);
});

t.test('duration settings are bounded: beyond the limit startup stops naming the setting (exit 2)', async (t) => {
  const cases: [string, string, string][] = [
    ['SESSION_TTL', '31d', '30d'],
    ['OTP_TTL', '1000d', '30d'],
    ['WEBHOOK_TIMEOUT', '6m', '5m'],
    ['SHUTDOWN_GRACE', '11m', '10m'],
  ];
  for (const [key, value, limit] of cases) {
    let error: unknown;
    try {
      loadConfig({ [key]: value });
    } catch (caught) {
      error = caught;
    }
    t.ok(error instanceof ConfigError, key);
    const flag = `--${key.toLowerCase().replace(/_/g, '-')}`;
    t.strictSame(describeStartupError(error, undefined), {
      message: `Invalid configuration:\n  ${key} (${flag}): must be a duration from 1ms to ${limit}, such as 90s, 30m, 1h or a number of seconds (got "${value}")`,
      exitCode: 2,
    });
    t.equal(loadConfig({ [key]: limit })[key as 'SESSION_TTL'], parseInt(limit, 10) * (limit.endsWith('d') ? DAY : 60_000), `${key}=${limit} is fine`);
  }
});

t.test('latency rules, chaos delays and preset durations have bounds too', async (t) => {
  const { app } = await startTestApp(t);
  const latency = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { action: { type: 'latency', ms: 120_001 } } });
  t.equal(latency.statusCode, 400);
  const chaos = await app.inject({ method: 'POST', url: '/__mock/webhooks/chaos', payload: { api_key: 'k', chaos: { delay_ms: DAY + 1 } } });
  t.equal(chaos.statusCode, 400);
  const merchant = await app.inject({ method: 'PUT', url: '/__mock/merchants/k', payload: { webhook_chaos: { delay_ms: DAY + 1 } } });
  t.equal(merchant.statusCode, 400);
});

t.test('instants render without throwing, whatever reaches the formatter', async (t) => {
  t.equal(isoInstant(Date.UTC(2026, 0, 15)), '2026-01-15T00:00:00.000Z');
  t.equal(isoInstant(8.64e15 + 1), '+275760-09-13T00:00:00.000Z');
  t.equal(isoInstant(Infinity), '+275760-09-13T00:00:00.000Z');
  t.equal(isoInstant(-Infinity), '-271821-04-20T00:00:00.000Z');
  t.equal(isoInstant(NaN), '1970-01-01T00:00:00.000Z');
});
