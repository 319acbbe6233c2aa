import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';

const run = promisify(execFile);

t.test('the Dockerfile passes dockerfile-utils lint', async (t) => {
  const { stdout, stderr } = await run('node_modules/.bin/dockerfile-utils', ['lint', 'Dockerfile']);
  t.equal(`${stdout}${stderr}`.trim(), '', 'no lint findings');
});

t.test('the image is built the way the docs promise', async (t) => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  t.match(dockerfile, /^FROM node:20-bookworm-slim AS deps$/m, 'multi-stage on the Node 20 Debian base');
  t.match(dockerfile, /^FROM node:20-bookworm-slim AS runtime$/m);
  t.match(dockerfile, /apt-get install -y --no-install-recommends chromium fonts-liberation .*tini/);
  t.match(dockerfile, /^USER node$/m, 'runs as a non-root user');
  t.match(dockerfile, /HOST=0\.0\.0\.0/);
  t.match(dockerfile, /^EXPOSE 8080$/m);
  t.match(dockerfile, /^HEALTHCHECK .*\n.*\/ready/m);
  t.match(dockerfile, /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "bin\/zignsec-mock\.js"\]$/m);
  t.match(dockerfile, /^CMD \["serve"\]$/m);
  t.match(dockerfile, /npm ci --omit=dev/);
});
