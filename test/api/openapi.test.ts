import t from 'tap';
import { startTestApp } from '../helpers/app.js';

t.test('the OpenAPI document is generated from the zod schemas and served beside Swagger UI', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject({ url: '/v3/scan/swagger/json' });
  t.equal(res.statusCode, 200);
  const doc = res.json();
  t.equal(doc.openapi, '3.0.3');
  t.equal(doc.info.title, 'zignsec-mock');
  t.same(doc.components.securitySchemes.apiKey, { type: 'apiKey', in: 'header', name: 'Authorization' });

  const publicOperations = [
    ['post', '/v3/scanning/liveness'],
    ['post', '/v3/scanning'],
    ['get', '/v3/scanning/{id}'],
    ['post', '/v3/eid/scanningsessions'],
    ['post', '/v3/eid/scanningsessions/{id}/documents'],
    ['post', '/v3/eid/scanningsessions/{id}/analyses'],
    ['post', '/v3/eid/scanningsessions/{id}/ui/analyses'],
    ['get', '/v3/eid/scanningsessions/{id}/analysisStatus'],
    ['get', '/v3/eid/scanningsessions/{id}/analyses'],
    ['get', '/v3/eid/scanningsessions/{id}/analyses/{analysisId}'],
  ];
  for (const [method, path] of publicOperations) {
    const operation = doc.paths[path]?.[method];
    t.ok(operation, `${method.toUpperCase()} ${path} is documented`);
    t.ok(operation?.responses?.['400'] && operation?.responses?.['401'] && operation?.responses?.['404'], `${path} documents its error responses`);
    t.same(operation?.security, [{ apiKey: [] }]);
  }

  const liveness = doc.paths['/v3/scanning/liveness'].post;
  const body = liveness.requestBody.content['application/json'].schema;
  const schema = body.$ref ? doc.components.schemas[body.$ref.split('/').pop()] : body;
  t.same(schema.required.sort(), ['action', 'options']);
  t.same(schema.properties.options.enum, ['FrontSide', 'NoDocument', 'FrontAndBack']);
  t.same(schema.properties.action.enum, ['Random', 'HeadLeft', 'HeadRight', 'HeadUp', 'HeadDown', 'MoveTowardsCamera', 'MoveAwayFromCamera', 'FollowText', 'BlinkEyes', 'Smile']);
  t.match(JSON.stringify(doc), '"relay_state":"11111"', 'the product document example is in the document');

  const controlTags = new Set<string>();
  for (const [path, operations] of Object.entries<Record<string, { tags?: string[] }>>(doc.paths)) {
    if (!path.startsWith('/__mock')) continue;
    for (const operation of Object.values(operations)) for (const tag of operation.tags ?? []) controlTags.add(tag);
  }
  t.same([...controlTags].sort(), ['Control: clock', 'Control: faults', 'Control: journal', 'Control: merchants', 'Control: outcomes', 'Control: sessions', 'Control: webhooks', 'Control: wire']);
  t.ok(doc.paths['/__mock/sessions/{id}/complete'].post, 'control routes are documented');

  const ui = await app.inject({ url: '/v3/scan/swagger/' });
  t.equal(ui.statusCode, 200);
  t.match(ui.headers['content-type'], /text\/html/);
});

t.test('/health and /ready', async (t) => {
  const { app } = await startTestApp(t);
  t.match((await app.inject({ url: '/health' })).json(), { status: 'ok', uptime_ms: Number });
  t.strictSame((await app.inject({ url: '/ready' })).json(), { status: 'ready', sessions: 0, outcomes: 12, merchants: 2 });
});
