// Stage of `npm run bench`: weight and time to first byte of the hosted scan UI, per page and per step.
//
// The scan UI is one server-rendered document per page: every step of a session is a <section> of it and
// scan.js only switches between them, so what a step "serves" is the document that shows it plus the CSS
// and script that document references. This stage, against an emulator child process:
// - creates sessions with the public API (liveness FrontSide, FrontAndBack, NoDocument; the scanning
//   flow), opens each page through its one-time link with a raw node:http client (fresh TCP connection
//   per request, like a first visit), then reloads it 20 times with the cookie the first response set;
//   TTFB = request start to response headers, the median of the 20 reloads is the figure;
// - also fetches the pages the server renders at a later step (the phone page from the mobile link,
//   the desktop page after the phone opened it, during the analysis, after the end), the result page
//   and the link-error page (an OTP link opened a second time without its cookie);
// - weighs each page: HTML + every <script src> + every <link rel=stylesheet href> (images apart);
// - lists every URL each page would load by itself (scripts, stylesheets, images, frames, media, CSS
//   url()/@import, absolute URLs in script string literals): any one on another origin is an external
//   request. Links the person may follow (<a href>, e.g. the merchant's target on the done step) are
//   navigation, not requests, and are listed apart.
// The emulator's clock is frozen while the raw pages are measured (the analysis stays on screen until
// the stage advances it) and let run again for the browser walk (bench/ui-browser.ts).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_API_KEY, exampleLivenessRequest } from './example.js';
import { ROOT } from './support.js';
import { walkScanUi } from './ui-browser.js';

export type StageStatus = 'PASS' | 'FAIL' | 'ERROR' | 'REF' | 'SKIP';
export interface StageRow {
  measurement: string;
  result: string;
  target: string;
  status: StageStatus;
}

/** 50 KB, with KB = 1024 bytes (as MB is 1024 * 1024 bytes elsewhere in the bench). */
export const PAGE_BUDGET_BYTES = 50 * 1024;
const RELOADS = 20;

// ---------------------------------------------------------------------------------------------
// Raw HTTP

interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Request start (before connect) to the response headers, in ms. */
  ttfbMs: number;
}

