// What stops startup (a port in use, an unusable HOST, an unreadable fixture file) is one line naming the
// setting to change and exit code 2, never a stack trace; the configuration is printed at every LOG_LEVEL but silent.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ConfigError, configPrintout, describeConfig, formatConfig, loadConfig, type Config, type ConfigInput } from '../../src/config.js';
import { CONFIGURATION_EXIT_CODE, describeListenError, describeStartupError } from '../../src/server.js';
import { loadFixtures } from '../../src/services/fixtures.js';
import { cleanEnv, freePort, listening, readyBody, spawnNode } from '../helpers/processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** `npm start`: node --import tsx src/server.ts, in the package folder. */
const npmStart = (env: ConfigInput) => spawnNode(['--import', 'tsx', 'src/server.ts'], { cwd: root, env: { ...cleanEnv, ...env } });

/** The error loadFixtures throws for these settings, as startup would print it. */
function fixtureFailure(settings: ConfigInput): { config: Config; printed: { message: string; exitCode: number } } {
  const config = loadConfig({}, settings);
  try {
    loadFixtures(config);
  } catch (error) {
    return { config, printed: describeStartupError(error, config) };
  }
  throw new Error('the fixtures loaded');
}

const errno = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

t.test('a PORT already in use exits 2 with one line naming PORT and --port', async (t) => {
  const { server, port } = await listening();
  t.teardown(() => server.close());
  t.strictSame(await npmStart({ PORT: String(port), LOG_LEVEL: 'silent' }).exited, {
    code: 2,
    signal: null,
    stdout: '',
    stderr: `zignsec-mock: PORT ${port} is already in use on 127.0.0.1 (EADDRINUSE): set PORT or --port to a free port, or 0 for any free port\n`,
  });
});

t.test('a HOST that does not resolve exits 2 with one line naming HOST and --host', async (t) => {
  const { code, stdout, stderr } = await npmStart({ HOST: '999.1.1.1', PORT: '0', LOG_LEVEL: 'silent' }).exited;
  t.equal(code, 2);
  t.equal(stdout, '');
  t.match(
    stderr,
    /^zignsec-mock: HOST 999\.1\.1\.1 cannot be resolved to an address \((ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)\): set HOST or --host to an address of this machine such as 127\.0\.0\.1, or 0\.0\.0\.0 for every interface\n$/,
  );
});

t.test('a HOST that is not an address of this machine exits 2 naming HOST (EADDRNOTAVAIL)', async (t) => {
  // 192.0.2.0/24 is TEST-NET-1: never assigned to an interface.
  t.strictSame(await npmStart({ HOST: '192.0.2.1', PORT: '0', LOG_LEVEL: 'silent' }).exited, {
    code: 2,
    signal: null,
    stdout: '',
    stderr: 'zignsec-mock: HOST 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL): set HOST or --host to an address of this machine such as 127.0.0.1, or 0.0.0.0 for every interface\n',
  });
});

t.test('listen errors name the setting to change and the cause', async (t) => {
  const at = { HOST: '127.0.0.1', PORT: 80 };
  t.equal(
    describeListenError(errno('EACCES', 'listen'), at),
    'PORT 80 is a privileged port (below 1024) this user may not listen on (EACCES): set PORT or --port to 1024 or above, or 0 for any free port',
  );
  t.equal(
    describeListenError(errno('EACCES', 'listen'), { ...at, PORT: 8080 }),
    'PORT 8080 on 127.0.0.1 may not be listened on by this user (EACCES): set PORT or --port to another port, or 0 for any free port',
  );
  t.equal(
    describeListenError(errno('EADDRINUSE', 'listen'), { ...at, PORT: 8080 }),
    'PORT 8080 is already in use on 127.0.0.1 (EADDRINUSE): set PORT or --port to a free port, or 0 for any free port',
  );
  t.equal(
    describeListenError(errno('EADDRNOTAVAIL', 'listen'), { ...at, HOST: '10.9.9.9' }),
    'HOST 10.9.9.9 is not an address of this machine (EADDRNOTAVAIL): set HOST or --host to an address of this machine such as 127.0.0.1, or 0.0.0.0 for every interface',
  );
  t.equal(
    describeListenError(errno('EAFNOSUPPORT', 'listen'), { ...at, HOST: '::1' }),
    'HOST ::1 is of an address family this machine does not support (EAFNOSUPPORT; is IPv6 off?): set HOST or --host to an address of this machine such as 127.0.0.1, or 0.0.0.0 for every interface',
  );
  t.equal(
    describeListenError(errno('EAI_AGAIN', 'getaddrinfo'), { ...at, HOST: 'mock' }),
    'HOST mock cannot be resolved to an address (EAI_AGAIN): set HOST or --host to an address of this machine such as 127.0.0.1, or 0.0.0.0 for every interface',
  );
  t.equal(describeListenError(errno('EINVAL', 'listen'), at), 'cannot listen on HOST 127.0.0.1 PORT 80 (EINVAL): check HOST or --host and PORT or --port');
  t.equal(describeListenError(errno('ENOENT', 'open'), at), undefined, 'not a listen error');
  t.equal(describeListenError(new Error('boom'), at), undefined);
  t.equal(describeListenError(undefined, at), undefined);
  t.strictSame(describeStartupError(errno('EACCES', 'listen'), loadConfig({ PORT: '443' })), {
    message: 'PORT 443 is a privileged port (below 1024) this user may not listen on (EACCES): set PORT or --port to 1024 or above, or 0 for any free port',
    exitCode: CONFIGURATION_EXIT_CODE,
  });
  t.equal(CONFIGURATION_EXIT_CODE, 2, 'the exit code of a bad configuration value');
});

