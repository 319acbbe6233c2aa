// The Docker HEALTHCHECK (`node dist/src/healthcheck.js`): exits 0 when the emulator in this container
// answers 200 on /ready, 1 otherwise. It follows the PORT and HOST the emulator was given in its
// environment, so a changed port or a single bound address is checked where the emulator listens.
import { isMainModule } from './main-module.js';

/** The URL of /ready for the emulator's HOST and PORT settings (an any-address HOST is reached over loopback). */
export function readyUrl(env: Record<string, string | undefined>): string {
  const port = env.PORT || '8080';
  let host = env.HOST || '127.0.0.1';
  if (host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::' || host === '[::]') host = '::1';
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `http://${host}:${port}/ready`;
}

/** 0 when /ready answers 200 within `timeoutMs`, else 1. */
export async function checkHealth(env: Record<string, string | undefined>, timeoutMs = 2000): Promise<number> {
  try {
    const response = await fetch(readyUrl(env), { signal: AbortSignal.timeout(timeoutMs) });
    return response.status === 200 ? 0 : 1;
  } catch {
    return 1;
  }
}

if (isMainModule(import.meta.url)) process.exitCode = await checkHealth(process.env);
