// A consumer of the installed package from plain JavaScript, with no TypeScript loader: starts the
// emulator through the root entry, creates a session and opens its scan page, then prints one JSON
// line with what it saw. Run with --import ./record-loads.mjs and LOADED_MODULES_FILE set.
import { readFileSync } from 'node:fs';
import { startMock } from 'zignsec-mock';

const loadedModules = () => readFileSync(process.env.LOADED_MODULES_FILE, 'utf8').split('\n').filter(Boolean);
const afterImport = loadedModules();
const mock = await startMock({ SEED: 'packaging' });
try {
  const session = await mock.apiClient('consumer-key').createLivenessSession({ relay_state: 'order-1', options: 'FrontSide', action: 'Smile' });
  const page = await fetch(session.redirect_url);
  const html = await page.text();
  console.log(
    JSON.stringify({
      node: process.version,
      errors: session.errors,
      redirect: session.redirect_url.startsWith(`${mock.url}/v3/scan/ui/${session.id}/liveness?otp=`),
      page: page.status,
      scanRoot: html.includes('data-testid="scan-root"'),
      loadedPuppeteer: afterImport.filter((url) => /\/node_modules\/(puppeteer|puppeteer-core)\//.test(url)).length,
      // The emulator itself (Fastify) is loaded by the first startMock(), not by the import.
      loadedFastifyOnImport: afterImport.filter((url) => /\/node_modules\/fastify\//.test(url)).length,
      loadedFastifyByStartMock: loadedModules().some((url) => /\/node_modules\/fastify\//.test(url)),
      loadedZignsecMock: afterImport.some((url) => url.includes('/node_modules/zignsec-mock/dist/src/index.js')),
    }),
  );
} finally {
  await mock.close();
}
