// Process entry: load configuration, build the app, listen, and shut down gracefully on SIGINT/SIGTERM.
import { buildApp } from './app.js';
import { ConfigError, describeConfig, flagsToInput, loadConfig } from './config.js';
import { FixtureError } from './services/fixtures.js';

export async function serve(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let app;
  try {
    const { input } = flagsToInput(argv);
    const config = loadConfig(process.env, input);
    app = await buildApp(config);
    app.log.info({ config: describeConfig(config) }, 'zignsec-mock configuration');
    const address = await app.listen({ port: config.PORT, host: config.HOST });
    app.log.info(`zignsec-mock listening on ${address} (Swagger UI: ${address}/v3/scan/swagger)`);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof FixtureError) {
      process.stderr.write(`zignsec-mock: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal} received, shutting down`);
    app.emulator.webhooks
      .close()
      .then((undelivered) => {
        if (undelivered.length > 0) {
          process.stdout.write(`zignsec-mock: ${undelivered.length} webhook deliveries were not delivered:\n`);
          for (const d of undelivered) process.stdout.write(`  ${d.id} session ${d.sessionId} -> ${d.url} (${d.attempts.length} attempts)\n`);
        }
        return app.close();
      })
      .then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (import.meta.url === `file://${process.argv[1]}`) await serve();
