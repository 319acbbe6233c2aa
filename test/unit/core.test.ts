import t from 'tap';
import { chooseAction } from '../../src/core/actions.js';
import { AdjustableClock } from '../../src/core/clock.js';
import { ApiError } from '../../src/http/error-catalogue.js';
import { generateIdentity, luhnCheckDigit } from '../../src/core/identity.js';
import { guidInText, guidPattern, HEX_DIGITS, LOWERCASE_ALPHANUMERIC, RandomIds, randomToken, urlSafeToken, uuidV4 } from '../../src/core/ids.js';
import { detectImageType } from '../../src/core/image-type.js';
import { checkLink, issueLink, markLinkUsed } from '../../src/core/otp.js';
import { decideStatuses } from '../../src/core/outcome.js';
import { outcomeFromRelayState, selectOutcome } from '../../src/core/outcome-selection.js';
import { seededRandom } from '../../src/core/random.js';
import { renderTemplate, unknownPlaceholders } from '../../src/core/result.js';
import { canTransition, effectiveSettings, requestedAnalyses, SharedSettingValues } from '../../src/core/session.js';
import { OutcomePreset } from '../../src/schemas/fixtures.js';
import pools from '../../fixtures/people.json' with { type: 'json' };

t.test('the clock advances, freezes and resumes from the frozen instant', async (t) => {
  let real = 1000;
  const clock = new AdjustableClock(() => real);
  const seen: number[] = [];
  clock.onChange((now) => seen.push(now));
  t.equal(clock.advance(500), 1500);
  t.equal(clock.freeze(), 1500);
  real = 5000;
  t.equal(clock.now(), 1500, 'frozen time does not move with real time');
  clock.advance(100);
  t.equal(clock.unfreeze(), 1600);
  real = 5010;
  t.equal(clock.now(), 1610);
  clock.reset();
  t.equal(clock.now(), 5010);
  t.same(seen, [1500, 1600, 1600, 5010]);
  t.throws(() => clock.advance(-1), RangeError);
});

t.test('the life cycle allows only forward moves and nothing after a final status', async (t) => {
  t.ok(canTransition('Created', 'Pending'));
  t.ok(canTransition('Pending', 'Accepted'));
  t.ok(canTransition('ReadyToStart', 'Timeout'));
  t.notOk(canTransition('Pending', 'Created'));
  for (const final of ['Accepted', 'Declined', 'Failed', 'Cancelled', 'Timeout'] as const) t.notOk(canTransition(final, 'Pending'), final);
});

t.test('Random picks only from available actions; fixed actions are kept', async (t) => {
  const random = seededRandom('actions');
  const picks = new Set(Array.from({ length: 50 }, () => chooseAction('Random', ['HeadUp', 'Smile'], random)));
  t.same([...picks].sort(), ['HeadUp', 'Smile']);
  t.equal(chooseAction('BlinkEyes', ['HeadUp'], random), 'BlinkEyes');
  const all = new Set(Array.from({ length: 300 }, () => chooseAction('Random', [], random)));
  t.equal(all.size, 9, 'an empty list means every action');
});

t.test('seeded randomness repeats; identities are realistic', async (t) => {
  const a = generateIdentity(seededRandom('x'), pools.pools, Date.UTC(2026, 0, 1), 'Passport');
  const b = generateIdentity(seededRandom('x'), pools.pools, Date.UTC(2026, 0, 1), 'Passport');
  t.same(a, b);
  const swedes = Array.from({ length: 40 }, (_, i) => generateIdentity(seededRandom(`p${i}`), [pools.pools[0]], Date.UTC(2026, 0, 1), 'Passport').identity);
  for (const person of swedes) {
    const digits = person.personalNumber!;
    t.match(digits, /^\d{12}$/);
    t.equal(Number(digits[11]), luhnCheckDigit(digits.slice(2, 11)), 'valid Luhn check digit');
    t.equal(Number(digits[10]) % 2 === 0, person.gender === 'Female', 'serial parity follows gender');
    t.equal(digits.slice(0, 8), person.dateOfBirth.replace(/-/g, ''));
  }
  t.equal(luhnCheckDigit('811218987'), 6, 'the textbook example 811218-9876');
});

t.test('one-time links: cookie first, then token, single use, expiry', async (t) => {
  const link = issueLink('token-1234567890123456', 0, 1000);
  t.same(checkLink(link, 'wrong', undefined, 0), { ok: false, reason: 'invalid' });
  t.same(checkLink(link, 'token-1234567890123456', undefined, 1000), { ok: false, reason: 'expired' });
  t.same(checkLink(link, 'token-1234567890123456', undefined, 999), { ok: true, exchange: true });
  markLinkUsed(link, 'secret', 10);
  t.same(checkLink(link, 'token-1234567890123456', undefined, 20), { ok: false, reason: 'used' });
  t.same(checkLink(link, undefined, 'secret', 5000), { ok: true, exchange: false }, 'the cookie outlives the OTP');
  t.same(checkLink(link, undefined, 'secreT', 20), { ok: false, reason: 'invalid' });
});

