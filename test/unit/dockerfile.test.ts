import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';

const run = promisify(execFile);

t.test('the Dockerfile passes dockerfile-utils lint', async (t) => {
  const { stdout, stderr } = await run('node_modules/.bin/dockerfile-utils', ['lint', 'Dockerfile']);
  t.equal(`${stdout}${stderr}`.trim(), '', 'no lint findings');
});

t.test('the images are built the way the docs promise', async (t) => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const froms = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map(([, image, stage]) => `${image} ${stage}`);
  t.strictSame(
    froms,
    [
      'node:24-bookworm-slim build',
      'node:24-bookworm-slim server-deps',
      'node:24-bookworm-slim runner-deps',
      'node:24-bookworm-slim runtime',
      'runtime runner',
      'runtime server',
    ],
    'Node 24 LTS on Debian slim; the server is the last stage, so the default target',
  );
  t.match(dockerfile, /ARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get update \\\n +&& apt-get install -y --no-install-recommends tini /, 'tini, without a question from apt');
  t.match(dockerfile, /ARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get update \\\n +&& apt-get install -y --no-install-recommends chromium fonts-liberation /, 'Chromium in the runner');
  t.equal(dockerfile.replace(/^#.*\n/gm, '').match(/chromium/g)?.length, 2, 'Chromium only in the runner stage (its package and PUPPETEER_EXECUTABLE_PATH)');
  t.match(dockerfile, /npm ci --omit=dev --omit=optional --ignore-scripts/, 'the server: production dependencies without Puppeteer (nor TypeScript)');
  t.match(dockerfile, /npm ci --omit=dev --legacy-peer-deps --ignore-scripts/, 'the runner: with Puppeteer, without TypeScript');
  t.equal(dockerfile.match(/^USER node$/gm)?.length, 2, 'both images run as the unprivileged node user');
  t.match(dockerfile, /HOST=0\.0\.0\.0/);
  t.match(dockerfile, /^EXPOSE 8080$/m);
  t.match(dockerfile, /^HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --start-interval=1s --retries=3 \\\n +CMD \["node", "dist\/src\/healthcheck\.js"\]$/m);
  t.match(dockerfile, /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "bin\/zignsec-mock\.js"\]$/m);
  t.match(dockerfile, /^CMD \["serve"\]$/m);
  t.match(dockerfile, /^CMD \["scenarios", "run"\]$/m);
  const instructions = dockerfile.replace(/^#.*\n/gm, '');
  t.notMatch(instructions, /tsx|--import/, 'no TypeScript at run time');
});
