// Hostile path globs: the journal filter and fault rules match in linear time, refuse over-long globs,
// a filter over a full journal of long paths never holds the event loop for long, and fault rules are
// bounded in number (in all, and per key), so what every public request pays for them is bounded too.
import t from 'tap';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { compileGlob, MAX_GLOB_CHARS } from '../../src/core/glob.js';
import { MAX_FAULT_RULES, MAX_FAULT_RULES_PER_KEY } from '../../src/services/faults.js';
import { RequestJournal } from '../../src/services/journal.js';
import { auth, startTestApp } from '../helpers/app.js';

/** Far above what linear matching needs here (milliseconds), far below what backtracking took (minutes). */
const GENEROUS_MS = 10_000;

const hostileGlobs = [
  `${'*'.repeat(20)}x`,
  `/v3/${'*'.repeat(21)}x`,
  `/${'**/*'.repeat(10)}x`,
  `/${'*a**'.repeat(15)}z`,
  `/**${'/*'.repeat(30)}/x**y`,
];

const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
};

t.test('globs match as before: * within a segment, ** across, any letter case', async (t) => {
  const cases: [string, string, boolean][] = [
    ['/v3/scanning/*', '/v3/scanning/abc', true],
    ['/v3/scanning/*', '/v3/scanning/abc/def', false],
    ['/v3/**', '/v3/scanning/abc/def', true],
    ['/v3/**/documents', '/v3/eid/scanningsessions/x/documents', true],
    ['/V3/SCANNING/LIVENESS', '/v3/scanning/liveness', true],
    ['/v3/*/liveness', '/v3//liveness', true],
    ['/v3/scan*', '/v3/scanning', true],
    ['/v3/scan*', '/v3/scan/ui', false],
    ['/v3/***', '/v3/a/b', true],
    ['', '', true],
    ['', '/', false],
    ['*', '', true],
    ['/a*b*c', '/aXbYc', true],
    ['/a*b*c', '/aXbY/c', false],
  ];
  for (const [glob, path, expected] of cases) t.equal(compileGlob(glob)(path), expected, `${glob} ~ ${path}`);
  t.throws(() => compileGlob('/'.repeat(MAX_GLOB_CHARS + 1)), RangeError);
});

