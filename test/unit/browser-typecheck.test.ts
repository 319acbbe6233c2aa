// The browser scripts the emulator serves as written (the scan UI's, the link-error pages', the front
// door's and the portal's, `// @ts-check`
// with JSDoc types) pass the type check of tsconfig.browser.json (the DOM's types, none of Node's),
// in the test command as in `npm run typecheck`: tap runs the tests transpile-only and would let a
// type error in them through. Runs in-process (about a second), in parallel with the other files.
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

const configFile = fileURLToPath(new URL('../../tsconfig.browser.json', import.meta.url));
const root = dirname(configFile);

t.test('tsconfig.browser.json: every browser script type-checks', async (t) => {
  const read = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
  t.equal(read.error, undefined, 'the config reads');
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
  t.strictSame(parsed.errors, [], 'the config parses');
  for (const script of ['src/ui/assets/scan.js', 'src/ui/assets/link-error.js', 'src/ui/front-door/assets/front-door.js', 'src/ui/portal/assets/portal.js']) {
    t.ok(parsed.fileNames.some((file) => file.endsWith(script)), `it checks ${script}`);
  }
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return text;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${relative(root, diagnostic.file.fileName)}(${line + 1},${character + 1}): ${text}`;
  });
  t.strictSame(problems, [], 'no type errors');
});
