// GET / in a browser: the emulator's front door (src/ui/front-door/page.ts) and its stylesheet and
// script under /assets/. A request without HTML in Accept (curl, API clients) gets exactly the 404
// every unknown path gets, and `/` stays out of the route table, so that other methods on it and
// HEAD answer as before.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { packageVersion } from '../config.js';
import { acceptsHtml } from '../http/accepts-html.js';
import { publicBaseUrl } from '../http/public-url.js';
import { browserPageHeaders, securityHeaders } from '../http/security-headers.js';
import { loadAsset } from '../ui/asset.js';
import { renderFrontDoor } from '../ui/front-door/page.js';
import { contentSecurityPolicy } from '../ui/html.js';
import exampleBody from '../../fixtures/examples/liveness-request.json' with { type: 'json' };
import { healthOf, readinessOf } from './health.js';

const AssetParams = z.object({ file: z.string().max(100) });

const frontDoorAsset = (file: string, type: string) =>
  loadAsset(new URL(`../ui/front-door/assets/${file}`, import.meta.url), '/assets', type, { stripComments: type.startsWith('text/javascript') });

const assets = {
  'front-door.css': frontDoorAsset('front-door.css', 'text/css; charset=utf-8'),
  'front-door.js': frontDoorAsset('front-door.js', 'text/javascript; charset=utf-8'),
};

/** The front door is nobody's to embed: the scan UI's policy, without its `frame-ancestors *`. */
const frontDoorCsp = contentSecurityPolicy().replace('frame-ancestors *', "frame-ancestors 'none'");

export const frontDoorRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config, fixtures } = app.emulator;
  const version = packageVersion();
  app.addHook('onSend', securityHeaders(browserPageHeaders));

  app.get('/', { exposeHeadRoute: false, config: { browsersOnly: true }, schema: { hide: true } }, async (request, reply) => {
    if (!acceptsHtml(request.headers.accept)) return reply.callNotFound();
    const figures = { ...healthOf(app.emulator), ...readinessOf(app.emulator) };
    const page = renderFrontDoor({
      baseUrl: publicBaseUrl(request, config.PUBLIC_URL, config.PORT),
      baseUrlSource: config.PUBLIC_URL ? 'public_url' : 'request',
      authMode: config.AUTH_MODE,
      figures: { uptimeMs: figures.uptime_ms, sessions: figures.sessions, outcomes: figures.outcomes, merchants: figures.merchants, version },
      outcomes: [...fixtures.outcomes.values()].map((outcome) => ({ name: outcome.name, description: outcome.description })),
      exampleBody,
      assets: { style: assets['front-door.css'].url, script: assets['front-door.js'].url },
    });
    return reply
      .header('content-security-policy', frontDoorCsp)
      .header('vary', 'Accept')
      .type('text/html; charset=utf-8')
      .send(page);
  });

  app.get('/assets/:file', { schema: { hide: true, params: AssetParams } }, async (request, reply) => {
    const asset = Object.hasOwn(assets, request.params.file) ? assets[request.params.file as keyof typeof assets] : undefined;
    if (!asset) return reply.callNotFound();
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(asset.type)
      .send(asset.body);
  });
};