t.test('outcome selection: first rule with a name wins; relay_state magic', async (t) => {
  t.same(selectOutcome({}), { name: 'approved', rule: 'default' });
  t.same(selectOutcome({ merchant_default: 'm', header: 'h' }), { name: 'h', rule: 'header' });
  t.same(selectOutcome({ queued: 'q', header: 'h', relay_state: 'r' }), { name: 'q', rule: 'queued' });
  t.equal(outcomeFromRelayState('mock_outcome=face_mismatch'), 'face_mismatch');
  t.equal(outcomeFromRelayState('order=42&mock_outcome=document_expired&x=1'), 'document_expired');
  t.equal(outcomeFromRelayState('order=42 mock_outcome=abandoned'), 'abandoned');
  t.equal(outcomeFromRelayState('xmock_outcome=approved'), undefined);
  t.equal(outcomeFromRelayState('mock_outcome=Bad!'), 'Bad!', 'any value is returned, to be refused by name');
  t.equal(outcomeFromRelayState('a=1&mock_outcome=&b=2'), '', 'an empty value too');
  t.equal(outcomeFromRelayState(null), undefined);
});

t.test('ignored document fields do not fail the document analysis', async (t) => {
  const preset = OutcomePreset.parse({
    name: 'expired',
    description: 'x',
    session_status: 'Declined',
    analyses: { document: 'Declined', liveness: 'Accepted', face_match: 'Accepted' },
    redirect: 'target',
    failed_document_fields: ['Expiry_Date'],
  });
  const analyses = { document: 'Pending', liveness: 'Pending', face_match: 'Pending', fraud: 'NotRequested' } as const;
  const strict = decideStatuses({ analyses: { ...analyses }, settings: { ignore_errors_in_fields: [] } as never }, preset);
  t.strictSame(strict, { analyses: { document: 'Declined', liveness: 'Accepted', face_match: 'Accepted', fraud: 'NotRequested' }, sessionStatus: 'Declined', failedFields: ['Expiry_Date'], redirect: 'target', scores: {}, reason: null });
  const forgiving = decideStatuses({ analyses: { ...analyses }, settings: { ignore_errors_in_fields: ['Expiry_Date'] } as never }, preset);
  t.strictSame(forgiving, { analyses: { document: 'Accepted', liveness: 'Accepted', face_match: 'Accepted', fraud: 'NotRequested' }, sessionStatus: 'Accepted', failedFields: [], redirect: 'target', scores: { document: 0.97 }, reason: null });
  const partly = decideStatuses({ analyses: { ...analyses }, settings: { ignore_errors_in_fields: ['Expiry_Date'] } as never }, { ...preset, failed_document_fields: ['Expiry_Date', 'Document_Number'] });
  t.equal(partly.analyses.document, 'Declined');
  t.same(partly.failedFields, ['Document_Number']);
  const noDocument = decideStatuses({ analyses: { document: 'NotRequested', liveness: 'Pending', face_match: 'NotRequested', fraud: 'NotRequested' }, settings: { ignore_errors_in_fields: [] } as never }, preset);
  t.same(noDocument.analyses, { document: 'NotRequested', liveness: 'Accepted', face_match: 'NotRequested', fraud: 'NotRequested' });
  t.strictSame(noDocument.failedFields, [], 'no document was read, so none of its fields failed');
});

t.test('analyses requested per flow', async (t) => {
  t.same(requestedAnalyses('liveness', { options: 'FrontAndBack', analysis_types: [] }), { document: 'Requested', liveness: 'Requested', face_match: 'Requested', fraud: 'NotRequested' });
  t.same(requestedAnalyses('liveness', { options: 'NoDocument', analysis_types: [] }), { document: 'NotRequested', liveness: 'Requested', face_match: 'NotRequested', fraud: 'NotRequested' });
  t.same(requestedAnalyses('scanning', { options: 'FrontSide', analysis_types: ['selfie'] }), { document: 'NotRequested', liveness: 'NotRequested', face_match: 'Requested', fraud: 'NotRequested' });
  t.same(requestedAnalyses('scanningsession', { options: 'FrontSide', analysis_types: ['document', 'fraud', 'selfie'] }), { document: 'Requested', liveness: 'NotRequested', face_match: 'Requested', fraud: 'Requested' });
});

t.test('result templates keep types for whole placeholders and report unknown ones', async (t) => {
  const context = { a: { b: 1, c: null }, list: [1, 2] };
  t.same(renderTemplate({ x: '{{a.b}}', y: 'v{{a.b}}!', z: '{{a.c}}', w: ['{{list}}'], n: 3 }, context), { x: 1, y: 'v1!', z: null, w: [[1, 2]], n: 3 });
  t.same(unknownPlaceholders({ x: '{{a.b}}', y: ['{{nope.x}}'] }, context), ['nope.x']);
});

