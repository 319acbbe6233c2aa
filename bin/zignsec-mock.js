#!/usr/bin/env node
// The `zignsec-mock` command: runs the compiled CLI (dist/src/cli.js) in this process, from any working
// directory. In a checkout that was never built it says so in one line instead of a module-not-found trace.
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli.js', import.meta.url);
let run;
try {
  ({ run } = await import(cli.href));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(fileURLToPath(cli))) throw error;
  process.stderr.write('zignsec-mock: this checkout is not built yet (no dist/): run `npm run build`, or `npm ci`, which builds it.\n');
  process.exit(1);
}
await run(process.argv.slice(2));