t.test('a hostile journal glob answers at once, over long paths, and finds nothing', async (t) => {
  const { app } = await startTestApp(t, { JOURNAL_SIZE: '400' });
  const long = `/v3/${'a'.repeat(1500)}`;
  for (let i = 0; i < 40; i++) await app.inject({ url: i % 2 ? `${long}/${i}` : `/v3/scanning/${'b'.repeat(200)}${i}`, headers: auth('glob-key') });
  for (const glob of hostileGlobs) {
    const { value: response, ms } = await timed(() => app.inject({ url: `/__mock/journal?path=${encodeURIComponent(glob)}` }));
    t.strictSame(response.json(), { requests: [], total: 0 }, glob);
    t.ok(ms < GENEROUS_MS, `${glob}: answered in ${ms.toFixed(0)} ms`);
  }
  const matching = await app.inject({ url: `/__mock/journal/count?path=${encodeURIComponent(`/v3/${'*'.repeat(20)}a/*`)}` });
  t.strictSame(matching.json(), { count: 20 }, 'a star run still matches what it should');
});

t.test('a fault rule with a hostile path glob does not stall the public API', async (t) => {
  const { app } = await startTestApp(t);
  const created = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { path: `/v3/${'*'.repeat(22)}x`, action: { type: 'error', status: 503 }, times: null } });
  t.equal(created.statusCode, 201);
  const { value: response, ms } = await timed(() => app.inject({ url: `/v3/scanning/${'a'.repeat(150)}`, headers: auth('fault-key') }));
  t.equal(response.statusCode, 400, 'the rule did not match; the request went through');
  t.ok(ms < GENEROUS_MS, `answered in ${ms.toFixed(0)} ms`);
  const matched = await app.inject({ url: `/v3/scanning/${'a'.repeat(150)}x`, headers: auth('fault-key') });
  t.equal(matched.statusCode, 503, 'and matches a path it names');
});

t.test(`fault rules: at most ${MAX_FAULT_RULES_PER_KEY} per key and ${MAX_FAULT_RULES_PER_KEY} for every key, ${MAX_FAULT_RULES} in all; a request at full caps is matched against ${2 * MAX_FAULT_RULES_PER_KEY} globs at most`, async (t) => {
  t.equal(MAX_FAULT_RULES_PER_KEY, 100);
  t.equal(MAX_FAULT_RULES, 1000);
  const { app } = await startTestApp(t);
  // Globs as costly as allowed that never match: each match walks the whole path with every state live.
  const costly = (n: number) => `/v3/**${'/*'.repeat(122)}${String(n).padStart(4, '0')}x`;
  const add = (n: number, apiKey?: string) => app.inject({ method: 'POST', url: '/__mock/faults', payload: { path: costly(n), api_key: apiKey, action: { type: 'error' }, times: null } });
  const refusal = (description: string) => ({ errors: [{ code: 'INVALID_REQUEST', description }] });
  for (let n = 0; n < MAX_FAULT_RULES_PER_KEY; n++) t.equal((await add(n)).statusCode, 201);
  const everyKey = await add(100);
  t.equal(everyKey.statusCode, 400);
  t.strictSame(everyKey.json(), refusal('The rules without an api_key number 100 fault rules, the most allowed: remove some first.'));
  for (let n = 0; n < MAX_FAULT_RULES_PER_KEY; n++) t.equal((await add(n, 'costly-key')).statusCode, 201);
  const oneKey = await add(100, 'costly-key');
  t.equal(oneKey.statusCode, 400);
  t.strictSame(oneKey.json(), refusal('This key holds 100 fault rules, the most allowed: remove some first.'));
  t.equal((await add(0, 'another-key')).statusCode, 201, "another key's rules are its own");

  // A request of that key with a path longer than any route: 200 costly matches over 2,048 characters.
  const longPath = `/v3/${'seg/'.repeat(1000)}`;
  const { value: response, ms } = await timed(() => app.inject({ url: longPath, headers: auth('costly-key') }));
  t.equal(response.statusCode, 404, 'no rule matched');
  // Reported, not a benchmark: thousands of rules took seconds per request before the caps.
  t.ok(ms < GENEROUS_MS, `answered in ${ms.toFixed(0)} ms`);

  for (let n = 1; n < 8; n++) for (let k = 0; k < MAX_FAULT_RULES_PER_KEY; k++) t.equal((await add(k, `key-${n}`)).statusCode, 201);
  t.equal((await app.inject({ url: '/__mock/faults' })).json().faults.length, MAX_FAULT_RULES - 99, 'nearly full');
  for (let k = 0; k < 99; k++) t.equal((await add(k, 'key-8')).statusCode, 201);
  const full = await add(99, 'key-8');
  t.equal(full.statusCode, 400);
  t.strictSame(full.json(), refusal('At most 1000 fault rules are held in all, and as many are: remove some first.'));
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/faults' })).json().removed, MAX_FAULT_RULES);
  t.equal((await add(0, 'key-8')).statusCode, 201, 'room again once rules are removed');
});

t.test('a fault rule sees at most the first 2,048 characters of a path, as the journal keeps it', async (t) => {
  const { app } = await startTestApp(t);
  t.equal((await app.inject({ method: 'POST', url: '/__mock/faults', payload: { path: '/v3/**x', action: { type: 'error', status: 503 }, times: null } })).statusCode, 201);
  const within = await app.inject({ url: `/v3/${'a'.repeat(2043)}x`, headers: auth('long-path-key') });
  t.equal(within.statusCode, 503, 'a path of 2,048 characters is matched whole');
  const beyond = await app.inject({ url: `/v3/${'a'.repeat(2044)}x`, headers: auth('long-path-key') });
  t.equal(beyond.statusCode, 404, 'the x of a longer path is past what the rule sees');
});

t.test(`a glob over ${MAX_GLOB_CHARS} characters is a 400 INVALID_REQUEST, for the journal and for fault rules`, async (t) => {
  const { app } = await startTestApp(t);
  const glob = `/v3/${'*'.repeat(MAX_GLOB_CHARS)}`;
  const expected = { errors: [{ code: 'INVALID_REQUEST', description: `path must be a glob of at most ${MAX_GLOB_CHARS} characters` }] };
  for (const url of ['/__mock/journal', '/__mock/journal/count']) {
    const response = await app.inject({ url: `${url}?path=${encodeURIComponent(glob)}` });
    t.equal(response.statusCode, 400, url);
    t.strictSame(response.json(), expected, url);
  }
  const rule = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { path: glob, action: { type: 'reset' } } });
  t.equal(rule.statusCode, 400);
  t.strictSame(rule.json(), expected);
  t.strictSame((await app.inject({ url: '/__mock/faults' })).json(), { faults: [] }, 'no rule was stored');
  const longest = await app.inject({ url: `/__mock/journal/count?path=${encodeURIComponent(`/${'x'.repeat(MAX_GLOB_CHARS - 1)}`)}` });
  t.strictSame(longest.json(), { count: 0 }, `a glob of exactly ${MAX_GLOB_CHARS} characters is fine`);
});

/** A request and reply as the journal reads them, without a server (so a large journal fills in milliseconds). */
function fakeExchange(url: string): [FastifyRequest, FastifyReply] {
  const request = { url, method: 'GET', bodyText: null, body: undefined, authorisedSessionId: null, raw: { headers: { authorization: 'k' } }, isMultipart: () => false };
  const reply = { statusCode: 404, getHeader: () => 'application/json; charset=utf-8' };
  return [request as unknown as FastifyRequest, reply as unknown as FastifyReply];
}

/**
 * The most processor time the filter may spend between two turns of other work: far above one slice
 * of a filter (8 ms), far below what a filter that never gave way spent (seconds). Processor time,
 * not wall time, so that a busy machine that leaves this process waiting does not count.
 */
const LONGEST_HOLD_CPU_MS = 250;

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

t.test('filtering a full journal of long, distinct paths gives way to the event loop, whether entries match or not', async (t) => {
  // Seconds of matching: with 25,000 entries of 2,048 characters and a glob of 256, a filter that gave
  // way only after matches held the event loop for about 2.5 s of processor time when nothing matched.
  const entries = 25_000;
  const journal = new RequestJournal(entries);
  // More distinct paths than one filter run remembers match results for, each as long as the journal keeps.
  const paths = Array.from({ length: 5000 }, (_, i) => `/v3/${String(i).padStart(5, '0')}/${'seg/'.repeat(510)}`);
  for (let i = 0; i < entries; i++) journal.record(...fakeExchange(paths[i % paths.length]), null, 0, 1);
  const matchesNothing = `/v3/**${'/*'.repeat(124)}x`;
  t.equal(matchesNothing.length, MAX_GLOB_CHARS - 1, 'the glob is nearly as long as allowed: each match costs the most it can');
  for (const [glob, expected] of [
    [matchesNothing, 0],
    ['/**', entries],
    ['/v3/00007/**', entries / paths.length],
  ] as const) {
    // Other work waiting for its turn: a filter that does not give way lets it run only at the end.
    let turns = 0;
    let longestHold = 0;
    let longestGap = 0;
    let lastCpu = cpuMs();
    let last = performance.now();
    const turn = () => {
      const [now, cpu] = [performance.now(), cpuMs()];
      longestGap = Math.max(longestGap, now - last);
      longestHold = Math.max(longestHold, cpu - lastCpu);
      [last, lastCpu] = [now, cpu];
    };
    const ticker = setInterval(() => {
      turn();
      turns++;
    }, 1);
    const started = performance.now();
    try {
      const { total, entries: newest } = await journal.select({ path: glob }, 5);
      turn();
      t.equal(total, expected, `${glob.slice(0, 40)}: ${expected} matches`);
      t.equal(newest.length, Math.min(expected, 5));
    } finally {
      clearInterval(ticker);
    }
    t.ok(turns >= 3, `other work ran ${turns} times while the filter ran`);
    t.ok(
      longestHold < LONGEST_HOLD_CPU_MS,
      `${glob.slice(0, 40)}: the event loop was never held for long (at most ${longestHold.toFixed(0)} ms of processor time between turns; longest gap ${longestGap.toFixed(0)} ms of ${(performance.now() - started).toFixed(0)} ms)`,
    );
  }
});
