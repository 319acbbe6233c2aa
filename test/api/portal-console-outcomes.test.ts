// The QA console's "Next outcomes" page over HTTP (inject): the catalogue, the key's queue (add, move,
// remove, clear) and default outcome, every refusal with its status and text, and isolation: one
// key's console never shows or changes another key's queue or default (checked through the control API).
import t from 'tap';
import { auth, exampleLivenessRequest, type TestContext } from '../helpers/app.js';
import { followNotice, signIn, startPortalApp, textOf, textsOf, type PortalClient } from '../helpers/portal.js';

type App = Awaited<ReturnType<typeof startPortalApp>>['app'];

const queueOf = async (app: App, key: string) => (await app.inject({ url: `/__mock/outcomes/queue?api_key=${key}` })).json().queued as string[];
const queue = (app: App, key: string, outcomes: string[]) => app.inject({ method: 'POST', url: '/__mock/outcomes/queue', payload: { api_key: key, outcomes } });
const defaultOf = async (app: App, key: string) => (await app.inject({ url: `/__mock/merchants/${key}` })).json().default_outcome as string | null;
const entriesOn = (page: string) => textsOf(page, 'queue-entry-name');

async function twoKeys(t: TestContext): Promise<{ app: App; a: PortalClient; b: PortalClient }> {
  const { app } = await startPortalApp(t);
  return { app, a: await signIn(app, 'key-a'), b: await signIn(app, 'key-b') };
}

t.test('the navigation links every console page, in two groups, the current one marked', async (t) => {
  const { app } = await startPortalApp(t);
  const a = await signIn(app, 'key-a');
  const page = (await a.get('/portal/outcomes')).body;
  const links = [...page.matchAll(/<a href="([^"]+)" data-testid="nav-([a-z]+)"( aria-current="page")?>/g)].map((m) => [m[2], m[1], Boolean(m[3])]);
  t.strictSame(links, [
    ['start', '/portal', false],
    ['sessions', '/portal/sessions', false],
    ['settings', '/portal/settings', false],
    ['outcomes', '/portal/outcomes', true],
    ['faults', '/portal/faults', false],
    ['webhooks', '/portal/webhooks', false],
    ['journal', '/portal/journal', false],
    ['clock', '/portal/clock', false],
  ]);
  t.equal(textOf(page, 'nav-group-merchant')?.startsWith('Merchant'), true);
  t.equal(textOf(page, 'nav-group-console')?.startsWith('QA console'), true);
  t.match(page, /role="group" aria-labelledby="nav-label-console"/);
  for (const [url, nav] of [['/portal/faults', 'faults'], ['/portal/clock', 'clock'], ['/portal/settings', 'settings']]) {
    t.match((await a.get(url)).body, new RegExp(`data-testid="nav-${nav}" aria-current="page"`), url);
  }
});

t.test('the catalogue says, for each preset, how a session with it ends', async (t) => {
  const { app } = await startPortalApp(t);
  const page = (await (await signIn(app, 'key-a')).get('/portal/outcomes')).body;
  const row = (name: string) => {
    const start = page.indexOf(`data-testid="preset" data-name="${name}"`);
    return page.slice(start, page.indexOf('</tr>', start));
  };
  t.equal(textsOf(page, 'preset-name').length, 12, 'every preset of the catalogue');
  const cells = (name: string) =>
    ['preset-description', 'preset-session-status', 'preset-document', 'preset-liveness', 'preset-face-match', 'preset-fraud', 'preset-redirect', 'preset-reason', 'preset-duration', 'preset-api-flow'].map(
      (id) => textOf(row(name), id),
    );
  t.strictSame(cells('fraud_detected'), [
    'The document reads well, but the fraud analysis flags it (a forged or known-stolen document): only the fraud analysis declines. Needs analysis_types with fraud; without it the session ends Accepted.',
    'Declined', 'Accepted', 'Accepted', 'Accepted', 'Declined', 'target', 'FraudSuspected', '1.50 s', 'decided at once',
  ]);
  t.strictSame(cells('slow_analysis').slice(1), ['Accepted', 'Accepted', 'Accepted', 'Accepted', 'Accepted', 'target', 'no reason', '60.0 s', 'Pending first, then waits']);
  t.strictSame(cells('abandoned').slice(1), ['Timeout', 'Cancelled', 'Cancelled', 'Cancelled', 'Cancelled', 'target_error', 'SessionTimeout', 'never: times out after SESSION_TTL', 'stays Pending']);
  t.strictSame(cells('user_cancelled').slice(6, 8), ['cancel_url', 'UserCancelled']);
  t.equal(textOf(page, 'queue-empty'), 'Nothing queued: new sessions end with your default outcome (none set: approved), unless a header, relay_state or the tester panel chooses.');
});

