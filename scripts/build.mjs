// `npm run build` (also `prepare`, so `npm ci` and git installs build): compiles src/, scenarios/ and the
// sample merchant app with tsc into dist/ (ES modules, .d.ts, source maps), then copies the files src/
// reads next to its code (the UI's CSS and browser scripts), so dist/src can run on its own.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = `${root}dist`;

// The build needs TypeScript and every type-declaration package among the dev dependencies. Some may be
// there without the dev dependencies (npm installs TypeScript as an optional peer of a Puppeteer
// dependency, @types/node with it), so each is checked.
const require = createRequire(import.meta.url);
const { devDependencies } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const missing = Object.keys(devDependencies)
  .filter((name) => name === 'typescript' || name.startsWith('@types/'))
  .filter((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
if (missing.length > 0) {
  // An install without dev dependencies (npm ci --omit=dev) cannot build; as its `prepare` step that is
  // not a failed install, and `npm start` then says the checkout is not built.
  const asPrepare = process.env.npm_lifecycle_event === 'prepare';
  process.stderr.write(
    `zignsec-mock: ${asPrepare ? 'not built' : 'cannot build'}: dev dependencies are not installed (${missing.join(', ')}); run \`npm ci\` with them to build.\n`,
  );
  process.exit(asPrepare ? 0 : 1);
}
const tsc = require.resolve('typescript/bin/tsc');
// A fresh folder: a renamed or deleted source file must not live on in the build.
rmSync(dist, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
} catch {
  // tsc has printed the errors.
  process.exit(1);
}
cpSync(`${root}src`, `${dist}/src`, { recursive: true, filter: (source) => !source.endsWith('.ts') });
