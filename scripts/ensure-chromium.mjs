// Runs before `npm test`: the browser tests need a Chromium. Uses PUPPETEER_EXECUTABLE_PATH or
// Debian's /usr/bin/chromium; on a fresh Debian machine as root it installs the `chromium` package.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.PUPPETEER_EXECUTABLE_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
if (candidates.some((path) => existsSync(path))) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && existsSync('/usr/bin/apt-get')) {
  console.log('zignsec-mock: no Chromium found; installing Debian\'s chromium package for the browser tests…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation'], { stdio: 'inherit', env });
  process.exit(0);
}
console.error(
  'zignsec-mock: the browser tests need Chromium. Install it (Debian/Ubuntu: `sudo apt-get install -y chromium`)\n' +
    'or point PUPPETEER_EXECUTABLE_PATH at a Chrome/Chromium binary.',
);
process.exit(1);