t.test('a missing MERCHANTS_FILE exits 2 naming MERCHANTS_FILE, --merchants-file, the file and the cause', async (t) => {
  t.strictSame(await npmStart({ MERCHANTS_FILE: '/nonexistent.json', LOG_LEVEL: 'silent' }).exited, {
    code: 2,
    signal: null,
    stdout: '',
    stderr:
      'zignsec-mock: MERCHANTS_FILE (--merchants-file): /nonexistent.json: cannot be read (ENOENT: no such file or directory); set MERCHANTS_FILE or --merchants-file to a readable JSON file of merchant settings\n',
  });
});

t.test('every fixture setting is named in its errors, with the file and the problem', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zsm-startup-'));
  const merchants = join(dir, 'merchants.json');

  writeFileSync(merchants, '{ nope');
  const badJson = fixtureFailure({ MERCHANTS_FILE: merchants }).printed;
  t.equal(badJson.exitCode, 2);
  t.match(badJson.message, new RegExp(`^MERCHANTS_FILE \\(--merchants-file\\): ${merchants}: is not valid JSON \\(.+\\)$`));

  writeFileSync(merchants, JSON.stringify({ merchants: { k: { options: 'Sideways' } } }));
  t.strictSame(fixtureFailure({ MERCHANTS_FILE: merchants }).printed, {
    message: `MERCHANTS_FILE (--merchants-file): ${merchants}: invalid\n  merchants.k.options: Invalid option: expected one of "FrontSide"|"NoDocument"|"FrontAndBack"`,
    exitCode: 2,
  });

  writeFileSync(merchants, JSON.stringify({ merchants: { k: { default_outcome: 'sunny' } } }));
  t.match(fixtureFailure({ MERCHANTS_FILE: merchants }).printed.message, new RegExp(`^MERCHANTS_FILE \\(--merchants-file\\): ${merchants}: merchants\\.k\\.default_outcome: unknown outcome "sunny"`));

  t.strictSame(fixtureFailure({ MERCHANTS_FILE: dir }).printed, {
    message: `MERCHANTS_FILE (--merchants-file): ${dir}: cannot be read (EISDIR: a directory, not a file); set MERCHANTS_FILE or --merchants-file to a readable JSON file of merchant settings`,
    exitCode: 2,
  });

  const missingDir = join(dir, 'no-such-dir');
  t.strictSame(fixtureFailure({ OUTCOMES_DIR: missingDir }).printed, {
    message: `OUTCOMES_DIR (--outcomes-dir): ${missingDir}: outcome folder cannot be read (ENOENT: no such file or directory); set OUTCOMES_DIR or --outcomes-dir to a readable directory of outcome presets (*.json)`,
    exitCode: 2,
  });

  const outcomes = join(dir, 'outcomes');
  mkdirSync(outcomes);
  writeFileSync(join(outcomes, 'bad.json'), JSON.stringify({ name: 'bad', description: 'x', session_status: 'Sunny' }));
  for (const given of [outcomes, `${outcomes}/`]) {
    t.match(
      fixtureFailure({ OUTCOMES_DIR: given }).printed.message,
      new RegExp(`^OUTCOMES_DIR \\(--outcomes-dir\\): ${join(outcomes, 'bad.json')}: invalid\\n  session_status: `),
      `a preset inside OUTCOMES_DIR=${given}`,
    );
  }

  const missingTemplate = join(dir, 'template.json');
  t.strictSame(fixtureFailure({ RESULT_TEMPLATE_FILE: missingTemplate }).printed, {
    message: `RESULT_TEMPLATE_FILE (--result-template-file): ${missingTemplate}: cannot be read (ENOENT: no such file or directory); set RESULT_TEMPLATE_FILE or --result-template-file to a readable JSON result template`,
    exitCode: 2,
  });
  writeFileSync(missingTemplate, JSON.stringify({ id: '{{session.id}}', errors: [], status: '{{session.stat}}' }));
  t.strictSame(fixtureFailure({ RESULT_TEMPLATE_FILE: missingTemplate }).printed, {
    message: `RESULT_TEMPLATE_FILE (--result-template-file): ${missingTemplate}: unknown placeholders {{session.stat}}`,
    exitCode: 2,
  });

  const wire = join(dir, 'wire.json');
  t.strictSame(fixtureFailure({ WIRE_FILE: wire }).printed, {
    message: `WIRE_FILE (--wire-file): ${wire}: cannot be read (ENOENT: no such file or directory); set WIRE_FILE or --wire-file to a readable JSON file of wire details (see fixtures/wire.json)`,
    exitCode: 2,
  });
  writeFileSync(wire, JSON.stringify({ errors: { SESSION_STATE: { status: 200 } } }));
  t.strictSame(fixtureFailure({ WIRE_FILE: wire }).printed, {
    message: `WIRE_FILE (--wire-file): ${wire}: invalid\n  errors.SESSION_STATE.status: Too small: expected number to be >=400`,
    exitCode: 2,
  });
});

