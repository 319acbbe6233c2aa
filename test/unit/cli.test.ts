// The command from source (src/cli.ts under tsx), run from another working directory as npx or a Docker
// image would run it; test/package/ runs the installed bin/zignsec-mock.js of the packed package.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { helpText, run } from '../../src/cli.js';
import { configKeys, describeConfig, flagName, flagsToInput, formatConfig, loadConfig, settingHelp } from '../../src/config.js';
import { cleanEnv, freePort, readyBody, spawnNode } from '../helpers/processes.js';

const cli = ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../../src/cli.ts', import.meta.url))];
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const runCli = (args: string[]) => spawnNode([...cli, ...args], { cwd: tmpdir(), env: cleanEnv });

const usageHint = 'Run zignsec-mock --help for the commands and options.\n';


t.test('--help lists every setting with its flag, variable, default and description', async (t) => {
  const { code, stdout, stderr } = await runCli(['--help']).exited;
  t.equal(code, 0);
  t.equal(stderr, '');
  t.equal(stdout, helpText());
  for (const key of configKeys) {
    t.match(stdout, new RegExp(`^  ${flagName(key)} \\S+ +${key} +default: \\S`, 'm'), key);
    t.ok(stdout.replace(/\n +/g, ' ').includes(settingHelp[key].description), `${key} is described`);
  }
  t.match(stdout, /^ {2}--port <port> +PORT +default: 8080$/m);
  t.match(stdout, /^ {2}--session-ttl <duration> +SESSION_TTL +default: 30m$/m);
  t.match(stdout, /^ {2}--merchants-file <file> +MERCHANTS_FILE +default: <package>\/fixtures\/merchants\.json$/m);
  t.match(stdout, /^ {2}--mock-admin-token <token> +MOCK_ADMIN_TOKEN +default: \(unset\)$/m);
  t.equal((await runCli(['serve', '-h']).exited).stdout, stdout, 'serve -h is the same text');
});

t.test('--version prints the package version', async (t) => {
  t.strictSame(await runCli(['--version']).exited, { code: 0, signal: null, stdout: `${version}\n`, stderr: '' });
});

t.test('usage mistakes exit 2 with a clear message', async (t) => {
  t.strictSame(await runCli(['--bogus', '3']).exited, { code: 2, signal: null, stdout: '', stderr: `zignsec-mock: unknown option --bogus\n${usageHint}` });
  t.strictSame(await runCli(['serve', '--port=1', '--nope=2']).exited, { code: 2, signal: null, stdout: '', stderr: `zignsec-mock: unknown option --nope\n${usageHint}` });
  t.strictSame(await runCli(['serve', 'extra']).exited, { code: 2, signal: null, stdout: '', stderr: `zignsec-mock: unexpected argument "extra"\n${usageHint}` });
  t.strictSame(await runCli(['launch']).exited, {
    code: 2,
    signal: null,
    stdout: '',
    stderr: `zignsec-mock: unknown command "launch" (commands: serve, scenarios)\n${usageHint}`,
  });
});

t.test('a setting flag without its value exits 2 saying so', async (t) => {
  const hint = (flag: string) => `zignsec-mock: ${flag} needs a value (write ${flag}=<value> for one that starts with -)\n${usageHint}`;
  t.strictSame(await runCli(['serve', '--port']).exited, { code: 2, signal: null, stdout: '', stderr: hint('--port') });
  t.strictSame(await runCli(['--seed', '--port', '0']).exited, { code: 2, signal: null, stdout: '', stderr: hint('--seed') });
});

t.test('a bad value exits 2 naming the variable and its flag', async (t) => {
  t.strictSame(await runCli(['serve', '--port', 'eighty', '--auth-mode=open']).exited, {
    code: 2,
    signal: null,
    stdout: '',
    stderr: 'zignsec-mock: Invalid configuration:\n  PORT (--port): must be a whole number from 0 to 65535 (got "eighty")\n  AUTH_MODE (--auth-mode): must be any or strict (got "open")\n',
  });
});

t.test('scenarios lists the journey catalogue and rejects an unknown subcommand', async (t) => {
  const listed = await runCli(['scenarios', 'list', '--json']).exited;
  t.equal(listed.code, 0);
  const journeys = JSON.parse(listed.stdout) as { name: string; tags: string[] }[];
  t.ok(journeys.length >= 33, `${journeys.length} journeys`);
  for (const name of ['happy-path', 'mobile-handoff', 'otp-link-reused', 'outcome-abandoned', 'webhook-retry-recovers', 'api-fault-merchant-app']) {
    t.ok(journeys.some((j) => j.name === name), name);
  }
  t.strictSame(await runCli(['scenarios', 'bogus']).exited, {
    code: 2,
    signal: null,
    stdout: '',
    stderr: 'zignsec-mock scenarios: unknown scenarios command "bogus" (use list or run)\nRun zignsec-mock scenarios --help for the options.\n',
  });
});

