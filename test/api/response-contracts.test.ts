// The test suite's response check (buildApp's checkResponses, which the test helpers turn on): an
// answer that breaks its route's declared schema answers 500 instead of passing unnoticed.
import t from 'tap';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

async function appWithProbe(t: { teardown(fn: () => unknown): void }, checkResponses: boolean) {
  const app = await buildApp(loadConfig({}, { LOG_LEVEL: 'silent' }), { logger: false, checkResponses });
  t.teardown(() => app.close());
  const answers: Record<string, [number, unknown]> = {
    kept: [200, { name: 'a' }],
    'wrong-type': [200, { name: 1 }],
    'undeclared-field': [200, { name: 'a', secret: 'b' }],
    'undeclared-status': [418, { name: 'a' }],
  };
  app.withTypeProvider<ZodTypeProvider>().get(
    '/__mock/contract-probe/:answer',
    { schema: { params: z.object({ answer: z.string() }), response: { 200: z.object({ name: z.string() }) } } },
    async (request, reply) => {
      const [status, body] = answers[request.params.answer];
      // Statuses and bodies the schema does not allow, on purpose.
      return reply.status(status as 200).send(body as { name: string });
    },
  );
  await app.ready();
  return app;
}

const silenced = (t: { teardown(fn: () => unknown): void }) => {
  // The check writes each broken contract to stderr; these are broken on purpose.
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = () => true;
  t.teardown(() => {
    process.stderr.write = write;
  });
};

t.test('an answer that breaks its schema is a 500 in test mode', async (t) => {
  const app = await appWithProbe(t, true);
  silenced(t);
  const kept = await app.inject({ url: '/__mock/contract-probe/kept' });
  t.equal(kept.statusCode, 200);
  t.strictSame(kept.json(), { name: 'a' });
  for (const broken of ['wrong-type', 'undeclared-field', 'undeclared-status']) {
    const response = await app.inject({ url: `/__mock/contract-probe/${broken}` });
    t.equal(response.statusCode, 500, broken);
  }
});

t.test('without the check (production) every answer is sent as it is', async (t) => {
  const app = await appWithProbe(t, false);
  t.strictSame((await app.inject({ url: '/__mock/contract-probe/wrong-type' })).json(), { name: 1 });
  t.strictSame((await app.inject({ url: '/__mock/contract-probe/undeclared-field' })).json(), { name: 'a', secret: 'b' });
  t.equal((await app.inject({ url: '/__mock/contract-probe/undeclared-status' })).statusCode, 418);
});