t.test('adding to the queue: at the end, as many times as asked; the notice says where', async (t) => {
  const { app, a } = await twoKeys(t);
  await queue(app, 'key-a', ['approved']);
  const res = await a.post('/portal/outcomes/queue', { outcome: 'liveness_failed', count: '2' });
  t.equal(res.statusCode, 303);
  t.match(res.headers.location, /^\/portal\/outcomes\?notice=\d+$/);
  const { page, notice } = await followNotice(a, res);
  t.equal(notice, 'Added liveness_failed for 2 sessions at the end of the queue (positions 2 to 3 of 3).');
  t.strictSame(await queueOf(app, 'key-a'), ['approved', 'liveness_failed', 'liveness_failed']);
  t.strictSame(entriesOn(page), ['approved', 'liveness_failed', 'liveness_failed']);
  t.equal(textOf(page, 'queue-count'), '3');
  t.strictSame(await queueOf(app, 'key-b'), [], "another key's queue is untouched");

  const one = await followNotice(a, await a.post('/portal/outcomes/queue', { outcome: 'face_mismatch' }));
  t.equal(one.notice, 'Added face_mismatch for 1 session at the end of the queue (position 4 of 4).', 'count defaults to 1 when the form has none');

  // The queued outcome is what the next session of the key gets.
  await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('key-a'), payload: exampleLivenessRequest });
  t.strictSame(await queueOf(app, 'key-a'), ['liveness_failed', 'liveness_failed', 'face_mismatch']);
});

t.test('a bad add is refused next to its field, keeps what was typed and queues nothing', async (t) => {
  const { app, a } = await twoKeys(t);
  const cases: [Record<string, string>, { outcome?: string; count?: string }][] = [
    [
      { outcome: 'nope', count: '1' },
      { outcome: 'Unknown outcome "nope". Valid outcomes: abandoned, action_not_performed, approved, document_expired, document_tampered, document_unreadable, face_mismatch, fraud_detected, liveness_failed, provider_error, slow_analysis, user_cancelled.' },
    ],
    [{ outcome: '', count: '1' }, { outcome: 'Choose a preset from the list' }],
    [{ outcome: 'approved', count: '-1' }, { count: 'Enter a whole number from 1 to 100' }],
    [{ outcome: 'approved', count: '0' }, { count: 'Enter a whole number from 1 to 100' }],
    [{ outcome: 'approved', count: '101' }, { count: 'Enter a whole number from 1 to 100' }],
    [{ outcome: 'approved', count: '1.5' }, { count: 'Enter a whole number from 1 to 100' }],
    [{ outcome: 'approved', count: 'two' }, { count: 'Enter a whole number from 1 to 100' }],
    [{ outcome: 'x'.repeat(61), count: '' }, { outcome: 'An outcome name has at most 60 characters: choose a preset from the list', count: 'Enter a whole number from 1 to 100' }],
  ];
  for (const [fields, errors] of cases) {
    const res = await a.post('/portal/outcomes/queue', fields);
    t.equal(res.statusCode, 400, JSON.stringify(fields));
    t.strictSame({ outcome: textOf(res.body, 'queue-error-outcome'), count: textOf(res.body, 'queue-error-count') }, { outcome: undefined, count: undefined, ...errors }, JSON.stringify(fields));
    t.match(res.body, `name="count" value="${fields.count}"`, 'the count as typed');
    if (fields.outcome !== '') t.match(res.body, `<option value="${fields.outcome}" selected>`, 'the outcome as chosen');
  }
  const invalid = await a.post('/portal/outcomes/queue', { outcome: 'nope', count: '1' });
  t.match(invalid.body, /id="q-outcome" name="outcome" data-testid="queue-add-outcome" aria-describedby="hint-q-outcome error-queue-outcome" aria-invalid="true" autofocus>/, 'the field is marked and takes the focus');
  t.strictSame(await queueOf(app, 'key-a'), [], 'nothing was queued');

  await queue(app, 'key-a', Array(950).fill('approved'));
  const full = await a.post('/portal/outcomes/queue', { outcome: 'approved', count: '60' });
  t.equal(full.statusCode, 400);
  t.equal(textOf(full.body, 'queue-error-count'), "A key's queue holds at most 1000 outcomes; this one holds 950, so 60 more do not fit.");
  t.equal((await queueOf(app, 'key-a')).length, 950);
});

