// Child processes of the emulator for the CLI and startup tests: a clean environment, captured
// output, a free port and the wait for /ready.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { configKeys } from '../../src/config.js';
import { eventually } from './eventually.js';

/** The environment without any setting, so the host's PORT or LOG_LEVEL cannot leak into a run. */
export const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !(configKeys as string[]).includes(key)));

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs node (this process's, or the `node` binary given) with these arguments, collecting its output until it closes. */
export function spawnNode(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; node?: string }): { child: ChildProcess; exited: Promise<Exited> } {
  const child = spawn(options.node ?? process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exited>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

/** A server holding a port of 127.0.0.1 (close it to free the port). */
export async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

export async function freePort(): Promise<number> {
  const { server, port } = await listening();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The body of the first 200 from /ready; fails at once if the process exits first. */
export function readyBody(port: number, child: ChildProcess, exited: Promise<Exited>): Promise<unknown> {
  return eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`the server exited early: ${JSON.stringify(await exited)}`);
      const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
      return res?.ok ? res.json() : undefined;
    },
    'the server to be ready',
    15_000,
  );
}
