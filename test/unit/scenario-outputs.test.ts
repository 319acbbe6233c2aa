// `scenarios run --junit/--artifacts` into a folder this user cannot write (a report folder that Docker
// created as root and mounted into the runner, which runs as `node`): it stops before any journey runs,
// saying how to fix it, instead of failing a passing run at its very end. As root, the command runs as
// the unprivileged user nobody, for which a root-owned folder is not writable.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { cleanEnv } from '../helpers/processes.js';

const asRoot = process.getuid?.() === 0;
const nobody = 65534;
const uid = asRoot ? nobody : process.getuid!();
const cli = ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../../src/cli.ts', import.meta.url))];

const work = mkdtempSync(join(tmpdir(), 'zignsec-mock-outputs-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
chmodSync(work, 0o755);
const reports = join(work, 'reports');
mkdirSync(reports, { mode: 0o755 });
// Owned by root (or read-only for this user when not root).
if (!asRoot) chmodSync(reports, 0o555);
const owner = asRoot ? 0 : uid;

/**
 * `zignsec-mock scenarios run ...` from source; as root, as nobody, and through `env -u NODE_OPTIONS`: the
 * test runner puts its coverage hooks in every child's NODE_OPTIONS, and they would write into this
 * checkout as that user.
 */
async function scenariosRun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = [process.execPath, ...cli, 'scenarios', 'run', ...args];
  const child = asRoot
    ? spawn('env', ['-u', 'NODE_OPTIONS', ...command], { cwd: work, env: { ...cleanEnv, HOME: tmpdir() }, uid: nobody, gid: nobody, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command[0], command.slice(1), { cwd: work, env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const fix =
  `When it is a folder mounted into a container, create it before the run and let uid ${uid} write to it ` +
  '(mkdir -p reports && chmod a+rwx reports), or run the container as your own user (docker run --user "$(id -u):$(id -g)" ...).\n';

t.test('--junit into a folder this user cannot write: exit 1 before any journey, saying how to fix it', async (t) => {
  const junit = join(reports, 'junit.xml');
  t.strictSame(await scenariosRun(['happy-path', '--junit', junit]), {
    code: 1,
    stdout: '',
    stderr: `zignsec-mock scenarios: cannot write the JUnit report ${junit}: ${reports} is not writable by uid ${uid} (EACCES; it belongs to uid ${owner}). ${fix}`,
  });
});

t.test('--artifacts below such a folder: the same, for the folder it would be created in', async (t) => {
  const artifacts = join(reports, 'artifacts');
  t.strictSame(await scenariosRun(['happy-path', '--artifacts', artifacts]), {
    code: 1,
    stdout: '',
    stderr: `zignsec-mock scenarios: cannot write artifacts to ${artifacts}: ${reports} is not writable by uid ${uid} (EACCES; it belongs to uid ${owner}). ${fix}`,
  });
});

t.test('a JUnit path whose folder is a file', async (t) => {
  const file = join(work, 'not-a-folder');
  writeFileSync(file, '');
  chmodSync(file, 0o644);
  t.match(await scenariosRun(['happy-path', '--junit', join(file, 'junit.xml')]), {
    code: 1,
    stdout: '',
    stderr: `zignsec-mock scenarios: cannot write the JUnit report ${join(file, 'junit.xml')}: ${file} is not a folder. `,
  });
});