t.test('image types are recognised by content', async (t) => {
  t.equal(detectImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0])), 'image/jpeg');
  t.equal(detectImageType(Buffer.from('GIF89a......')), 'image/gif');
  t.equal(detectImageType(Buffer.from('RIFF\0\0\0\0WEBPVP8 ')), 'image/webp');
  t.equal(detectImageType(Buffer.from('<svg></svg>')), undefined);
  t.equal(detectImageType(Buffer.alloc(0)), undefined);
});

t.test('ApiError renders the ZignSec error body', async (t) => {
  t.same(new ApiError('SESSION_NOT_FOUND').body(), { errors: [{ code: 'SESSION_NOT_FOUND', description: 'No session with that id was found.' }] });
  t.same(new ApiError('INTERNAL_EXCEPTION', 'x').body(), { errors: [{ code: 'Internal Exception', description: 'x' }] });
  const many = ApiError.many([{ code: 'INVALID_TARGET', description: 'a' }, { code: 'INVALID_REQUEST', description: 'b' }]);
  t.equal(many.status, 400);
  t.same(many.body().errors.map((e) => e.code), ['INVALID_TARGET', 'INVALID_REQUEST']);
});

t.test('ids: version 4 UUIDs and URL-safe tokens, all distinct', async (t) => {
  const uuids = new Set<string>();
  const tokens = new Set<string>();
  const ids = new RandomIds();
  // More than the pool holds, so refills are crossed many times; every tenth id is a one-shot one.
  for (let i = 0; i < 5000; i++) {
    const uuid = i % 10 === 0 ? uuidV4() : ids.uuidV4();
    const token = i % 10 === 0 ? urlSafeToken(22) : ids.token(22);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid)) t.fail(`not a v4 UUID: ${uuid}`);
    if (!/^[A-Za-z0-9_-]{22}$/.test(token)) t.fail(`not a 22-character URL-safe token: ${token}`);
    uuids.add(uuid);
    tokens.add(token);
  }
  t.equal(uuids.size, 5000, 'no UUID repeats');
  t.equal(tokens.size, 5000, 'no token repeats');
  t.equal(urlSafeToken(64).length, 64);
  t.throws(() => urlSafeToken(65), RangeError);
  t.throws(() => ids.token(65), RangeError);
  // Every symbol of the alphabet turns up: the 6-bit mapping reaches all 64.
  t.equal(new Set([...tokens].join('')).size, 64);
});

t.test('ids: tokens of another alphabet use all of it and nothing else; ids are GUIDs in any letter case', async (t) => {
  const folders = Array.from({ length: 500 }, () => randomToken(16, LOWERCASE_ALPHANUMERIC));
  for (const folder of folders) if (!/^[0-9a-z]{16}$/.test(folder)) t.fail(`not 16 lowercase letters and digits: ${folder}`);
  t.equal(new Set(folders.join('')).size, 36, 'every one of the 36 symbols turns up');
  t.match(randomToken(32, HEX_DIGITS), /^[0-9a-f]{32}$/);
  t.ok(guidPattern.test('61652A58-1921-4593-ABAB-FCBC24F972B0'));
  t.notOk(guidPattern.test('61652a58-1921-4593-abab-fcbc24f972b0x'));
  t.equal(guidInText.exec('/v3/scanning/61652a58-1921-4593-abab-fcbc24f972b0/result')?.[0], '61652a58-1921-4593-abab-fcbc24f972b0');
});

t.test('settings lists are shared between sessions but never mixed up', async (t) => {
  const merchant = { name: 'm', options: 'FrontSide', available_actions: ['Smile'], webhook: '', locale: 'en', css: [], mobile_flow: true } as unknown as Parameters<typeof effectiveSettings>[2];
  const shared = new SharedSettingValues();
  const one = effectiveSettings('liveness', { doc: { ignore_errors_in_fields: ['a\nb'] }, target: 'https://m.example/done' }, merchant, 's1', shared);
  const two = effectiveSettings('liveness', { doc: { ignore_errors_in_fields: ['a', 'b'] }, target: 'https://m.example/done' }, merchant, 's2', shared);
  const three = effectiveSettings('liveness', { doc: { ignore_errors_in_fields: ['a', 'b'] } }, merchant, 's3', shared);
  t.strictSame(one.ignore_errors_in_fields, ['a\nb']);
  t.strictSame(two.ignore_errors_in_fields, ['a', 'b']);
  t.equal(two.ignore_errors_in_fields, three.ignore_errors_in_fields, 'equal lists are one list');
  t.ok(Object.isFrozen(two.ignore_errors_in_fields), 'a shared list cannot be changed in place');
  t.equal(one.target, 'https://m.example/done');
  t.strictSame(three.css, []);
  t.equal(three.relay_state, 's3', 'relay_state defaults to the session id');
  const elsewhere = effectiveSettings('liveness', { doc: { ignore_errors_in_fields: ['a', 'b'] } }, merchant, 's4', new SharedSettingValues());
  t.strictSame(elsewhere.ignore_errors_in_fields, ['a', 'b']);
  t.not(elsewhere.ignore_errors_in_fields, two.ignore_errors_in_fields, 'another store (another app) keeps its own lists');
});