t.test('moving and removing entries, and clearing the queue', async (t) => {
  const { app, a } = await twoKeys(t);
  await queue(app, 'key-a', ['liveness_failed', 'approved', 'face_mismatch']);
  await queue(app, 'key-b', ['document_expired']);
  const page = (await a.get('/portal/outcomes')).body;
  t.match(page, /<button type="submit" name="direction" value="up" class="secondary small" data-testid="queue-up" aria-label="Move liveness_failed, position 1 up" disabled>/, 'the first entry cannot move up');
  t.match(page, /data-testid="queue-down" aria-label="Move face_mismatch, position 3 down" disabled>/, 'nor the last one down');

  let done = await followNotice(a, await a.post('/portal/outcomes/queue/move', { index: '2', outcome: 'face_mismatch', direction: 'up' }));
  t.equal(done.notice, 'Moved face_mismatch up to position 2.');
  t.strictSame(await queueOf(app, 'key-a'), ['liveness_failed', 'face_mismatch', 'approved']);
  done = await followNotice(a, await a.post('/portal/outcomes/queue/move', { index: '0', outcome: 'liveness_failed', direction: 'down' }));
  t.equal(done.notice, 'Moved liveness_failed down to position 2.');
  t.strictSame(entriesOn(done.page), ['face_mismatch', 'liveness_failed', 'approved']);

  done = await followNotice(a, await a.post('/portal/outcomes/queue/remove', { index: '1', outcome: 'liveness_failed' }));
  t.equal(done.notice, 'Removed liveness_failed (position 2). The queue holds 2 outcomes.');
  t.strictSame(await queueOf(app, 'key-a'), ['face_mismatch', 'approved']);

  done = await followNotice(a, await a.post('/portal/outcomes/queue/clear'));
  t.equal(done.notice, 'Cleared the queue: 2 outcomes removed. New sessions end with your default outcome.');
  t.equal(textOf(done.page, 'queue-empty')?.startsWith('Nothing queued'), true);
  t.equal((await followNotice(a, await a.post('/portal/outcomes/queue/clear'))).notice, 'The queue was already empty.');
  t.strictSame(await queueOf(app, 'key-b'), ['document_expired'], "another key's queue is untouched throughout");
});

