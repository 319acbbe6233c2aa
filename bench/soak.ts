// The soak stage of `npm run bench`: sessions created, completed and delivered continuously against a
// webhook receiver that fails a share of attempts, with the journal and the session caps full, for
// about half a minute. It reports deliveries lost (must be 0), deliveries duplicated beyond the
// documented duplicates (0: chaos is off, so a delivery is acknowledged once), 5xx answers (0) and the
// server's memory once the journal and caps are full and at the end, both after full garbage
// collections (bench/soak-child.ts), so that what is compared is what the emulator retains.
// Everything runs on 127.0.0.1; the server is a child process, the load and the receiver run here.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { exampleLivenessRequest } from './example.js';
import { HOST, httpRequest, MEMORY_MARKER, type NodeChild } from './support.js';

/** Server settings: small caps so that they fill within seconds; retries 1,000 times faster (a 1-minute retry after 60 ms). */
export const SOAK_SETTINGS = {
  LOG_LEVEL: 'warn',
  MAX_SESSIONS: '2000',
  MAX_SESSIONS_PER_KEY: '500',
  JOURNAL_SIZE: '5000',
  WEBHOOK_TIME_SCALE: '0.001',
  WEBHOOK_TIMEOUT: '2s',
};
const KEYS = 4;
const WORKERS = 8;
/** Until both caps are full: 2,000 sessions held and 5,000 journaled creates. */
const FILL_CREATES = 6000;
/** After the caps are full, a few seconds more before the first figure: V8's heap settles into its working size. */
const SETTLE_MS = 3000;
const STEADY_MS = 15_000;
const DRAIN_MS = 15_000;
/** Every fifth attempt the receiver answers 503. */
const FAIL_EVERY = 5;
const RSS_GROWTH_LIMIT_MB = 15;
const MB = 1024 * 1024;

export interface SoakFigures {
  completed: number;
  delivered: number;
  lost: number;
  duplicates: number;
  attempts: number;
  failedAttempts: number;
  fiveHundreds: number;
  otherFailures: string[];
  rssStartMb: number;
  rssEndMb: number;
  heapStartMb: number;
  heapEndMb: number;
  steadyS: number;
  sessionsPerS: number;
  rssGrowthLimitMb: number;
}

/** The child's memory after full GCs: it prints one MEMORY_MARKER line per SIGUSR2. */
async function settledMemory(child: NodeChild): Promise<{ rssMb: number; heapMb: number }> {
  const lines = () => child.stdout().split('\n').filter((line) => line.startsWith(MEMORY_MARKER));
  const before = lines().length;
  child.proc.kill('SIGUSR2');
  const deadline = performance.now() + 10_000;
  while (lines().length === before) {
    if (performance.now() > deadline || child.hasExited()) throw new Error(`no memory figure from the soak child\n${child.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { rss, heapUsed } = JSON.parse(lines()[before].slice(MEMORY_MARKER.length)) as { rss: number; heapUsed: number };
  return { rssMb: rss / MB, heapMb: heapUsed / MB };
}

/** The receiver: answers 503 to every FAIL_EVERY-th attempt, 200 otherwise, and records what it acknowledged. */
async function startReceiver() {
  let attempts = 0;
  let failed = 0;
  const acknowledged = new Map<string, number>();
  const sessionsDelivered = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      attempts++;
      if (attempts % FAIL_EVERY === 0) {
        failed++;
        res.writeHead(503).end('try again');
        return;
      }
      const id = String(req.headers['x-zignsec-webhook-id']);
      acknowledged.set(id, (acknowledged.get(id) ?? 0) + 1);
      sessionsDelivered.add((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return {
    url: `http://${HOST}:${(server.address() as AddressInfo).port}/webhooks`,
    stats: () => ({ attempts, failed, acknowledged, sessionsDelivered }),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs the soak against an emulator at `base` (process `pid`); `log` prints progress lines. */
export async function runSoak(base: string, child: NodeChild, log: (line: string) => void): Promise<SoakFigures> {
  const receiver = await startReceiver();
  const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
  const body = JSON.stringify({ ...exampleLivenessRequest, webhook: receiver.url });
  const completed = new Set<string>();
  let fiveHundreds = 0;
  const otherFailures: string[] = [];
  let creates = 0;
  let stopAt = Infinity;
  const note = (what: string) => {
    if (otherFailures.length < 5) otherFailures.push(what);
  };

  const createAndComplete = async (key: string) => {
    const created = await httpRequest(`${base}/v3/scanning/liveness`, { method: 'POST', headers: { authorization: key, 'content-type': 'application/json' }, body, agent });
    creates++;
    if (created.status >= 500) fiveHundreds++;
    if (created.status !== 200) {
      note(`create ${created.status} ${created.body.slice(0, 120)}`);
      return;
    }
    const { id } = JSON.parse(created.body) as { id: string };
    const done = await httpRequest(`${base}/__mock/sessions/${id}/complete`, { method: 'POST', agent });
    if (done.status >= 500) fiveHundreds++;
    if (done.status === 200) completed.add(id);
    else note(`complete ${done.status} ${done.body.slice(0, 120)}`);
  };
  const worker = async (n: number) => {
    const key = `soak-key-${n % KEYS}`;
    while (performance.now() < stopAt) {
      try {
        await createAndComplete(key);
      } catch (error) {
        // A connection error is not an answer: counted apart from 5xx, and the stage fails on it too.
        creates++;
        note(`request failed: ${(error as Error).message}`);
      }
    }
  };

  try {
    const load = Array.from({ length: WORKERS }, (_, n) => worker(n));
    while (creates < FILL_CREATES) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const start = await settledMemory(child);
    const steadyStart = performance.now();
    const completedAtStart = completed.size;
    stopAt = steadyStart + STEADY_MS;
    log(`  caps full after ${creates} creates (journal 5,000, sessions 2,000 over ${KEYS} keys): RSS ${start.rssMb.toFixed(1)} MB, heapUsed ${start.heapMb.toFixed(1)} MB after GC; steady load for ${STEADY_MS / 1000} s`);
    await Promise.all(load);
    const steadyS = (performance.now() - steadyStart) / 1000;
    const sessionsPerS = (completed.size - completedAtStart) / steadyS;
    log(`  ${completed.size} sessions completed (${sessionsPerS.toFixed(0)}/s while steady); waiting up to ${DRAIN_MS / 1000} s for their webhooks`);

    const drainEnds = performance.now() + DRAIN_MS;
    const undelivered = () => [...completed].filter((id) => !receiver.stats().sessionsDelivered.has(id));
    while (undelivered().length > 0 && performance.now() < drainEnds) await new Promise((resolve) => setTimeout(resolve, 100));
    const { attempts, failed, acknowledged } = receiver.stats();
    const duplicates = [...acknowledged.values()].reduce((sum, n) => sum + (n - 1), 0);
    const end = await settledMemory(child);
    return {
      completed: completed.size,
      delivered: completed.size - undelivered().length,
      lost: undelivered().length,
      duplicates,
      attempts,
      failedAttempts: failed,
      fiveHundreds,
      otherFailures,
      rssStartMb: start.rssMb,
      rssEndMb: end.rssMb,
      heapStartMb: start.heapMb,
      heapEndMb: end.heapMb,
      steadyS,
      sessionsPerS,
      rssGrowthLimitMb: RSS_GROWTH_LIMIT_MB,
    };
  } finally {
    stopAt = 0;
    agent.destroy();
    await receiver.close();
  }
}

export const rssGrowthOk = (figures: SoakFigures) => figures.rssEndMb - figures.rssStartMb < figures.rssGrowthLimitMb;
