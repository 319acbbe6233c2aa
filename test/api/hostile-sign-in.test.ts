// Hostile sign-ins to the portal over real HTTP on loopback: invented or reused form tokens, a flood
// of attempts from one address, and a flood of new sign-ins filling the store. Each flood is a few
// dozen requests and stops by itself; nobody who used the portal recently is signed out.
import { Agent, request } from 'node:http';
import t from 'tap';
import type { TestContext } from '../helpers/app.js';
import { startPortalApp } from '../helpers/portal.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** HTTP calls to the emulator on 127.0.0.1, from a chosen loopback source address (keep-alive per address). */
function loopbackClient(t: TestContext, baseUrl: string) {
  const { port } = new URL(baseUrl);
  const agents = new Map<string, Agent>();
  t.teardown(() => agents.forEach((agent) => agent.destroy()));
  const agentFor = (from: string) => {
    if (!agents.has(from)) agents.set(from, new Agent({ keepAlive: true, localAddress: from }));
    return agents.get(from)!;
  };
  return (method: string, path: string, options: { from?: string; headers?: Record<string, string>; form?: Record<string, string> } = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
      const headers = { ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...options.headers };
      const req = request({ host: '127.0.0.1', port, method, path, headers, agent: agentFor(options.from ?? '127.0.0.1') }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      });
      req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
}

type Call = ReturnType<typeof loopbackClient>;

const setCookies = (answer: Answer) => {
  const header = answer.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
};
const cookieValue = (answer: Answer, name: string) =>
  setCookies(answer)
    .map((line) => line.split(';')[0])
    .find((pair) => pair.startsWith(`${name}=`))
    ?.slice(name.length + 1);
const formToken = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
const signInError = (page: string) => /data-testid="sign-in-error" role="alert">([^<]*)</.exec(page)?.[1];

