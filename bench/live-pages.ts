// What an open portal page costs while nothing changes: requests, bytes on the wire (both ways) and
// the emulator's CPU per minute, for one session page, one webhooks page (20 deliveries, the
// console's heaviest page) and many pages of one key at once, each in its own browser window; and
// the emulator with no page open, for reference (its own timers and garbage collection).
//
//   node --import tsx bench/live-pages.ts [--root DIR] [--seconds N] [--windows N]
//
// --root runs the emulator of another checkout (its own src/server.ts and node_modules), so that
// the same measurement can be made before and after a change: `--root /path/to/main`. The browser
// (headless Chromium through this checkout's Puppeteer) talks to the emulator through a counting TCP
// proxy on 127.0.0.1, so bytes are what crosses the wire, headers and all; CPU is the emulator
// process's user+system time from /proc. Each page is opened, given 3 s to settle (its first
// requests are not counted), then measured for --seconds (default 30) and scaled to a minute.
// All traffic stays on 127.0.0.1; the emulator, the receiver and the browser are stopped at the end.
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer, { type BrowserContext, type Page } from 'puppeteer';
import { browserArgs } from '../src/scenarios/browser.js';
import { exampleLivenessRequest } from './example.js';
import { freePort, HOST, installCleanup, ROOT, spawnNode, stopChild, waitFor200 } from './support.js';

const KEY = 'bench-live-pages';
const SETTLE_MS = 3000;
const DELIVERIES = 25;

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: ROOT },
    seconds: { type: 'string', default: '30' },
    windows: { type: 'string', default: '50' },
  },
});
const root = resolve(values.root);
const seconds = Number(values.seconds);
const windows = Number(values.windows);
if (!(seconds > 0) || !(windows >= 0)) throw new Error('--seconds must be a positive number and --windows a whole number');

