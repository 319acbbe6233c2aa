// Memory per 10,000 sessions, run by bench/run.ts as `node --expose-gc --import tsx bench/memory-child.ts`.
// Builds the emulator in this process (no listen), warms it up, measures RSS and heapUsed after full GCs,
// creates SESSIONS liveness sessions through app.inject, measures again and prints one result line:
//   BENCH_RESULT {"sessions":10000,...}
// It keeps no reference to the responses, so what stays on the heap is what the emulator holds.
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { BENCH_API_KEY, exampleLivenessRequest } from './example.js';
import { RESULT_MARKER } from './support.js';

const SESSIONS = 10_000;
// 2,000 warm-up sessions: with fewer, RSS growth from one-time work (JIT code, malloc arenas, the first
// old-space pages) lands in the delta; measured here, 200 -> 2,000 -> 5,000 warm-up sessions gave RSS deltas
// of about 50 -> 35 -> 32 MB while the heapUsed delta stayed at about 22-23 MB.
const WARMUP_SESSIONS = 2000;
const CONCURRENCY = 50;

const collect = globalThis.gc;
if (!collect) {
  process.stderr.write('memory-child: run with node --expose-gc\n');
  process.exit(2);
}

/** Several full collections with a turn of the event loop between them, then the figures. */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 4; i++) {
    collect!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

const config = loadConfig(process.env.JOURNAL_SIZE ? { JOURNAL_SIZE: process.env.JOURNAL_SIZE } : {}, { LOG_LEVEL: 'silent', MAX_SESSIONS: '1000000' });
const app = await buildApp(config, { logger: false });
await app.ready();

const payload = JSON.stringify(exampleLivenessRequest);
let failures = 0;
let firstFailure = '';

async function createSessions(count: number, readBack: boolean): Promise<void> {
  for (let done = 0; done < count; done += CONCURRENCY) {
    const batch = Math.min(CONCURRENCY, count - done);
    await Promise.all(
      Array.from({ length: batch }, async () => {
        const created = await app.inject({
          method: 'POST',
          url: '/v3/scanning/liveness',
          headers: { authorization: BENCH_API_KEY, 'content-type': 'application/json' },
          payload,
        });
        if (created.statusCode !== 200) {
          failures++;
          firstFailure ||= `POST ${created.statusCode}: ${created.body.slice(0, 300)}`;
          return;
        }
        if (readBack) {
          const id = created.json<{ id: string }>().id;
          const result = await app.inject({ method: 'GET', url: `/v3/scanning/${id}`, headers: { authorization: BENCH_API_KEY } });
          if (result.statusCode !== 200) {
            failures++;
            firstFailure ||= `GET ${result.statusCode}: ${result.body.slice(0, 300)}`;
          }
        }
      }),
    );
  }
}

// Warm-up (create + read back): compiles the hot paths and fills lazy caches (serializers, id pools) before
// the first figure, so the delta below is the sessions themselves and not one-time initialisation.
await createSessions(WARMUP_SESSIONS, true);
const sizeBefore = app.emulator.sessions.size;
const before = await settledMemory();

const started = performance.now();
await createSessions(SESSIONS, false);
const createMs = performance.now() - started;

const after = await settledMemory();
const sizeAfter = app.emulator.sessions.size;
await app.close();

const result = {
  sessions: SESSIONS,
  stored: sizeAfter - sizeBefore,
  failures,
  firstFailure,
  createMs,
  before: { rss: before.rss, heapUsed: before.heapUsed, external: before.external },
  after: { rss: after.rss, heapUsed: after.heapUsed, external: after.external },
};
process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`, () => process.exit(0));
