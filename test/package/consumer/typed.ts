// A TypeScript consumer of the installed package, type-checked (never run) under moduleResolution
// node16 and bundler. Each @ts-expect-error proves that a type is real: were it `any`, tsc would
// report the directive as unused.
import { AdminApiError, startMock, verifyZignSecSignature, type RunningMock, type SessionResult } from 'zignsec-mock';
import { defineJourney, type Journey, type RunSummary } from 'zignsec-mock/scenarios';

const mock: RunningMock = await startMock({ SEED: 'typed', AUTH_MODE: 'strict' });
// @ts-expect-error: not a setting
await startMock({ NOT_A_SETTING: '1' });

const created = await mock.apiClient('typed-key').createLivenessSession({ relay_state: 'order-1', options: 'FrontSide', action: 'Random' });
const id: string = created.id;
// @ts-expect-error: an outcome is named by a string
await mock.admin.sessions.armOutcome(id, 42);
const result: SessionResult = await mock.apiClient('typed-key').getResult(id);
const status: string = result.status;
const verified: boolean = verifyZignSecSignature('{}', undefined, 'typed-key');
const statusOf = (error: unknown): number | undefined => (error instanceof AdminApiError ? error.status : undefined);

const journey: Journey = defineJourney({
  name: 'typed',
  description: 'A journey written by an integrator.',
  tags: ['smoke'],
  async run(context) {
    await context.page.goto(context.baseUrl);
  },
});
// @ts-expect-error: tags are strings
defineJourney({ name: 'typed', description: 'd', tags: [1], async run() {} });
declare const summary: RunSummary;
const passed: boolean = summary.ok;

await mock.close();
export { journey, passed, status, statusOf, verified };
