// The liveness request the benchmarks send: the product document's example, shared with the
// OpenAPI document and the tests through fixtures/examples/.
import example from '../fixtures/examples/liveness-request.json' with { type: 'json' };

export const exampleLivenessRequest = example;

/** Any key works with AUTH_MODE=any; every benchmark request uses this one. */
export const BENCH_API_KEY = 'bench-api-key-0001';
