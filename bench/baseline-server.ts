// The baseline for the throughput targets: a bare Fastify app (the emulator's own fastify version,
// from the same node_modules) with one route returning a constant JSON object. It runs in its own
// child process started exactly like the emulator (`node --import tsx ...`), so both servers get a
// core of their own and the load generator (autocannon, in the parent) never shares their event loop.
// No logger, no schema, no plugins: this is the ceiling the emulator's routes are compared with.
import Fastify from 'fastify';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('baseline-server: set PORT to a free port\n');
  process.exit(2);
}

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
// The like-for-like reference for create-session: the same JSON body is parsed by Fastify's own
// parser, and a constant JSON of the same shape as the create response comes back.
app.post('/', async () => ({ id: '61652a58-1921-4593-abab-fcbc24f972b0', errors: [], redirect_url: 'http://localhost:8080/v3/scan/ui/61652a58-1921-4593-abab-fcbc24f972b0/liveness?otp=P3r27O1U20WE8tVUnlLH5w' }));

await app.listen({ port, host: '127.0.0.1' });

const shutdown = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