t.test('other startup errors are one line with exit 1; the stack trace only at LOG_LEVEL debug or trace', async (t) => {
  const error = new Error('boom');
  t.strictSame(describeStartupError(error, loadConfig({})), { message: 'cannot start: boom (LOG_LEVEL=debug shows the stack trace)', exitCode: 1 });
  t.strictSame(describeStartupError('odd', undefined), { message: 'cannot start: odd (LOG_LEVEL=debug shows the stack trace)', exitCode: 1 });
  t.equal(describeStartupError(error, loadConfig({ LOG_LEVEL: 'debug' })).message, `cannot start: boom\n${error.stack}`);
  t.strictSame(describeStartupError(new ConfigError('Invalid configuration:\n  PORT (--port): x'), undefined), {
    message: 'Invalid configuration:\n  PORT (--port): x',
    exitCode: 2,
  });
});

for (const level of ['warn', 'error', 'fatal', 'info'] as const) {
  t.test(`LOG_LEVEL=${level}: npm start prints the whole configuration once, secrets masked, and answers /ready`, async (t) => {
    const port = await freePort();
    const env = { PORT: String(port), LOG_LEVEL: level, MOCK_ADMIN_TOKEN: 'hunter2', SEED: 'abc' };
    const { child, exited } = npmStart(env);
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const ready = await readyBody(port, child, exited);
    t.match(ready, { status: 'ready' });
    child.kill('SIGTERM');
    const { code, stdout, stderr } = await exited;
    t.equal(code, 0);
    t.equal(stderr, '');
    // Off a terminal the logs are JSON lines, and so is the configuration: the first line.
    const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { msg: string; config?: Record<string, string> });
    t.equal(lines[0].msg, 'zignsec-mock configuration (secrets masked)', 'the configuration comes first');
    t.strictSame(lines[0].config, describeConfig(loadConfig(env)));
    t.equal(lines.filter((line) => line.config).length, 1, 'printed once');
    t.notMatch(stdout, 'hunter2');
    t.equal(lines[0].config!.MOCK_ADMIN_TOKEN, '****');
    t.equal(lines[0].config!.OUTCOMES_DIR, '(unset: only the built-in outcome presets)');
    const printout = formatConfig(loadConfig(env));
    t.match(printout, /^ {2}MOCK_ADMIN_TOKEN {6}\*\*\*\*$/m, 'the text block of a terminal');
    if (level !== 'info') t.equal(lines.length, 1, 'nothing else at this level');
  });
}

t.test('LOG_LEVEL=silent prints nothing at all', async (t) => {
  const port = await freePort();
  const { child, exited } = npmStart({ PORT: String(port), LOG_LEVEL: 'silent' });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await readyBody(port, child, exited);
  child.kill('SIGTERM');
  t.strictSame(await exited, { code: 0, signal: null, stdout: '', stderr: '' });
});

t.test('on a terminal the configuration is the text block', async (t) => {
  const config = loadConfig({ PORT: '9100' });
  t.equal(configPrintout(config, 'terminal'), formatConfig(config));
  t.match(JSON.parse(configPrintout(config, 'json-lines')), { level: 30, msg: 'zignsec-mock configuration (secrets masked)', config: { PORT: '9100' } });
});
