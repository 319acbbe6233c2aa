// Stylesheets and scripts of the scan UI and the portal: read once at startup and served with a
// content hash in their URL, so browsers may cache them for good. A stylesheet starts with
// shared/base.css, the palette and type both UIs use.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Asset {
  body: Buffer;
  type: string;
  url: string;
}

const baseCss = readFileSync(new URL('./shared/base.css', import.meta.url));

/** `file` (a URL), served at `${urlDir}/${its name}?v=<hash>`. */
export function loadAsset(file: URL, urlDir: string, type: string): Asset {
  const own = readFileSync(file);
  const body = type.startsWith('text/css') ? Buffer.concat([baseCss, own]) : own;
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 10);
  const name = file.pathname.slice(file.pathname.lastIndexOf('/') + 1);
  return { body, type, url: `${urlDir}/${name}?v=${version}` };
}
