// The sample documents of TEST_MODE (fixtures/sample-documents): images the tester panel offers in
// place of a camera, found once at startup by file name.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../config.js';

export interface SampleDocument {
  file: string;
  type: string;
}

const samplesDir = join(packageRoot, 'fixtures', 'sample-documents');

/** The samples by name (the file name without its extension); none when the folder is missing. */
export function loadSampleDocuments(): Map<string, SampleDocument> {
  const samples = new Map<string, SampleDocument>();
  let files: string[];
  try {
    files = readdirSync(samplesDir).sort();
  } catch {
    return samples;
  }
  for (const file of files) {
    const match = /^([a-z0-9-]+)\.(jpe?g|png|webp)$/.exec(file);
    if (match) samples.set(match[1], { file: join(samplesDir, file), type: match[2] === 'png' ? 'image/png' : match[2] === 'webp' ? 'image/webp' : 'image/jpeg' });
  }
  return samples;
}
