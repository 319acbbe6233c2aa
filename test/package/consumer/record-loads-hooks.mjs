// Module hooks of record-loads.mjs. The write is synchronous and done before the resolution is handed
// back, so the file lists a module before the importing code runs.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