/** A TCP proxy to the emulator that counts the bytes each way and the connections open. */
async function countingProxy(targetPort: number) {
  let up = 0;
  let down = 0;
  let open = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, HOST);
    open++;
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => (up += chunk.length));
    upstream.on('data', (chunk) => (down += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      open--;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((done) => server.listen(0, HOST, done));
  return {
    port: (server.address() as net.AddressInfo).port,
    bytes: () => ({ up, down }),
    connections: () => open,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** User + system CPU of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function json(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/** Signs in like the portal's form would and returns the portal cookie's value. */
async function signIn(base: string): Promise<string> {
  const form = await fetch(`${base}/portal/sign-in`);
  const formCookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const signedIn = await fetch(`${base}/portal/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie },
    body: new URLSearchParams({ _csrf: token, api_key: KEY, next: '/portal' }).toString(),
  });
  const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('zsm_portal='));
  if (signedIn.status !== 303 || !cookie) throw new Error(`sign-in failed: ${signedIn.status}`);
  return cookie.split(';')[0].slice('zsm_portal='.length);
}

interface Figures {
  label: string;
  pageBytes: number;
  requestsPerMinute: number;
  kbPerMinute: number;
  cpuMsPerMinute: number;
  connections: number;
}

async function main(): Promise<void> {
  installCleanup();
  const receiver = http.createServer((request, response) => request.resume().on('end', () => response.end('ok')));
  await new Promise<void>((done) => receiver.listen(0, HOST, done));
  const webhook = `http://${HOST}:${(receiver.address() as net.AddressInfo).port}/hook`;

  const port = await freePort();
  const emulator = spawnNode('emulator', ['--import', 'tsx', 'src/server.ts'], { ...process.env, PORT: String(port), HOST, LOG_LEVEL: 'silent' }, root);
  const direct = `http://${HOST}:${port}`;
  await waitFor200(`${direct}/ready`, emulator, 20_000);
  const pid = emulator.proc.pid!;

  // One running session (its page is live), and DELIVERIES finished sessions with a delivered webhook.
  const create = (body: Record<string, unknown>) =>
    json(`${direct}/v3/scanning/liveness`, { method: 'POST', headers: { authorization: KEY }, body: JSON.stringify({ ...exampleLivenessRequest, ...body }) }) as Promise<{ id: string }>;
  for (let i = 0; i < DELIVERIES; i++) {
    const { id } = await create({ webhook, relay_state: `order-${i}` });
    await json(`${direct}/__mock/sessions/${id}/complete`, { method: 'POST', body: '{}' });
  }
  for (let tries = 0; ; tries++) {
    const delivered = (await json(`${direct}/__mock/webhooks?api_key=${KEY}&status=succeeded&limit=1`)) as { total: number };
    if (delivered.total >= DELIVERIES) break;
    if (tries > 500) throw new Error('the webhooks were not delivered');
    await new Promise((done) => setTimeout(done, 20));
  }
  const running = await create({ relay_state: 'left-open' });

  const proxy = await countingProxy(port);
  const base = `http://${HOST}:${proxy.port}`;
  const cookie = await signIn(direct);
  const browser = await puppeteer.launch({ executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium', headless: true, args: [...browserArgs] });
  const results: Figures[] = [];
  try {
    /** `count` pages of `path` open (none: the emulator on its own, for reference). */
    const measure = async (label: string, path: string, count: number): Promise<void> => {
      const context: BrowserContext = await browser.createBrowserContext();
      await context.setCookie({ name: 'zsm_portal', value: cookie, domain: HOST, path: '/portal', httpOnly: true, sameSite: 'Lax' });
      let requests = 0;
      const pages: Page[] = [];
      let pageBytes = 0;
      for (let i = 0; i < count; i++) {
        // Each in a window of its own: every one of them is visible, as on a wall of screens.
        const page = await context.newPage(count > 1 ? { type: 'window' } : undefined);
        page.on('request', () => requests++);
        const response = await page.goto(`${base}${path}`);
        pageBytes = (await response!.buffer()).length;
        pages.push(page);
      }
      await new Promise((done) => setTimeout(done, SETTLE_MS));
      const startRequests = requests;
      const startBytes = proxy.bytes();
      const startCpu = cpuMs(pid);
      const started = performance.now();
      await new Promise((done) => setTimeout(done, seconds * 1000));
      const minutes = (performance.now() - started) / 60_000;
      const bytes = proxy.bytes();
      results.push({
        label,
        pageBytes,
        requestsPerMinute: (requests - startRequests) / minutes,
        kbPerMinute: (bytes.up - startBytes.up + bytes.down - startBytes.down) / 1024 / minutes,
        cpuMsPerMinute: (cpuMs(pid) - startCpu) / minutes,
        connections: proxy.connections(),
      });
      await context.close();
      await new Promise((done) => setTimeout(done, 500));
    };
    await measure('no page open (the emulator idle)', '', 0);
    await measure('session page, 1 tab', `/portal/sessions/${running.id}`, 1);
    await measure('webhooks page, 1 tab', '/portal/webhooks', 1);
    if (windows > 0) await measure(`session page, ${windows} windows of one key`, `/portal/sessions/${running.id}`, windows);
  } finally {
    await browser.close();
    proxy.close();
    await stopChild(emulator);
    receiver.close();
  }

  process.stdout.write(`Idle cost of open portal pages (${root}; ${seconds} s measured after ${SETTLE_MS / 1000} s to settle, per minute)\n\n`);
  process.stdout.write('| Page | Page size | Requests/min | Bytes/min (both ways) | Emulator CPU/min | Connections open |\n|---|---|---|---|---|---|\n');
  for (const r of results) {
    process.stdout.write(
      `| ${r.label} | ${r.pageBytes === 0 ? '—' : `${(r.pageBytes / 1024).toFixed(1)} KB`} | ${r.requestsPerMinute.toFixed(1)} | ${r.kbPerMinute < 10 ? r.kbPerMinute.toFixed(2) : r.kbPerMinute.toFixed(0)} KB | ${Math.round(r.cpuMsPerMinute)} ms | ${r.connections} |\n`,
    );
  }
}

await main();