/** A browser's sign-in: the form (its token cookie), then the post. Returns the post's answer. */
async function signInOnce(call: Call, key: string, options: { from?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const page = await call('GET', '/portal/sign-in', options);
  const token = formToken(page.body)!;
  return call('POST', '/portal/sign-in', {
    ...options,
    headers: { ...options.headers, cookie: `zsm_portal_signin=${cookieValue(page, 'zsm_portal_signin') ?? token}` },
    form: { _csrf: token, api_key: key, next: '/portal' },
  });
}

/** Signs in and returns the portal cookie, failing the test if that did not work. */
async function signedIn(call: Call, key: string, from: string): Promise<string> {
  const answer = await signInOnce(call, key, { from });
  const session = cookieValue(answer, 'zsm_portal');
  if (answer.status !== 303 || !session) throw new Error(`sign-in failed: ${answer.status} ${answer.body.slice(0, 300)}`);
  return `zsm_portal=${session}`;
}

t.test('an invented form token with a matching cookie is refused: the server never issued it', async (t) => {
  const { baseUrl } = await startPortalApp(t, {}, { listen: true, realTime: true });
  const call = loopbackClient(t, baseUrl);
  const invented = 'A'.repeat(43);
  const answer = await call('POST', '/portal/sign-in', { headers: { cookie: `zsm_portal_signin=${invented}` }, form: { _csrf: invented, api_key: 'victim-key', next: '/portal' } });
  t.equal(answer.status, 403);
  t.equal(answer.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(signInError(answer.body), 'The sign-in form had expired. Please enter your key again.');
  t.equal(cookieValue(answer, 'zsm_portal'), undefined, 'no sign-in');
  const fresh = formToken(answer.body)!;
  t.not(fresh, invented, 'the page carries a token the server issued instead');
  t.equal(cookieValue(answer, 'zsm_portal_signin'), fresh, 'and sets it as the cookie');
  const retried = await call('POST', '/portal/sign-in', { headers: { cookie: `zsm_portal_signin=${fresh}` }, form: { _csrf: fresh, api_key: 'victim-key', next: '/portal' } });
  t.equal(retried.status, 303, 'the issued token works');
});

t.test("a sign-in form's token signs in once", async (t) => {
  const { baseUrl } = await startPortalApp(t, {}, { listen: true, realTime: true });
  const call = loopbackClient(t, baseUrl);
  const page = await call('GET', '/portal/sign-in');
  const token = formToken(page.body)!;
  const post = () => call('POST', '/portal/sign-in', { headers: { cookie: `zsm_portal_signin=${token}` }, form: { _csrf: token, api_key: 'key-once', next: '/portal' } });
  t.equal((await post()).status, 303);
  const again = await post();
  t.equal(again.status, 403, 'the same form and cookie a second time');
  t.equal(signInError(again.body), 'The sign-in form had expired. Please enter your key again.');
  t.equal(cookieValue(again, 'zsm_portal'), undefined);
});

t.test('sign-in attempts are limited per client address: 429 with Retry-After on an HTML page, nobody signed out', async (t) => {
  const { app, baseUrl } = await startPortalApp(t, {}, { listen: true, realTime: true });
  const call = loopbackClient(t, baseUrl);
  const victim = await signedIn(call, 'victim-key', '127.0.0.3');

  const answers: Answer[] = [];
  // X-Forwarded-For changes on every attempt: any caller can write it, so it must not reset the count.
  for (let i = 0; i < 24; i++) answers.push(await signInOnce(call, `flood-${i}`, { headers: { 'x-forwarded-for': `203.0.113.${i}` } }));
  t.same(
    answers.map((a) => a.status),
    [...Array(20).fill(303), 429, 429, 429, 429],
    'PORTAL_SIGN_IN_RATE (20 a minute by default) attempts, then 429',
  );
  const refused = answers[20];
  const retryAfter = Number(refused.headers['retry-after']);
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After in whole seconds (${String(refused.headers['retry-after'])})`);
  t.equal(refused.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(refused.headers['cache-control'], 'no-store');
  t.match(refused.headers['content-security-policy'], /^default-src 'none'/);
  t.equal(signInError(refused.body), `Too many sign-in attempts from your address (at most 20 a minute). Please try again in ${retryAfter} seconds.`);
  t.equal(cookieValue(refused, 'zsm_portal'), undefined, 'no sign-in');
  t.notMatch(refused.body, /at .*\.ts:\d+/, 'no stack trace');

  const forged = await call('POST', '/portal/sign-in', { form: { _csrf: 'x', api_key: 'k' } });
  t.equal(forged.status, 429, 'posts without a valid form count and are refused too');

  t.equal((await signInOnce(call, 'neighbour-key', { from: '127.0.0.2' })).status, 303, 'another address still signs in');
  t.equal((await call('GET', '/portal', { from: '127.0.0.3', headers: { cookie: victim } })).status, 200, 'the earlier sign-in still works');
  t.equal(app.emulator.sessions.size, 0);
});

t.test('a flood of new sign-ins never signs out someone who used the portal recently: past PORTAL_MAX_SIGN_INS it is refused', async (t) => {
  const { baseUrl } = await startPortalApp(t, { PORTAL_MAX_SIGN_INS: '25', PORTAL_SIGN_IN_RATE: '1000' }, { listen: true, realTime: true });
  const call = loopbackClient(t, baseUrl);
  const victim = await signedIn(call, 'victim-key', '127.0.0.3');
  t.equal((await call('GET', '/portal', { from: '127.0.0.3', headers: { cookie: victim } })).status, 200);

  const statuses: number[] = [];
  let refused: Answer | undefined;
  for (let i = 0; i < 40; i++) {
    const answer = await signInOnce(call, `flood-${i}`);
    statuses.push(answer.status);
    refused ??= answer.status === 503 ? answer : undefined;
  }
  t.same(statuses, [...Array(24).fill(303), ...Array(16).fill(503)], 'the store fills up, then new sign-ins are refused');
  const retryAfter = Number(refused!.headers['retry-after']);
  t.ok(retryAfter > 1790 && retryAfter <= 1800, `Retry-After: until the least recently used sign-in has been idle for 30 minutes (${retryAfter})`);
  t.equal(refused!.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(
    signInError(refused!.body),
    'The portal already holds 25 sign-ins, all in use within the last 30 minutes, and signs nobody out to make room. Please try again in 30 minutes.',
  );
  t.equal(cookieValue(refused!, 'zsm_portal'), undefined);

  const home = await call('GET', '/portal', { from: '127.0.0.3', headers: { cookie: victim } });
  t.equal(home.status, 200, 'the person who signed in first is still signed in');
  t.match(home.body, /data-testid="portal-merchant-name"/);
});
