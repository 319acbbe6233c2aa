// Checks, before any journey runs, that the JUnit report and the artifacts can be written: a report folder
// mounted into a container is often owned by another user (Docker creates a missing bind-mount source as
// root), and finding out only when writing the report would turn a passing run into a failed one.
import { closeSync, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** An output path of the run cannot be written; the message says why and how to fix it. */
export class OutputFolderError extends Error {
  override name = 'OutputFolderError';
}

/** The folder in which writing `dir` (creating it if needed) will create entries: `dir` itself or its nearest existing ancestor. */
function folderToWriteIn(dir: string): string {
  let current = dir;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

function whoAmI(): string {
  return typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'this user';
}

/** Throws an OutputFolderError unless `dir` exists as a writable folder or can be created. `what` names the output in the message. */
function checkFolder(dir: string, what: string): void {
  const folder = folderToWriteIn(dir);
  let problem: string | undefined;
  if (!statSync(folder).isDirectory()) problem = `${folder} is not a folder`;
  else {
    const probe = join(folder, `.zignsec-mock-write-check-${process.pid}`);
    try {
      closeSync(openSync(probe, 'wx'));
      unlinkSync(probe);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const owner = statSync(folder).uid;
      problem = `${folder} is not writable by ${whoAmI()} (${code}${code === 'EROFS' ? ', a read-only file system' : `; it belongs to uid ${owner}`})`;
    }
  }
  if (!problem) return;
  throw new OutputFolderError(
    `cannot write ${what}: ${problem}. When it is a folder mounted into a container, create it before the run and let ${whoAmI()} write to it ` +
      '(mkdir -p reports && chmod a+rwx reports), or run the container as your own user (docker run --user "$(id -u):$(id -g)" ...).',
  );
}

/** Checks the outputs a run was asked for (before the journeys start). */
export function checkOutputFolders(options: { junitFile?: string; artifactsDir?: string }): void {
  if (options.junitFile) checkFolder(dirname(options.junitFile), `the JUnit report ${options.junitFile}`);
  if (options.artifactsDir) checkFolder(options.artifactsDir, `artifacts to ${options.artifactsDir}`);
}
