// The webhook retry spacing of fixtures/wire.json (webhook.retry_delays), written out here so that the
// tests pin it: 19 gaps adding up to exactly 48 hours.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const builtInRetryDelaysMs: readonly number[] = [
  ...[1, 2, 4, 8, 15, 30].map((m) => m * MINUTE),
  ...[1, 1.5, 2, 2.5, 3, 3.5, 4, 4, 4.5, 5, 5, 5, 6].map((h) => h * HOUR),
];
