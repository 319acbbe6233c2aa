// Process entry: load configuration, build the app, listen, and shut down gracefully on SIGINT/SIGTERM.
// Whatever stops startup is printed as one line naming the setting to change, never as a stack trace.
import { buildApp } from './app.js';
import { ConfigError, configPrintout, flagName, flagsToInput, loadConfig, warningPrintout, type Config, type ConfigKey, type PrintoutForm } from './config.js';
import { openControlApiWarning } from './exposure.js';
import { isMainModule } from './main-module.js';
import { FixtureError, type FixtureSetting } from './services/fixtures.js';
import { settleForShutdown } from './services/shutdown.js';

/** Exit code of a startup stopped by a setting: a bad value, an unreadable file, an unusable address. */
export const CONFIGURATION_EXIT_CODE = 2;

const setting = (key: ConfigKey) => `${key} or ${flagName(key)}`;
const anyHost = 'an address of this machine such as 127.0.0.1, or 0.0.0.0 for every interface';

/**
 * Why listening failed, naming HOST or PORT, or undefined for an error that is not about them.
 * Causes are the errno codes of bind(2) and getaddrinfo(3).
 */
export function describeListenError(error: unknown, config: Pick<Config, 'HOST' | 'PORT'>): string | undefined {
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !['listen', 'bind', 'getaddrinfo'].includes(syscall ?? '')) return undefined;
  const host = `HOST ${config.HOST}`;
  const port = `PORT ${config.PORT}`;
  switch (code) {
    case 'EADDRINUSE':
      return `${port} is already in use on ${config.HOST} (EADDRINUSE): set ${setting('PORT')} to a free port, or 0 for any free port`;
    case 'EACCES':
      return config.PORT < 1024
        ? `${port} is a privileged port (below 1024) this user may not listen on (EACCES): set ${setting('PORT')} to 1024 or above, or 0 for any free port`
        : `${port} on ${config.HOST} may not be listened on by this user (EACCES): set ${setting('PORT')} to another port, or 0 for any free port`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (EADDRNOTAVAIL): set ${setting('HOST')} to ${anyHost}`;
    case 'EAFNOSUPPORT':
      return `${host} is of an address family this machine does not support (EAFNOSUPPORT; is IPv6 off?): set ${setting('HOST')} to ${anyHost}`;
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
      return `${host} cannot be resolved to an address (${code}): set ${setting('HOST')} to ${anyHost}`;
    default:
      return `cannot listen on ${host} ${port} (${code}): check ${setting('HOST')} and ${setting('PORT')}`;
  }
}

const readErrors: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'a directory, not a file',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many symbolic links',
};
const readableWhat: Record<FixtureSetting, string> = {
  MERCHANTS_FILE: 'a readable JSON file of merchant settings',
  OUTCOMES_DIR: 'a readable directory of outcome presets (*.json)',
  RESULT_TEMPLATE_FILE: 'a readable JSON result template',
  WIRE_FILE: 'a readable JSON file of wire details (see fixtures/wire.json)',
};

/**
 * A FixtureError prefixed with the setting that named the file (`<file>: <problem>` becomes
 * `MERCHANTS_FILE (--merchants-file): <file>: <problem>`), with a hint when the file cannot be read.
 * Files of the package itself (people.json, built-in outcomes) name no setting.
 */
export function describeFixtureError(error: FixtureError): string {
  const { message, setting: key } = error;
  if (!key) return message;
  const unreadable = /cannot be read \(([A-Z0-9_]+)\)$/m.exec(message);
  let explained = message;
  if (unreadable) {
    const cause = readErrors[unreadable[1]];
    explained = `${message.replace(unreadable[0], `cannot be read (${unreadable[1]}${cause ? `: ${cause}` : ''})`)}; set ${setting(key)} to ${readableWhat[key]}`;
  }
  return `${key} (${flagName(key)}): ${explained}`;
}

const wantsStackTraces = (config: Config | undefined) => config?.LOG_LEVEL === 'debug' || config?.LOG_LEVEL === 'trace';

/** What to print when startup fails, and the exit code. `config` is undefined when loading it failed. */
export function describeStartupError(error: unknown, config: Config | undefined): { message: string; exitCode: number } {
  if (error instanceof ConfigError) return { message: error.message, exitCode: CONFIGURATION_EXIT_CODE };
  if (config && error instanceof FixtureError) return { message: describeFixtureError(error), exitCode: CONFIGURATION_EXIT_CODE };
  const listen = config && describeListenError(error, config);
  if (listen) return { message: listen, exitCode: CONFIGURATION_EXIT_CODE };
  // A defect rather than a setting: one line, with the stack only when the logs ask for detail.
  const detail = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error && wantsStackTraces(config) ? `\n${error.stack}` : ' (LOG_LEVEL=debug shows the stack trace)';
  return { message: `cannot start: ${detail}${stack}`, exitCode: 1 };
}

export async function serve(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let config: Config | undefined;
  let app;
  const printoutForm: PrintoutForm = process.stdout.isTTY ? 'terminal' : 'json-lines';
  try {
    const { input } = flagsToInput(argv);
    config = loadConfig(process.env, input);
    // Printed directly, not logged, so that it shows at every LOG_LEVEL but silent.
    if (config.LOG_LEVEL !== 'silent') process.stdout.write(configPrintout(config, printoutForm));
    app = await buildApp(config);
    const address = await app.listen({ port: config.PORT, host: config.HOST });
    const exposed = openControlApiWarning(config, (app.server.address() as { address: string }).address);
    if (exposed && config.LOG_LEVEL !== 'silent') process.stdout.write(warningPrintout(exposed, printoutForm));
    app.log.info(`zignsec-mock listening on ${address} (Swagger UI: ${address}/v3/scan/swagger)`);
  } catch (error) {
    const { message, exitCode } = describeStartupError(error, config);
    process.stderr.write(`zignsec-mock: ${message}\n`);
    process.exit(exitCode);
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal} received, shutting down`);
    settleForShutdown(app)
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

if (isMainModule(import.meta.url)) await serve();