function fetchRaw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    const started = performance.now();
    const request = http.request(url, { method: options.method ?? 'GET', headers, agent: false }, (response) => {
      const ttfbMs = performance.now() - started;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), ttfbMs }));
      response.on('error', reject);
    });
    request.setTimeout(5000, () => request.destroy(new Error(`timeout after 5000 ms: ${url}`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

async function json<T>(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<T> {
  const response = await fetchRaw(url, options);
  if (response.status !== 200) throw new Error(`${options.method ?? 'GET'} ${new URL(url).pathname}: HTTP ${response.status} ${response.body.toString().slice(0, 300)}`);
  return JSON.parse(response.body.toString()) as T;
}

/** "zsm_ui=secret" from the Set-Cookie header of a page response. */
function cookieOf(response: Fetched, name: string): string {
  const setCookie = response.headers['set-cookie'] ?? [];
  const found = setCookie.map((line) => line.split(';')[0].trim()).find((pair) => pair.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie set by the page (Set-Cookie: ${JSON.stringify(setCookie)})`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// What a page references

interface Reference {
  /** Where it was found: `script[src]`, `link[rel=stylesheet][href]`, `scan.css url()` ... */
  where: string;
  url: string;
}

interface References {
  scripts: string[];
  stylesheets: string[];
  /** Everything the browser loads by itself (scripts and stylesheets included). */
  loads: Reference[];
  /** Links the person may follow: navigation, not requests. */
  links: Reference[];
}

const decodeEntities = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  const pattern = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const inner = tag.replace(/^<\s*[\w-]+/, '').replace(/\/?>$/, '');
  for (const match of inner.matchAll(pattern)) found.set(match[1].toLowerCase(), decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  return found;
}

/** url(...) and @import in CSS text. */
function cssReferences(css: string, where: string): Reference[] {
  const refs: Reference[] = [];
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const match of text.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)/gi)) refs.push({ where: `${where} url()`, url: match[1] ?? match[2] ?? match[3] ?? '' });
  for (const match of text.matchAll(/@import\s+(?:"([^"]*)"|'([^']*)')/gi)) refs.push({ where: `${where} @import`, url: match[1] ?? match[2] ?? '' });
  return refs;
}

/** Absolute URLs in string literals of a script (a fetch or an image it could make). */
function scriptUrls(source: string, where: string): Reference[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(/['"`]((?:https?:|wss?:)?\/\/[^'"`\s]+)/gi)].map((match) => ({ where: `${where} string`, url: match[1] }));
}

/** Elements whose URL attributes the browser loads by itself. */
const loadingAttributes: Record<string, string[]> = {
  script: ['src'],
  img: ['src', 'srcset'],
  iframe: ['src'],
  frame: ['src'],
  video: ['src', 'poster'],
  audio: ['src'],
  source: ['src', 'srcset'],
  track: ['src'],
  embed: ['src'],
  object: ['data'],
  input: ['src'],
  image: ['href'],
  use: ['href'],
};
const navigatingAttributes: Record<string, string[]> = { a: ['href'], area: ['href'], form: ['action'], button: ['formaction'] };

function htmlReferences(html: string): References {
  const refs: References = { scripts: [], stylesheets: [], loads: [], links: [] };
  // Inline <script> and <style> text is not markup; inline CSS is still checked for url().
  const markup = html.replace(/<(script|style)\b([^>]*)>([\s\S]*?)<\/\1\s*>/gi, (_whole, name: string, attrs: string, text: string) => {
    if (name.toLowerCase() === 'style') refs.loads.push(...cssReferences(text, '<style>'));
    else if (text.trim() !== '' && !/type\s*=\s*["']?application\/(ld\+)?json/i.test(attrs)) refs.loads.push(...scriptUrls(text, 'inline <script>'));
    return `<${name}${attrs}></${name}>`;
  });
  for (const match of markup.matchAll(/<([a-zA-Z][\w-]*)\b[^>]*>/g)) {
    const name = match[1].toLowerCase();
    const attrs = attributes(match[0]);
    const style = attrs.get('style');
    if (style) refs.loads.push(...cssReferences(style, `${name}[style]`));
    if (name === 'meta' && /refresh/i.test(attrs.get('http-equiv') ?? '')) {
      const target = /url\s*=\s*(.+)$/i.exec(attrs.get('content') ?? '');
      if (target) refs.links.push({ where: 'meta[http-equiv=refresh]', url: target[1].trim().replace(/^['"]|['"]$/g, '') });
    }
    if (name === 'link' && attrs.has('href')) {
      const rel = (attrs.get('rel') ?? '').toLowerCase().split(/\s+/);
      const href = attrs.get('href')!;
      if (rel.includes('stylesheet')) refs.stylesheets.push(href);
      // canonical/alternate/author... are not loaded; every other rel (icon, preload, manifest, ...) may be.
      if (!rel.some((r) => ['canonical', 'alternate', 'author', 'help', 'license', 'next', 'prev', 'search', 'bookmark'].includes(r))) {
        refs.loads.push({ where: `link[rel=${rel.join(' ')}][href]`, url: href });
      } else refs.links.push({ where: `link[rel=${rel.join(' ')}][href]`, url: href });
    }
    if (name === 'base' && attrs.has('href')) refs.loads.push({ where: 'base[href]', url: attrs.get('href')! });
    for (const attr of loadingAttributes[name] ?? []) {
      const value = attrs.get(attr);
      if (value === undefined || value === '') continue;
      const urls = attr === 'srcset' ? value.split(',').map((part) => part.trim().split(/\s+/)[0]) : [value];
      for (const url of urls) refs.loads.push({ where: `${name}[${attr}]`, url });
      if (name === 'script' && attr === 'src') refs.scripts.push(value);
    }
    for (const attr of navigatingAttributes[name] ?? []) {
      const value = attrs.get(attr);
      if (value !== undefined && value !== '') refs.links.push({ where: `${name}[${attr}]`, url: value });
    }
  }
  return refs;
}

type Kind = 'same-origin' | 'inline' | 'external';
function classify(url: string, base: string): { kind: Kind; absolute: string } {
  let resolved: URL;
  try {
    resolved = new URL(url, base);
  } catch {
    return { kind: 'external', absolute: url };
  }
  if (['data:', 'blob:', 'about:', 'javascript:'].includes(resolved.protocol)) return { kind: 'inline', absolute: `${resolved.protocol}…` };
  return { kind: resolved.origin === new URL(base).origin ? 'same-origin' : 'external', absolute: resolved.href };
}

// ---------------------------------------------------------------------------------------------
// One page

interface PageFigures {
  label: string;
  /** The data-step the server rendered the page at (null for the result and link-error pages). */
  step: string | null;
  /** Every step section in the document. */
  sections: string[];
  status: number;
  htmlBytes: number;
  cssBytes: number;
  jsBytes: number;
  total: number;
  firstTtfb: number | null;
  ttfb: { median: number; min: number; max: number };
  external: string[];
  /** Other-origin links the person may follow (not requests). */
  navigation: string[];
  loads: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

interface PageSpec {
  label: string;
  url: string;
  /** Cookie header for the reloads (and for the first request when `first` is false). */
  cookie?: string;
  /** The first response, when it came through the one-time link (its TTFB is printed apart). */
  first?: Fetched;
  expectStatus: number;
  expectStep?: string | null;
}

async function measurePage(spec: PageSpec): Promise<PageFigures> {
  const headers: Record<string, string> = spec.cookie ? { cookie: spec.cookie } : {};
  const times: number[] = [];
  let last: Fetched | undefined;
  for (let i = 0; i < RELOADS; i++) {
    last = await fetchRaw(spec.url, { headers });
    if (last.status !== spec.expectStatus) throw new Error(`${spec.label}: HTTP ${last.status} (expected ${spec.expectStatus}) on request ${i + 1}: ${last.body.toString().slice(0, 200)}`);
    times.push(last.ttfbMs);
  }
  const page = spec.first ?? last!;
  const html = page.body.toString();
  const rootStep = /data-testid="scan-root"[^>]*?\sdata-step="([^"]+)"/.exec(html)?.[1] ?? null;
  if (spec.expectStep !== undefined && rootStep !== spec.expectStep) throw new Error(`${spec.label}: the page is at step ${rootStep}, expected ${spec.expectStep}`);
  const sections = [...html.matchAll(/data-step-name="([^"]+)"/g)].map((m) => m[1]);

  const refs = htmlReferences(html);
  const loads: Reference[] = [...refs.loads];
  let cssBytes = 0;
  let jsBytes = 0;
  for (const [list, type] of [
    [refs.stylesheets, 'css'],
    [refs.scripts, 'js'],
  ] as const) {
    for (const href of list) {
      const { kind, absolute } = classify(href, spec.url);
      if (kind !== 'same-origin') continue; // reported as external (or inline) below, not fetched
      const asset = await fetchRaw(absolute, { headers });
      if (asset.status !== 200) throw new Error(`${spec.label}: ${href} answered HTTP ${asset.status}`);
      const name = new URL(absolute).pathname.split('/').pop() ?? href;
      if (type === 'css') {
        cssBytes += asset.body.length;
        loads.push(...cssReferences(asset.body.toString(), name).map((r) => ({ ...r, url: new URL(r.url, absolute).href })));
      } else {
        jsBytes += asset.body.length;
        loads.push(...scriptUrls(asset.body.toString(), name));
      }
    }
  }
  const external = loads.map((r) => ({ ...r, ...classify(r.url, spec.url) })).filter((r) => r.kind === 'external');
  const navigation = refs.links.map((r) => ({ ...r, ...classify(r.url, spec.url) })).filter((r) => r.kind === 'external');
  const htmlBytes = page.body.length;
  return {
    label: spec.label,
    step: rootStep,
    sections,
    status: page.status,
    htmlBytes,
    cssBytes,
    jsBytes,
    total: htmlBytes + cssBytes + jsBytes,
    firstTtfb: spec.first ? spec.first.ttfbMs : null,
    ttfb: { median: median(times), min: Math.min(...times), max: Math.max(...times) },
    external: external.map((r) => `${r.where} ${r.absolute}`),
    navigation: [...new Set(navigation.map((r) => `${r.where} ${new URL(r.absolute).origin}`))],
    loads: loads.length,
  };
}

// ---------------------------------------------------------------------------------------------
// The pages

interface Created {
  id: string;
  /** redirect_url, rebased on the emulator the bench talks to. */
  url: string;
}

async function createSession(base: string, path: string, body: Record<string, unknown>): Promise<Created> {
  const created = await json<{ id: string; redirect_url: string }>(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: BENCH_API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const redirect = new URL(created.redirect_url);
  return { id: created.id, url: `${base}${redirect.pathname}${redirect.search}` };
}

/** Opens a one-time link: the response and the cookie it set. */
async function openLink(url: string, cookieName: string): Promise<{ first: Fetched; cookie: string }> {
  const first = await fetchRaw(url);
  if (first.status !== 200) throw new Error(`${new URL(url).pathname}: the one-time link answered HTTP ${first.status}: ${first.body.toString().slice(0, 200)}`);
  return { first, cookie: cookieOf(first, cookieName) };
}

async function measureAllPages(base: string): Promise<PageFigures[]> {
  const pages: PageFigures[] = [];
  const control = (path: string, body?: unknown) =>
    json(`${base}/__mock/clock/${path}`, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await control('freeze');
  try {
    // The product document's example request (merchant URLs on another origin, as in real use), per option.
    const liveness = async (options: string) => createSession(base, '/v3/scanning/liveness', { ...exampleLivenessRequest, options });
    const frontSide = await liveness('FrontSide');
    const frontAndBack = await liveness('FrontAndBack');
    const noDocument = await liveness('NoDocument');
    const scanning = await createSession(base, '/v3/scanning', {
      relay_state: 'bench',
      analysis_types: ['document', 'selfie', 'liveness'],
      target: exampleLivenessRequest.target,
      target_error: exampleLivenessRequest.target_error,
    });

    const desktop = new Map<string, { cookie: string; url: string }>();
    for (const [label, session] of [
      ['liveness FrontSide', frontSide],
      ['liveness FrontAndBack', frontAndBack],
      ['liveness NoDocument', noDocument],
      ['scanning flow', scanning],
    ] as const) {
      const { first, cookie } = await openLink(session.url, 'zsm_ui');
      desktop.set(session.id, { cookie, url: session.url });
      pages.push(await measurePage({ label, url: session.url, cookie, first, expectStatus: 200, expectStep: 'start' }));
    }

    // The mobile hand-off of the FrontSide session: the phone page, then the desktop page that follows it.
    const api = (id: string) => `${base}/v3/scan/ui/${id}`;
    const deskCookie = desktop.get(frontSide.id)!.cookie;
    const mobileLink = await json<{ url: string }>(`${api(frontSide.id)}/mobile-link`, { method: 'POST', headers: { cookie: deskCookie } });
    const phoneUrl = `${base}${new URL(mobileLink.url).pathname}${new URL(mobileLink.url).search}`;
    const phone = await openLink(phoneUrl, 'zsm_m');
    pages.push(await measurePage({ label: 'phone page (mobile link)', url: phoneUrl, cookie: phone.cookie, first: phone.first, expectStatus: 200, expectStep: 'document-front' }));
    pages.push(await measurePage({ label: 'liveness FrontSide, phone opened', url: frontSide.url, cookie: deskCookie, expectStatus: 200, expectStep: 'mobile' }));

    // The analysis (the clock is frozen: it stays on until advanced), then the end. It starts once the
    // document is captured, as in the browser: the phone uploads the sample passport.
    const upload = new FormData();
    upload.append('document', new Blob([readFileSync(join(ROOT, 'fixtures', 'sample-documents', 'passport.jpg'))], { type: 'image/jpeg' }), 'passport.jpg');
    const uploaded = await fetch(`${api(frontSide.id)}/documents?side=front`, { method: 'POST', headers: { cookie: phone.cookie }, body: upload });
    if (uploaded.status !== 200) throw new Error(`uploading the document: HTTP ${uploaded.status} ${(await uploaded.text()).slice(0, 300)}`);
    await json(`${api(frontSide.id)}/analysis`, { method: 'POST', headers: { cookie: deskCookie } });
    pages.push(await measurePage({ label: 'liveness FrontSide, reloaded', url: frontSide.url, cookie: deskCookie, expectStatus: 200, expectStep: 'analyzing' }));
    const state = await json<{ remaining_ms: number | null }>(`${api(frontSide.id)}/state`, { headers: { cookie: deskCookie } });
    await control('advance', { ms: Math.max(1, (state.remaining_ms ?? 0) + 1) });
    pages.push(await measurePage({ label: 'liveness FrontSide, reloaded', url: frontSide.url, cookie: deskCookie, expectStatus: 200, expectStep: 'done' }));
    pages.push(await measurePage({ label: 'phone page, reloaded', url: phoneUrl, cookie: phone.cookie, expectStatus: 200, expectStep: 'mobile-done' }));
    pages.push(await measurePage({ label: 'result page', url: `${api(frontSide.id)}/result`, cookie: deskCookie, expectStatus: 200, expectStep: null }));
    // The desktop link opened again by another browser (no cookie): "This link has already been used".
    pages.push(await measurePage({ label: 'link-error page (used link)', url: noDocument.url, expectStatus: 403, expectStep: null }));
  } finally {
    await control('unfreeze').catch(() => undefined);
  }
  return pages;
}

// ---------------------------------------------------------------------------------------------
// Report

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const msText = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

function table(header: string[], lines: string[][], rightAligned: number[] = []): void {
  const widths = header.map((_, i) => Math.max(header[i].length, ...lines.map((l) => l[i].length)));
  const render = (line: string[]) => `  ${line.map((cell, i) => (rightAligned.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ')}`.trimEnd();
  console.log(render(header));
  for (const line of lines) console.log(render(line));
}

const STEP_ORDER = ['start', 'document-front', 'document-back', 'face-align', 'face-action', 'analyzing', 'done', 'mobile', 'mobile-done'];

/** Runs the stage against the emulator at `base`, prints it and returns its summary rows. */
export async function uiPagesStage(base: string): Promise<StageRow[]> {
  const started = performance.now();
  const target = `each page < ${PAGE_BUDGET_BYTES / 1024} KB, no external requests`;
  console.log(`  raw node:http, a fresh TCP connection per request; TTFB = request start to response headers, median of ${RELOADS} reloads with the page's cookie`);
  console.log('  (first = the one-time link itself); weight = HTML + the CSS and script it references (response bodies, uncompressed; images apart)');
  console.log('  TEST_MODE on (the default: tester panel and sample buttons included); KB = 1024 bytes');
  const pages = await measureAllPages(base);

  table(
    ['page', 'at step', 'status', 'HTML', 'CSS', 'JS', 'total', 'TTFB p50', 'min-max', 'first', 'external'],
    pages.map((p) => [
      p.label,
      p.step ?? '-',
      String(p.status),
      kb(p.htmlBytes),
      kb(p.cssBytes),
      kb(p.jsBytes),
      kb(p.total),
      msText(p.ttfb.median),
      `${p.ttfb.min.toFixed(2)}-${p.ttfb.max.toFixed(2)}`,
      p.firstTtfb === null ? '-' : msText(p.firstTtfb),
      p.external.length === 0 ? 'none' : String(p.external.length),
    ]),
    [3, 4, 5, 6, 7, 9],
  );

  // Per step: every page whose document has the step's section serves it.
  console.log('  per step (the largest and slowest page that shows it; scan.js moves between the steps of a page without loading HTML, CSS or script):');
  const stepLines: string[][] = [];
  for (const step of STEP_ORDER) {
    const showing = pages.filter((p) => p.sections.includes(step));
    if (showing.length === 0) {
      stepLines.push([step, '-', '-', 'no page measured shows it']);
      continue;
    }
    const heaviest = showing.reduce((a, b) => (b.total > a.total ? b : a));
    const slowest = Math.max(...showing.map((p) => p.ttfb.median));
    const rendered = showing.filter((p) => p.step === step).map((p) => p.label);
    stepLines.push([
      step,
      kb(heaviest.total),
      msText(slowest),
      `${showing.length} page(s); server-rendered at this step: ${rendered.length ? [...new Set(rendered)].join(', ') : 'no (reached in the page)'}`,
    ]);
  }
  table(['  step', 'weight', 'TTFB p50', 'served by'], stepLines.map((l) => [`  ${l[0]}`, l[1], l[2], l[3]]), [1, 2]);

  const external = pages.flatMap((p) => p.external.map((e) => `${p.label}: ${e}`));
  const navigation = [...new Set(pages.flatMap((p) => p.navigation))];
  const loadCount = pages.reduce((n, p) => n + p.loads, 0);
  console.log(`  external requests: ${external.length === 0 ? `none (${loadCount} URLs the pages load by themselves, all same-origin or data:)` : ''}`);
  for (const line of external) console.log(`    EXTERNAL ${line}`);
  if (navigation.length) console.log(`  links to other origins (navigation by the person, not requests): ${navigation.join('; ')}`);

  const heaviest = pages.reduce((a, b) => (b.total > a.total ? b : a));
  const over = pages.filter((p) => p.total >= PAGE_BUDGET_BYTES);
  const slowest = pages.reduce((a, b) => (b.ttfb.median > a.ttfb.median ? b : a));
  const status = over.length === 0 && external.length === 0 ? 'PASS' : 'FAIL';
  const verdict = [
    over.length ? `${over.length} page(s) over ${PAGE_BUDGET_BYTES / 1024} KB (${over.map((p) => p.label).join(', ')})` : `all ${pages.length} pages under ${PAGE_BUDGET_BYTES / 1024} KB`,
    external.length ? `${external.length} external reference(s)` : 'no external requests',
  ].join(', ');
  console.log(`  largest: ${heaviest.label} at ${heaviest.step ?? '-'}, ${kb(heaviest.total)} (${heaviest.total.toLocaleString('en-US')} bytes); slowest TTFB p50: ${slowest.label} ${msText(slowest.ttfb.median)}`);
  console.log(`  target: ${target} -> ${status} (${verdict}); ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const rows: StageRow[] = [
    {
      measurement: 'scan UI page weight',
      result: `max ${kb(heaviest.total)} (${heaviest.label}), ${pages.length} pages, ${external.length} external`,
      target,
      status,
    },
    {
      measurement: 'scan UI TTFB',
      result: `p50 ${msText(Math.min(...pages.map((p) => p.ttfb.median)))}-${msText(slowest.ttfb.median)} over ${pages.length} pages`,
      target: 'reported',
      status: 'REF',
    },
  ];

  console.log('  browser walk (headless Chromium; every request each page makes, by step):');
  try {
    rows.push(await walkScanUi(base));
  } catch (error) {
    // The raw figures above stand on their own: a browser that cannot run costs only its own row.
    const message = error instanceof Error ? error.message : String(error);
    console.log(`    ERROR: ${message}`);
    rows.push({ measurement: 'scan UI browser walk', result: `error: ${message.split('\n')[0]}`, target: 'every request to 127.0.0.1', status: 'ERROR' });
  }
  return rows;
}
