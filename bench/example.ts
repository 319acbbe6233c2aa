// The liveness request the benchmarks send: a copy of exampleLivenessRequest in test/helpers/app.ts
// (copied, not imported, so the benchmark does not depend on the test helpers or on tap).
export const exampleLivenessRequest = {
  relay_state: '11111',
  target: 'https://www.google.com/?q=Success',
  cancel_url: 'https://www.google.com/?q=Cancel',
  target_error: 'https://www.google.com/?q=targetError',
  webhook: '',
  options: 'FrontSide',
  action: 'Random',
  available_actions: ['FollowText'],
  css: [],
  doc: { ignore_errors_in_fields: [] },
};

/** Any key works with AUTH_MODE=any; every benchmark request uses this one. */
export const BENCH_API_KEY = 'bench-api-key-0001';
