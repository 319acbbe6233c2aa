// Builds an emulator for a test: silent logs, an adjustable clock the test controls, closed on teardown.
import { buildApp, type BuildOptions } from '../../src/app.js';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import { AdjustableClock } from '../../src/core/clock.js';
import example from '../../fixtures/examples/liveness-request.json' with { type: 'json' };

/** The product document's example request (fixtures/examples/liveness-request.json). */
export const exampleLivenessRequest = example;

/** Anything with tap's teardown: the root test or a subtest. */
export interface TestContext {
  teardown(fn: () => unknown): void;
}

export async function startTestApp(t: TestContext, settings: ConfigInput = {}, options: Omit<BuildOptions, 'clock' | 'logger'> = {}) {
  const config = loadConfig({}, { LOG_LEVEL: 'silent', ...settings });
  let fakeNow = Date.UTC(2026, 0, 15, 9, 0, 0);
  const clock = new AdjustableClock(() => fakeNow);
  const app = await buildApp(config, { ...options, clock, logger: false, checkResponses: true });
  t.teardown(() => app.close());
  await app.ready();
  return { app, clock, config, advanceRealTime: (ms: number) => (fakeNow += ms) };
}

export const auth = (key: string) => ({ authorization: key });

/** Asserts a 400 whose errors are INVALID_REQUEST entries with these descriptions, in order. */
export function assertInvalidRequest(t: { equal(a: unknown, b: unknown): void; strictSame(a: unknown, b: unknown): void }, response: { statusCode: number; json(): unknown }, descriptions: string[]): void {
  t.equal(response.statusCode, 400);
  t.strictSame(response.json(), { errors: descriptions.map((description) => ({ code: 'INVALID_REQUEST', description })) });
}
