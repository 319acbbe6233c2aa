import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, configKeys, describeConfig, flagsToInput, formatConfig, formatDuration, loadConfig, parseDuration } from '../../src/config.js';
import { FixtureError, loadFixtures } from '../../src/services/fixtures.js';
import { auth, exampleLivenessRequest, startTestApp } from '../helpers/app.js';

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

t.test('flags are read with parseArgs: inline or next values, switches bare or with a value, the rest kept in order', async (t) => {
  t.same(flagsToInput(['--test-mode', 'false', '--port', '1']), { input: { TEST_MODE: 'false', PORT: '1' }, rest: [], missingValues: [] });
  t.same(flagsToInput(['--test-mode=no', '--seed=-x']), { input: { TEST_MODE: 'no', SEED: '-x' }, rest: [], missingValues: [] });
  t.same(flagsToInput(['--test-mode', 'extra']), { input: { TEST_MODE: 'true' }, rest: ['extra'], missingValues: [] });
  t.same(flagsToInput(['--bogus', '3', '--nope=2', '-h']), { input: {}, rest: ['--bogus', '3', '--nope=2', '-h'], missingValues: [] });
  t.same(flagsToInput(['--port']).missingValues, ['--port'], 'a value flag without its value');
  t.same(flagsToInput(['--port', '-1']).missingValues, ['--port'], 'a value starting with - is written inline');
  t.same(flagsToInput(['--port=-1']).input, { PORT: '-1' });
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
        '  PUBLIC_URL (--public-url): must be an absolute http(s) URL without credentials, query or fragment (a path prefix is fine), such as http://localhost:8080 or https://mock.example/zignsec; this one does not start with http:// or https:// (got "localhost:8080")',
        '  SESSION_TTL (--session-ttl): must be a duration from 1ms to 30d, such as 90s, 30m, 1h or a number of seconds (got "5 minutes")',
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

const publicUrlAllowed =
  'must be an absolute http(s) URL without credentials, query or fragment (a path prefix is fine), such as http://localhost:8080 or https://mock.example/zignsec';

t.test('PUBLIC_URL with a query, a fragment or credentials is refused, naming the variable, its flag and what is allowed', async (t) => {
  const refused = (value: string) => {
    try {
      loadConfig({ PUBLIC_URL: value });
    } catch (error) {
      t.type(error, ConfigError);
      return (error as Error).message;
    }
    return t.fail(`${value} was accepted`);
  };
  t.equal(
    refused('http://h.example/base?x=1#frag'),
    `Invalid configuration:\n  PUBLIC_URL (--public-url): ${publicUrlAllowed}; this one has a query (?x=1) and a fragment (#frag) (got "http://h.example/base?x=1#frag")`,
  );
  t.equal(refused('http://h.example/?'), `Invalid configuration:\n  PUBLIC_URL (--public-url): ${publicUrlAllowed}; this one has a query (?) (got "http://h.example/?")`);
  t.equal(refused('http://h.example#'), `Invalid configuration:\n  PUBLIC_URL (--public-url): ${publicUrlAllowed}; this one has a fragment (#) (got "http://h.example#")`);
  t.equal(
    refused('https://admin:hunter2@h.example/base'),
    `Invalid configuration:\n  PUBLIC_URL (--public-url): ${publicUrlAllowed}; this one has credentials (user:password@) (got "https://****@h.example/base")`,
    'the credentials are not echoed',
  );
  t.equal(
    refused('https://admin:hunter2@h.example/?a=b#c'),
    `Invalid configuration:\n  PUBLIC_URL (--public-url): ${publicUrlAllowed}; this one has credentials (user:password@), a query (?a=b) and a fragment (#c) (got "https://****@h.example/?a=b#c")`,
  );
  t.match(refused('ftp://h.example/'), /this one does not start with http:\/\/ or https:\/\/ \(got "ftp:\/\/h\.example\/"\)$/);
  t.match(refused('http://'), /this one is not an absolute URL \(got "http:\/\/"\)$/);
  t.match(refused('/base'), /this one is not an absolute URL/);
  t.match(flagsToInput(['--public-url', 'http://h.example/?x=1']).input, { PUBLIC_URL: 'http://h.example/?x=1' });
  t.throws(() => loadConfig({}, flagsToInput(['--public-url', 'http://h.example/?x=1']).input), { message: /PUBLIC_URL \(--public-url\): .*a query \(\?x=1\)/ });
});

t.test('HOST is a host name or an IP address, not a URL or an address with a port', async (t) => {
  for (const host of ['localhost', '0.0.0.0', '::', '::1', 'fe80::1%eth0', 'my_service', 'mock.example', '999.1.1.1']) t.equal(loadConfig({ HOST: host }).HOST, host);
  for (const host of ['http://0.0.0.0', '0.0.0.0:8080', 'mock:8080', 'a b', '[::1]', 'mock/']) {
    t.throws(
      () => loadConfig({}, { HOST: host }),
      {
        message: `Invalid configuration:\n  HOST (--host): must be a host name or IP address of this machine, such as 127.0.0.1, ::1 or 0.0.0.0 for every interface (no scheme, port or path) (got ${JSON.stringify(host)})`,
      },
      host,
    );
  }
});

t.test('PUBLIC_URL keeps a path prefix and loses trailing slashes', async (t) => {
  t.equal(loadConfig({ PUBLIC_URL: 'http://h.example/base/' }).PUBLIC_URL, 'http://h.example/base');
  t.equal(loadConfig({ PUBLIC_URL: 'http://h.example/base//' }).PUBLIC_URL, 'http://h.example/base');
  t.equal(loadConfig({ PUBLIC_URL: 'https://H.Example:8443/' }).PUBLIC_URL, 'https://h.example:8443');
  t.equal(loadConfig({ PUBLIC_URL: 'https://h.example//' }).PUBLIC_URL, 'https://h.example');
  t.equal(loadConfig({ PUBLIC_URL: 'http://h.example:80/a/b' }).PUBLIC_URL, 'http://h.example/a/b');
  t.equal(loadConfig({ PUBLIC_URL: '' }).PUBLIC_URL, undefined, 'empty counts as unset');
});

t.test('links handed out under PUBLIC_URL have its path prefix and no double slash', async (t) => {
  for (const publicUrl of ['http://h.example/base/', 'http://h.example/base', 'http://h.example/']) {
    const { app } = await startTestApp(t, { PUBLIC_URL: publicUrl });
    const res = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: { ...auth('k'), host: 'other:1' }, payload: exampleLivenessRequest });
    const prefix = publicUrl.replace(/\/$/, '');
    t.match(res.json().redirect_url, new RegExp(`^${prefix.replace(/\./g, '\\.')}/v3/scan/ui/[0-9a-f-]{36}/liveness\\?otp=[A-Za-z0-9_-]+$`), publicUrl);
    t.notMatch(res.json().redirect_url, /[^:]\/\//, `${publicUrl}: no // after the scheme`);
  }
});

t.test('secrets are masked when the configuration is printed', async (t) => {
  const shown = describeConfig(loadConfig({ MOCK_ADMIN_TOKEN: 'hunter2' }));
  t.equal(shown.MOCK_ADMIN_TOKEN, '****');
  t.notMatch(formatConfig(loadConfig({ MOCK_ADMIN_TOKEN: 'hunter2' })), 'hunter2');
  t.equal(describeConfig(loadConfig({})).MOCK_ADMIN_TOKEN, '(unset: the control API (/__mock) needs no token)');
});

t.test('the printed configuration shows every setting, unset ones with what that means', async (t) => {
  const config = loadConfig({ PORT: '9000', SESSION_TTL: '90s', OTP_TTL: '1.5h', SEED: 'two words', MERCHANTS_FILE: '/data/merchants.json' });
  const shown = describeConfig(config);
  t.strictSame(Object.keys(shown), configKeys, 'every setting, in ConfigSchema order');
  t.match(shown, {
    PORT: '9000',
    HOST: '127.0.0.1',
    PUBLIC_URL: "(unset: derived from each request's Host and X-Forwarded-* headers)",
    SESSION_TTL: '90s',
    OTP_TTL: '90m',
    SHUTDOWN_GRACE: '5s',
    MERCHANTS_FILE: '/data/merchants.json',
    OUTCOMES_DIR: '(unset: only the built-in outcome presets)',
    SEED: '"two words"',
    TEST_MODE: 'true',
    WEBHOOK_TIME_SCALE: '1',
    MOCK_ADMIN_TOKEN: '(unset: the control API (/__mock) needs no token)',
  });
  const text = formatConfig(config);
  const lines = text.split('\n');
  t.equal(lines[0], 'zignsec-mock configuration (secrets masked):');
  t.equal(lines.length, configKeys.length + 2, 'a heading, one line per setting, and a final newline');
  t.equal(lines.at(-1), '');
  t.equal(lines[1], '  PORT                  9000');
  t.equal(lines[3], "  PUBLIC_URL            (unset: derived from each request's Host and X-Forwarded-* headers)");
  t.equal(lines[21], '  SEED                  "two words"');
  for (const [i, key] of configKeys.entries()) t.equal(lines[i + 1], `  ${key.padEnd(20)}  ${shown[key]}`, key);
  t.match(formatConfig(loadConfig({ PUBLIC_URL: 'https://mock.example/zignsec/', SEED: 'abc' })), /^ {2}PUBLIC_URL {12}https:\/\/mock\.example\/zignsec\n[^]*^ {2}SEED {18}abc$/m);
});

t.test('durations are printed in the largest unit that divides them', async (t) => {
  t.equal(formatDuration(1_800_000), '30m');
  t.equal(formatDuration(250), '250ms');
  t.equal(formatDuration(1500), '1500ms');
  t.equal(formatDuration(86_400_000), '1d');
  t.equal(formatDuration(7_200_000), '2h');
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
