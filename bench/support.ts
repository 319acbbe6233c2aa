// Plumbing for bench/run.ts: child processes that are always killed, free ports, a small HTTP client
// for polling and setup, and a typed wrapper around autocannon's programmatic API.
import { spawn, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** The project root: children run with it as their working directory. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** All traffic stays on the loopback interface. */
export const HOST = '127.0.0.1';
/** The line prefix bench/memory-child.ts prints its JSON result after. */
export const RESULT_MARKER = 'BENCH_RESULT ';
/** The line prefix bench/soak-child.ts prints its settled memory after (on SIGUSR2). */
export const MEMORY_MARKER = 'BENCH_MEMORY ';

// ---------------------------------------------------------------------------------------------
// Child processes

const live = new Set<ChildProcess>();

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NodeChild {
  label: string;
  proc: ChildProcess;
  /** Settles once the process has exited (or failed to spawn). */
  exited: Promise<Exit>;
  hasExited(): boolean;
  /** Everything the child wrote to stdout (capped). */
  stdout(): string;
  /** The last few KB of stdout and stderr together, for error messages. */
  tail(): string;
}

/** Spawns `node <args>` in the project root (or `cwd`: another checkout); the child is tracked until it exits. */
export function spawnNode(label: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): NodeChild {
  const proc = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let out = '';
  let tail = '';
  let exitedFlag = false;
  proc.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (out.length < 1_000_000) out += text;
    tail = (tail + text).slice(-4000);
  });
  proc.stderr.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<Exit>((resolve) => {
    const done = (exit: Exit) => {
      if (exitedFlag) return;
      exitedFlag = true;
      live.delete(proc);
      resolve(exit);
    };
    proc.once('exit', (code, signal) => done({ code, signal }));
    proc.once('error', (error) => {
      tail += `\nspawn error: ${error.message}`;
      done({ code: -1, signal: null });
    });
  });
  return { label, proc, exited, hasExited: () => exitedFlag, stdout: () => out, tail: () => tail };
}

/** Waits for `promise` at most `ms`; resolves to undefined on timeout. The timer never keeps the process alive. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** SIGTERM (the servers shut down gracefully), then SIGKILL if the child is still there after `graceMs`. */
export async function stopChild(child: NodeChild, graceMs = 3000): Promise<void> {
  if (child.hasExited()) return;
  child.proc.kill('SIGTERM');
  if ((await within(child.exited, graceMs)) !== undefined) return;
  child.proc.kill('SIGKILL');
  await within(child.exited, graceMs);
}

/** Waits for a child to exit by itself, killing it after `ms`. */
export async function awaitExit(child: NodeChild, ms: number): Promise<Exit> {
  const exit = await within(child.exited, ms);
  if (exit) return exit;
  await stopChild(child, 1000);
  throw new Error(`${child.label} did not finish within ${ms} ms\n${child.tail()}`);
}

/** Last-resort cleanup: SIGKILL every child still running (synchronous, so it works in 'exit'). */
export function killAllChildren(): void {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Makes sure no child outlives the benchmark, whatever way it ends. */
export function installCleanup(): void {
  process.on('exit', killAllChildren);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => {
      killAllChildren();
      process.stderr.write(`\nbench: ${signal} received, children killed\n`);
      process.exit(code);
    });
  }
  process.on('uncaughtException', (error) => {
    killAllChildren();
    process.stderr.write(`bench: uncaught exception: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}

// ---------------------------------------------------------------------------------------------
// Ports and HTTP

/** A port that was free a moment ago: listen on 0, read the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}

export interface HttpResponse {
  status: number;
  body: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent | false;
  timeoutMs?: number;
}

/** One request with node:http (no lazy undici start-up inside the timed cold-start window). */
export function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    const request = http.request(url, { method: options.method ?? 'GET', headers, agent: options.agent ?? false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.setTimeout(options.timeoutMs ?? 5000, () => request.destroy(new Error(`timeout after ${options.timeoutMs ?? 5000} ms: ${url}`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

const POLL_INTERVAL_MS = 10;

/**
 * Polls `url` every ~10 ms until it answers 200 and returns performance.now() at that moment.
 * Fails at once if the child exits, and after `timeoutMs` otherwise.
 */
export async function waitFor200(url: string, child: NodeChild, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let last: string;
  for (;;) {
    if (child.hasExited()) throw new Error(`${child.label} exited before ${url} answered 200\n${child.tail()}`);
    try {
      const response = await httpRequest(url, { timeoutMs: 1000 });
      if (response.status === 200) return performance.now();
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as NodeJS.ErrnoException).code ?? String(error);
    }
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})\n${child.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

// ---------------------------------------------------------------------------------------------
// autocannon (no bundled types and no @types package installed: the slice used here, typed)

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface AutocannonRequest extends RawRequest {
  setupRequest?: (request: RawRequest, context: Record<string, unknown>) => RawRequest;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: AutocannonRequest[];
  timeout?: number;
}

interface Histogram {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p99: number;
}

interface AutocannonResult {
  requests: Histogram & { total: number; sent: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
}

type AutocannonInstance = EventEmitter & PromiseLike<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as (options: AutocannonOptions) => AutocannonInstance;

export interface LoadFigures {
  /** Mean requests per second over the run (autocannon's requests.average, one sample per second). */
  rps: number;
  /** Latency percentiles in ms from every response's own timing (autocannon's histogram keeps whole ms only). */
  p50: number;
  p99: number;
  total: number;
  durationS: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: string;
  /** Share of one core used by the server process and by this (load generator) process during the run. */
  serverCpu?: number;
  generatorCpu: number;
}

/** utime + stime of a process in seconds, from /proc (Linux; undefined elsewhere). */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12. USER_HZ is 100 on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** One autocannon run; `serverPid` lets it report how busy the server was. */
export async function runLoad(options: AutocannonOptions, serverPid?: number): Promise<LoadFigures> {
  const serverCpuBefore = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
  const ownCpuBefore = process.cpuUsage();
  const wallBefore = performance.now();

  const instance = autocannon(options);
  let samples = new Float64Array(1 << 16);
  let count = 0;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    if (count === samples.length) {
      const bigger = new Float64Array(samples.length * 2);
      bigger.set(samples);
      samples = bigger;
    }
    samples[count++] = responseTime;
  });
  const result = await instance;

  const wallS = (performance.now() - wallBefore) / 1000;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const serverCpuAfter = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
  const latencies = samples.subarray(0, count).sort();
  const statusCodes = Object.entries(result.statusCodeStats ?? {})
    .map(([code, { count: n }]) => `${code}x${n}`)
    .join(' ');
  return {
    rps: result.requests.average,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    total: result.requests.total,
    durationS: result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    serverCpu: serverCpuBefore !== undefined && serverCpuAfter !== undefined ? (serverCpuAfter - serverCpuBefore) / wallS : undefined,
    generatorCpu: (ownCpu.user + ownCpu.system) / 1e6 / wallS,
  };
}
