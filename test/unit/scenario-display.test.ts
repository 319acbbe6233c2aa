// `scenarios run --headful` where there is no display (the runner image has none): one line saying what is
// missing and what to do, exit status 1, before any journey runs.
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { cleanEnv, spawnNode } from '../helpers/processes.js';

const cli = ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../../src/cli.ts', import.meta.url))];

t.test('--headful without DISPLAY or WAYLAND_DISPLAY', async (t) => {
  const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ...env } = cleanEnv;
  t.strictSame(await spawnNode([...cli, 'scenarios', 'run', 'happy-path', '--headful'], { cwd: tmpdir(), env }).exited, {
    code: 1,
    signal: null,
    stdout: '',
    stderr:
      'zignsec-mock scenarios: --headful needs a display (DISPLAY or WAYLAND_DISPLAY is unset; the runner image has none): leave --headful out, or run under xvfb-run on a desktop machine\n',
  });
});
