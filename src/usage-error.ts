// A mistake on the command line (`zignsec-mock …` and `zignsec-mock scenarios …`): printed with a
// pointer to --help, exit code 2. Its own module, so the scenarios command (loaded only when used)
// and the main command share it without importing each other.
export class UsageError extends Error {
  override name = 'UsageError';
}
