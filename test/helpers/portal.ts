// The emulator with the merchant portal for tests: registers the portal plugin when app.ts does not
// (yet), and signs in over inject() the way a browser would (sign-in form token, then the cookie).
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type BuildOptions } from '../../src/app.js';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import { AdjustableClock } from '../../src/core/clock.js';
import { portalRoutes } from '../../src/routes/portal/index.js';
import type { TestContext } from './app.js';

export interface PortalTestApp {
  app: FastifyInstance;
  clock: AdjustableClock;
  /** Set when started with listen: the emulator's base URL on 127.0.0.1. */
  baseUrl: string;
}

/** Builds the emulator on a fake clock (time moves only when the test advances it), with the portal. */
export async function startPortalApp(
  t: TestContext,
  settings: ConfigInput = {},
  options: { listen?: boolean; realTime?: boolean; live?: BuildOptions['live'] } = {},
): Promise<PortalTestApp> {
  const config = loadConfig({}, { LOG_LEVEL: 'silent', ...settings });
  const fakeNow = Date.UTC(2026, 0, 15, 9, 0, 0);
  const clock = options.realTime ? new AdjustableClock() : new AdjustableClock(() => fakeNow);
  const app = await buildApp(config, { clock, logger: false, live: options.live, checkResponses: true });
  t.teardown(() => app.close());
  if (!app.hasRoute({ method: 'GET', url: '/portal/sign-in' })) await app.register(portalRoutes);
  await app.ready();
  let baseUrl = '';
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }
  return { app, clock, baseUrl };
}

/** The name=value pairs of Set-Cookie headers. */
export function cookiesOf(response: { headers: Record<string, unknown> }): Record<string, string> {
  const header = response.headers['set-cookie'];
  const list = header === undefined ? [] : Array.isArray(header) ? header.map(String) : [header as string];
  const out: Record<string, string> = {};
  for (const line of list) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

export const csrfIn = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1];

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#96;': '`' };
/** HTML text as the browser shows it (the entities the pages' escaping writes). */
export const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|#39|#96);/g, (entity) => entities[entity]);

/** The texts of the elements with this data-testid (each up to its closing tag), tags stripped, entities decoded. */
export function textsOf(body: string, testid: string): string[] {
  return [...body.matchAll(new RegExp(`<(\\w+)[^>]*data-testid="${testid}"[^>]*>`, 'g'))].map((match) => {
    const rest = body.slice(match.index + match[0].length);
    return decode(rest.slice(0, rest.indexOf(`</${match[1]}>`)).replace(/<[^>]+>/g, ''));
  });
}

/** The text of the first element with this data-testid, or undefined. */
export const textOf = (body: string, testid: string): string | undefined => textsOf(body, testid)[0];

export function form(fields: Record<string, string | string[]>): { payload: string; headers: Record<string, string> } {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  return { payload: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

export interface PortalClient {
  cookie: string;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, fields?: Record<string, string | string[]>, options?: { csrf?: string | null }): Promise<LightMyRequestResponse>;
}

/** Signs in with `key` like a browser: GET the form (token cookie), POST it; returns a client with the portal cookie. */
export async function signIn(app: FastifyInstance, key: string): Promise<PortalClient> {
  const formPage = await app.inject({ url: '/portal/sign-in' });
  const token = csrfIn(formPage.body)!;
  const signInCookie = cookiesOf(formPage).zsm_portal_signin;
  const res = await app.inject({ method: 'POST', url: '/portal/sign-in', ...form({ _csrf: token, api_key: key, next: '/portal' }), headers: { ...form({}).headers, cookie: `zsm_portal_signin=${signInCookie}` } });
  if (res.statusCode !== 303) throw new Error(`sign-in failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const cookie = `zsm_portal=${cookiesOf(res).zsm_portal}`;
  const home = await app.inject({ url: '/portal', headers: { cookie } });
  const csrf = csrfIn(home.body)!;
  return {
    cookie,
    csrf,
    get: (url) => app.inject({ url, headers: { cookie } }),
    post: (url, fields = {}, options = {}) => {
      const token = options.csrf === undefined ? csrf : options.csrf;
      const body = form(token === null ? fields : { _csrf: token, ...fields });
      return app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, cookie } });
    },
  };
}

/** Follows an action's 303 back to its page: the page, and the notice saying what the action did. */
export async function followNotice(client: PortalClient, res: LightMyRequestResponse): Promise<{ page: string; notice: string | undefined; items: string[] }> {
  if (res.statusCode !== 303) throw new Error(`expected a 303, got ${res.statusCode}: ${res.body.slice(0, 300)}`);
  const page = (await client.get(String(res.headers.location))).body;
  return { page, notice: textOf(page, 'console-notice-text'), items: textsOf(page, 'console-notice-item') };
}
