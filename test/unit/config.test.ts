import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, describeConfig, flagsToInput, loadConfig, parseDuration } from '../../src/config.js';
import { FixtureError, loadFixtures } from '../../src/services/fixtures.js';

t.test('defaults', async (t) => {
  const config = loadConfig({});
  t.match(config, { PORT: 8080, HOST: '127.0.0.1', PUBLIC_URL: undefined, LOG_LEVEL: 'info', SESSION_TTL: 1_800_000, OTP_TTL: 600_000, MAX_SESSIONS: 10_000, AUTH_MODE: 'any', TEST_MODE: true });
  t.ok(Object.isFrozen(config));
});

t.test('environment, then CLI flags over it', async (t) => {
  const { input, rest } = flagsToInput(['serve', '--port', '9000', '--public-url=http://mock:9000/', '--test-mode', '--auth-mode', 'strict']);
  t.same(rest, ['serve']);
  const config = loadConfig({ PORT: '1', SESSION_TTL: '90s', OTP_TTL: '250ms', MAX_SESSIONS: '', SEED: 'abc' }, input);
  t.match(config, { PORT: 9000, PUBLIC_URL: 'http://mock:9000', SESSION_TTL: 90_000, OTP_TTL: 250, MAX_SESSIONS: 10_000, AUTH_MODE: 'strict', TEST_MODE: true, SEED: 'abc' });
});

t.test('a bad value names the variable, its flag and what is allowed', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty', AUTH_MODE: 'open', SESSION_TTL: '5 minutes' }), ConfigError);
  try {
    loadConfig({ PORT: 'eighty', AUTH_MODE: 'open', SESSION_TTL: '5 minutes', PUBLIC_URL: 'localhost:8080' });
  } catch (error) {
    t.equal(
      (error as Error).message,
      [
        'Invalid configuration:',
        '  PORT (--port): must be a whole number from 0 to 65535 (got "eighty")',
        '  PUBLIC_URL (--public-url): must be an absolute http(s) URL such as http://localhost:8080 (got "localhost:8080")',
        '  SESSION_TTL (--session-ttl): must be a duration such as 90s, 30m, 1h or a number of seconds (got "5 minutes")',
        '  AUTH_MODE (--auth-mode): must be any or strict (got "open")',
      ].join('\n'),
    );
  }
});

t.test('durations', async (t) => {
  t.equal(parseDuration('30m'), 1_800_000);
  t.equal(parseDuration('1.5h'), 5_400_000);
  t.equal(parseDuration('20'), 20_000);
  t.equal(parseDuration('2d'), 172_800_000);
  t.equal(parseDuration('soon'), undefined);
});

t.test('secrets are masked when the configuration is printed', async (t) => {
  const shown = describeConfig(loadConfig({ MOCK_ADMIN_TOKEN: 'hunter2' }));
  t.equal(shown.MOCK_ADMIN_TOKEN, '****');
  t.equal(describeConfig(loadConfig({})).MOCK_ADMIN_TOKEN, undefined);
});

t.test('a bad fixture file stops startup naming the file and the field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zsm-fixtures-'));
  const merchants = join(dir, 'merchants.json');
  writeFileSync(merchants, JSON.stringify({ merchants: { k: { options: 'Sideways' } } }));
  const base = loadConfig({});
  t.throws(() => loadFixtures({ ...base, MERCHANTS_FILE: merchants }), {
    message: `${merchants}: invalid\n  merchants.k.options: Invalid option: expected one of "FrontSide"|"NoDocument"|"FrontAndBack"`,
  });
  writeFileSync(merchants, '{ nope');
  t.throws(() => loadFixtures({ ...base, MERCHANTS_FILE: merchants }), FixtureError);
  t.throws(() => loadFixtures({ ...base, MERCHANTS_FILE: join(dir, 'missing.json') }), { message: `${join(dir, 'missing.json')}: cannot be read (ENOENT)` });
  writeFileSync(merchants, JSON.stringify({ merchants: { k: { default_outcome: 'sunny' } } }));
  t.throws(() => loadFixtures({ ...base, MERCHANTS_FILE: merchants }), { message: /merchants\.k\.default_outcome: unknown outcome "sunny" \(known: .*approved/ });

  const outcomes = join(dir, 'outcomes');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(outcomes);
  writeFileSync(join(outcomes, 'bad.json'), JSON.stringify({ name: 'bad', description: 'x', session_status: 'Sunny' }));
  t.throws(() => loadFixtures({ ...base, OUTCOMES_DIR: outcomes }), { message: new RegExp(`${join(outcomes, 'bad.json')}: invalid\\n  session_status: `) });

  const template = join(dir, 'template.json');
  writeFileSync(template, JSON.stringify({ id: '{{session.id}}', errors: [], status: '{{session.stat}}' }));
  t.throws(() => loadFixtures({ ...base, RESULT_TEMPLATE_FILE: template }), { message: `${template}: unknown placeholders {{session.stat}}` });
});
