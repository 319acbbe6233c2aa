// The front door's small pieces: who counts as a browser, how uptime reads, and shell quoting of the
// example command.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { acceptsHtml } from '../../src/http/accepts-html.js';
import { exampleCurl, formatUptime, shellQuote } from '../../src/ui/front-door/page.js';

t.test('a browser is a client that names HTML in Accept with a quality above zero; wildcards are not', async (t) => {
  for (const accept of [
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
    'TEXT/HTML',
    'application/json, text/html;q=0.1',
    'application/xhtml+xml',
    ['application/json', 'text/html'],
  ]) {
    t.equal(acceptsHtml(accept), true, String(accept));
  }
  for (const accept of [undefined, '', '*/*', 'application/json', 'text/*', 'text/html;q=0', 'text/html; q=0.0', 'text/htmlx', 'text/html;q=abc', 'image/png, text/plain']) {
    t.equal(acceptsHtml(accept), false, String(accept));
  }
  t.equal(acceptsHtml(`${'a/b,'.repeat(5000)}text/html`), false, 'ranges past the first 64 are not read');
});

t.test('uptime reads in its two largest units', async (t) => {
  t.same(
    [0, 999, 9_000, 252_000, 3_600_000, 7_500_000, 90_000_000, 3 * 86_400_000 + 4 * 3_600_000 + 5_000].map(formatUptime),
    ['0 s', '0 s', '9 s', '4 min 12 s', '1 h', '2 h 5 min', '1 d 1 h', '3 d 4 h'],
  );
});

t.test('the example command survives a shell: every word is single-quoted, quotes inside included', async (t) => {
  t.equal(shellQuote(`it's`), `'it'\\''s'`);
  const command = exampleCurl("https://proxy.example/it's", { relay_state: "o'brien" });
  // sh prints the arguments curl would get.
  const words = execFileSync('/bin/sh', ['-c', command.replace(/^curl /, 'printf "%s\\n" ')], { encoding: 'utf8' }).trimEnd().split('\n');
  t.same(words.slice(0, 4), ['-s', '-X', 'POST', "https://proxy.example/it's/v3/scanning/liveness"]);
  t.same(words.slice(4, 8), ['-H', 'Authorization: my-test-key', '-H', 'Content-Type: application/json']);
  t.equal(words[8], '-d');
  t.same(JSON.parse(words.slice(9).join('\n')), { relay_state: "o'brien" });
});