t.test('serve listens with the flags given, answers /ready, and exits 0 on SIGTERM', async (t) => {
  const port = await freePort();
  const { child, exited } = runCli(['serve', '--port', String(port), '--log-level', 'warn', '--seed', 'cli']);
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const ready = await readyBody(port, child, exited);
  t.strictSame(ready, { status: 'ready', sessions: 0, outcomes: 12, merchants: 2 });
  child.kill('SIGTERM');
  // At warn the logger says nothing, but the configuration is still printed: off a terminal, as one
  // JSON log line; on one, as the text block.
  const config = loadConfig({}, flagsToInput(['--port', String(port), '--log-level', 'warn', '--seed', 'cli']).input);
  const { code, stdout, stderr } = await exited;
  t.strictSame({ code, stderr }, { code: 0, stderr: '' });
  t.equal(stdout.split('\n').length, 2, 'one line');
  t.match(JSON.parse(stdout), { level: 30, msg: 'zignsec-mock configuration (secrets masked)', config: describeConfig(config) });
  const printout = formatConfig(config);
  t.match(printout, /^ {2}LOG_LEVEL {13}warn$/m);
  t.match(printout, /^ {2}SEED {18}cli$/m);
  t.match(printout, /^ {2}PUBLIC_URL {12}\(unset: derived from each request's Host and X-Forwarded-\* headers\)$/m);
});

t.test('serve on a PORT already in use exits 2 with one line naming PORT and --port', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  t.strictSame(await runCli(['serve', '--port', String(port), '--log-level', 'silent']).exited, {
    code: 2,
    signal: null,
    stdout: '',
    stderr: `zignsec-mock: PORT ${port} is already in use on 127.0.0.1 (EADDRINUSE): set PORT or --port to a free port, or 0 for any free port\n`,
  });
});

t.test('serve with a missing --merchants-file exits 2 naming MERCHANTS_FILE and the flag', async (t) => {
  t.strictSame(await runCli(['serve', '--merchants-file', '/nonexistent.json', '--log-level', 'silent']).exited, {
    code: 2,
    signal: null,
    stdout: '',
    stderr:
      'zignsec-mock: MERCHANTS_FILE (--merchants-file): /nonexistent.json: cannot be read (ENOENT: no such file or directory); set MERCHANTS_FILE or --merchants-file to a readable JSON file of merchant settings\n',
  });
});

t.test('serve with a PUBLIC_URL that has a query exits 2 naming PUBLIC_URL and --public-url', async (t) => {
  const { code, stdout, stderr } = await runCli(['serve', '--public-url', 'http://h.example/base?x=1#frag']).exited;
  t.equal(code, 2);
  t.equal(stdout, '');
  t.equal(
    stderr,
    'zignsec-mock: Invalid configuration:\n  PUBLIC_URL (--public-url): must be an absolute http(s) URL without credentials, query or fragment (a path prefix is fine), such as http://localhost:8080 or https://mock.example/zignsec; this one has a query (?x=1) and a fragment (#frag) (got "http://h.example/base?x=1#frag")\n',
  );
});

t.test('an error no command expected is one line and exit code 1, not a stack trace', async (t) => {
  const written: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const exitCode = process.exitCode;
  t.teardown(() => {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.exitCode = exitCode;
  });
  const failure = new Error('write EPIPE');
  process.stdout.write = () => {
    throw failure;
  };
  process.stderr.write = (chunk: string | Uint8Array) => written.push(String(chunk)) > 0;
  await run(['--version'], {});
  const quietCode = process.exitCode;
  await run(['--version'], { LOG_LEVEL: 'debug' });
  const debugCode = process.exitCode;
  process.stdout.write = stdoutWrite;
  process.stderr.write = stderrWrite;
  process.exitCode = exitCode;
  t.equal(quietCode, 1);
  t.equal(debugCode, 1);
  t.strictSame(written, ['zignsec-mock: write EPIPE (LOG_LEVEL=debug shows the stack trace)\n', `zignsec-mock: ${failure.stack}\n`]);
});

t.test('the environment is read too, and a flag wins over it', async (t) => {
  const port = await freePort();
  const { child, exited } = spawnNode([...cli, '--log-level', 'silent'], { cwd: tmpdir(), env: { ...cleanEnv, PORT: String(port), LOG_LEVEL: 'info' } });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await readyBody(port, child, exited);
  child.kill('SIGTERM');
  const { code, stdout, stderr } = await exited;
  t.equal(code, 0);
  t.equal(stdout + stderr, '', 'LOG_LEVEL silent (here from the flag) prints nothing, not even the configuration');
});
