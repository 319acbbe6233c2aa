// The journey catalogue: every scenarios/<name>.ts (journey.ts and support/ excepted), loaded and
// checked: a default export with name (= file name), description, tags and run().
import { readdirSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Journey } from '../../scenarios/journey.js';

/** The journeys of the package: scenarios/ in a checkout, dist/scenarios (compiled) in the build. */
export const scenariosDir = fileURLToPath(new URL('../../scenarios', import.meta.url));

const journeyFile = /^[a-z0-9][a-z0-9-]*\.(ts|mts|js|mjs)$/;
const notJourneys = new Set(['journey', 'index']);
const namePattern = /^[a-z0-9][a-z0-9-]*$/;

export class CatalogueError extends Error {
  override name = 'CatalogueError';
}

/** Checks the shape of a journey (files from --dir are anyone's code). */
export function checkJourney(value: unknown, origin: string): Journey {
  const j = value as Partial<Journey> | undefined;
  const problems: string[] = [];
  if (!j || typeof j !== 'object') throw new CatalogueError(`${origin}: the default export must be a journey object ({ name, description, tags, run })`);
  if (typeof j.name !== 'string' || !namePattern.test(j.name)) problems.push('name must be kebab-case (a-z, 0-9, -)');
  if (typeof j.description !== 'string' || j.description.trim() === '') problems.push('description must be a sentence');
  if (!Array.isArray(j.tags) || !j.tags.every((t) => typeof t === 'string' && namePattern.test(t))) problems.push('tags must be an array of kebab-case words');
  if (typeof j.run !== 'function') problems.push('run must be a function');
  if (problems.length > 0) throw new CatalogueError(`${origin}: ${problems.join('; ')}`);
  return j as Journey;
}

/** Loads the journeys of `dirs` (default: the package's scenarios/), sorted by name; names must be unique. */
export async function loadJourneys(dirs: string[] = [scenariosDir]): Promise<Journey[]> {
  const files: string[] = [];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch (error) {
      throw new CatalogueError(`cannot read the journeys directory ${dir}: ${(error as Error).message}`);
    }
    for (const entry of entries) {
      if (journeyFile.test(entry) && !entry.endsWith('.d.ts') && !notJourneys.has(basename(entry, extname(entry)))) files.push(resolve(dir, entry));
    }
  }
  const loaded = await Promise.all(
    files.map(async (file) => {
      const module = (await import(pathToFileURL(file).href).catch((error: NodeJS.ErrnoException) => {
        // The installed command runs compiled code without a TypeScript loader; Node 24 strips types itself.
        if (error.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
        throw new CatalogueError(
          `${file}: Node ${process.version} cannot load TypeScript by itself. Write the journey in JavaScript (.js or .mjs), ` +
            "run on Node 24, or add a loader: NODE_OPTIONS='--import tsx' npx zignsec-mock scenarios ...",
        );
      })) as { default?: unknown };
      const journey = checkJourney(module.default, file);
      const stem = basename(file, extname(file));
      if (journey.name !== stem) throw new CatalogueError(`${file}: the journey is named ${journey.name}; name it like its file (${stem})`);
      return journey;
    }),
  );
  const seen = new Map<string, number>();
  for (const journey of loaded) seen.set(journey.name, (seen.get(journey.name) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([name]) => name);
  if (twice.length > 0) throw new CatalogueError(`journey names must be unique; found more than once: ${twice.join(', ')}`);
  return loaded.sort((a, b) => a.name.localeCompare(b.name));
}