t.test('a move or removal of an entry that is not there, or not what the page showed, changes nothing', async (t) => {
  const { app, a } = await twoKeys(t);
  await queue(app, 'key-a', ['liveness_failed', 'face_mismatch', 'approved']);
  const refusals: [string, Record<string, string>, number, string][] = [
    ['/portal/outcomes/queue/move', { index: '0', outcome: 'liveness_failed', direction: 'up' }, 409, 'That entry is already first in the queue. Nothing changed.'],
    ['/portal/outcomes/queue/move', { index: '2', outcome: 'approved', direction: 'down' }, 409, 'That entry is already last in the queue. Nothing changed.'],
    ['/portal/outcomes/queue/move', { index: '1', outcome: 'face_mismatch', direction: 'sideways' }, 400, 'Move an entry up or down. Nothing changed.'],
    ['/portal/outcomes/queue/move', { index: '7', outcome: 'approved', direction: 'up' }, 404, 'Your queue has no entry 8: it holds 3 entries. Nothing changed.'],
    ['/portal/outcomes/queue/remove', { index: '3', outcome: 'approved' }, 404, 'Your queue has no entry 4: it holds 3 entries. Nothing changed.'],
    ['/portal/outcomes/queue/remove', { index: '-1' }, 400, 'That form does not name an entry of your queue. Nothing changed.'],
    ['/portal/outcomes/queue/remove', { index: 'first' }, 400, 'That form does not name an entry of your queue. Nothing changed.'],
    ['/portal/outcomes/queue/remove', {}, 400, 'That form does not name an entry of your queue. Nothing changed.'],
    ['/portal/outcomes/queue/remove', { index: '99999' }, 400, 'That form does not name an entry of your queue. Nothing changed.'],
    [
      '/portal/outcomes/queue/remove',
      { index: '1', outcome: 'approved' },
      409,
      'Entry 2 is now face_mismatch, not approved: the queue changed since this page was shown (each new session takes the first entry). Nothing changed; here is the queue as it stands.',
    ],
  ];
  for (const [url, fields, status, text] of refusals) {
    const res = await a.post(url, fields);
    t.equal(res.statusCode, status, `${url} ${JSON.stringify(fields)}`);
    t.equal(textOf(res.body, 'console-error'), text);
    t.strictSame(entriesOn(res.body), ['liveness_failed', 'face_mismatch', 'approved'], 'the page shows the queue as it stands');
  }
  // A session takes the front entry between the page and the click.
  await app.inject({ method: 'POST', url: '/v3/scanning/liveness', headers: auth('key-a'), payload: exampleLivenessRequest });
  const stale = await a.post('/portal/outcomes/queue/remove', { index: '0', outcome: 'liveness_failed' });
  t.equal(stale.statusCode, 409);
  t.equal(
    textOf(stale.body, 'console-error'),
    'Entry 1 is now face_mismatch, not liveness_failed: the queue changed since this page was shown (each new session takes the first entry). Nothing changed; here is the queue as it stands.',
  );
  t.strictSame(await queueOf(app, 'key-a'), ['face_mismatch', 'approved']);
});

t.test('the default outcome: the settings page\'s setting, with its validation', async (t) => {
  const { app, a } = await twoKeys(t);
  const set = await followNotice(a, await a.post('/portal/outcomes/default', { default_outcome: 'face_mismatch' }));
  t.equal(set.notice, 'Default outcome set to face_mismatch: new sessions end with it when nothing else chooses.');
  t.equal(textOf(set.page, 'default-current'), 'face_mismatch');
  t.equal(await defaultOf(app, 'key-a'), 'face_mismatch');
  t.match((await a.get('/portal/settings')).body, '<option value="face_mismatch" title="The face on camera is not the face on the document." selected>', 'the settings page shows the same setting');
  t.equal(await defaultOf(app, 'key-b'), null, "another key's default is untouched");

  const bad = await a.post('/portal/outcomes/default', { default_outcome: 'no_such' });
  t.equal(bad.statusCode, 400);
  t.equal(textOf(bad.body, 'default-error-default-outcome'), 'Unknown outcome "no_such"; choose one from the catalogue');
  t.match(bad.body, '<option value="no_such" selected>no_such</option>', 'what was sent is kept');
  t.equal(await defaultOf(app, 'key-a'), 'face_mismatch', 'nothing changed');

  const removed = await followNotice(a, await a.post('/portal/outcomes/default', { default_outcome: '' }));
  t.equal(removed.notice, 'Default outcome removed: new sessions end approved when nothing else chooses.');
  t.equal(await defaultOf(app, 'key-a'), null);
});

