// Scripts served without their comment lines: code stays byte for byte, comments that take whole
// lines go, and what the line-based cut cannot do safely is refused at startup.
import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import t from 'tap';
import { withoutCommentLines } from '../../src/ui/asset.js';

t.test('whole-line comments and comment blocks go; every line with code stays as written', async (t) => {
  const source = [
    '// @ts-check',
    '(function () {',
    "  'use strict';",
    '  /**',
    '   * A `documented` function.',
    '   * @param {string} text',
    '   */',
    '  /** @typedef {number} Count */',
    "  var url = 'http://example.test/*not a comment*/'; // a trailing comment stays",
    '  /** @type {string} */ var kept = url; /* inline */',
    '  var re = /\\/\\//g;',
    '  /* a plain block',
    '     over two lines */',
    '  say(/** @type {string} */ (kept));',
    '})();',
  ].join('\n');
  t.equal(
    withoutCommentLines(source, 'x.js'),
    [
      '(function () {',
      "  'use strict';",
      "  var url = 'http://example.test/*not a comment*/'; // a trailing comment stays",
      '  /** @type {string} */ var kept = url; /* inline */',
      '  var re = /\\/\\//g;',
      '  say(/** @type {string} */ (kept));',
      '})();',
    ].join('\n'),
  );
});

t.test('what the cut cannot do safely is refused', async (t) => {
  t.throws(() => withoutCommentLines('var a = `\n// inside a string\n`;', 'template.js'), { message: /^template\.js: a template literal/ });
  t.throws(() => withoutCommentLines('/* a block\n ends here */ var a = 1;', 'block.js'), { message: /^block\.js: a block comment ends before code/ });
});

t.test('the scan page, link-error and front door scripts survive it and still parse', async (t) => {
  for (const file of ['src/ui/assets/scan.js', 'src/ui/assets/link-error.js', 'src/ui/front-door/assets/front-door.js']) {
    const source = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    const served = withoutCommentLines(source, file);
    t.doesNotThrow(() => new Script(served, { filename: file }), file);
    t.ok(served.length < source.length, `${file}: ${source.length} → ${served.length} bytes`);
  }
});
