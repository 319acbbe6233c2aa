// Whether a module is the script Node was started with (`node dist/src/server.js`, `tsx src/cli.ts`)
// rather than imported by another module; Node 20 has no import.meta.main.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** True when `moduleUrl` (the caller's import.meta.url) is the main script. Node resolves symlinks of the main script, so this does too. */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}
