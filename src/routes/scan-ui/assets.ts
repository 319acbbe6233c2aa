// The scan UI's static files: its script, stylesheet and the link-error script, served with a
// fingerprint in their URLs (cached for a year), and the TEST_MODE sample documents.
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../http/error-catalogue.js';
import { loadAsset } from '../../ui/asset.js';
import type { ScanUiServices } from './services.js';

const uiAsset = (file: string, type: string) =>
  loadAsset(new URL(`../../ui/assets/${file}`, import.meta.url), '/v3/scan/ui/assets', type, { stripComments: type.startsWith('text/javascript') });

export const assets = {
  'scan.js': uiAsset('scan.js', 'text/javascript; charset=utf-8'),
  'scan.css': uiAsset('scan.css', 'text/css; charset=utf-8'),
  'link-error.js': uiAsset('link-error.js', 'text/javascript; charset=utf-8'),
};

const AssetParams = z.object({ file: z.string().max(100) });

export function assetRoutes(services: ScanUiServices): FastifyPluginAsyncZod {
  const { config, samples } = services;
  return async (app) => {
    app.get('/v3/scan/ui/assets/:file', { schema: { hide: true, params: AssetParams } }, async (request, reply) => {
      const asset = Object.hasOwn(assets, request.params.file) ? assets[request.params.file as keyof typeof assets] : undefined;
      if (!asset) throw new ApiError('NOT_FOUND', `No asset ${JSON.stringify(request.params.file)}.`);
      return reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body);
    });

    app.get('/v3/scan/ui/assets/samples/:file', { schema: { hide: true, params: AssetParams } }, async (request, reply) => {
      const sample = config.TEST_MODE ? samples.get(request.params.file) : undefined;
      if (!sample) throw new ApiError('NOT_FOUND', `No sample document ${JSON.stringify(request.params.file)}.`);
      return reply.header('cache-control', 'public, max-age=3600').type(sample.type).send(readFileSync(sample.file));
    });
  };
}
