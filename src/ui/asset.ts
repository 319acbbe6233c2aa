// Stylesheets and scripts of the scan UI, the portal and the front door: read once at startup and
// served with a content hash in their URL, so browsers may cache them for good. A stylesheet starts
// with shared/base.css, the palette and type every page uses; a script may be served without its
// comment lines (its JSDoc types are for the type check, not for phones).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Asset {
  body: Buffer;
  type: string;
  url: string;
}

const baseCss = readFileSync(new URL('./shared/base.css', import.meta.url));

/**
 * A script without the lines that are only comments (`// …` lines, and `/* … *\/` blocks that take
 * whole lines); lines with code stay as they are. That is safe where no string spans lines, which in
 * these scripts (no template literals) holds: a script with a template literal, or a block comment
 * that ends before code on its line, is refused rather than cut wrongly. A minifier would take more,
 * but esbuild's first transform costs about 250 ms of startup.
 */
export function withoutCommentLines(source: string, name: string): string {
  const kept: string[] = [];
  let inBlock = false;
  for (const line of source.split('\n')) {
    const trimmed = line.trim();
    if (inBlock || trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/', inBlock ? 0 : 2);
      if (end !== -1 && end + 2 !== trimmed.length) {
        if (inBlock) throw new Error(`${name}: a block comment ends before code on its line; keep code off comment lines`);
        kept.push(line);
        continue;
      }
      inBlock = end === -1;
      continue;
    }
    if (!trimmed.startsWith('//')) kept.push(line);
  }
  const code = kept.join('\n');
  if (code.includes('`')) throw new Error(`${name}: a template literal may hold comment-like lines; comment lines are only stripped from scripts without one`);
  return code;
}

/**
 * `file` (a URL), served at `${urlDir}/${its name}?v=<hash>`; `stripComments` serves a script
 * without its comment lines (see withoutCommentLines).
 */
export function loadAsset(file: URL, urlDir: string, type: string, options: { stripComments?: boolean } = {}): Asset {
  const read = readFileSync(file);
  const own = options.stripComments ? Buffer.from(withoutCommentLines(read.toString('utf8'), file.pathname)) : read;
  const body = type.startsWith('text/css') ? Buffer.concat([baseCss, own]) : own;
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 10);
  const name = file.pathname.slice(file.pathname.lastIndexOf('/') + 1);
  return { body, type, url: `${urlDir}/${name}?v=${version}` };
}
