// SIGTERM against a real child process. Under load: new work is refused first (the listener closes,
// requests still arriving on open connections get 503 in the ZignSec shape), and every webhook owed
// by then is either delivered or named in the "not delivered" printout. None is lost silently. With
// connections that never end by themselves (long polls, idle keep-alives, clients that never finish
// a request): the process still exits within SHUTDOWN_GRACE and a small margin.
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { exampleLivenessRequest } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
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

/** A raw connection to the child: what it received, and when it closed (ms after `since`). */
function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
  const connected = new Promise((resolve) => socket.once('connect', resolve));
  return { socket, connected, closed, received: () => received };
}

t.test('SIGTERM ends within SHUTDOWN_GRACE whatever connections are open: long polls get 503, idle and lingering connections are closed', async (t) => {
  const port = await freePort();
  const { child, exited } = spawnNode(['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...cleanEnv, PORT: String(port), LOG_LEVEL: 'error', SHUTDOWN_GRACE: '2s' },
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await readyBody(port, child, exited);

  // A long poll that would wait two minutes for a delivery that never comes.
  const longPoll = rawConnection(port);
  await longPoll.connected;
  longPoll.socket.write(`GET /__mock/webhooks/wait?session_id=00000000-0000-4000-8000-000000000000&timeout_ms=120000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  // A kept-alive connection, idle after its answer.
  const idle = rawConnection(port);
  await idle.connected;
  idle.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  // A client that never finishes its headers, and one that never finishes its body.
  const lingering = rawConnection(port);
  await lingering.connected;
  lingering.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  const halfBody = rawConnection(port);
  await halfBody.connected;
  halfBody.socket.write('POST /__mock/outcomes/queue HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"api_key":');
  await eventually(() => idle.received().includes('"status":"ok"'), 'the idle connection to be answered');
  // Let the server take the long poll's request before the signal.
  await new Promise((resolve) => setTimeout(resolve, 200));

  const signalled = performance.now();
  child.kill('SIGTERM');
  const exit = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(resolve, 20_000))]);
  const took = performance.now() - signalled;
  t.ok(exit, `the process exited (${took.toFixed(0)} ms after SIGTERM)`);
  t.equal(exit?.code, 0, 'a clean exit');
  // The grace is 2 s; a long poll held the old shutdown 2 minutes, a lingering client a minute.
  t.ok(took < 10_000, `within SHUTDOWN_GRACE and a small margin: ${took.toFixed(0)} ms`);

  const answer = longPoll.received();
  t.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/, `the long poll was answered: ${JSON.stringify(answer.slice(0, 40))}`);
  t.match(answer, /\r\nconnection: close\r\n/i);
  t.ok(answer.endsWith(JSON.stringify({ errors: [{ code: 'SERVICE_UNAVAILABLE', description: 'The emulator is shutting down: it stopped waiting before a delivery of the session succeeded.' }] })), answer);
  for (const [what, connection] of [['long poll', longPoll], ['idle', idle], ['lingering', lingering], ['half a body', halfBody]] as const) {
    const closedAt = await Promise.race([connection.closed, new Promise<undefined>((resolve) => setTimeout(resolve, 1000))]);
    t.ok(closedAt !== undefined, `the ${what} connection was closed`);
  }
  t.equal(lingering.received(), '', 'the lingering client got nothing: it never sent a whole request');
});
