// `npm run build` (also `prepare`, so `npm ci` and git installs build): compiles src/, scenarios/ and the
// sample merchant app with tsc into dist/ (ES modules, .d.ts, source maps), then copies the files src/
// reads next to its code (the UI's CSS and browser scripts), so dist/src can run on its own.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = `${root}dist`;

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
  // TypeScript alone may be there without the dev dependencies: npm installs it as an optional peer of
  // a Puppeteer dependency. The type declarations come with the dev dependencies only.
  require.resolve('@types/node/package.json');
} catch {
  // An install without dev dependencies (npm ci --omit=dev) cannot build; as its `prepare` step that is
  // not a failed install, and `npm start` then says the checkout is not built.
  const asPrepare = process.env.npm_lifecycle_event === 'prepare';
  process.stderr.write(`zignsec-mock: ${asPrepare ? 'not built' : 'cannot build'}: the dev dependencies (TypeScript and type declarations) are not installed; run \`npm ci\` with them to build.\n`);
  process.exit(asPrepare ? 0 : 1);
}
// A fresh folder: a renamed or deleted source file must not live on in the build.
rmSync(dist, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
} catch {
  // tsc has printed the errors.
  process.exit(1);
}
cpSync(`${root}src`, `${dist}/src`, { recursive: true, filter: (source) => !source.endsWith('.ts') });
