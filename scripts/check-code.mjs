// `npm run check`, by hand (`npm test` runs the same checks in test/unit/typecheck.test.ts): ESLint and the type check (`npm run lint`,
// `npm run typecheck`) side by side, since each mostly waits on its own TypeScript program and the
// machine has two cores. Each one's output is printed when it ends; any failure fails the run.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(script) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (output.trim()) process.stdout.write(`${output.trimEnd()}\n`);
      console.log(`zignsec-mock: ${script} ${code === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
      resolve(code === 0);
    });
  });
}

const results = await Promise.all([run('lint'), run('typecheck')]);
if (!results.every(Boolean)) process.exit(1);
