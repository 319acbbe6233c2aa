// The pages behind redirect_url, split by what a change touches:
//   link-gate.ts  the one-time link, its cookie swap and the link-error pages
//   pages.ts      the desktop, phone and result pages (HTML, CSP)
//   ui-api.ts     the page script's API under /v3/scan/ui/<id>/ (state, uploads, analysis, cancel, hand-off)
//   assets.ts     script, stylesheet and TEST_MODE sample documents (samples.ts finds them)
//   cookies.ts    the desktop and phone cookies
//   services.ts   what app.ts hands this plugin
// The scan flow itself (steps, state, the phone link) is services/scan-flow.ts, built at the root.
import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { browserPageHeaders, securityHeaders } from '../../http/security-headers.js';
import { machineNetwork } from '../../http/phone-reach.js';
import { assetRoutes } from './assets.js';
import { pageRoutes } from './pages.js';
import { loadSampleDocuments } from './samples.js';
import { publicPathPrefix, type ScanUiOptions, type ScanUiServices } from './services.js';
import { uiApiRoutes } from './ui-api.js';

export type { ScanUiOptions } from './services.js';

export const scanUiRoutes: FastifyPluginAsyncZod<ScanUiOptions> = async (app, options) => {
  const services: ScanUiServices = {
    ...options,
    prefix: publicPathPrefix(options.config.PUBLIC_URL),
    network: machineNetwork(app.server, options.network),
    samples: loadSampleDocuments(),
  };

  await app.register(fastifyCookie);
  // Every response of the UI is private to one browser: never cached, never sniffed.
  app.addHook('onSend', securityHeaders(browserPageHeaders));

  await app.register(pageRoutes(services));
  await app.register(uiApiRoutes(services));
  await app.register(assetRoutes(services));
};