t.test("one key's console never shows or changes another key's queue or default", async (t) => {
  const { app, b } = await twoKeys(t);
  await queue(app, 'key-a', ['liveness_failed', 'face_mismatch']);
  await app.inject({ method: 'PUT', url: '/__mock/merchants/key-a', payload: { name: 'Shop A', default_outcome: 'document_expired' } });
  const page = (await b.get('/portal/outcomes')).body;
  t.strictSame(entriesOn(page), [], "key-b's page lists no entry of key-a's queue");
  t.equal(textOf(page, 'default-current'), 'none (approved)');

  // key-b's actions on positions that exist in key-a's queue act on key-b's (empty) queue only.
  for (const [url, fields, status] of [
    ['/portal/outcomes/queue/remove', { index: '0', outcome: 'liveness_failed' }, 404],
    ['/portal/outcomes/queue/move', { index: '1', outcome: 'face_mismatch', direction: 'up' }, 404],
  ] as const) {
    const res = await b.post(url, fields);
    t.equal(res.statusCode, status, url);
    t.equal(textOf(res.body, 'console-error'), `Your queue has no entry ${Number(fields.index) + 1}: it is empty. Nothing changed.`);
  }
  await b.post('/portal/outcomes/queue/clear');

  // A form that names a key (a field the form does not have) is refused, whichever key it names.
  const named = 'This form has no field "api_key": the console acts for the key you signed in with, on its own data only. Nothing was changed.';
  for (const [url, fields] of [
    ['/portal/outcomes/queue', { outcome: 'approved', count: '1', api_key: 'key-a' }],
    ['/portal/outcomes/queue/clear', { api_key: 'key-a' }],
    ['/portal/outcomes/queue/remove', { index: '0', api_key: 'key-a' }],
    ['/portal/outcomes/queue/move', { index: '0', direction: 'down', api_key: 'key-a' }],
    ['/portal/outcomes/default', { default_outcome: 'approved', api_key: 'key-a' }],
    ['/portal/outcomes/queue', { outcome: 'approved', count: '1', api_key: 'key-b' }],
  ] as const) {
    const res = await b.post(url, fields);
    t.equal(res.statusCode, 400, url);
    t.equal(textOf(res.body, 'problem-text'), named, url);
  }
  for (const [url, fields] of [
    ['/portal/outcomes/queue/clear', { key: 'key-a' }],
    ['/portal/outcomes/queue/remove', { index: '0', outcome: 'liveness_failed', session_id: 'x' }],
  ] as const) {
    const res = await b.post(url, fields);
    t.equal(res.statusCode, 400, url);
    t.match(textOf(res.body, 'problem-text'), /^This form has no field "(key|session_id)": /, 'any field the form does not have');
  }
  t.strictSame(await queueOf(app, 'key-a'), ['liveness_failed', 'face_mismatch'], "key-a's queue is unchanged");
  t.equal(await defaultOf(app, 'key-a'), 'document_expired', "key-a's default is unchanged");
  t.strictSame(await queueOf(app, 'key-b'), []);
  t.equal(await defaultOf(app, 'key-b'), null);
});

t.test('console actions need the CSRF token and a sign-in; notices belong to their sign-in', async (t) => {
  const { app, a, b } = await twoKeys(t);
  for (const url of ['/portal/outcomes/queue', '/portal/outcomes/queue/clear', '/portal/outcomes/queue/remove', '/portal/outcomes/queue/move', '/portal/outcomes/default']) {
    const forged = await a.post(url, { outcome: 'approved', count: '1', index: '0', direction: 'down', default_outcome: 'approved' }, { csrf: b.csrf });
    t.equal(forged.statusCode, 403, url);
    const anonymous = await app.inject({ method: 'POST', url, payload: 'outcome=approved&count=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.equal(anonymous.statusCode, 303, url);
    t.equal(anonymous.headers.location, '/portal/sign-in');
  }
  t.strictSame(await queueOf(app, 'key-a'), []);
  t.equal(await defaultOf(app, 'key-a'), null);
  t.equal((await app.inject({ url: '/portal/outcomes' })).headers.location, '/portal/sign-in?next=%2Fportal%2Foutcomes');

  const res = await a.post('/portal/outcomes/queue', { outcome: 'approved', count: '1' });
  const location = String(res.headers.location);
  t.equal(textOf((await b.get(location)).body, 'console-notice-text'), undefined, "another sign-in does not see this sign-in's notice");
  t.equal(textOf((await a.get('/portal/outcomes?notice=999')).body, 'console-notice-text'), undefined, 'an unknown notice shows nothing');
  t.equal(textOf((await a.get(location)).body, 'console-notice-text'), 'Added approved for 1 session at the end of the queue (position 1 of 1).', 'a reload shows it again');
});

t.test('a long queue lists its first 100 entries and counts the rest', async (t) => {
  const { app, a } = await twoKeys(t);
  await queue(app, 'key-a', [...Array(149).fill('approved'), 'face_mismatch']);
  const page = (await a.get('/portal/outcomes')).body;
  t.equal(entriesOn(page).length, 100);
  t.equal(textOf(page, 'queue-count'), '150');
  t.equal(textOf(page, 'queue-more'), 'And 50 more after these (GET /__mock/outcomes/queue lists them all).');
  t.match(page, /data-testid="queue-down" aria-label="Move approved, position 100 down">/, 'the last one listed can still move down');
  t.ok(page.length < 250_000, `the page stays small: ${page.length} characters`);
});
