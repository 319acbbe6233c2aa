// SIGTERM under load, against a real child process: new work is refused first (the listener closes,
// requests still arriving on open connections get 503 in the ZignSec shape), and every webhook owed
// by then is either delivered or named in the "not delivered" printout. None is lost silently.
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { exampleLivenessRequest } from '../helpers/app.js';
import { cleanEnv, freePort, readyBody, spawnNode } from '../helpers/processes.js';
import { startReceiver } from '../helpers/receiver.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const refusal = { errors: [{ code: 'SERVICE_UNAVAILABLE', description: 'The emulator is shutting down and takes no new requests.' }] };

interface Answer {
  status: number;
  body: string;
}

function request(agent: http.Agent, port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves once new connections are refused: the server has begun shutting down. */
async function listenerClosed(port: number): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const probe = net.connect(port, '127.0.0.1');
      probe.once('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Session ids named in the "not delivered" printout. */
const reportedIds = (stdout: string) => new Set([...stdout.matchAll(/^ {2}whd_[0-9a-f]+ session ([0-9a-f-]{36}) -> /gm)].map((m) => m[1]));

t.test('SIGTERM under load: refuses new work with 503, then delivers or reports every webhook owed', async (t) => {
  // Every fourth attempt fails, so some deliveries are waiting for a retry when the signal comes.
  const receiver = await startReceiver(t, (n) => ({ status: n % 4 === 0 ? 500 : 200 }));
  const port = await freePort();
  const { child, exited } = spawnNode(['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...cleanEnv, PORT: String(port), LOG_LEVEL: 'error', SHUTDOWN_GRACE: '4s', WEBHOOK_TIMEOUT: '2s' },
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await readyBody(port, child, exited);

  // A delivery whose receiver never answers: its attempt holds the shutdown open for WEBHOOK_TIMEOUT.
  const hanging = await startReceiver(t, () => ({ hang: true }));
  const held = await fetch(`http://127.0.0.1:${port}/v3/scanning/liveness`, {
    method: 'POST',
    headers: { authorization: 'hanging-key', 'content-type': 'application/json' },
    body: JSON.stringify({ ...exampleLivenessRequest, webhook: hanging.url }),
  }).then((r) => r.json() as Promise<{ id: string }>);
  t.equal((await fetch(`http://127.0.0.1:${port}/__mock/sessions/${held.id}/complete`, { method: 'POST' })).status, 200);

  // A connection in the middle of a request when the signal comes: it is finished afterwards.
  const pending = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => pending.once('connect', resolve));
  pending.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  let pendingAnswer = '';
  pending.setEncoding('utf8').on('data', (chunk: string) => (pendingAnswer += chunk));
  const pendingClosed = new Promise((resolve) => pending.once('close', resolve));

  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  t.teardown(() => agent.destroy());
  const completed = new Set<string>();
  const answers: Answer[] = [];
  let refusedConnections = 0;
  let signalled = false;
  const worker = async (n: number) => {
    const key = `shutdown-key-${n}`;
    for (let i = 0; i < 2000; i++) {
      try {
        const created = await request(agent, port, 'POST', '/v3/scanning/liveness', { authorization: key }, JSON.stringify({ ...exampleLivenessRequest, webhook: receiver.url }));
        answers.push(created);
        if (created.status !== 200) continue;
        const { id } = JSON.parse(created.body) as { id: string };
        const complete = await request(agent, port, 'POST', `/__mock/sessions/${id}/complete`, {});
        answers.push(complete);
        if (complete.status === 200) completed.add(id);
      } catch {
        // The listener is closed: no new connection gets in.
        refusedConnections++;
        if (signalled) return;
      }
    }
  };
  const load = Array.from({ length: 8 }, (_, n) => worker(n));
  setTimeout(() => {
    signalled = true;
    child.kill('SIGTERM');
    void listenerClosed(port).then(() => pending.write('\r\n'));
  }, 1500);
  await Promise.all(load);
  const { code, stdout } = await exited;
  await pendingClosed;

  t.equal(code, 0, 'a clean exit');
  t.ok(completed.size > 20, `${completed.size} sessions completed under load before the signal`);
  const statuses = new Set(answers.map((a) => a.status));
  t.same([...statuses].filter((s) => s !== 200 && s !== 503), [], 'every answer was 200, or 503 once shutting down');
  for (const refused of answers.filter((a) => a.status === 503)) t.strictSame(JSON.parse(refused.body), refusal);
  t.match(pendingAnswer, /^HTTP\/1\.1 503 Service Unavailable\r\n/, `the request finished on an open connection once the listener had closed was refused: ${JSON.stringify(pendingAnswer)}`);
  t.match(pendingAnswer, /\r\nconnection: close\r\n/i);
  t.ok(pendingAnswer.endsWith(JSON.stringify(refusal)));
  t.ok(reportedIds(stdout).has(held.id), 'the delivery to the receiver that never answered is reported');

  const delivered = new Set(receiver.received.map((r, i) => (i + 1) % 4 === 0 ? undefined : (JSON.parse(r.rawBody) as { id: string }).id));
  const reported = reportedIds(stdout);
  const lost = [...completed].filter((id) => !delivered.has(id) && !reported.has(id));
  t.same(lost, [], 'every completed session was delivered or reported');
  const reportedLine = /^zignsec-mock: (\d+) webhook deliveries were not delivered:$/m.exec(stdout);
  t.equal(Number(reportedLine?.[1] ?? 0), reported.size, 'the printout counts what it lists');
  t.comment(`${completed.size} completed, ${delivered.size - (delivered.has(undefined) ? 1 : 0)} delivered, ${reported.size} reported, ${refusedConnections} connections refused`);
});
