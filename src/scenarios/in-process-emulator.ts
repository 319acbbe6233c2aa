// The emulator the runner starts when no --base-url is given: in this process, on a free port of 127.0.0.1.
import type { AddressInfo } from 'node:net';
import { buildApp } from '../app.js';
import { loadConfig, type ConfigInput } from '../config.js';

export interface InProcessEmulator {
  url: string;
  close(): Promise<void>;
}

/**
 * Silent, TEST_MODE on, the process environment ignored (a run gets exactly these settings plus
 * `settings`), so a developer's PORT or MOCK_ADMIN_TOKEN cannot change what the journeys see.
 */
export async function startInProcessEmulator(settings: ConfigInput = {}): Promise<InProcessEmulator> {
  const config = loadConfig({}, { LOG_LEVEL: 'silent', TEST_MODE: 'true', ...settings, HOST: '127.0.0.1', PORT: '0', MOCK_ADMIN_TOKEN: undefined });
  const app = await buildApp(config, { logger: false });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return { url: `http://127.0.0.1:${port}`, close: () => (closing ??= app.close().then(() => undefined)) };
}
