// The portal's sign-in store and form tokens on a fake wall clock: idle sign-ins make room, active
// ones never do; form tokens are the server's own, expire, are spent once and are bounded per address.
import t from 'tap';
import { PortalSessionStore, SignInFormTokens, safeNext, type PortalSession } from '../../src/routes/portal/portal-auth.js';

const MINUTE = 60_000;

t.test('a full store makes room with the least recently used sign-in idle for activeMs, never with an active one', async (t) => {
  let now = 0;
  const store = new PortalSessionStore({ capacity: 3, activeMs: 30 * MINUTE, idleMs: 12 * 60 * MINUTE, wallClock: () => now });
  const open = (key: string): PortalSession => {
    const opened = store.open(key);
    if (!opened.ok) throw new Error('refused');
    return opened.session;
  };
  const a = open('a');
  now += MINUTE;
  const b = open('b');
  now += MINUTE;
  const c = open('c');
  now += 10 * MINUTE;
  t.same(store.open('flood'), { ok: false, retryAfterMs: 18 * MINUTE }, 'everyone used the portal within 30 minutes: refused, with the wait');
  t.equal(store.size, 3);

  now = b.lastSeen + 30 * MINUTE;
  store.get(a.id);
  const d = store.open('d');
  t.equal(d.ok, true, 'b had been idle for 30 minutes');
  t.equal(store.get(b.id), undefined, 'so b made room');
  t.equal(store.get(a.id)?.apiKey, 'a', 'a, used just now, stays');
  t.equal(store.get(c.id)?.apiKey, 'c');
  t.equal(store.size, 3);
});

t.test('sign-ins idle past idleMs are dropped when a new one comes in', async (t) => {
  let now = 0;
  const store = new PortalSessionStore({ capacity: 10, idleMs: 1000, activeMs: 100, wallClock: () => now });
  store.open('a');
  store.open('b');
  now = 1001;
  store.open('c');
  t.equal(store.size, 1);
});

t.test('sign-in form tokens: issued here, live until spent or expired', async (t) => {
  let now = 0;
  const tokens = new SignInFormTokens({ ttlMs: 60 * MINUTE, wallClock: () => now });
  const token = tokens.issue('127.0.0.1');
  t.match(token, /^[A-Za-z0-9_-]{43}$/);
  t.equal(tokens.isLive(token), true);
  t.equal(tokens.isLive('A'.repeat(43)), false, 'a token the server did not issue');
  t.equal(tokens.isLive(undefined), false);
  t.equal(tokens.isLive(''), false);
  now = 60 * MINUTE - 1;
  t.equal(tokens.isLive(token), true, 'just before it expires');
  now = 60 * MINUTE;
  t.equal(tokens.isLive(token), false, 'expired');
  tokens.issue('127.0.0.1');
  t.equal(tokens.size, 1, 'expired tokens are forgotten');
  const next = tokens.issue('127.0.0.1');
  tokens.spend(next);
  t.equal(tokens.isLive(next), false, 'spent');
});

t.test('sign-in form tokens are bounded per address and overall', async (t) => {
  const tokens = new SignInFormTokens({ perAddress: 3, capacity: 5 });
  const other = tokens.issue('192.0.2.7');
  const flood = Array.from({ length: 10 }, () => tokens.issue('127.0.0.1'));
  t.same(
    flood.map((token) => tokens.isLive(token)),
    [...Array(7).fill(false), true, true, true],
    "a flood from one address replaces that address's own tokens",
  );
  t.equal(tokens.isLive(other), true, "and not another address's");
  for (let i = 0; i < 3; i++) tokens.issue(`198.51.100.${i}`);
  t.equal(tokens.size, 5, 'never more than capacity');
  t.equal(tokens.isLive(other), false, 'the oldest token went first');
});

t.test('safeNext returns a path inside the portal that a Location header can carry', async (t) => {
  const cases: [string | null, string][] = [
    ['/portal/sessions?status=Accepted', '/portal/sessions?status=Accepted'],
    ['/portal/\u0100', '/portal/%C4%80'],
    ['/portal/\u{1F600}', '/portal/%F0%9F%98%80'],
    ['/portal/\u00e9', '/portal/%C3%A9'],
    ['/portal/a\u0000b', '/portal/a%00b'],
    ['/portal/a\u007fb', '/portal/a%7Fb'],
    ['/portal/\ud800', '/portal/%EF%BF%BD'],
    ['/portal?q=\u0100#x', '/portal?q=%C4%80'],
    ['/portal/a\r\nSet-Cookie: x=1', '/portal'],
    ['/portal/../v3/scanning', '/portal'],
    ['/portal/%2e%2e/v3/scanning', '/portal'],
    ['/portalx', '/portal'],
    ['//evil.example/portal', '/portal'],
    ['https://evil.example/portal', '/portal'],
    ['/\\evil.example', '/portal'],
    [`/portal/${'a'.repeat(600)}`, '/portal'],
    [null, '/portal'],
  ];
  for (const [given, expected] of cases) t.equal(safeNext(given), expected, JSON.stringify(given));
});
