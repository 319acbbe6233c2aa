// Runs before `npm start`: a checkout that was never built gets one line saying what to do, not a
// module-not-found stack trace from `node dist/src/server.js`.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../dist/src/server.js', import.meta.url))) {
  process.stderr.write('zignsec-mock: this checkout is not built yet (no dist/): run `npm run build`, or `npm ci`, which builds it.\n');
  process.exit(1);
}
