// A checkout that was never built (no dist/): the command and `npm start` say so in one line, with what
// to run, instead of a module-not-found stack trace. One installed without its dev dependencies cannot
// build: `npm run build` fails saying why, `prepare` (npm ci --omit=dev) says so and lets the install finish.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { cleanEnv, spawnNode } from '../helpers/processes.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const notBuilt = 'zignsec-mock: this checkout is not built yet (no dist/): run `npm run build`, or `npm ci`, which builds it.\n';

const checkout = mkdtempSync(join(tmpdir(), 'zignsec-mock-not-built-'));
t.teardown(() => rmSync(checkout, { recursive: true, force: true }));
cpSync(join(repo, 'bin'), join(checkout, 'bin'), { recursive: true });
cpSync(join(repo, 'scripts', 'check-built.mjs'), join(checkout, 'scripts', 'check-built.mjs'));
cpSync(join(repo, 'scripts', 'build.mjs'), join(checkout, 'scripts', 'build.mjs'));
cpSync(join(repo, 'package.json'), join(checkout, 'package.json'));

t.test('bin/zignsec-mock.js', async (t) => {
  t.strictSame(await spawnNode([join(checkout, 'bin', 'zignsec-mock.js'), '--help'], { cwd: tmpdir(), env: cleanEnv }).exited, { code: 1, signal: null, stdout: '', stderr: notBuilt });
});

t.test('npm start (its prestart check)', async (t) => {
  t.strictSame(await spawnNode(['scripts/check-built.mjs'], { cwd: checkout, env: cleanEnv }).exited, { code: 1, signal: null, stdout: '', stderr: notBuilt });
});

t.test('building without the dev dependencies', async (t) => {
  const why = 'dev dependencies are not installed (@types/node, @types/pngjs, typescript); run `npm ci` with them to build.\n';
  t.strictSame(await spawnNode(['scripts/build.mjs'], { cwd: checkout, env: { ...cleanEnv, npm_lifecycle_event: 'build' } }).exited, {
    code: 1,
    signal: null,
    stdout: '',
    stderr: `zignsec-mock: cannot build: ${why}`,
  });
  t.strictSame(await spawnNode(['scripts/build.mjs'], { cwd: checkout, env: { ...cleanEnv, npm_lifecycle_event: 'prepare' } }).exited, {
    code: 0,
    signal: null,
    stdout: '',
    stderr: `zignsec-mock: not built: ${why}`,
  });
});
