// The image's HEALTHCHECK (src/healthcheck.ts): /ready where the emulator listens, by its PORT and HOST.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startMock } from '../../src/index.js';
import { checkHealth, readyUrl } from '../../src/healthcheck.js';
import { cleanEnv, freePort, spawnNode } from '../helpers/processes.js';

t.test('readyUrl follows PORT and HOST; an any-address HOST is reached over loopback', async (t) => {
  t.equal(readyUrl({}), 'http://127.0.0.1:8080/ready');
  t.equal(readyUrl({ PORT: '9000', HOST: '0.0.0.0' }), 'http://127.0.0.1:9000/ready');
  t.equal(readyUrl({ PORT: '9000', HOST: '::' }), 'http://[::1]:9000/ready');
  t.equal(readyUrl({ PORT: '9000', HOST: '::1' }), 'http://[::1]:9000/ready');
  t.equal(readyUrl({ PORT: '9000', HOST: '10.0.0.5' }), 'http://10.0.0.5:9000/ready');
  t.equal(readyUrl({ PORT: '9000', HOST: 'zignsec' }), 'http://zignsec:9000/ready');
});

t.test('exit status 0 while /ready answers, 1 on another port or once stopped', async (t) => {
  const mock = await startMock();
  const port = String(new URL(mock.url).port);
  t.equal(await checkHealth({ PORT: port, HOST: '0.0.0.0' }), 0);
  t.equal(await checkHealth({ PORT: String(await freePort()), HOST: '0.0.0.0' }), 1);
  const script = ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../../src/healthcheck.ts', import.meta.url))];
  t.match(await spawnNode(script, { cwd: process.cwd(), env: { ...cleanEnv, PORT: port, HOST: '127.0.0.1' } }).exited, { code: 0, stdout: '', stderr: '' }, 'run as a script');
  await mock.close();
  t.equal(await checkHealth({ PORT: port }), 1);
  t.match(await spawnNode(script, { cwd: process.cwd(), env: { ...cleanEnv, PORT: port, HOST: '127.0.0.1' } }).exited, { code: 1, stdout: '', stderr: '' });
});
