// Finds and launches the Chromium the journeys drive: PUPPETEER_EXECUTABLE_PATH, a system Chromium or
// Chrome, or Puppeteer's own download; a clear error saying how to get one when there is none.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer';

/** Flags every run needs: no sandbox (root, containers), quiet networking, and a fake camera that is always allowed. */
export const browserArgs = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
] as const;

const systemBrowsers = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];

/** The browser could not be started (see the message for how to fix it). */
export class BrowserLaunchError extends Error {
  override name = 'BrowserLaunchError';
}

/** No browser binary at all. */
export class BrowserNotFoundError extends BrowserLaunchError {
  override name = 'BrowserNotFoundError';
}

const howToInstall =
  'The scenarios drive a Chrome or Chromium browser. Install one (Debian/Ubuntu: `apt-get install chromium`, ' +
  'or use the zignsec-mock runner image, which has it: docker build --target runner) or set PUPPETEER_EXECUTABLE_PATH to the browser binary.';

/** The browser binary to launch, or a BrowserNotFoundError saying how to get one. */
export function findBrowser(env: Record<string, string | undefined> = process.env, explicit?: string): string {
  const chosen = explicit || env.PUPPETEER_EXECUTABLE_PATH;
  if (chosen) {
    if (existsSync(chosen)) return chosen;
    throw new BrowserNotFoundError(`No browser at ${chosen} (${explicit ? 'executablePath' : 'PUPPETEER_EXECUTABLE_PATH'}). ${howToInstall}`);
  }
  const system = systemBrowsers.find((path) => existsSync(path));
  if (system) return system;
  let downloaded: string | undefined;
  try {
    downloaded = puppeteer.executablePath();
  } catch {
    downloaded = undefined;
  }
  if (downloaded && existsSync(downloaded)) return downloaded;
  throw new BrowserNotFoundError(`No Chrome or Chromium found (looked at ${systemBrowsers.join(', ')}). ${howToInstall}`);
}

export interface LaunchOptions {
  /** Show the browser window (needs a display). */
  headful?: boolean;
  /** Slows every Puppeteer operation by this many milliseconds, to watch a run. */
  slowMo?: number;
  /** A browser binary; by default PUPPETEER_EXECUTABLE_PATH or a system Chromium. */
  executablePath?: string;
}

export async function launchScenarioBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = findBrowser(process.env, options.executablePath);
  if (options.headful && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new BrowserLaunchError('--headful needs a display (DISPLAY or WAYLAND_DISPLAY is unset; the runner image has none): leave --headful out, or run under xvfb-run on a desktop machine');
  }
  try {
    return await puppeteer.launch({
      executablePath,
      headless: !options.headful,
      slowMo: options.slowMo,
      args: [...browserArgs],
      defaultViewport: { width: 1100, height: 900 },
    });
  } catch (error) {
    throw new BrowserLaunchError(`The browser at ${executablePath} did not start: ${(error as Error).message.split('\n')[0]}. ${howToInstall}`);
  }
}
