// Enum values as ZignSec's .NET API reads them: names in any letter case, kept in their canonical
// spelling; numbers and unknown names are refused with the list of names.
import t from 'tap';
import { auth, startTestApp } from '../helpers/app.js';

const KEY = auth('enum-key');
const ACTIONS = 'HeadLeft, HeadRight, HeadUp, HeadDown, MoveTowardsCamera, MoveAwayFromCamera, FollowText, BlinkEyes, Smile';
const invalid = (description: string) => ({ code: 'INVALID_REQUEST', description });

t.test('options, action and available_actions in any letter case are accepted and kept canonical', async (t) => {
  const { app } = await startTestApp(t);
  const sent = { relay_state: 'lower', options: 'frontside', action: 'blinkeyes', available_actions: ['SMILE', 'headLeft'] };
  const created = await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: KEY, payload: sent });
  t.equal(created.statusCode, 200);
  const { id } = created.json();

  const view = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
  t.same([view.settings.options, view.settings.action, view.settings.available_actions], ['FrontSide', 'BlinkEyes', ['Smile', 'HeadLeft']], 'the session keeps the canonical names');
  t.equal(view.chosen_action, 'BlinkEyes');
  t.strictSame(view.request, sent, 'the request is shown exactly as it was sent');
  t.same(view.analyses, { document: 'Requested', liveness: 'Requested', face_match: 'Requested', fraud: 'NotRequested' }, 'frontside asks for the document like FrontSide');

  const result = (await app.inject({ url: `/v3/scanning/${id}`, headers: KEY })).json();
  t.equal(result.action, 'BlinkEyes');
  t.equal(result.result.livenessAnalysis.action, 'BlinkEyes');
});

t.test('Random picks from available_actions given in another letter case', async (t) => {
  const { app } = await startTestApp(t, { SEED: 'enum' });
  for (let i = 0; i < 5; i += 1) {
    const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: KEY, payload: { options: 'NODOCUMENT', action: 'RANDOM', available_actions: ['followtext'] } })).json();
    const view = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
    t.same([view.settings.options, view.settings.action, view.chosen_action], ['NoDocument', 'Random', 'FollowText']);
  }
});

t.test('analysis_types in any letter case, on create and on starting the analysis', async (t) => {
  const { app } = await startTestApp(t);
  const scanning = (await app.inject({ method: 'POST', url: '/v3/scanning', headers: KEY, payload: { analysis_types: ['Document', 'LIVENESS'] } })).json();
  t.same((await app.inject({ url: `/__mock/sessions/${scanning.id}` })).json().settings.analysis_types, ['document', 'liveness']);

  const created = await app.inject({ method: 'POST', url: '/v3/eid/scanningsessions', headers: KEY, payload: { analysis_types: ['SELFIE'] } });
  t.equal(created.statusCode, 201);
  const id = created.json().session_id;
  const view = (await app.inject({ url: `/__mock/sessions/${id}` })).json();
  t.same([view.settings.analysis_types, view.analyses.face_match], [['selfie'], 'Requested']);
  const start = await app.inject({ method: 'POST', url: `/v3/eid/scanningsessions/${id}/analyses`, headers: KEY, payload: { analysis_types: ['Selfie', 'DOCUMENT'] } });
  t.equal(start.statusCode, 400, 'the names are understood: the analysis needs the images of document and selfie');
  t.strictSame(start.json(), {
    errors: [invalid('Cannot start the analysis: a document analysis needs an uploaded identity document (e.g. documentType=Passport); selfie and liveness analyses need an uploaded documentType=Selfie image.')],
  });
});

t.test('numbers and unknown names are refused with the names to use', async (t) => {
  const { app } = await startTestApp(t);
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['options as a number', '/v3/scanning/liveness', { options: 0, action: 'Random' }, 'options must be one of FrontSide, NoDocument, FrontAndBack'],
    ['options as a numeric string', '/v3/scanning/liveness', { options: '1', action: 'Random' }, 'options must be one of FrontSide, NoDocument, FrontAndBack'],
    ['action as a number', '/v3/scanning/liveness', { options: 'FrontSide', action: 9 }, `action must be one of Random, ${ACTIONS}`],
    ['an action with spaces', '/v3/scanning/liveness', { options: 'FrontSide', action: 'blink eyes' }, `action must be one of Random, ${ACTIONS}`],
    ['available_actions with a number', '/v3/scanning/liveness', { options: 'FrontSide', action: 'Random', available_actions: ['Smile', 3] }, `available_actions.1 must be one of ${ACTIONS}`],
    ['analysis_types with a number', '/v3/scanning', { analysis_types: [0] }, 'analysis_types.0 must be one of document, selfie, liveness, fraud'],
    ['an unknown analysis type', '/v3/eid/scanningsessions', { analysis_types: ['document', 'aml'] }, 'analysis_types.1 must be one of document, selfie, liveness, fraud'],
  ];
  for (const [name, url, payload, description] of cases) {
    const res = await app.inject({ method: 'POST', url, headers: KEY, payload });
    t.equal(res.statusCode, 400, name);
    t.strictSame(res.json(), { errors: [invalid(description)] }, name);
  }
  t.equal((await app.inject({ url: '/__mock/sessions' })).json().total, 0, 'nothing was created');
});

t.test('merchant settings read enum names the same way', async (t) => {
  const { app } = await startTestApp(t);
  const put = await app.inject({ method: 'PUT', url: '/__mock/merchants/enum-merchant', payload: { options: 'frontandback', available_actions: ['smile'] } });
  t.equal(put.statusCode, 200);
  t.match(put.json(), { options: 'FrontAndBack', available_actions: ['Smile'] });
  const { id } = (await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('enum-merchant'), payload: { options: 'FrontAndBack', action: 'Random' } })).json();
  t.equal((await app.inject({ url: `/__mock/sessions/${id}` })).json().chosen_action, 'Smile');
});

t.test('the OpenAPI document still lists every enum value', async (t) => {
  const { app } = await startTestApp(t);
  const doc = (await app.inject({ url: '/v3/scan/swagger/json' })).json();
  const schemaOf = (body: { $ref?: string }) => (body.$ref ? doc.components.schemas[body.$ref.split('/').pop()!] : body);
  const liveness = schemaOf(doc.paths['/v3/scanning/liveness'].post.requestBody.content['application/json'].schema);
  t.same(liveness.properties.options.enum, ['FrontSide', 'NoDocument', 'FrontAndBack']);
  t.equal(liveness.properties.options.type, 'string');
  t.match(liveness.properties.options.description, /letter case/);
  const actions = JSON.stringify(liveness.properties.available_actions);
  t.match(actions, JSON.stringify(ACTIONS.split(', ')), 'available_actions lists the actions');
  const inline = (schema: unknown): string =>
    JSON.stringify(schema, (key, value) => (key === '$ref' ? schemaOf({ $ref: value }) : value));
  for (const path of ['/v3/scanning', '/v3/eid/scanningsessions', '/v3/eid/scanningsessions/{id}/analyses']) {
    const body = inline(doc.paths[path].post.requestBody.content['application/json'].schema);
    t.match(body, '"analysis_types":{', `${path} documents analysis_types`);
    t.match(body, '"enum":["document","selfie","liveness","fraud"]', `${path} lists the analysis types`);
  }
});
