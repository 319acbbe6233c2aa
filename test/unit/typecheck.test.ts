// The type check and ESLint, inside the test run: tap runs the tests transpile-only (tsx checks no
// types), so a type error or a lint finding would otherwise pass. Each runs in-process, in parallel
// with the other test files rather than before all of them, and reports each problem as
// `file(line,col): message`. `npm run typecheck` and `npm run lint` run the same checks by hand.
//   - tsconfig.json: src, test, bench, scenarios and scripts, with Node's types.
//   - tsconfig.browser.json: the browser scripts the emulator serves as written (the scan UI's, the
//     link-error pages', the front door's and the portal's, `// @ts-check` with JSDoc types), with
//     the DOM's types and none of Node's.
//   - eslint.config.js: everything the project writes.
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import t from 'tap';
import ts from 'typescript';

const root = dirname(fileURLToPath(new URL('../../package.json', import.meta.url)));
// Type-aware linting of the whole tree takes some 25 s of CPU, and a busy machine doubles it.
t.setTimeout(300_000);

function typeErrors(configName: string, mustInclude: string[] = []): { problems: string[]; missing: string[] } {
  const configFile = `${root}/${configName}`;
  const read = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
  if (read.error) return { problems: [ts.flattenDiagnosticMessageText(read.error.messageText, '\n')], missing: [] };
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
  const missing = mustInclude.filter((script) => !parsed.fileNames.some((file) => file.endsWith(script)));
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
  const problems = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)].map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return text;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${relative(root, diagnostic.file.fileName)}(${line + 1},${character + 1}): ${text}`;
  });
  return { problems, missing };
}

t.test('tsconfig.json: the TypeScript type-checks', async (t) => {
  t.strictSame(typeErrors('tsconfig.json').problems, [], 'no type errors');
});

t.test('tsconfig.browser.json: every browser script type-checks', async (t) => {
  const scripts = ['src/ui/assets/scan.js', 'src/ui/assets/link-error.js', 'src/ui/front-door/assets/front-door.js', 'src/ui/portal/assets/portal.js'];
  const { problems, missing } = typeErrors('tsconfig.browser.json', scripts);
  t.strictSame(missing, [], 'it checks every script the pages load');
  t.strictSame(problems, [], 'no type errors');
});

t.test('ESLint finds nothing', async (t) => {
  const results = await new ESLint({ cwd: root }).lintFiles(['.']);
  const problems = results.flatMap((result) =>
    result.messages.map((message) => `${relative(root, result.filePath)}(${message.line},${message.column}): ${message.ruleId ?? 'parse'}: ${message.message}`),
  );
  t.ok(results.length > 100, `it lints the whole tree (${results.length} files)`);
  t.strictSame(problems, [], 'no findings');
});
