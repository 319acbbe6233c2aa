// The portal's stylesheet and script: read once, served under /portal/assets/ with a content hash
// in the URL so they can be cached for good.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface PortalAsset {
  body: Buffer;
  type: string;
  url: string;
}

function load(file: string, type: string): PortalAsset {
  const body = readFileSync(new URL(`./assets/${file}`, import.meta.url));
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 10);
  return { body, type, url: `/portal/assets/${file}?v=${version}` };
}

export const portalAssets: Readonly<Record<string, PortalAsset>> = {
  'portal.css': load('portal.css', 'text/css; charset=utf-8'),
  'portal.js': load('portal.js', 'text/javascript; charset=utf-8'),
};
