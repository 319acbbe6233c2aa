// The core knows no HTTP, no files and no configuration: every file in src/core imports only other
// files of src/core and the few built-in modules that do no I/O. The imports are read with
// TypeScript's own pre-processor, so type-only imports, re-exports, import() and require() count too.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

const coreDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/core');

/** Built-in modules the core may use: randomness and hashing, no I/O. */
const allowedModules = new Set(['node:crypto']);

/** Every module specifier a TypeScript source imports or re-exports. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** Why `specifier`, imported by the core file `file`, breaks the boundary; undefined when it does not. */
function boundaryBreach(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = relative(coreDir, resolve(dirname(file), specifier));
    return target.startsWith('..') ? `imports ${specifier}, outside src/core` : undefined;
  }
  return allowedModules.has(specifier) ? undefined : `imports ${specifier}; the core may import only src/core and ${[...allowedModules].join(', ')}`;
}

const coreFiles = readdirSync(coreDir, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(coreDir, name));

t.test('no file in src/core imports anything outside src/core (Fastify, node:http, node:fs, the config)', async (t) => {
  t.ok(coreFiles.length > 10, 'the core files are found');
  const breaches = coreFiles.flatMap((file) =>
    importsOf(readFileSync(file, 'utf8'))
      .map((specifier) => boundaryBreach(file, specifier))
      .filter((breach) => breach !== undefined)
      .map((breach) => `src/core/${relative(coreDir, file)} ${breach}`),
  );
  t.same(breaches, []);
});

t.test('the check sees every kind of import that would cross the boundary', async (t) => {
  const file = join(coreDir, 'session.ts');
  const source = [
    "import Fastify from 'fastify';",
    "import type { IncomingMessage } from 'node:http';",
    "import { readFileSync } from 'node:fs';",
    "export { loadConfig } from '../config.js';",
    "const later = await import('../services/sessions.js');",
    "import { uuidV4 } from './ids.js';",
    "import { createHmac } from 'node:crypto';",
  ].join('\n');
  t.same(
    importsOf(source).map((specifier) => boundaryBreach(file, specifier)),
    [
      'imports fastify; the core may import only src/core and node:crypto',
      'imports node:http; the core may import only src/core and node:crypto',
      'imports node:fs; the core may import only src/core and node:crypto',
      'imports ../config.js, outside src/core',
      'imports ../services/sessions.js, outside src/core',
      undefined,
      undefined,
    ],
  );
});
