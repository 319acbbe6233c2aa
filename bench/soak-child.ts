// The emulator as the soak stage runs it: `node --expose-gc --import tsx bench/soak-child.ts`, settings
// from the environment as for src/server.ts. On SIGUSR2 it runs full garbage collections and prints
//   BENCH_MEMORY {"rss":...,"heapUsed":...}
// so that the stage compares memory the emulator retains, not garbage V8 has not collected yet.
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { MEMORY_MARKER } from './support.js';

const collect = globalThis.gc;
if (!collect) {
  process.stderr.write('soak-child: run with node --expose-gc\n');
  process.exit(2);
}

const config = loadConfig(process.env);
const app = await buildApp(config, { logger: false });
await app.listen({ port: config.PORT, host: config.HOST });

const reportMemory = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, heapUsed } = process.memoryUsage();
  process.stdout.write(`${MEMORY_MARKER}${JSON.stringify({ rss, heapUsed })}\n`);
};
process.on('SIGUSR2', () => void reportMemory());
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
