// The portal's stylesheet and script, served under /portal/assets/ (see ../asset.ts).
import { loadAsset, type Asset } from '../asset.js';

export type PortalAsset = Asset;

const load = (file: string, type: string): PortalAsset => loadAsset(new URL(`./assets/${file}`, import.meta.url), '/portal/assets', type);

export const portalAssets: Readonly<Record<string, PortalAsset>> = {
  'portal.css': load('portal.css', 'text/css; charset=utf-8'),
  'portal.js': load('portal.js', 'text/javascript; charset=utf-8'),
};
