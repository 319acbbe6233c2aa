// unmatchableUnder: whether any request path under a prefix can match a glob, checked against
// compileGlob itself on paths that do match.
import t from 'tap';
import { compileGlob, unmatchableUnder } from '../../src/core/glob.js';

t.test('a glob some path under the prefix matches', async (t) => {
  const cases: [string, string][] = [
    ['/v3/**', '/v3/scanning/liveness'],
    ['/**', '/v3/x'],
    ['/*/scanning/*', '/v3/scanning/abc'],
    ['/V3/SCANNING', '/v3/scanning'],
    ['/v*/eid/**', '/v3/eid/scanningsessions/1/documents'],
    ['/**/documents', '/v3/eid/scanningsessions/x/documents'],
    ['/v3/**/**', '/v3/a/b'],
  ];
  for (const [glob, path] of cases) {
    t.equal(unmatchableUnder(glob, '/v3/'), undefined, glob);
    t.ok(path.toLowerCase().startsWith('/v3/') && compileGlob(glob)(path), `${glob} matches ${path}`);
  }
});

t.test('a glob no path under the prefix can match, and why', async (t) => {
  const cases: [string, 'prefix' | 'character'][] = [
    ['/v4/**', 'prefix'],
    ['/v3', 'prefix'],
    ['/*', 'prefix'],
    ['/', 'prefix'],
    ['/v3x/**', 'prefix'],
    ['/v3*', 'prefix'],
    ['', 'prefix'],
    ['/v3/a b', 'character'],
    ['/v3/a?b', 'character'],
    ['/v3/#', 'character'],
    ['/v3/\u00e9', 'character'],
    ['/v3/\t', 'character'],
  ];
  for (const [glob, reason] of cases) t.equal(unmatchableUnder(glob, '/v3/'), reason, JSON.stringify(glob));
});
