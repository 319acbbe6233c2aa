// Every error code the source sends is in the one catalogue (src/http/error-catalogue.ts): a code written as a
// literal somewhere else would be an error the catalogue, the OpenAPI text and the README do not know.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { errorCatalogue } from '../../src/http/error-catalogue.js';

const sourceRoot = new URL('../../src/', import.meta.url).pathname;

/** How a code appears in the source: thrown as an ApiError, or written into an `errors` entry. */
const codeUses = [/\bApiError\(\s*'([A-Z][A-Z_]*)'/g, /\bcode:\s*'([A-Z][A-Z_]*)'/g];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

function codesUsed(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of sourceFiles(sourceRoot)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of codeUses) {
      for (const [, code] of text.matchAll(pattern)) used.set(code, [...(used.get(code) ?? []), file.slice(sourceRoot.length)]);
    }
  }
  return used;
}

t.test('every error code used in src is in the error catalogue', async (t) => {
  const used = codesUsed();
  t.ok(used.has('INVALID_REQUEST') && used.has('SESSION_NOT_FOUND'), 'the scan finds the codes the source throws');
  const missing = [...used].filter(([code]) => !Object.hasOwn(errorCatalogue, code)).map(([code, files]) => `${code} (${[...new Set(files)].join(', ')})`);
  t.strictSame(missing, []);
});
